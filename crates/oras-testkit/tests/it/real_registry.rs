//! End-to-end checks of the real-registry harness against Debian's
//! `docker-registry` (distribution 2.8), with a plain hyper client.
//!
//! These need the binary: when it is missing and cannot be installed they
//! fail with the install instructions, unless `ORAS_SKIP_REAL_REGISTRY=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Every test is bounded by this.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);

async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_TIMEOUT, test)
        .await
        .expect("test exceeded its time bound");
}

/// A client for `registry`: plain HTTP, or TLS trusting its test CA.
fn client_for(registry: &RealRegistry) -> HttpsClient {
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let connector = match registry.rustls_client_config() {
        Some(config) => builder.with_tls_config((*config).clone()),
        None => builder.with_tls_config(
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
        ),
    }
    .https_or_http()
    .enable_http1()
    .build();
    Client::builder(TokioExecutor::new()).build(connector)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

async fn send(
    client: &HttpsClient,
    method: Method,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = request.body(Full::new(Bytes::from(body))).unwrap();
    let response = tokio::time::timeout(Duration::from_secs(20), client.request(request))
        .await
        .expect("request timed out")
        .expect("request failed");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

fn sha256(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// Monolithic POST + PUT of `data` into `repo`; returns the PUT's status.
async fn push_blob(
    client: &HttpsClient,
    registry: &RealRegistry,
    repo: &str,
    data: &[u8],
    auth: &[(&str, String)],
) -> StatusCode {
    let start = send(
        client,
        Method::POST,
        &format!("{}/v2/{repo}/blobs/uploads/", registry.url()),
        auth,
        Vec::new(),
    )
    .await;
    if start.status != StatusCode::ACCEPTED {
        return start.status;
    }
    let location = start.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let separator = if location.contains('?') { '&' } else { '?' };
    let url = format!("{location}{separator}digest={}", sha256(data));
    let mut headers = auth.to_vec();
    headers.push(("content-type", "application/octet-stream".to_string()));
    send(client, Method::PUT, &url, &headers, data.to_vec())
        .await
        .status
}

/// Pushes config + layer + manifest into `repo:tag` and reads all back.
async fn push_and_pull_image(
    client: &HttpsClient,
    registry: &RealRegistry,
    repo: &str,
    auth: &[(&str, String)],
) {
    let config = b"{}".to_vec();
    let layer = b"hello from oras-testkit".to_vec();
    assert_eq!(
        push_blob(client, registry, repo, &config, auth).await,
        StatusCode::CREATED
    );
    assert_eq!(
        push_blob(client, registry, repo, &layer, auth).await,
        StatusCode::CREATED
    );
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha256(&layer), "size": layer.len()}],
    })
    .to_string()
    .into_bytes();
    let media_type = "application/vnd.oci.image.manifest.v1+json";
    let mut put_headers = auth.to_vec();
    put_headers.push(("content-type", media_type.to_string()));
    let put = send(
        client,
        Method::PUT,
        &format!("{}/v2/{repo}/manifests/v1", registry.url()),
        &put_headers,
        manifest.clone(),
    )
    .await;
    assert_eq!(put.status, StatusCode::CREATED, "{:?}", put.body);
    assert_eq!(
        put.headers["docker-content-digest"],
        sha256(&manifest).as_str()
    );

    let mut get_headers = auth.to_vec();
    get_headers.push(("accept", media_type.to_string()));
    let got = send(
        client,
        Method::GET,
        &format!("{}/v2/{repo}/manifests/v1", registry.url()),
        &get_headers,
        Vec::new(),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, manifest, "manifest comes back byte for byte");
    assert_eq!(got.headers[header::CONTENT_TYPE], media_type);

    let blob = send(
        client,
        Method::GET,
        &format!("{}/v2/{repo}/blobs/{}", registry.url(), sha256(&layer)),
        auth,
        Vec::new(),
    )
    .await;
    assert_eq!(blob.status, StatusCode::OK);
    assert_eq!(blob.body, layer);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_registry_stores_blobs_and_manifests() {
    bounded(async {
        let Some(registry) = start_for_test_async(Mode::Plain).await else {
            return;
        };
        assert!(registry.url().starts_with("http://127.0.0.1:"));
        assert_eq!(registry.host(), format!("127.0.0.1:{}", registry.port()));
        assert!(registry.username().is_none() && registry.ca_pem().is_none());
        let client = client_for(&registry);
        let ping = send(
            &client,
            Method::GET,
            &format!("{}/v2/", registry.url()),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(ping.status, StatusCode::OK);
        assert_eq!(
            ping.headers["docker-distribution-api-version"],
            "registry/2.0"
        );
        push_and_pull_image(&client, &registry, "testkit/plain", &[]).await;
        let storage = registry
            .storage_dir()
            .join("docker/registry/v2/repositories/testkit/plain");
        assert!(
            storage.is_dir(),
            "filesystem storage lives in the harness's directory"
        );
        registry.stop().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_basic_registry_challenges_and_accepts_credentials() {
    bounded(async {
        let Some(registry) = start_for_test_async(Mode::TlsBasic).await else {
            return;
        };
        assert!(registry.url().starts_with("https://127.0.0.1:"));
        assert!(registry.ca_pem().unwrap().contains("BEGIN CERTIFICATE"));
        assert_eq!(
            std::fs::read_to_string(registry.ca_path().unwrap()).unwrap(),
            registry.ca_pem().unwrap()
        );
        let client = client_for(&registry);
        let v2 = format!("{}/v2/", registry.url());

        let anonymous = send(&client, Method::GET, &v2, &[], Vec::new()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let challenge = anonymous.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(challenge.starts_with("Basic "), "{challenge}");
        assert!(challenge.contains("realm=\"oras-testkit\""), "{challenge}");

        let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
        let wrong = send(
            &client,
            Method::GET,
            &v2,
            &[("authorization", basic(user, "nope"))],
            Vec::new(),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

        let auth = [("authorization", basic(user, password))];
        let ok = send(&client, Method::GET, &v2, &auth, Vec::new()).await;
        assert_eq!(ok.status, StatusCode::OK);
        push_and_pull_image(&client, &registry, "testkit/tls", &auth).await;
        registry.stop().unwrap();
    })
    .await;
}

/// Fetches a token with GET `?service=&scope=` as `user`.
async fn fetch_token(
    client: &HttpsClient,
    registry: &RealRegistry,
    credentials: (&str, &str),
    scope: &str,
) -> serde_json::Value {
    let server = registry.token_server().unwrap();
    let url = format!(
        "{}?service={}&scope={}",
        server.realm(),
        server.service(),
        scope.replace(':', "%3A").replace(',', "%2C")
    );
    let reply = send(
        client,
        Method::GET,
        &url,
        &[("authorization", basic(credentials.0, credentials.1))],
        Vec::new(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    serde_json::from_slice(&reply.body).unwrap()
}

fn bearer(token: &serde_json::Value) -> [(&'static str, String); 1] {
    [(
        "authorization",
        format!("Bearer {}", token["token"].as_str().unwrap()),
    )]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_registry_accepts_tokens_from_the_harness_token_server() {
    bounded(async {
        let Some(registry) = start_for_test_async(Mode::Token).await else {
            return;
        };
        let server = registry.token_server().unwrap();
        assert_eq!(registry.token_server_url(), Some(server.url()));
        let client = client_for(&registry);

        let anonymous = send(
            &client,
            Method::GET,
            &format!("{}/v2/", registry.url()),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let challenge = anonymous.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(
            challenge.contains(&format!("realm=\"{}\"", server.realm())),
            "{challenge}"
        );
        assert!(
            challenge.contains(&format!("service=\"{}\"", server.service())),
            "{challenge}"
        );

        let upload = send(
            &client,
            Method::POST,
            &format!("{}/v2/testkit/token/blobs/uploads/", registry.url()),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(upload.status, StatusCode::UNAUTHORIZED);
        let challenge = upload.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        // Distribution builds the scope from a Go map: action order varies.
        assert!(
            challenge.contains("scope=\"repository:testkit/token:pull,push\"")
                || challenge.contains("scope=\"repository:testkit/token:push,pull\""),
            "{challenge}"
        );

        let credentials = (registry.username().unwrap(), registry.password().unwrap());
        let token = fetch_token(
            &client,
            &registry,
            credentials,
            "repository:testkit/token:pull,push",
        )
        .await;
        assert_eq!(token["token"], token["access_token"]);
        push_and_pull_image(&client, &registry, "testkit/token", &bearer(&token)).await;

        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].method, "GET");
        assert_eq!(requests[0].scopes, ["repository:testkit/token:pull,push"]);
        assert_eq!(requests[0].user.as_deref(), Some(credentials.0));
        assert_eq!(requests[0].status, 200);
        registry.stop().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_registry_refuses_push_with_a_pull_only_token() {
    bounded(async {
        let Some(registry) = start_for_test_async(Mode::Token).await else {
            return;
        };
        let client = client_for(&registry);
        let credentials = (registry.username().unwrap(), registry.password().unwrap());
        let repo = "testkit/pullonly";

        let pull = fetch_token(
            &client,
            &registry,
            credentials,
            &format!("repository:{repo}:pull"),
        )
        .await;
        assert_eq!(
            push_blob(&client, &registry, repo, b"x", &bearer(&pull)).await,
            StatusCode::UNAUTHORIZED
        );

        // The read-only user asking for push is granted pull only.
        let reader = registry.reader_credentials().unwrap();
        let limited = fetch_token(
            &client,
            &registry,
            reader,
            &format!("repository:{repo}:pull,push"),
        )
        .await;
        let start = send(
            &client,
            Method::POST,
            &format!("{}/v2/{repo}/blobs/uploads/", registry.url()),
            &bearer(&limited),
            Vec::new(),
        )
        .await;
        assert_eq!(start.status, StatusCode::UNAUTHORIZED);
        let challenge = start.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.contains("insufficient_scope"), "{challenge}");

        // ... while the full user's push token works.
        let push = fetch_token(
            &client,
            &registry,
            credentials,
            &format!("repository:{repo}:pull,push"),
        )
        .await;
        assert_eq!(
            push_blob(&client, &registry, repo, b"x", &bearer(&push)).await,
            StatusCode::CREATED
        );
        assert_eq!(registry.token_server().unwrap().request_count(), 3);
        registry.stop().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_server_speaks_oauth2_and_rejects_bad_requests() {
    bounded(async {
        let Some(registry) = start_for_test_async(Mode::Token).await else { return };
        let server = registry.token_server().unwrap();
        let client = client_for(&registry);
        let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
        let form = [("content-type", "application/x-www-form-urlencoded".to_string())];
        let realm = server.realm();
        let post = |body: String| send(&client, Method::POST, &realm, &form, body.into_bytes());

        let scope = "repository%3Atestkit%2Foauth%3Apull%2Cpush";
        let by_password = post(format!(
            "grant_type=password&username={user}&password={password}&service={}&scope={scope}&client_id=oras-test",
            server.service()
        ))
        .await;
        assert_eq!(by_password.status, StatusCode::OK);
        let reply: serde_json::Value = serde_json::from_slice(&by_password.body).unwrap();
        let refresh = reply["refresh_token"].as_str().unwrap().to_string();
        assert!(reply["access_token"].is_string());

        let by_refresh = post(format!(
            "grant_type=refresh_token&refresh_token={refresh}&service={}&scope={scope}&client_id=oras-test",
            server.service()
        ))
        .await;
        assert_eq!(by_refresh.status, StatusCode::OK);
        let reply: serde_json::Value = serde_json::from_slice(&by_refresh.body).unwrap();
        push_and_pull_image(&client, &registry, "testkit/oauth", &[(
            "authorization",
            format!("Bearer {}", reply["access_token"].as_str().unwrap()),
        )])
        .await;

        let bad_password = post(format!(
            "grant_type=password&username={user}&password=wrong&service={}",
            server.service()
        ))
        .await;
        assert_eq!(bad_password.status, StatusCode::UNAUTHORIZED);
        let bad_refresh = post(format!("grant_type=refresh_token&refresh_token=nope&service={}", server.service())).await;
        assert_eq!(bad_refresh.status, StatusCode::UNAUTHORIZED);
        let wrong_service = send(
            &client,
            Method::GET,
            &format!("{}?service=other&scope=repository%3Ax%3Apull", server.realm()),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(wrong_service.status, StatusCode::BAD_REQUEST);

        // Anonymous tokens are issued but grant nothing.
        let anonymous = send(
            &client,
            Method::GET,
            &format!("{}?service={}&scope=repository%3Atestkit%2Foauth%3Apull", server.realm(), server.service()),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::OK);
        let token: serde_json::Value = serde_json::from_slice(&anonymous.body).unwrap();
        let manifest = send(
            &client,
            Method::GET,
            &format!("{}/v2/testkit/oauth/manifests/v1", registry.url()),
            &bearer(&token),
            Vec::new(),
        )
        .await;
        assert_eq!(manifest.status, StatusCode::UNAUTHORIZED);

        let requests = server.requests();
        assert_eq!(requests.len(), 6);
        assert_eq!(requests[0].grant_type.as_deref(), Some("password"));
        assert_eq!(requests[0].client_id.as_deref(), Some("oras-test"));
        assert_eq!(requests[1].grant_type.as_deref(), Some("refresh_token"));
        assert_eq!(requests[1].user.as_deref(), Some(user));
        assert_eq!(requests[5].user, None);
        server.clear_requests();
        assert_eq!(server.request_count(), 0);
        registry.stop().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_registries_are_independent_and_stop_cleanly() {
    bounded(async {
        let (a, b) = tokio::join!(
            start_for_test_async(Mode::Plain),
            start_for_test_async(Mode::Plain)
        );
        let (Some(a), Some(b)) = (a, b) else { return };
        assert_ne!(a.port(), b.port());
        assert_ne!(a.dir(), b.dir());
        let client = client_for(&a);
        assert_eq!(
            push_blob(&client, &a, "only/in-a", b"a", &[]).await,
            StatusCode::CREATED
        );
        let missing = send(
            &client,
            Method::GET,
            &format!("{}/v2/only/in-a/blobs/{}", b.url(), sha256(b"a")),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);

        let (addr, dir, pid) = (a.addr(), a.dir().to_path_buf(), a.pid().unwrap());
        a.stop().unwrap();
        assert!(!dir.exists(), "temporary directory removed");
        assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "process reaped"
        );

        // Drop stops too.
        let (addr, dir, pid) = (b.addr(), b.dir().to_path_buf(), b.pid().unwrap());
        drop(b);
        assert!(!dir.exists());
        assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "process reaped"
        );
    })
    .await;
}

#[test]
fn a_missing_binary_is_reported_with_its_path() {
    let error =
        RealRegistry::start_with_binary(Mode::Plain, std::path::Path::new("/nonexistent/registry"))
            .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/registry"),
        "{error}"
    );
}

#[test]
fn log_tail_is_available_for_diagnostics() {
    let Some(registry) = oras_testkit::real::start_for_test(Mode::Plain) else {
        return;
    };
    assert!(registry.log_path().starts_with(registry.dir()));
    // Level warn and no access log: start-up leaves at most a few lines.
    let tail = registry.log_tail();
    assert!(tail.lines().count() <= 40, "{tail}");
}
