//! The layer over a real hyper client, against a hyper server on
//! 127.0.0.1 that is both a registry and its token service.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use oras_auth::{AuthLayer, Body, BoxError, Credential, Scopes, StaticCredential, TokenCache};
use tower::{ServiceBuilder, ServiceExt};

/// Serves on 127.0.0.1: `/token` issues `t-<n>` to `alice:s3cret` (Basic),
/// everything else wants `Bearer t-<n>` and echoes the request body.
async fn start_server(token_requests: Arc<AtomicUsize>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let token_requests = token_requests.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let token_requests = token_requests.clone();
                    async move { Ok::<_, Infallible>(handle(request, addr, &token_requests).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

async fn handle(
    request: Request<Incoming>,
    addr: std::net::SocketAddr,
    token_requests: &AtomicUsize,
) -> Response<Full<Bytes>> {
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let path = request.uri().path().to_string();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    if path == "/token" {
        if authorization.as_deref() != Some("Basic YWxpY2U6czNjcmV0") {
            return Response::builder()
                .status(401)
                .body(Full::default())
                .unwrap();
        }
        let n = token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        return Response::new(Full::new(Bytes::from(format!(r#"{{"token":"t-{n}"}}"#))));
    }
    match authorization {
        Some(a) if a.starts_with("Bearer t-") => Response::new(Full::new(body)),
        _ => Response::builder()
            .status(401)
            .header(
                "www-authenticate",
                format!(
                    r#"Bearer realm="http://{addr}/token",service="test",scope="repository:a:pull,push""#
                ),
            )
            .body(Full::default())
            .unwrap(),
    }
}

#[tokio::test]
async fn bearer_flow_over_hyper_with_a_replayed_body() {
    let token_requests = Arc::new(AtomicUsize::new(0));
    let addr = start_server(token_requests.clone()).await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Body>();
    let inner = tower::service_fn(move |request: Request<Body>| {
        let client = client.clone();
        async move { client.request(request).await.map_err(BoxError::from) }
    });
    let provider = Arc::new(StaticCredential::new(
        addr.to_string(),
        Credential::basic("alice", "s3cret"),
    ));
    let service = ServiceBuilder::new()
        .layer(AuthLayer::new(provider, TokenCache::new()))
        .service(inner);
    for i in 0..3 {
        let mut request = Request::put(format!("http://{addr}/v2/a/manifests/v{i}"))
            .body(Body::full(Bytes::from(format!("manifest {i}"))))
            .unwrap();
        request
            .extensions_mut()
            .insert(Scopes(vec!["repository:a:pull,push".into()]));
        let response =
            tokio::time::timeout(Duration::from_secs(10), service.clone().oneshot(request))
                .await
                .unwrap()
                .unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, format!("manifest {i}"));
    }
    assert_eq!(token_requests.load(Ordering::SeqCst), 1);
}
