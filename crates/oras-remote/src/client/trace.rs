//! The outermost layer: one tracing span per request, naming the method
//! and the URL **without its query** (pre-signed URLs carry credentials
//! there) and recording the status. Headers are never logged, so
//! `Authorization`, tokens and cookies never reach a log (oras
//! GHSA-5jhf-2qmf-m8c5).

use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use http::{Request, Response};
use oras_auth::Body;
use tower::{Layer, Service};
use tracing::Instrument;

use super::body::ResponseBody;
use crate::error::BoxError;

/// Adds [`Trace`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TraceLayer;

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;
    fn layer(&self, inner: S) -> Trace<S> {
        Trace { inner }
    }
}

/// Traces each request.
#[derive(Clone, Debug)]
pub(crate) struct Trace<S> {
    inner: S,
}

/// `scheme://host[:port]/path` of a URI: the query and any user
/// information are left out.
pub(crate) fn redacted(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("");
    let host = uri.host().unwrap_or("");
    let port = uri.port().map(|p| format!(":{p}")).unwrap_or_default();
    if scheme.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{scheme}://{host}{port}{}", uri.path())
    }
}

impl<S> Service<Request<Body>> for Trace<S>
where
    S: Service<Request<Body>, Response = Response<ResponseBody>, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let span = tracing::debug_span!(
            "http",
            method = %req.method(),
            url = %redacted(req.uri()),
            status = tracing::field::Empty,
        );
        let started = Instant::now();
        let future = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        Box::pin(
            async move {
                let result = future.await;
                match &result {
                    Ok(resp) => {
                        tracing::Span::current().record("status", resp.status().as_u16());
                        tracing::debug!(elapsed = ?started.elapsed(), "response");
                    }
                    Err(e) => tracing::debug!(elapsed = ?started.elapsed(), error = %e, "failed"),
                }
                result
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redaction_drops_query_and_userinfo() {
        let uri: http::Uri = "https://user:pw@cdn.example:8443/blob/x?X-Amz-Signature=secret"
            .parse()
            .unwrap();
        assert_eq!(super::redacted(&uri), "https://cdn.example:8443/blob/x");
    }
}
