//! The open client against the in-process fake registry and loopback
//! servers: the caller's tower layers inside and outside auth, one client
//! shared by several registry and repository values, the auth options
//! (client id, forced OAuth2, extra scopes), and the read and idle
//! timeouts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderValue, Method, Request, Response};
use oras_auth::{Action, Body, Credential, Scope, StaticCredential};
use oras_content::{Pusher, TagLister, bytes_reader, fetch_all};
use oras_remote::{ClientConfig, Registry, Repository};
use oras_spec::{Descriptor, media_type};
use oras_testkit::fake::{Auth, FakeConfig, FakeRegistry, Origin};
use tower::util::MapRequestLayer;

use crate::support::{ServerBody, bounded, loopback_config, serve, serve_counting, server_full};

fn bearer(fake: &FakeRegistry) -> ClientConfig {
    let credential = StaticCredential::new(fake.host(), Credential::basic("alice", "s3cret"));
    loopback_config().credentials(Arc::new(credential))
}

/// A layer that counts the requests it sees and marks them with `name`.
fn marking(
    name: &'static str,
    seen: Arc<AtomicUsize>,
) -> MapRequestLayer<impl Fn(Request<Body>) -> Request<Body> + Clone> {
    MapRequestLayer::new(move |mut request: Request<Body>| {
        seen.fetch_add(1, Ordering::SeqCst);
        request
            .headers_mut()
            .insert(name, HeaderValue::from_static("1"));
        request
    })
}

#[tokio::test]
async fn callers_layers_sit_inside_and_outside_auth() {
    let fake = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("alice", "s3cret"))).await;
    let inside = Arc::new(AtomicUsize::new(0));
    let outside = Arc::new(AtomicUsize::new(0));
    let config = bearer(&fake)
        .layer_inside_auth(marking("x-inside", inside.clone()))
        .layer_outside_auth(marking("x-outside", outside.clone()));
    let app = Registry::with_config(&fake.host(), config)
        .unwrap()
        .repository("fake/app")
        .unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"layered");
    bounded(app.push(&desc, bytes_reader(&b"layered"[..])))
        .await
        .unwrap();
    // Outside: the two calls of a push (POST, PUT), once each.
    assert_eq!(outside.load(Ordering::SeqCst), 2);
    // Inside: every attempt and the token request as well.
    let registry_requests = fake
        .requests()
        .iter()
        .filter(|r| r.origin == Origin::Registry)
        .count();
    assert_eq!(inside.load(Ordering::SeqCst), registry_requests);
    assert!(registry_requests > 2, "a challenge, a token request");
    for record in fake.requests() {
        assert!(
            record.request_headers.contains_key("x-inside"),
            "{}",
            record.path
        );
        // A token request starts inside auth.
        let token = record.path.starts_with("/token");
        assert_eq!(
            record.request_headers.contains_key("x-outside"),
            !token,
            "{}",
            record.path
        );
    }
}

#[tokio::test]
async fn one_client_serves_many_registry_and_repository_values() {
    let fake = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("alice", "s3cret"))).await;
    let client = bearer(&fake).build(&fake.host()).unwrap();
    let writer =
        Repository::with_client(&format!("{}/fake/app", fake.host()), client.clone()).unwrap();
    let reader = Registry::with_client(&fake.host(), client.clone())
        .unwrap()
        .repository("fake/app")
        .unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"shared");
    bounded(writer.push(&desc, bytes_reader(&b"shared"[..])))
        .await
        .unwrap();
    let tokens_after_push = fake.token_request_count();
    let fetched = bounded(fetch_all(&reader, &desc, 1 << 20)).await.unwrap();
    assert_eq!(fetched, Bytes::from_static(b"shared"));
    // The push's pull+push token serves the other value's pull... or one
    // more token for the narrower scope; never one per value and request.
    assert!(fake.token_request_count() <= tokens_after_push + 1);
    let again = bounded(fetch_all(&reader, &desc, 1 << 20)).await.unwrap();
    assert_eq!(again, Bytes::from_static(b"shared"));
    let tokens = fake.token_request_count();
    let second =
        Repository::with_client(&format!("{}/fake/app", fake.host()), client.clone()).unwrap();
    bounded(fetch_all(&second, &desc, 1 << 20)).await.unwrap();
    assert_eq!(
        fake.token_request_count(),
        tokens,
        "the cached token is shared"
    );

    let err = Registry::with_client("other.example:5000", client).unwrap_err();
    assert!(err.to_string().contains("cannot serve"), "{err}");
}

#[tokio::test]
async fn auth_options_reach_the_token_requests() {
    let fake = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("alice", "s3cret"))).await;
    fake.put_blob("fake/app", Bytes::from_static(b"x"));
    let config = bearer(&fake)
        .client_id("my-tool")
        .force_attempt_oauth2(true)
        .scope(Scope::repository("fake/other", &[Action::Pull]));
    let app = Registry::with_config(&fake.host(), config)
        .unwrap()
        .repository("fake/app")
        .unwrap();
    bounded(app.tags(None)).await.unwrap();
    let tokens = fake.token_requests();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(tokens[0].method, Method::POST);
    assert_eq!(tokens[0].grant_type.as_deref(), Some("password"));
    assert_eq!(tokens[0].client_id.as_deref(), Some("my-tool"));
    assert!(
        tokens[0]
            .scopes
            .iter()
            .any(|s| s == "repository:fake/other:pull"),
        "{:?}",
        tokens[0].scopes
    );
}

#[tokio::test]
async fn a_stalled_body_fails_after_the_read_timeout() {
    let addr = serve(|_request| async {
        let stalled = futures::stream::iter([Ok::<_, oras_remote::BoxError>(
            http_body::Frame::data(Bytes::from_static(b"part")),
        )])
        .chain(futures::stream::pending());
        let body: ServerBody =
            http_body_util::BodyExt::boxed(http_body_util::StreamBody::new(stalled));
        Response::builder()
            .header("content-length", "100")
            .body(body)
            .unwrap()
    })
    .await;
    let client = loopback_config()
        .read_timeout(Duration::from_millis(200))
        .build(&addr.to_string())
        .unwrap();
    let request = Request::get(format!("http://{addr}/v2/"))
        .body(Body::empty())
        .unwrap();
    let response = bounded(client.send(request)).await.unwrap();
    let mut body = response.into_body();
    let first = bounded(body.chunk()).await.unwrap().unwrap();
    assert_eq!(first, "part");
    let started = std::time::Instant::now();
    let err = bounded(body.chunk()).await.unwrap().unwrap_err();
    assert!(err.to_string().contains("read timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn idle_connections_close_after_the_idle_timeout() {
    let ok = |_request| async { Response::builder().body(server_full("{}")).unwrap() };
    for (idle, connections) in [
        (Duration::from_millis(100), 2),
        (Duration::from_secs(60), 1),
    ] {
        let (addr, accepted) = serve_counting(ok).await;
        let registry =
            Registry::with_config(&addr.to_string(), loopback_config().idle_timeout(idle)).unwrap();
        bounded(registry.ping()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        bounded(registry.ping()).await.unwrap();
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            connections,
            "idle {idle:?}"
        );
    }
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires_without_a_401() {
    let mut bearer_auth = oras_testkit::fake::BearerAuth::new("alice", "s3cret");
    bearer_auth.expires_in = 2;
    let fake = FakeRegistry::start(FakeConfig::with_auth(Auth::Bearer(bearer_auth))).await;
    fake.put_blob("fake/app", Bytes::from_static(b"x"));
    let app = Registry::with_config(&fake.host(), bearer(&fake))
        .unwrap()
        .repository("fake/app")
        .unwrap();
    let unauthorized =
        |fake: &FakeRegistry| fake.requests().iter().filter(|r| r.status == 401).count();
    bounded(app.tags(None)).await.unwrap();
    assert_eq!((unauthorized(&fake), fake.token_request_count()), (1, 1));
    bounded(app.tags(None)).await.unwrap();
    assert_eq!(
        (unauthorized(&fake), fake.token_request_count()),
        (1, 1),
        "cached"
    );
    // Past three quarters of the token's 2 s: refreshed before the request.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    bounded(app.tags(None)).await.unwrap();
    assert_eq!(
        (unauthorized(&fake), fake.token_request_count()),
        (1, 2),
        "refreshed"
    );
    // Past its end: never sent, a new one fetched first.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    bounded(app.tags(None)).await.unwrap();
    assert_eq!(
        (unauthorized(&fake), fake.token_request_count()),
        (1, 3),
        "renewed"
    );
}

#[tokio::test]
async fn login_checks_a_credential_against_the_registry_itself() {
    use oras_auth::RegistryPing;
    for auth in [
        Auth::basic("alice", "s3cret"),
        Auth::bearer("alice", "s3cret"),
    ] {
        let fake = FakeRegistry::start(FakeConfig::with_auth(auth)).await;
        fake.put_blob("fake/app", Bytes::from_static(b"x"));
        // An anonymous client: the credential checked is the one given.
        let registry = Registry::with_config(&fake.host(), loopback_config()).unwrap();
        let right = Credential::basic("alice", "s3cret");
        bounded(RegistryPing::ping(&registry, &fake.host(), &right))
            .await
            .unwrap();
        let wrong = Credential::basic("alice", "nope");
        let err = bounded(registry.ping_with(&wrong)).await.unwrap_err();
        assert_eq!(err.kind(), oras_content::ErrorKind::Unauthorized, "{err}");
        let err = bounded(RegistryPing::ping(&registry, "other.example", &right))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("other.example"), "{err}");
        // The client's own requests stay anonymous: nothing was cached.
        let app = registry.repository("fake/app").unwrap();
        let err = bounded(app.tags(None)).await.unwrap_err();
        assert_eq!(err.kind(), oras_content::ErrorKind::Unauthorized, "{err}");
    }
}
