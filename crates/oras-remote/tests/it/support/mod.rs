//! Test support: a scripted fake registry that takes the place of the
//! transport (it sees every request as it would go on the wire, after
//! every layer of the stack) and fails on any request it does not expect;
//! and loopback hyper servers for what needs real connections.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, Uri};
use http_body_util::BodyExt;
use oras_auth::Body;
use oras_remote::{
    BoxError, ClientConfig, ProxyConfig, Registry, Repository, ResponseBody, RetryPolicy,
};

/// A request the fake saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub scopes: Vec<String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn path_and_query(&self) -> String {
        self.uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default()
    }
}

type Responder = Box<dyn Fn(&Seen) -> Response<ResponseBody> + Send + Sync>;

struct Step {
    method: Method,
    /// Compared to the path, or to path and query when it holds a `?`.
    target: String,
    respond: Responder,
}

#[derive(Default)]
struct State {
    steps: VecDeque<Step>,
    seen: Vec<Seen>,
    unexpected: Vec<String>,
}

/// A scripted fake registry: an ordered list of expected requests.
#[derive(Clone, Default)]
pub struct Script {
    state: Arc<Mutex<State>>,
}

/// A response builder shorthand.
pub fn resp(status: u16) -> http::response::Builder {
    Response::builder().status(status)
}

/// Finishes a response with a body.
pub trait Finish {
    fn body_bytes(self, body: impl Into<Bytes>) -> Response<ResponseBody>;
    fn empty(self) -> Response<ResponseBody>;
}

impl Finish for http::response::Builder {
    fn body_bytes(self, body: impl Into<Bytes>) -> Response<ResponseBody> {
        self.body(ResponseBody::full(body.into())).unwrap()
    }
    fn empty(self) -> Response<ResponseBody> {
        self.body(ResponseBody::empty()).unwrap()
    }
}

impl Script {
    pub fn new() -> Self {
        Script::default()
    }

    /// Expects `method target` next, answered by `respond`.
    pub fn expect(
        &self,
        method: Method,
        target: &str,
        respond: impl Fn(&Seen) -> Response<ResponseBody> + Send + Sync + 'static,
    ) -> &Self {
        self.state.lock().unwrap().steps.push_back(Step {
            method,
            target: target.to_owned(),
            respond: Box::new(respond),
        });
        self
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Panics unless every step ran and nothing unexpected came.
    pub fn finish(&self) {
        let state = self.state.lock().unwrap();
        assert!(
            state.unexpected.is_empty(),
            "unexpected requests: {:?}",
            state.unexpected
        );
        let left: Vec<String> = state
            .steps
            .iter()
            .map(|s| format!("{} {}", s.method, s.target))
            .collect();
        assert!(left.is_empty(), "expected requests never came: {left:?}");
    }

    async fn handle(self, request: Request<Body>) -> Result<Response<ResponseBody>, BoxError> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await?.to_bytes();
        let scopes = parts
            .extensions
            .get::<oras_auth::Scopes>()
            .map(|s| s.0.clone())
            .unwrap_or_default();
        let seen = Seen {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            scopes,
        };
        let mut state = self.state.lock().unwrap();
        state.seen.push(seen.clone());
        let matches = state.steps.front().is_some_and(|step| {
            let actual = if step.target.contains('?') {
                seen.path_and_query()
            } else {
                seen.uri.path().to_owned()
            };
            step.method == seen.method && step.target == actual
        });
        if !matches {
            let what = format!("{} {}", seen.method, seen.uri);
            state.unexpected.push(what.clone());
            return Ok(resp(599).body_bytes(format!("unexpected request {what}")));
        }
        let step = state.steps.pop_front().unwrap();
        Ok((step.respond)(&seen))
    }

    /// A client configuration that sends requests to this script, with
    /// retries that do not sleep.
    pub fn config(&self) -> ClientConfig {
        let script = self.clone();
        ClientConfig::new()
            .retry(no_sleep_retry())
            .transport(tower::service_fn(move |req| script.clone().handle(req)))
    }

    /// The repository `r.example/<name>` on this script.
    pub fn repository(&self, name: &str) -> Repository {
        self.repository_with(name, self.config())
    }

    pub fn repository_with(&self, name: &str, config: ClientConfig) -> Repository {
        Registry::with_config("r.example", config)
            .unwrap()
            .repository(name)
            .unwrap()
    }
}

/// oras-go's retry policy without the waiting.
pub fn no_sleep_retry() -> RetryPolicy {
    RetryPolicy::default().with_sleep(Arc::new(|_| Box::pin(async {})))
}

/// A config for loopback servers: plain http, no proxy, fast retries.
pub fn loopback_config() -> ClientConfig {
    ClientConfig::new()
        .plain_http(true)
        .proxy(ProxyConfig::none())
        .retry(no_sleep_retry())
}

/// Runs `future` with a time bound.
pub async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("test timed out")
}

/// A response body from a stream of results (for servers that fail
/// mid-body).
pub type ServerBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

pub fn server_full(data: impl Into<Bytes>) -> ServerBody {
    http_body_util::Full::new(data.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// Serves `handler` on 127.0.0.1 (HTTP/1.1) until the test ends.
pub async fn serve<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(Request<hyper::body::Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<ServerBody>> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// Like [`serve`], also counting accepted connections.
pub async fn serve_counting<F, Fut>(handler: F) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>)
where
    F: Fn(Request<hyper::body::Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<ServerBody>> + Send + 'static,
{
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = count.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, count)
}

/// A CA and a server certificate for `names`, both PEM, plus the key.
pub struct TestPki {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    /// A client certificate and key signed by the same CA.
    pub client_cert_pem: String,
    pub client_key_pem: String,
}

pub fn test_pki(names: &[&str]) -> TestPki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "oras-remote test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let client_key = rcgen::KeyPair::generate().unwrap();
    let mut client_params = rcgen::CertificateParams::new(vec!["client".to_owned()]).unwrap();
    client_params
        .extended_key_usages
        .push(rcgen::ExtendedKeyUsagePurpose::ClientAuth);
    let client_cert = client_params.signed_by(&client_key, &issuer).unwrap();
    TestPki {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

/// Serves `handler` over TLS with the PKI's server certificate.
pub async fn serve_tls<F, Fut>(pki: &TestPki, handler: F) -> SocketAddr
where
    F: Fn(Request<hyper::body::Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<ServerBody>> + Send + 'static,
{
    serve_tls_recording(pki, handler).await.0
}

/// Like [`serve_tls`], asking for (not requiring) a client certificate
/// and recording, per connection, whether one was presented.
pub async fn serve_tls_recording<F, Fut>(
    pki: &TestPki,
    handler: F,
) -> (SocketAddr, Arc<Mutex<Vec<bool>>>)
where
    F: Fn(Request<hyper::body::Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<ServerBody>> + Send + 'static,
{
    let presented = Arc::new(Mutex::new(Vec::new()));
    let record = presented.clone();
    use rustls::pki_types::pem::PemObject;
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(pki.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in rustls::pki_types::CertificateDer::pem_slice_iter(pki.ca_pem.as_bytes()) {
        roots.add(ca.unwrap()).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let acceptor = acceptor.clone();
            let record = record.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let has_cert = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .is_some_and(|c| !c.is_empty());
                record.lock().unwrap().push(has_cert);
                let service = hyper::service::service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (addr, presented)
}
