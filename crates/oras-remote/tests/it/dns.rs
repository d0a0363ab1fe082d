//! DNS overrides (`ClientConfig::resolve`, the CLI's `--resolve`): the
//! connection goes to the override's address while the `Host` header, the
//! TLS server name and the certificate check keep the reference's name;
//! `--insecure` and client certificates work through it; through a proxy
//! the proxy is dialled (and an override for the proxy applies), as Go's
//! dialer-level `--resolve` does.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use oras_content::{ErrorKind, fetch_all};
use oras_remote::{ClientConfig, ProxyConfig, Registry, RetryPolicy};
use oras_spec::{Descriptor, media_type};

use crate::support::{
    ServerBody, bounded, loopback_config, serve, serve_tls, serve_tls_recording, server_full,
    test_pki,
};

type Incoming = Request<hyper::body::Incoming>;

fn ok(body: &'static str) -> Response<ServerBody> {
    Response::builder()
        .status(200)
        .body(server_full(body))
        .unwrap()
}

/// An address nothing listens on.
async fn closed_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// A TLS config trusting only the test CA, without proxies or retries.
fn tls_config(ca_pem: &str) -> ClientConfig {
    ClientConfig::new()
        .proxy(ProxyConfig::none())
        .retry(RetryPolicy::none())
        .without_system_roots()
        .ca_pem(ca_pem.to_owned())
}

#[tokio::test]
async fn plain_http_goes_to_the_override_with_the_original_host_header() {
    let hosts = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = hosts.clone();
    let addr = serve(move |req: Incoming| {
        let log = log.clone();
        async move {
            let host = req.headers().get("host").unwrap().to_str().unwrap();
            log.lock().unwrap().push(host.to_owned());
            ok("{}")
        }
    })
    .await;
    let config = loopback_config().resolve("Registry.Test", 5000, addr);
    let registry = Registry::with_config("registry.test:5000", config.clone()).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(*hosts.lock().unwrap(), vec!["registry.test:5000"]);

    // The rule is for port 5000 only: another port is looked up in DNS,
    // where the name does not exist.
    let other = Registry::with_config("registry.invalid:5001", config).unwrap();
    let err = bounded(other.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(hosts.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn tls_verifies_the_original_name_and_insecure_skips_it() {
    let pki = test_pki(&["registry.test"]);
    let addr = serve_tls(&pki, |_req: Incoming| async { ok("{}") }).await;

    // The certificate is for registry.test, the name the client checks.
    let config = tls_config(&pki.ca_pem).resolve("registry.test", 443, addr);
    let registry = Registry::with_config("registry.test", config).unwrap();
    assert_eq!(registry.base_url().as_str(), "https://registry.test/");
    bounded(registry.ping()).await.unwrap();
    let config = tls_config(&pki.ca_pem).resolve("registry.test", 5000, addr);
    let registry = Registry::with_config("registry.test:5000", config).unwrap();
    bounded(registry.ping()).await.unwrap();

    // Another name on the same server: the certificate does not match it.
    let config = tls_config(&pki.ca_pem).resolve("elsewhere.test", 443, addr);
    let registry = Registry::with_config("elsewhere.test", config.clone()).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    let registry = Registry::with_config("elsewhere.test", config.insecure(true)).unwrap();
    bounded(registry.ping()).await.unwrap();
}

#[tokio::test]
async fn the_client_certificate_is_presented_through_an_override() {
    let pki = test_pki(&["registry.test"]);
    let (addr, presented) = serve_tls_recording(&pki, |_req: Incoming| async { ok("{}") }).await;
    let config = tls_config(&pki.ca_pem)
        .client_cert_pem(pki.client_cert_pem.clone(), pki.client_key_pem.clone())
        .resolve("registry.test", 443, addr);
    let registry = Registry::with_config("registry.test", config).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(*presented.lock().unwrap(), vec![true]);
}

#[tokio::test]
async fn overrides_apply_to_every_host_the_client_connects_to() {
    let data = b"layer from the cdn".to_vec();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &data);
    let served = data.clone();
    let cdn = serve(move |_req: Incoming| {
        let served = served.clone();
        async move {
            Response::builder()
                .status(200)
                .body(server_full(served))
                .unwrap()
        }
    })
    .await;
    let registry = serve(|_req: Incoming| async {
        Response::builder()
            .status(307)
            .header("location", "http://cdn.test:7000/blob")
            .body(server_full(""))
            .unwrap()
    })
    .await;
    let config = loopback_config()
        .resolve("registry.test", 5000, registry)
        .resolve("cdn.test", 7000, cdn);
    let repository = Registry::with_config("registry.test:5000", config)
        .unwrap()
        .repository("app")
        .unwrap();
    let fetched = bounded(fetch_all(&repository, &desc, 1 << 20))
        .await
        .unwrap();
    assert_eq!(fetched, data);
}

#[tokio::test]
async fn through_a_proxy_the_proxy_is_dialled_and_may_be_overridden() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let proxy = serve(move |req: Incoming| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(req.uri().to_string());
            ok("{}")
        }
    })
    .await;
    // The registry's override points nowhere: it must not be used, since
    // the proxy resolves the registry (Go's `--resolve` is a dialer rule).
    let config = ClientConfig::new()
        .plain_http(true)
        .retry(RetryPolicy::none())
        .proxy(ProxyConfig::new("http://proxy.invalid:3128", "", ""))
        .resolve("proxy.invalid", 3128, proxy)
        .resolve("registry.invalid", 5000, closed_address().await);
    let registry = Registry::with_config("registry.invalid:5000", config).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["http://registry.invalid:5000/v2/"]
    );
}
