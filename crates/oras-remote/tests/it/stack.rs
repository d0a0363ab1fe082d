//! The HTTP stack on real loopback connections: user agent, keep-alive
//! reuse, timeouts, download resume, TLS (CA file, insecure), proxies,
//! and logs without secrets.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, StreamBody};
use oras_content::{ErrorKind, Fetcher, fetch_all};
use oras_remote::{ClientConfig, ProxyConfig, Registry, RepositoryOptions, RetryPolicy};
use oras_spec::{Descriptor, media_type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{
    ServerBody, bounded, loopback_config, serve, serve_counting, serve_tls, server_full, test_pki,
};

type Incoming = Request<hyper::body::Incoming>;

fn ok(body: &'static str) -> Response<ServerBody> {
    Response::builder()
        .status(200)
        .body(server_full(body))
        .unwrap()
}

#[tokio::test]
async fn sends_the_user_agent_and_reuses_connections() {
    let agents = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = agents.clone();
    let (addr, connections) = serve_counting(move |req: Incoming| {
        let log = log.clone();
        async move {
            let agent = req.headers().get("user-agent").unwrap().to_str().unwrap();
            log.lock().unwrap().push(agent.to_owned());
            ok("{}")
        }
    })
    .await;
    let registry = Registry::with_config(&addr.to_string(), loopback_config()).unwrap();
    for _ in 0..3 {
        bounded(registry.ping()).await.unwrap();
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1, "keep-alive reuse");
    let custom =
        Registry::with_config(&addr.to_string(), loopback_config().user_agent("me/1")).unwrap();
    bounded(custom.ping()).await.unwrap();
    let agents = agents.lock().unwrap().clone();
    assert_eq!(agents[0], format!("oras-rs/{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(agents[3], "me/1");
}

#[tokio::test]
async fn timeouts_fail_and_are_retried() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let addr = serve(move |_req: Incoming| {
        counter.fetch_add(1, Ordering::SeqCst);
        async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            ok("late")
        }
    })
    .await;
    let config = loopback_config().timeout(Duration::from_millis(100));
    let registry = Registry::with_config(&addr.to_string(), config).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        6,
        "first try and five retries"
    );
}

/// A blob server that drops the connection after `cut` bytes of each
/// full response, answering ranges when `ranges` is set.
async fn flaky_blob_server(
    data: Bytes,
    cut: usize,
    ranges: bool,
    drops: usize,
) -> (std::net::SocketAddr, Arc<Mutex<Vec<Option<String>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let served = Arc::new(AtomicUsize::new(0));
    let addr = serve(move |req: Incoming| {
        let data = data.clone();
        let log = log.clone();
        let served = served.clone();
        async move {
            let range = req
                .headers()
                .get("range")
                .map(|v| v.to_str().unwrap().to_owned());
            log.lock().unwrap().push(range.clone());
            let attempt = served.fetch_add(1, Ordering::SeqCst);
            let mut builder = Response::builder();
            if ranges {
                builder = builder.header("accept-ranges", "bytes");
            }
            let (status, part) = match range {
                Some(r) => {
                    let from: usize = r
                        .trim_start_matches("bytes=")
                        .split('-')
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap();
                    builder = builder.header(
                        "content-range",
                        format!("bytes {from}-{}/{}", data.len() - 1, data.len()),
                    );
                    (206, data.slice(from..))
                }
                None => (200, data.clone()),
            };
            let builder = builder.status(status).header("content-length", part.len());
            if attempt < drops {
                // Half the body, then the connection breaks.
                let head = part.slice(..cut.min(part.len()));
                let chunks = futures::stream::unfold(0, move |step| {
                    let head = head.clone();
                    async move {
                        let item: Result<http_body::Frame<Bytes>, oras_remote::BoxError> =
                            match step {
                                0 => Ok(http_body::Frame::data(head)),
                                1 => {
                                    // Let the first part reach the client first.
                                    tokio::time::sleep(Duration::from_millis(50)).await;
                                    Err("connection dropped".into())
                                }
                                _ => return None,
                            };
                        Some((item, step + 1))
                    }
                });
                let body = StreamBody::new(chunks).boxed();
                builder.body(body).unwrap()
            } else {
                builder.body(server_full(part)).unwrap()
            }
        }
    })
    .await;
    (addr, seen)
}

fn blob_of(data: &[u8]) -> Descriptor {
    Descriptor::from_bytes(media_type::IMAGE_LAYER, data)
}

#[tokio::test]
async fn a_dropped_download_resumes_with_a_range() {
    let data = Bytes::from((0..200_000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>());
    let desc = blob_of(&data);
    let (addr, seen) = flaky_blob_server(data.clone(), 70_000, true, 1).await;
    let repo = Registry::with_config(&addr.to_string(), loopback_config())
        .unwrap()
        .repository("app")
        .unwrap();
    let got = bounded(fetch_all(&repo, &desc, 1 << 20)).await.unwrap();
    assert_eq!(got, data);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], None);
    assert_eq!(seen[1].as_deref(), Some("bytes=70000-199999"));
}

#[tokio::test]
async fn a_dropped_download_without_ranges_starts_over() {
    let data = Bytes::from(vec![9u8; 100_000]);
    let desc = blob_of(&data);
    let (addr, seen) = flaky_blob_server(data.clone(), 30_000, false, 2).await;
    let repo = Registry::with_config(&addr.to_string(), loopback_config())
        .unwrap()
        .repository("app")
        .unwrap();
    let got = bounded(fetch_all(&repo, &desc, 1 << 20)).await.unwrap();
    assert_eq!(got, data);
    assert_eq!(*seen.lock().unwrap(), vec![None, None, None]);
}

#[tokio::test]
async fn download_resumes_are_bounded() {
    let data = Bytes::from(vec![1u8; 50_000]);
    let desc = blob_of(&data);
    let (addr, seen) = flaky_blob_server(data.clone(), 10, true, usize::MAX).await;
    let repo = Registry::with_config(&addr.to_string(), loopback_config())
        .unwrap()
        .with_options(RepositoryOptions {
            max_resumes: 2,
            ..RepositoryOptions::default()
        })
        .repository("app")
        .unwrap();
    let mut reader = bounded(repo.fetch(&desc)).await.unwrap();
    let mut sink = Vec::new();
    let err = bounded(reader.read_to_end(&mut sink)).await.unwrap_err();
    assert!(
        err.to_string().contains("dropped") || err.kind() == std::io::ErrorKind::Other,
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert!(sink.len() < data.len(), "never completed unverified");
}

#[tokio::test]
async fn tls_with_a_ca_file_insecure_mode_and_untrusted() {
    let pki = test_pki(&["127.0.0.1", "localhost"]);
    let addr = serve_tls(&pki, |_req: Incoming| async { ok("{}") }).await;
    let name = addr.to_string();
    let base = || {
        ClientConfig::new()
            .proxy(ProxyConfig::none())
            .retry(RetryPolicy::none())
            .without_system_roots()
    };

    let trusted = Registry::with_config(&name, base().ca_pem(pki.ca_pem.clone())).unwrap();
    assert_eq!(trusted.base_url().scheme(), "https");
    bounded(trusted.ping()).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let from_file = Registry::with_config(&name, base().ca_file(&ca_file)).unwrap();
    bounded(from_file.ping()).await.unwrap();

    let untrusted = Registry::with_config(&name, base()).unwrap();
    let err = bounded(untrusted.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    // The message says why, as Go's `url.Error` does; rustls's error stays
    // among the sources.
    let text = err.to_string();
    assert!(
        text.starts_with("Get \"https://") && text.ends_with(
            "/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown authority"
        ),
        "{text}"
    );
    let mut sources = Vec::new();
    let remote = oras_remote::Error::from_content(&err).unwrap();
    let mut cause = std::error::Error::source(remote);
    while let Some(e) = cause {
        sources.push(format!("{e} {e:?}"));
        cause = e.source();
    }
    assert!(sources.join("\n").contains("UnknownIssuer"), "{sources:?}");

    let insecure = Registry::with_config(&name, base().insecure(true)).unwrap();
    bounded(insecure.ping()).await.unwrap();

    let missing = Registry::with_config(&name, base().ca_file(dir.path().join("nope.pem")));
    assert!(missing.is_err());
}

#[tokio::test]
async fn http_requests_go_through_the_proxy_in_absolute_form() {
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
    let config = ClientConfig::new()
        .plain_http(true)
        .retry(RetryPolicy::none())
        .proxy(ProxyConfig::new(&format!("http://{proxy}"), "", ""));
    // The name never resolves: only the proxy can answer.
    let registry = Registry::with_config("registry.invalid:5000", config.clone()).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["http://registry.invalid:5000/v2/"]
    );

    // NO_PROXY sends it direct (and so it fails to resolve).
    let direct = config.proxy(ProxyConfig::new(&format!("http://{proxy}"), "", ".invalid"));
    let registry = Registry::with_config("registry.invalid:5000", direct).unwrap();
    assert!(bounded(registry.ping()).await.is_err());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn https_requests_tunnel_through_connect() {
    let pki = test_pki(&["registry.test"]);
    let tls = serve_tls(&pki, |_req: Incoming| async { ok("{}") }).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let connects = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = connects.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap() == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap()
                    .to_owned();
                log.lock().unwrap().push(line);
                let mut upstream = tokio::net::TcpStream::connect(tls).await.unwrap();
                client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    let config = ClientConfig::new()
        .retry(RetryPolicy::none())
        .without_system_roots()
        .ca_pem(pki.ca_pem.clone())
        .proxy(ProxyConfig::new("", &format!("http://{proxy}"), ""));
    let registry = Registry::with_config("registry.test", config).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(
        *connects.lock().unwrap(),
        vec!["CONNECT registry.test:443 HTTP/1.1"]
    );
}

#[tokio::test]
async fn logs_never_hold_credentials_or_signed_queries() {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // The process-wide subscriber, so every callsite's cached interest
    // includes it whatever thread registered the callsite first (a
    // thread-scoped one raced other tests' threads and missed events).
    // The other tests of this binary log into it too: none of them may
    // leak these secrets either.
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("only this test installs a subscriber");

    let addr = serve(|_req: Incoming| async { ok("{}") }).await;
    let registry = Registry::with_config(&addr.to_string(), loopback_config()).unwrap();
    let request = Request::get(format!("http://{addr}/v2/?X-Amz-Signature=s1gnature"))
        .header("authorization", "Bearer t0ken-value")
        .header("cookie", "session=c00kie")
        .body(oras_auth::Body::empty())
        .unwrap();
    let response = bounded(registry.client().send(request)).await.unwrap();
    assert_eq!(response.status(), 200);
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/v2/"), "the request is traced: {logs}");
    for secret in ["t0ken-value", "s1gnature", "c00kie"] {
        assert!(!logs.contains(secret), "{secret} leaked: {logs}");
    }
}
