//! A scripted fake server: a `tower::service_fn` that records every request
//! and answers from a closure.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use oras_auth::{AuthLayer, Body, BoxError, CredentialProvider, TokenCache};
use tower::{Service, ServiceExt};

/// A request as the fake server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: http::Method,
    pub uri: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// The realm guard extension of a token request.
    pub realm_guard: Option<oras_auth::RealmRequest>,
}

pub type Log = Arc<Mutex<Vec<Seen>>>;
pub type Handler = Arc<dyn Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync>;

/// The fake inner service: records requests and answers with `handler`.
pub fn fake(
    handler: impl Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync + 'static,
) -> (
    impl Service<Request<Body>, Response = Response<Full<Bytes>>, Error = BoxError, Future = impl Send>
    + Clone
    + Send
    + 'static,
    Log,
) {
    let log: Log = Arc::default();
    let handler: Handler = Arc::new(handler);
    let seen_log = log.clone();
    let service = tower::service_fn(move |request: Request<Body>| {
        let log = seen_log.clone();
        let handler = handler.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?.to_bytes();
            let header = |name: http::header::HeaderName| {
                parts
                    .headers
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_string())
            };
            let seen = Seen {
                method: parts.method.clone(),
                uri: parts.uri.to_string(),
                authorization: header(http::header::AUTHORIZATION),
                content_type: header(http::header::CONTENT_TYPE),
                body,
                realm_guard: parts.extensions.get::<oras_auth::RealmRequest>().cloned(),
            };
            log.lock().unwrap().push(seen.clone());
            Ok::<_, BoxError>(handler(&seen))
        }
    });
    (service, log)
}

pub fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// Sends `request` through an auth layer over `inner`, bounded in time.
pub async fn send<S>(
    inner: S,
    provider: Arc<dyn CredentialProvider>,
    cache: TokenCache,
    request: Request<Body>,
) -> Result<Response<Full<Bytes>>, BoxError>
where
    S: Service<Request<Body>, Response = Response<Full<Bytes>>, Error = BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let service = tower::ServiceBuilder::new()
        .layer(AuthLayer::new(provider, cache))
        .service(inner);
    tokio::time::timeout(Duration::from_secs(10), service.oneshot(request))
        .await
        .expect("request timed out")
}

pub fn basic(user: &str, pass: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

/// `AuthLayer::layer` spelled for tests.
pub trait LayerOver {
    fn layer_over<S>(self, inner: S) -> oras_auth::Auth<S>;
}

impl LayerOver for AuthLayer {
    fn layer_over<S>(self, inner: S) -> oras_auth::Auth<S> {
        tower::Layer::layer(&self, inner)
    }
}
