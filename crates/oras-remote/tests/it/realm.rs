//! Bearer realm checks over real connections: a realm host name is
//! checked on the address it reaches (after DNS and the overrides), with
//! the same policy as IP literals; numeric hosts another parser would read
//! as loopback are refused; a realm on the registry's own host stays
//! allowed; each redirect hop of a token request is checked too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{Request, Response};
use oras_content::ErrorKind;
use oras_remote::{ClientConfig, Credential, RealmPolicy, Registry, StaticCredential};

use crate::support::{ServerBody, bounded, loopback_config, serve, server_full};

type Incoming = Request<hyper::body::Incoming>;

/// A token server counting its requests.
async fn token_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let addr = serve(move |_req: Incoming| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Response::builder()
                .status(200)
                .body(server_full(r#"{"token":"t0k"}"#))
                .unwrap()
        }
    })
    .await;
    (addr, count)
}

/// A registry asking for a bearer token from `realm`, answering 200 to
/// a request with `Bearer t0k`, and `/token` itself with a redirect to
/// `redirect` when given (a token endpoint on the registry's host).
async fn challenging_registry(realm: String, redirect: Option<String>) -> SocketAddr {
    serve(move |req: Incoming| {
        let realm = realm.clone();
        let redirect = redirect.clone();
        async move {
            let builder = Response::builder();
            let response: Response<ServerBody> = if req.uri().path() == "/token" {
                builder
                    .status(307)
                    .header("location", redirect.unwrap_or_default())
                    .body(server_full(""))
                    .unwrap()
            } else if req
                .headers()
                .get("authorization")
                .is_some_and(|v| v == "Bearer t0k")
            {
                builder.status(200).body(server_full("{}")).unwrap()
            } else {
                builder
                    .status(401)
                    .header(
                        "www-authenticate",
                        format!(r#"Bearer realm="{realm}",service="s""#),
                    )
                    .body(server_full(""))
                    .unwrap()
            };
            response
        }
    })
    .await
}

fn with_password(config: ClientConfig) -> ClientConfig {
    config.credentials(Arc::new(StaticCredential::new(
        "registry.test:5000",
        Credential::basic("alice", "s3cret"),
    )))
}

#[tokio::test]
async fn a_realm_name_resolving_to_loopback_is_refused_before_any_token_request() {
    let (token, requests) = token_server().await;
    let realm = format!("http://auth.test:{}/token", token.port());
    let registry_addr = challenging_registry(realm, None).await;
    let config = with_password(loopback_config())
        .resolve("registry.test", 5000, registry_addr)
        .resolve("auth.test", token.port(), token);
    let registry = Registry::with_config("registry.test:5000", config.clone()).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Denied, "{err}");
    assert!(
        err.to_string().contains("blocked prefix 127.0.0.0/8"),
        "{err}"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 0, "no token request sent");

    // The opt-out of oras-go (`BlockedRealmPrefixes` empty) lets it through.
    let open = config.realm_policy(RealmPolicy::blocking([]));
    let registry = Registry::with_config("registry.test:5000", open).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_realm_name_resolving_to_the_metadata_address_is_never_dialled() {
    let realm = "http://metadata.test/latest/token".to_owned();
    let registry_addr = challenging_registry(realm, None).await;
    let metadata: SocketAddr = "169.254.169.254:80".parse().unwrap();
    let config = with_password(loopback_config())
        .resolve("registry.test", 5000, registry_addr)
        .resolve("metadata.test", 80, metadata);
    let registry = Registry::with_config("registry.test:5000", config).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Denied, "{err}");
    assert!(
        err.to_string()
            .contains("169.254.169.254, in blocked prefix"),
        "{err}"
    );
}

#[tokio::test]
async fn numeric_realm_hosts_read_as_loopback_are_refused() {
    let (token, requests) = token_server().await;
    for host in ["2130706433", "127.1", "0x7f.1", "0x7f000001"] {
        let realm = format!("http://{host}:{}/token", token.port());
        let registry_addr = challenging_registry(realm.clone(), None).await;
        let config = with_password(loopback_config()).resolve("registry.test", 5000, registry_addr);
        let registry = Registry::with_config("registry.test:5000", config).unwrap();
        let err = bounded(registry.ping()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Denied, "{realm}: {err}");
        assert!(err.to_string().contains("canonical"), "{realm}: {err}");
    }
    assert_eq!(requests.load(Ordering::SeqCst), 0, "no token request sent");
}

#[tokio::test]
async fn a_realm_on_the_registry_host_is_allowed_but_not_its_redirect_to_loopback() {
    // The registry serves its own tokens: allowed although it is loopback.
    let (token, requests) = token_server().await;
    let own = "http://127.0.0.1:{port}/token";
    let direct = serve(|_req: Incoming| async {
        Response::builder()
            .status(200)
            .body(server_full(r#"{"token":"t0k"}"#))
            .unwrap()
    })
    .await;
    let registry_addr =
        challenging_registry(own.replace("{port}", &direct.port().to_string()), None).await;
    let registry = Registry::with_config(
        &format!("127.0.0.1:{}", registry_addr.port()),
        loopback_config(),
    )
    .unwrap();
    bounded(registry.ping()).await.unwrap();

    // A token endpoint on the registry's host redirecting the token
    // request to another name on loopback: that hop is refused.
    let realm = "http://registry.test:5000/token".to_owned();
    let redirect = format!("http://auth.test:{}/token", token.port());
    let registry_addr = challenging_registry(realm, Some(redirect)).await;
    let config = with_password(loopback_config())
        .resolve("registry.test", 5000, registry_addr)
        .resolve("auth.test", token.port(), token);
    let registry = Registry::with_config("registry.test:5000", config).unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Denied, "{err}");
    assert_eq!(requests.load(Ordering::SeqCst), 0, "no token request sent");
}
