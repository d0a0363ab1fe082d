//! The security rules: realms, foreign 401s, per-origin credentials, Debug.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use oras_auth::{
    AuthLayer, BoxError, Credential, CredentialProvider, Error, RealmPolicy, ResponseUri,
    StaticCredential, TokenCache,
};

use crate::support::{LayerOver, basic, fake, get, respond, send};

/// A provider that counts lookups and always answers with a password.
#[derive(Default)]
struct Counting(AtomicUsize);

#[async_trait]
impl CredentialProvider for Counting {
    async fn credential(&self, _host: &str) -> Result<Credential, BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Credential::basic("u", "topsecret"))
    }
}

async fn challenge_with_realm(registry: &str, realm: &str) -> (Result<u16, Error>, usize) {
    let challenge = format!(r#"Bearer realm="{realm}",service="s""#);
    let (inner, log) = fake(move |_| respond(401, &[("www-authenticate", challenge.as_str())], ""));
    let result = send(
        inner,
        Arc::new(Counting::default()),
        TokenCache::new(),
        get(registry),
    )
    .await;
    let requests = log.lock().unwrap().len();
    let result = result.map(|r| r.status().as_u16()).map_err(|e| {
        e.downcast_ref::<Error>()
            .cloned()
            .expect("an oras_auth::Error")
    });
    (result, requests)
}

#[tokio::test]
async fn unsafe_realms_are_refused_before_any_token_request() {
    for (registry, realm) in [
        ("https://r.example/v2/", "http://auth.example/token"),
        (
            "https://r.example/v2/",
            "https://169.254.169.254/latest/meta-data/",
        ),
        ("https://r.example/v2/", "https://127.0.0.1:8080/token"),
        ("https://r.example/v2/", "https://[::1]/token"),
        ("http://127.0.0.1:5000/v2/", "http://169.254.169.254/token"),
        ("https://r.example/v2/", "https://100.100.100.200/token"),
        // Numeric hosts another parser or the resolver reads as loopback
        // or the metadata address.
        ("https://r.example/v2/", "https://2130706433/token"),
        ("https://r.example/v2/", "https://127.1/token"),
        ("https://r.example/v2/", "https://0x7f.1/token"),
        ("https://r.example/v2/", "https://0xa9fea9fe/token"),
        ("https://r.example/v2/", "file:///etc/passwd"),
        ("https://r.example/v2/", "/relative"),
    ] {
        let (result, requests) = challenge_with_realm(registry, realm).await;
        assert!(
            matches!(result, Err(Error::UnsafeRealm { .. })),
            "{registry} {realm}: {result:?}"
        );
        assert_eq!(requests, 1, "only the registry was contacted");
    }
}

#[tokio::test]
async fn the_registry_itself_and_http_registries_may_use_their_realms() {
    // An http registry may use an http realm; a loopback registry its own IP.
    for (registry, realm) in [
        ("http://r.example/v2/", "http://auth.example/token"),
        ("http://127.0.0.1:5000/v2/", "http://127.0.0.1:5001/token"),
        ("http://localhost:5000/v2/", "http://localhost:5001/token"),
        // Private ranges are allowed by default, as in oras-go 2.7.
        ("https://r.example/v2/", "https://10.1.2.3/token"),
    ] {
        let challenge = format!(r#"Bearer realm="{realm}",service="s""#);
        let realm_prefix = realm.to_string();
        let (inner, log) = fake(move |seen| {
            if seen.uri.starts_with(&realm_prefix) {
                respond(200, &[], r#"{"token":"t"}"#)
            } else if seen.authorization.is_some() {
                respond(200, &[], "")
            } else {
                respond(401, &[("www-authenticate", challenge.as_str())], "")
            }
        });
        let response = send(
            inner,
            Arc::new(Counting::default()),
            TokenCache::new(),
            get(registry),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), 200, "{registry} {realm}");
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 3);
        // Only the token request carries the guard for the transport.
        let guard = log[1].realm_guard.as_ref().expect("token request guard");
        assert_eq!(guard.policy, RealmPolicy::default());
        assert!(log[0].realm_guard.is_none() && log[2].realm_guard.is_none());
    }
}

#[tokio::test]
async fn a_strict_policy_refuses_private_realms_and_an_empty_one_allows_loopback() {
    let run = |policy: RealmPolicy, realm: &'static str| async move {
        let challenge = format!(r#"Bearer realm="{realm}",service="s""#);
        let (inner, log) = fake(move |seen| {
            if seen.uri.starts_with(realm) {
                respond(200, &[], r#"{"token":"t"}"#)
            } else if seen.authorization.is_some() {
                respond(200, &[], "")
            } else {
                respond(401, &[("www-authenticate", challenge.as_str())], "")
            }
        });
        let service = AuthLayer::new(Arc::new(Counting::default()), TokenCache::new())
            .realm_policy(policy)
            .layer_over(inner);
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            tower::ServiceExt::oneshot(service, get("https://r.example/v2/")),
        )
        .await
        .unwrap();
        let count = log.lock().unwrap().len();
        (result.map(|r| r.status().as_u16()), count)
    };
    let (result, count) = run(RealmPolicy::strict(), "https://192.168.0.1/token").await;
    let err = result.unwrap_err();
    assert!(
        matches!(err.downcast_ref::<Error>(), Some(Error::UnsafeRealm { .. })),
        "{err}"
    );
    assert_eq!(count, 1);
    let (result, count) = run(RealmPolicy::blocking([]), "https://127.0.0.1/token").await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(count, 3);
}

#[tokio::test]
async fn a_missing_realm_is_an_error() {
    let (inner, _log) =
        fake(|_| respond(401, &[("www-authenticate", r#"Bearer service="s""#)], ""));
    let err = send(
        inner,
        Arc::new(Counting::default()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        err.downcast_ref::<Error>(),
        Some(Error::MissingRealm { .. })
    ));
}

#[tokio::test]
async fn a_401_from_another_origin_is_returned_without_resolving_credentials() {
    // GHSA-vh4v-2xq2-g5cg: the redirect layer below followed a redirect to
    // a CDN that challenged us; that is not the registry's challenge.
    for final_uri in [
        "https://cdn.example/blob",
        "http://r.example/v2/a/blobs/x",
        "https://r.example:8443/v2/a/blobs/x",
    ] {
        let uri: http::Uri = final_uri.parse().unwrap();
        let (inner, log) = fake(move |_| {
            let mut response = respond(401, &[("www-authenticate", r#"Basic realm="cdn""#)], "");
            response.extensions_mut().insert(ResponseUri(uri.clone()));
            response
        });
        let provider = Arc::new(Counting::default());
        let response = send(
            inner,
            provider.clone(),
            TokenCache::new(),
            get("https://r.example/v2/a/blobs/x"),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(log.lock().unwrap().len(), 1);
        assert_eq!(provider.0.load(Ordering::SeqCst), 0, "{final_uri}");
    }
    // The same origin (default port spelled out) is still answered.
    let (inner, log) = fake(|seen| {
        if seen.authorization.is_some() {
            return respond(200, &[], "");
        }
        let mut response = respond(401, &[("www-authenticate", "Basic")], "");
        response
            .extensions_mut()
            .insert(ResponseUri("https://r.example:443/v2/".parse().unwrap()));
        response
    });
    let response = send(
        inner,
        Arc::new(Counting::default()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn cached_credentials_stay_with_their_origin() {
    let (inner, log) = fake(|seen| {
        if seen.uri.starts_with("https://r.example/") && seen.authorization.is_none() {
            respond(401, &[("www-authenticate", "Basic")], "")
        } else {
            respond(200, &[], "")
        }
    });
    let cache = TokenCache::new();
    let provider: Arc<dyn CredentialProvider> = Arc::new(StaticCredential::any_host(
        Credential::basic("u", "topsecret"),
    ));
    send(
        inner.clone(),
        provider.clone(),
        cache.clone(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap();
    for other in [
        "http://r.example/v2/",
        "https://r.example:8443/v2/",
        "https://other.example/v2/",
        "https://r.example.evil/v2/",
    ] {
        send(inner.clone(), provider.clone(), cache.clone(), get(other))
            .await
            .unwrap();
    }
    let log = log.lock().unwrap();
    assert_eq!(
        log[1].authorization.as_deref(),
        Some(basic("u", "topsecret").as_str())
    );
    for seen in &log[2..] {
        assert_eq!(seen.authorization, None, "{}", seen.uri);
    }
}

#[tokio::test]
async fn unknown_schemes_and_missing_challenges_return_the_401() {
    for header in [Some("Negotiate abc"), None] {
        let (inner, log) = fake(move |_| match header {
            Some(h) => respond(401, &[("www-authenticate", h)], ""),
            None => respond(401, &[], ""),
        });
        let provider = Arc::new(Counting::default());
        let response = send(
            inner,
            provider.clone(),
            TokenCache::new(),
            get("https://r.example/v2/"),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(log.lock().unwrap().len(), 1);
        assert_eq!(provider.0.load(Ordering::SeqCst), 0);
    }
}

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let cache = TokenCache::new();
    let (inner, _log) = fake(|seen| {
        if seen.authorization.is_none() {
            respond(401, &[("www-authenticate", "Basic")], "")
        } else {
            respond(200, &[], "")
        }
    });
    let provider = Arc::new(StaticCredential::any_host(Credential {
        username: "u".into(),
        password: "topsecret".into(),
        refresh_token: "refreshsecret".into(),
        access_token: "accesssecret".into(),
    }));
    send(
        inner,
        provider.clone(),
        cache.clone(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap();
    let layer = AuthLayer::new(provider.clone(), cache.clone());
    let text = format!("{layer:?} {cache:?} {provider:?}");
    let token = basic("u", "topsecret");
    let encoded = token.trim_start_matches("Basic ");
    for secret in ["topsecret", "refreshsecret", "accesssecret", encoded] {
        assert!(!text.contains(secret), "{text}");
    }
}
