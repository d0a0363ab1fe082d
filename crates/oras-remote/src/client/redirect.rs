//! Follows redirects of GET and HEAD requests (a blob download sent to a
//! CDN), at most [`MAX_REDIRECTS`] hops. On any hop that changes the
//! origin (scheme, host or port) it drops `Authorization`, cookies and the
//! custom headers, and they are never put back (oras-go
//! GHSA-vh4v-2xq2-g5cg; Go itself strips only on a host change). A hop
//! from https to plain http is refused with an error: what the registry
//! sent over TLS is not followed into the clear (a signed blob URL, the
//! token request of a realm). Other methods get the redirect response
//! back unchanged.
//!
//! The final URL is recorded in the response's `oras_auth::ResponseUri`
//! extension, so the auth layer above never answers a challenge that came
//! from another origin.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::header::{AUTHORIZATION, COOKIE, HeaderName, LOCATION, PROXY_AUTHORIZATION};
use http::{Method, Request, Response, StatusCode, Uri};
use oras_auth::{Body, Origin, ResponseUri};
use tower::{Layer, Service, ServiceExt};

use super::body::ResponseBody;
use crate::error::BoxError;

/// Most redirects followed for one request (Go's `http.Client` default).
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Adds [`Redirect`].
#[derive(Clone, Debug)]
pub(crate) struct RedirectLayer {
    /// Custom header names dropped on a cross-origin hop.
    pub(crate) custom: Arc<Vec<HeaderName>>,
}

impl<S> Layer<S> for RedirectLayer {
    type Service = Redirect<S>;
    fn layer(&self, inner: S) -> Redirect<S> {
        Redirect {
            inner,
            custom: self.custom.clone(),
        }
    }
}

/// Follows redirects with credential hygiene.
#[derive(Clone, Debug)]
pub(crate) struct Redirect<S> {
    inner: S,
    custom: Arc<Vec<HeaderName>>,
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The next hop's URI: `location` resolved against `current`.
fn next_uri(current: &Uri, location: &str) -> Option<Uri> {
    let base = url::Url::parse(&current.to_string()).ok()?;
    let next = base.join(location).ok()?;
    if !matches!(next.scheme(), "http" | "https") {
        return None;
    }
    next.as_str().parse().ok()
}

/// A hop from https to anything but https.
fn is_downgrade(from: &Uri, to: &Uri) -> bool {
    from.scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"))
        && !to
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("https"))
}

/// `scheme://authority/path`, for an error message (a query may be a
/// signature).
fn without_query(uri: &Uri) -> String {
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or_default(),
        uri.authority().map(|a| a.as_str()).unwrap_or_default(),
        uri.path()
    )
}

impl<S> Service<Request<Body>> for Redirect<S>
where
    S: Service<Request<Body>, Response = Response<ResponseBody>, Error = BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let follow = req.method() == Method::GET || req.method() == Method::HEAD;
        // The service polled ready is the one to call; later hops use clones.
        let clone = self.inner.clone();
        let first = std::mem::replace(&mut self.inner, clone);
        let custom = self.custom.clone();
        Box::pin(async move {
            if !follow {
                return first.oneshot(req).await;
            }
            let (parts, _empty) = req.into_parts();
            let mut headers = parts.headers;
            let mut uri = parts.uri;
            let mut service = first;
            for hop in 0..=MAX_REDIRECTS {
                let mut request = Request::new(Body::empty());
                *request.method_mut() = parts.method.clone();
                *request.uri_mut() = uri.clone();
                *request.headers_mut() = headers.clone();
                *request.extensions_mut() = parts.extensions.clone();
                let mut response = service.clone().oneshot(request).await?;
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok());
                let next = match location {
                    Some(loc) if is_redirect(response.status()) => next_uri(&uri, loc),
                    _ => None,
                };
                let Some(next) = next else {
                    response.extensions_mut().insert(ResponseUri(uri));
                    return Ok(response);
                };
                if hop == MAX_REDIRECTS {
                    return Err(format!("stopped after {MAX_REDIRECTS} redirects").into());
                }
                if is_downgrade(&uri, &next) {
                    return Err(format!(
                        "refusing redirect from {} to {}: https downgraded to plain http",
                        without_query(&uri),
                        without_query(&next)
                    )
                    .into());
                }
                if !Origin::same(&next, &uri) {
                    for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                        headers.remove(name);
                    }
                    for name in custom.iter() {
                        headers.remove(name);
                    }
                }
                uri = next;
                service = service.clone();
            }
            Err("redirect loop".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_and_refuses_other_schemes() {
        let base: Uri = "https://r.example/v2/a/blobs/sha256:x".parse().unwrap();
        assert_eq!(
            next_uri(&base, "/cdn/x?sig=1").unwrap().to_string(),
            "https://r.example/cdn/x?sig=1"
        );
        assert_eq!(
            next_uri(&base, "http://cdn.example:81/y")
                .unwrap()
                .to_string(),
            "http://cdn.example:81/y"
        );
        assert!(next_uri(&base, "file:///etc/passwd").is_none());
    }

    /// A redirect layer over a fake that redirects `/start` to `location`
    /// and answers 200 elsewhere, counting the requests it gets.
    async fn follow(start: &str, location: &'static str) -> (Result<u16, BoxError>, usize) {
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        let inner = tower::service_fn(move |req: Request<Body>| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let response = if req.uri().path() == "/start" {
                Response::builder()
                    .status(302)
                    .header(LOCATION, location)
                    .body(ResponseBody::empty())
            } else {
                Response::builder().status(200).body(ResponseBody::empty())
            };
            async move { response.map_err(BoxError::from) }
        });
        let service = RedirectLayer {
            custom: Arc::new(Vec::new()),
        }
        .layer(inner);
        let request = Request::get(start).body(Body::empty()).unwrap();
        let result =
            tokio::time::timeout(std::time::Duration::from_secs(10), service.oneshot(request))
                .await
                .unwrap();
        let requests = count.load(std::sync::atomic::Ordering::SeqCst);
        (result.map(|r| r.status().as_u16()), requests)
    }

    #[tokio::test]
    async fn an_https_to_http_redirect_is_refused() {
        let (result, requests) =
            follow("https://r.example/start?sig=s3", "http://cdn.example/b").await;
        let err = result.unwrap_err().to_string();
        assert!(err.contains("downgraded to plain http"), "{err}");
        assert!(err.contains("https://r.example/start"), "{err}");
        assert!(!err.contains("s3"), "{err}");
        assert_eq!(requests, 1, "the http URL was never requested");
        // Same scheme, or an upgrade, is followed.
        let (result, requests) = follow("https://r.example/start", "https://cdn.example/b").await;
        assert_eq!((result.unwrap(), requests), (200, 2));
        let (result, requests) = follow("http://r.example/start", "https://cdn.example/b").await;
        assert_eq!((result.unwrap(), requests), (200, 2));
        let (result, requests) = follow("http://r.example/start", "http://cdn.example/b").await;
        assert_eq!((result.unwrap(), requests), (200, 2));
    }
}
