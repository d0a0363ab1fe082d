//! An `https://` proxy is spoken to over TLS, verified like the registry
//! (the client's roots, or `--insecure`): the `CONNECT` line and
//! `Proxy-Authorization` never travel in clear.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use oras_content::ErrorKind;
use oras_remote::{ClientConfig, ProxyConfig, Registry, RetryPolicy};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::support::{TestPki, bounded, serve_tls, server_full, test_pki};

type Incoming = Request<hyper::body::Incoming>;

fn acceptor(pki: &TestPki) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(pki.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Reads a request head byte by byte.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 8192 || stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

async fn tunnel_to<S: AsyncRead + AsyncWrite + Unpin>(mut client: S, upstream: SocketAddr) {
    let mut upstream = tokio::net::TcpStream::connect(upstream).await.unwrap();
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .unwrap();
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// A TLS CONNECT proxy recording each request head it gets.
async fn tls_proxy(pki: &TestPki, upstream: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let acceptor = acceptor(pki);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let log = heads.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Some(head) = read_head(&mut tls).await else {
                    return;
                };
                log.lock().unwrap().push(head);
                tunnel_to(tls, upstream).await;
            });
        }
    });
    (addr, heads)
}

fn config(ca_pem: &str, proxy: &str) -> ClientConfig {
    ClientConfig::new()
        .retry(RetryPolicy::none())
        .without_system_roots()
        .ca_pem(ca_pem.to_owned())
        .proxy(ProxyConfig::new("", proxy, ""))
}

async fn registry(pki: &TestPki) -> SocketAddr {
    serve_tls(pki, |_req: Incoming| async {
        Response::builder()
            .status(200)
            .body(server_full("{}"))
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn connect_and_proxy_credentials_go_inside_tls_to_an_https_proxy() {
    let pki = test_pki(&["registry.test", "proxy.test"]);
    let upstream = registry(&pki).await;
    let (proxy, heads) = tls_proxy(&pki, upstream).await;
    let url = format!("https://user:pa%3Ass@proxy.test:{}", proxy.port());
    let config = config(&pki.ca_pem, &url).resolve("proxy.test", proxy.port(), proxy);
    let registry = Registry::with_config("registry.test", config).unwrap();
    bounded(registry.ping()).await.unwrap();
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("CONNECT registry.test:443 HTTP/1.1\r\n"),
        "{heads:?}"
    );
    // user:pa:ss
    assert!(
        heads[0].contains("Proxy-Authorization: Basic dXNlcjpwYTpzcw==\r\n"),
        "{heads:?}"
    );
}

#[tokio::test]
async fn a_plain_listener_at_an_https_proxy_url_sees_no_cleartext_connect() {
    let pki = test_pki(&["registry.test"]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let first = Arc::new(Mutex::new(Vec::<u8>::new()));
    let log = first.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = tcp.read(&mut buf).await.unwrap_or(0);
            log.lock().unwrap().extend_from_slice(&buf[..n]);
            // Answer in clear, as a plain proxy would: no TLS handshake.
            let _ = tcp
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await;
        }
    });
    let url = format!("https://user:secret@127.0.0.1:{}", proxy.port());
    let registry = Registry::with_config("registry.test", config(&pki.ca_pem, &url)).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.to_string().contains("https proxy"), "{err}");
    let seen = String::from_utf8_lossy(&first.lock().unwrap()).into_owned();
    assert!(!seen.contains("CONNECT"), "{seen:?}");
    assert!(!seen.contains("Proxy-Authorization"), "{seen:?}");
}

#[tokio::test]
async fn an_https_proxy_certificate_is_verified_unless_insecure() {
    let registry_pki = test_pki(&["registry.test"]);
    let proxy_pki = test_pki(&["proxy.test"]);
    let upstream = registry(&registry_pki).await;
    let (proxy, heads) = tls_proxy(&proxy_pki, upstream).await;
    let url = format!("https://proxy.test:{}", proxy.port());
    // The proxy's CA is not trusted.
    let untrusted = config(&registry_pki.ca_pem, &url).resolve("proxy.test", proxy.port(), proxy);
    let registry = Registry::with_config("registry.test", untrusted.clone()).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(heads.lock().unwrap().is_empty());
    // `--insecure` skips it, for the proxy as for the registry.
    let registry = Registry::with_config("registry.test", untrusted.insecure(true)).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(heads.lock().unwrap().len(), 1);
}
