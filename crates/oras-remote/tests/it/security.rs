//! The credential rules, one test each: credentials and custom
//! headers only to the registry origin (never after a cross-origin
//! redirect, never to a token realm elsewhere, never to an upload
//! `Location` on another host or a downgraded scheme).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::{Method, Request, Response};
use oras_auth::{Credential, StaticCredential};
use oras_content::{ErrorKind, Pusher, bytes_reader, fetch_all};
use oras_remote::{ClientConfig, Registry};
use oras_spec::{Descriptor, media_type};

use crate::support::{
    Finish, Script, bounded, loopback_config, resp, serve, serve_tls_recording, server_full,
    test_pki,
};

type Headers = Arc<Mutex<Vec<http::HeaderMap>>>;

#[tokio::test]
async fn a_blob_redirect_to_a_cdn_carries_no_credentials_or_custom_headers() {
    let data = b"layer from the cdn".to_vec();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &data);

    let cdn_seen: Headers = Arc::default();
    let seen = cdn_seen.clone();
    let served = data.clone();
    let cdn = serve(move |req: Request<hyper::body::Incoming>| {
        let seen = seen.clone();
        let served = served.clone();
        async move {
            seen.lock().unwrap().push(req.headers().clone());
            Response::builder()
                .status(200)
                .body(server_full(served))
                .unwrap()
        }
    })
    .await;

    let registry_seen: Headers = Arc::default();
    let seen = registry_seen.clone();
    let registry = serve(move |req: Request<hyper::body::Incoming>| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(req.headers().clone());
            if req.headers().get("authorization").is_none() {
                return Response::builder()
                    .status(401)
                    .header("www-authenticate", r#"Basic realm="test""#)
                    .body(server_full(""))
                    .unwrap();
            }
            Response::builder()
                .status(307)
                .header(
                    "location",
                    format!("http://{cdn}/blobs/x?X-Amz-Signature=s3cr3t"),
                )
                .body(server_full(""))
                .unwrap()
        }
    })
    .await;

    let host = registry.to_string();
    let config = loopback_config()
        .header("X-Custom", "custom-secret")
        .credentials(Arc::new(StaticCredential::new(
            host.clone(),
            Credential::basic("alice", "pw"),
        )));
    let repo = Registry::with_config(&host, config)
        .unwrap()
        .repository("app")
        .unwrap();
    let got = bounded(fetch_all(&repo, &desc, 1024)).await.unwrap();
    assert_eq!(got, data);

    let at_registry = registry_seen.lock().unwrap().clone();
    assert_eq!(at_registry.len(), 2, "challenge, then authenticated");
    assert!(at_registry.iter().all(|h| h.get("x-custom").is_some()));
    assert!(at_registry[1].get("authorization").is_some());
    let at_cdn = cdn_seen.lock().unwrap().clone();
    assert_eq!(at_cdn.len(), 1);
    assert!(at_cdn[0].get("authorization").is_none(), "{:?}", at_cdn[0]);
    assert!(at_cdn[0].get("x-custom").is_none(), "{:?}", at_cdn[0]);
    assert!(at_cdn[0].get("user-agent").is_some());
}

#[tokio::test]
async fn an_upload_location_on_another_host_is_refused_before_sending() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let elsewhere = serve(move |_req: Request<hyper::body::Incoming>| {
        counter.fetch_add(1, Ordering::SeqCst);
        async {
            Response::builder()
                .status(201)
                .body(server_full(""))
                .unwrap()
        }
    })
    .await;
    let registry = serve(move |req: Request<hyper::body::Incoming>| async move {
        assert_eq!(req.method(), Method::POST);
        Response::builder()
            .status(202)
            .header("location", format!("http://{elsewhere}/upload/1"))
            .body(server_full(""))
            .unwrap()
    })
    .await;
    let config = loopback_config().header("X-Custom", "c");
    let repo = Registry::with_config(&registry.to_string(), config)
        .unwrap()
        .repository("app")
        .unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"data");
    let err = bounded(repo.push(&desc, bytes_reader(&b"data"[..])))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Denied, "{err}");
    assert!(err.to_string().contains("another"), "{err}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing sent to the other host"
    );
}

#[tokio::test]
async fn an_upload_location_that_downgrades_https_is_refused() {
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202)
            .header("location", "http://r.example/upload/1")
            .empty()
    });
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"data");
    let err = bounded(
        script
            .repository("app")
            .push(&desc, bytes_reader(&b"data"[..])),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("downgrades https"), "{err}");
    script.finish();
}

#[tokio::test]
async fn custom_headers_never_reach_a_token_realm_on_another_origin() {
    let script = Script::new();
    script.expect(Method::GET, "/v2/", |seen| {
        assert_eq!(seen.uri.host(), Some("r.example"));
        assert_eq!(seen.header("x-custom"), Some("c"));
        resp(401)
            .header(
                "www-authenticate",
                r#"Bearer realm="https://auth.example/token",service="r.example""#,
            )
            .empty()
    });
    script.expect(Method::GET, "/token", |seen| {
        assert_eq!(seen.uri.host(), Some("auth.example"));
        assert!(
            seen.header("x-custom").is_none(),
            "custom header sent to the realm"
        );
        resp(200).body_bytes(r#"{"token":"tok3n"}"#)
    });
    script.expect(Method::GET, "/v2/", |seen| {
        assert_eq!(seen.header("authorization"), Some("Bearer tok3n"));
        assert_eq!(seen.header("x-custom"), Some("c"));
        resp(200).empty()
    });
    let registry =
        Registry::with_config("r.example", script.config().header("X-Custom", "c")).unwrap();
    bounded(registry.ping()).await.unwrap();
    script.finish();
}

#[tokio::test]
async fn a_redirect_back_and_forth_never_restores_credentials() {
    // Registry → other port → registry again: the Authorization header
    // dropped on the first cross-origin hop stays dropped.
    let seen: Headers = Arc::default();
    let log = seen.clone();
    let registry_addr = Arc::new(Mutex::new(None::<std::net::SocketAddr>));
    let other_registry = registry_addr.clone();
    let bouncer = serve(move |_req: Request<hyper::body::Incoming>| {
        let target = other_registry.lock().unwrap().unwrap();
        async move {
            Response::builder()
                .status(302)
                .header("location", format!("http://{target}/final"))
                .body(server_full(""))
                .unwrap()
        }
    })
    .await;
    let registry = serve(move |req: Request<hyper::body::Incoming>| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(req.headers().clone());
            if req.uri().path() == "/final" {
                return Response::builder()
                    .status(200)
                    .body(server_full("ok"))
                    .unwrap();
            }
            Response::builder()
                .status(302)
                .header("location", format!("http://{bouncer}/bounce"))
                .body(server_full(""))
                .unwrap()
        }
    })
    .await;
    *registry_addr.lock().unwrap() = Some(registry);
    let config = loopback_config().credentials(Arc::new(StaticCredential::new(
        registry.to_string(),
        Credential::access_token("t0ken"),
    )));
    let registry_client = Registry::with_config(&registry.to_string(), config).unwrap();
    let request = Request::get(format!("http://{registry}/v2/"))
        .header("authorization", "Bearer t0ken")
        .body(oras_auth::Body::empty())
        .unwrap();
    let response = bounded(registry_client.client().send(request))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].get("authorization").is_some());
    assert!(
        seen[1].get("authorization").is_none(),
        "credentials came back"
    );
}

#[test]
fn client_config_debug_shows_no_header_values() {
    let config = ClientConfig::new().header("Authorization", "Bearer secret-value");
    let text = format!("{config:?}");
    assert!(!text.contains("secret-value"), "{text}");
}

#[tokio::test]
async fn the_client_certificate_goes_to_the_registry_origin_only() {
    let pki = test_pki(&["127.0.0.1"]);
    let (cdn, cdn_certs) =
        serve_tls_recording(&pki, |_req: Request<hyper::body::Incoming>| async {
            Response::builder()
                .status(200)
                .body(server_full("blob"))
                .unwrap()
        })
        .await;
    let (registry, registry_certs) = serve_tls_recording(
        &pki,
        move |_req: Request<hyper::body::Incoming>| async move {
            Response::builder()
                .status(307)
                .header("location", format!("https://{cdn}/blob"))
                .body(server_full(""))
                .unwrap()
        },
    )
    .await;
    let config = ClientConfig::new()
        .proxy(oras_remote::ProxyConfig::none())
        .retry(oras_remote::RetryPolicy::none())
        .without_system_roots()
        .ca_pem(pki.ca_pem.clone())
        .client_cert_pem(pki.client_cert_pem.clone(), pki.client_key_pem.clone());
    let repo = Registry::with_config(&registry.to_string(), config)
        .unwrap()
        .repository("app")
        .unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"blob");
    assert_eq!(
        bounded(fetch_all(&repo, &desc, 100)).await.unwrap(),
        b"blob"
    );
    assert_eq!(*registry_certs.lock().unwrap(), vec![true]);
    assert_eq!(*cdn_certs.lock().unwrap(), vec![false]);
}
