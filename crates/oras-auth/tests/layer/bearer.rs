//! Bearer auth: token GET and OAuth2 POST, scopes, the cache, re-fetch.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use oras_auth::{AuthLayer, Body, Credential, Error, Scopes, StaticCredential, TokenCache};
use tower::ServiceExt;

use crate::support::{LayerOver, Seen, basic, fake, get, respond, send};

const CHALLENGE: &str =
    r#"Bearer realm="https://auth.example/token",service="r.example",scope="repository:a:pull""#;

/// A registry at r.example that accepts `Bearer good-<n>` tokens and a
/// token service at auth.example that hands out `good-<n>` (n counts
/// issued tokens) to GETs and POSTs.
fn registry_and_token_service(
    issued: Arc<AtomicUsize>,
) -> impl Fn(&Seen) -> http::Response<Full<Bytes>> + Send + Sync + 'static {
    move |seen| {
        if seen.uri.starts_with("https://auth.example/token") {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            return if seen.method == http::Method::POST {
                respond(200, &[], &format!(r#"{{"access_token":"good-{n}"}}"#))
            } else {
                respond(200, &[], &format!(r#"{{"token":"good-{n}"}}"#))
            };
        }
        match seen.authorization.as_deref() {
            Some(a) if a.starts_with("Bearer good-") => respond(200, &[], "ok"),
            _ => respond(401, &[("www-authenticate", CHALLENGE)], ""),
        }
    }
}

fn query_pairs(uri: &str) -> Vec<(String, String)> {
    url::Url::parse(uri)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

#[tokio::test]
async fn anonymous_token_get_then_cached() {
    let issued = Arc::new(AtomicUsize::new(0));
    let (inner, log) = fake(registry_and_token_service(issued.clone()));
    let cache = TokenCache::new();
    let provider = Arc::new(StaticCredential::anonymous());
    let response = send(
        inner.clone(),
        provider.clone(),
        cache.clone(),
        get("https://r.example/v2/a/manifests/v1"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    {
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 3, "{log:?}");
        assert_eq!(log[1].method, http::Method::GET);
        assert_eq!(log[1].authorization, None, "anonymous token request");
        assert_eq!(
            query_pairs(&log[1].uri),
            vec![
                pair("service", "r.example"),
                pair("scope", "repository:a:pull")
            ]
        );
        assert_eq!(log[2].authorization.as_deref(), Some("Bearer good-1"));
    }
    // The challenge's scope was not hinted, so the next request tries no
    // token, is challenged, and finds the token cached under the
    // challenge's key: no new token request.
    let response = send(
        inner,
        provider,
        cache,
        get("https://r.example/v2/a/manifests/v2"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(log[3].authorization, None);
    assert_eq!(log[4].authorization.as_deref(), Some("Bearer good-1"));
}

#[tokio::test]
async fn hinted_scopes_merge_with_the_challenge_and_key_the_cache() {
    let issued = Arc::new(AtomicUsize::new(0));
    let (inner, log) = fake(registry_and_token_service(issued.clone()));
    let cache = TokenCache::new();
    let provider = Arc::new(StaticCredential::new(
        "r.example",
        Credential::basic("u", "p"),
    ));
    let hinted = || {
        let mut request = get("https://r.example/v2/a/blobs/uploads/");
        request.extensions_mut().insert(Scopes(vec![
            "repository:a:push".to_string(),
            "repository:a:pull".to_string(),
        ]));
        request
    };
    send(inner.clone(), provider.clone(), cache.clone(), hinted())
        .await
        .unwrap();
    {
        let log = log.lock().unwrap();
        assert_eq!(
            log[1].authorization.as_deref(),
            Some(basic("u", "p").as_str())
        );
        assert_eq!(
            query_pairs(&log[1].uri),
            vec![
                pair("service", "r.example"),
                pair("scope", "repository:a:pull,push")
            ]
        );
    }
    // With the same hints the cached token is attached on the first try.
    send(inner, provider, cache, hinted()).await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(log[3].authorization.as_deref(), Some("Bearer good-1"));
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn several_scopes_become_several_scope_params() {
    let challenge = r#"Bearer realm="https://auth.example/token?x=1&service=old",service="svc",scope="repository:b:pull repository:a:push,pull""#;
    let (inner, log) = fake(move |seen| {
        if seen.uri.starts_with("https://auth.example/") {
            respond(200, &[], r#"{"access_token":"good-9","token":"good-9"}"#)
        } else if seen.authorization.is_some() {
            respond(200, &[], "")
        } else {
            respond(401, &[("www-authenticate", challenge)], "")
        }
    });
    send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap();
    let log = log.lock().unwrap();
    assert_eq!(
        query_pairs(&log[1].uri),
        vec![
            pair("x", "1"),
            pair("service", "svc"),
            pair("scope", "repository:a:pull,push"),
            pair("scope", "repository:b:pull"),
        ]
    );
    assert_eq!(log[2].authorization.as_deref(), Some("Bearer good-9"));
}

#[tokio::test]
async fn refresh_token_uses_oauth2_post() {
    let (inner, log) = fake(registry_and_token_service(Arc::default()));
    let provider = Arc::new(StaticCredential::any_host(Credential::refresh_token(
        "rt-secret",
    )));
    let response = send(
        inner,
        provider,
        TokenCache::new(),
        get("https://r.example/v2/a/tags/list"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    assert_eq!(log[1].method, http::Method::POST);
    assert_eq!(
        log[1].content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(log[1].authorization, None);
    assert_eq!(
        form_pairs(&log[1].body),
        vec![
            pair("grant_type", "refresh_token"),
            pair("refresh_token", "rt-secret"),
            pair("service", "r.example"),
            pair("client_id", "oras-rs"),
            pair("scope", "repository:a:pull"),
        ]
    );
    assert_eq!(log[2].authorization.as_deref(), Some("Bearer good-1"));
}

#[tokio::test]
async fn forced_oauth2_uses_the_password_grant_and_client_id() {
    let (inner, log) = fake(registry_and_token_service(Arc::default()));
    let provider = Arc::new(StaticCredential::any_host(Credential::basic("u", "p")));
    let service = AuthLayer::new(provider, TokenCache::new())
        .client_id("my-client")
        .force_attempt_oauth2(true)
        .layer_over(inner);
    let response = service.oneshot(get("https://r.example/v2/")).await.unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    assert_eq!(log[1].method, http::Method::POST);
    assert_eq!(
        form_pairs(&log[1].body),
        vec![
            pair("grant_type", "password"),
            pair("username", "u"),
            pair("password", "p"),
            pair("service", "r.example"),
            pair("client_id", "my-client"),
            pair("scope", "repository:a:pull"),
        ]
    );
}

#[tokio::test]
async fn access_token_is_used_directly() {
    let (inner, log) = fake(registry_and_token_service(Arc::default()));
    let provider = Arc::new(StaticCredential::any_host(Credential::access_token(
        "good-direct",
    )));
    let response = send(
        inner,
        provider,
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2, "no token request: {log:?}");
    assert_eq!(log[1].authorization.as_deref(), Some("Bearer good-direct"));
}

#[tokio::test]
async fn an_expired_token_is_dropped_and_fetched_again_once() {
    // The registry accepts only the newest token issued.
    let issued = Arc::new(AtomicUsize::new(0));
    let current = issued.clone();
    let (inner, log) = fake(move |seen| {
        if seen.uri.starts_with("https://auth.example/") {
            let n = current.fetch_add(1, Ordering::SeqCst) + 1;
            return respond(200, &[], &format!(r#"{{"token":"good-{n}"}}"#));
        }
        let newest = format!("Bearer good-{}", current.load(Ordering::SeqCst));
        if seen.authorization.as_deref() == Some(newest.as_str()) {
            respond(200, &[], "")
        } else {
            respond(401, &[("www-authenticate", CHALLENGE)], "")
        }
    });
    let cache = TokenCache::new();
    let provider = Arc::new(StaticCredential::anonymous());
    let hinted = || {
        let mut r = get("https://r.example/v2/a/manifests/x");
        r.extensions_mut()
            .insert(Scopes(vec!["repository:a:pull".into()]));
        r
    };
    send(inner.clone(), provider.clone(), cache.clone(), hinted())
        .await
        .unwrap();
    // Expire the token server-side.
    issued.fetch_add(1, Ordering::SeqCst);
    let response = send(inner, provider, cache, hinted()).await.unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    let auths: Vec<_> = log.iter().map(|s| s.authorization.clone()).collect();
    // 1st: attempt with cached good-1 → 401; token GET; re-send with good-3.
    assert_eq!(log.len(), 6, "{auths:?}");
    assert_eq!(log[3].authorization.as_deref(), Some("Bearer good-1"));
    assert!(log[4].uri.starts_with("https://auth.example/"));
    assert_eq!(log[5].authorization.as_deref(), Some("Bearer good-3"));
}

#[tokio::test]
async fn a_token_that_keeps_failing_returns_the_401_without_looping() {
    let (inner, log) = fake(|seen| {
        if seen.uri.starts_with("https://auth.example/") {
            respond(200, &[], r#"{"token":"useless"}"#)
        } else {
            respond(401, &[("www-authenticate", CHALLENGE)], "")
        }
    });
    let response = send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn token_service_errors_carry_status_and_bounded_body() {
    let long = "x".repeat(5000);
    let (inner, _log) = fake(move |seen| {
        if seen.uri.starts_with("https://auth.example/") {
            respond(403, &[], &format!("denied: {long}"))
        } else {
            respond(401, &[("www-authenticate", CHALLENGE)], "")
        }
    });
    let err = send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap_err();
    let err = err.downcast_ref::<Error>().unwrap();
    assert!(err.is_unauthorized());
    let text = err.to_string();
    assert!(text.contains("403"), "{text}");
    assert!(text.contains("denied: xxx"), "{text}");
    assert!(text.len() < 1500, "error text is bounded: {}", text.len());
}

#[tokio::test]
async fn token_responses_over_128_kib_are_refused() {
    let (inner, _log) = fake(|seen| {
        if seen.uri.starts_with("https://auth.example/") {
            let token = "t".repeat(128 * 1024);
            respond(200, &[], &format!(r#"{{"token":"{token}"}}"#))
        } else {
            respond(401, &[("www-authenticate", CHALLENGE)], "")
        }
    });
    let err = send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        TokenCache::new(),
        get("https://r.example/v2/"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::TokenTooLarge { .. })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn token_responses_without_token_are_errors() {
    for body in [r#"{}"#, r#"{"token":""}"#, "not json"] {
        let (inner, _log) = fake(move |seen| {
            if seen.uri.starts_with("https://auth.example/") {
                respond(200, &[], body)
            } else {
                respond(401, &[("www-authenticate", CHALLENGE)], "")
            }
        });
        let err = send(
            inner,
            Arc::new(StaticCredential::anonymous()),
            TokenCache::new(),
            get("https://r.example/v2/"),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err.downcast_ref::<Error>(),
                Some(Error::TokenResponse { .. })
            ),
            "{body}: {err}"
        );
    }
}

#[tokio::test]
async fn concurrent_requests_share_one_token_fetch() {
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    let inner = tower::service_fn(move |request: Request<Body>| {
        let counter = counter.clone();
        async move {
            let uri = request.uri().to_string();
            if uri.starts_with("https://auth.example/") {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                return Ok::<_, oras_auth::BoxError>(respond(200, &[], r#"{"token":"good-1"}"#));
            }
            Ok(match request.headers().get("authorization") {
                Some(_) => respond(200, &[], ""),
                None => respond(401, &[("www-authenticate", CHALLENGE)], ""),
            })
        }
    });
    let service = AuthLayer::new(Arc::new(StaticCredential::anonymous()), TokenCache::new())
        .layer_over(inner);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            tokio::spawn(
                service
                    .clone()
                    .oneshot(get("https://r.example/v2/a/manifests/x")),
            )
        })
        .collect();
    for task in tasks {
        let response = tokio::time::timeout(std::time::Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn request_bodies_are_replayed_after_a_challenge() {
    let (inner, log) = fake(registry_and_token_service(Arc::default()));
    let request = Request::put("https://r.example/v2/a/manifests/v1")
        .body(Body::full(Bytes::from_static(b"{\"manifest\":1}")))
        .unwrap();
    let response = send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        TokenCache::new(),
        request,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    assert_eq!(log[0].body, log[2].body);
    assert_eq!(&log[2].body[..], b"{\"manifest\":1}");
}

#[tokio::test]
async fn a_one_shot_body_gets_the_401_back_and_the_token_is_cached() {
    let (inner, log) = fake(registry_and_token_service(Arc::default()));
    let cache = TokenCache::new();
    let stream: oras_auth::ChunkStream =
        Box::pin(futures::stream::iter(vec![Ok(Bytes::from_static(b"blob"))]));
    let mut request = Request::put("https://r.example/v2/a/blobs/uploads/x?digest=sha256:00")
        .body(Body::stream(stream, Some(4)))
        .unwrap();
    request
        .extensions_mut()
        .insert(Scopes(vec!["repository:a:pull".into()]));
    let response = send(
        inner.clone(),
        Arc::new(StaticCredential::anonymous()),
        cache.clone(),
        request,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        log.lock().unwrap().len(),
        2,
        "no re-send of a one-shot body"
    );
    // The caller's second attempt finds the token cached.
    let stream: oras_auth::ChunkStream =
        Box::pin(futures::stream::iter(vec![Ok(Bytes::from_static(b"blob"))]));
    let mut request = Request::put("https://r.example/v2/a/blobs/uploads/x?digest=sha256:00")
        .body(Body::stream(stream, Some(4)))
        .unwrap();
    request
        .extensions_mut()
        .insert(Scopes(vec!["repository:a:pull".into()]));
    let response = send(
        inner,
        Arc::new(StaticCredential::anonymous()),
        cache,
        request,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let log = log.lock().unwrap();
    assert_eq!(log[2].authorization.as_deref(), Some("Bearer good-1"));
    assert_eq!(&log[2].body[..], b"blob");
}
