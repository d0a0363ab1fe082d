//! Basic auth and the pass-through paths.

use std::sync::Arc;

use oras_auth::{Credential, Error, StaticCredential, TokenCache};

use crate::support::{basic, fake, get, respond, send};

fn registry_wants_basic(
    seen: &crate::support::Seen,
) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    if seen.authorization.as_deref() == Some(basic("alice", "s3cret").as_str()) {
        respond(200, &[], "ok")
    } else {
        respond(401, &[("www-authenticate", r#"Basic realm="reg""#)], "")
    }
}

#[tokio::test]
async fn basic_challenge_is_answered_and_cached() {
    let (inner, log) = fake(registry_wants_basic);
    let provider = Arc::new(StaticCredential::new(
        "r.example:5000",
        Credential::basic("alice", "s3cret"),
    ));
    let cache = TokenCache::new();
    let response = send(
        inner.clone(),
        provider.clone(),
        cache.clone(),
        get("https://r.example:5000/v2/"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(log.lock().unwrap().len(), 2);
    // The second request uses the cached Basic token straight away.
    let response = send(
        inner,
        provider,
        cache,
        get("https://r.example:5000/v2/a/tags/list"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(
        log[2].authorization.as_deref(),
        Some(basic("alice", "s3cret").as_str())
    );
}

#[tokio::test]
async fn basic_without_credential_is_an_error() {
    let (inner, _log) = fake(registry_wants_basic);
    let err = send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap_err();
    let err = err.downcast_ref::<Error>().expect("an oras_auth::Error");
    assert!(
        matches!(err, Error::BasicCredentialNotFound { .. }),
        "{err}"
    );
    assert!(err.is_unauthorized());
}

#[tokio::test]
async fn existing_authorization_is_sent_as_is() {
    let (inner, log) = fake(|_| respond(401, &[("www-authenticate", "Basic")], ""));
    let mut request = get("https://r.example/v2/");
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, "Bearer mine".parse().unwrap());
    let response = send(
        inner,
        Arc::new(StaticCredential::any_host(Credential::basic("a", "b"))),
        TokenCache::new(),
        request,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 401);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].authorization.as_deref(), Some("Bearer mine"));
}
