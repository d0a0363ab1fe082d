//! Registry warnings (`ClientConfig::on_warning`, oras-go `HandleWarning`):
//! every `Warning: 299 - "…"` header of the final response of a request
//! reaches the handler, error responses included; other forms, and the
//! responses of redirects and retried attempts, do not.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use oras_content::{ErrorKind, Resolver, fetch_all};
use oras_remote::{Registry, WarningHandler};
use oras_spec::{Descriptor, media_type};

use crate::support::{ServerBody, bounded, loopback_config, serve, server_full};

type Incoming = Request<hyper::body::Incoming>;

/// A handler recording the texts it gets.
fn recorder() -> (WarningHandler, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handler = WarningHandler::new(move |w| log.lock().unwrap().push(w.text));
    (handler, seen)
}

fn with_warnings(status: u16, warnings: &[&str], body: &'static str) -> Response<ServerBody> {
    let mut response = Response::builder().status(status);
    for warning in warnings {
        response = response.header("warning", *warning);
    }
    response.body(server_full(body)).unwrap()
}

#[tokio::test]
async fn warnings_of_success_and_error_responses_reach_the_handler() {
    let addr = serve(|req: Incoming| async move {
        match req.uri().path() {
            "/v2/" => with_warnings(
                200,
                &[
                    r#"299 - "registry is read-only soon""#,
                    r#"199 - "not this one""#,
                    r#"299 - "quoted \"twice\"""#,
                    r#"299 - "registry is read-only soon""#,
                ],
                "{}",
            ),
            _ => with_warnings(
                404,
                &[r#"299 - "repository is deprecated""#],
                r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            ),
        }
    })
    .await;
    let (handler, seen) = recorder();
    let registry =
        Registry::with_config(&addr.to_string(), loopback_config().on_warning(handler)).unwrap();
    bounded(registry.ping()).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            "registry is read-only soon",
            "quoted \"twice\"",
            "registry is read-only soon"
        ]
    );

    seen.lock().unwrap().clear();
    let repository = registry.repository("old/app").unwrap();
    let err = bounded(repository.resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(*seen.lock().unwrap(), vec!["repository is deprecated"]);
}

#[tokio::test]
async fn only_the_final_response_of_redirects_and_retries_counts() {
    let data = b"blob".to_vec();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &data);
    let attempts = Arc::new(AtomicUsize::new(0));
    let count = attempts.clone();
    let addr = serve(move |req: Incoming| {
        let count = count.clone();
        async move {
            if req.uri().path() == "/cdn/blob" {
                return with_warnings(200, &[r#"299 - "from the cdn""#], "blob");
            }
            if count.fetch_add(1, Ordering::SeqCst) == 0 {
                return with_warnings(503, &[r#"299 - "retried away""#], "");
            }
            let mut response = with_warnings(307, &[r#"299 - "redirect""#], "");
            response
                .headers_mut()
                .insert("location", "/cdn/blob".parse().unwrap());
            response
        }
    })
    .await;
    let (handler, seen) = recorder();
    let repository =
        Registry::with_config(&addr.to_string(), loopback_config().on_warning(handler))
            .unwrap()
            .repository("app")
            .unwrap();
    assert_eq!(
        bounded(fetch_all(&repository, &desc, 100)).await.unwrap(),
        data
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(*seen.lock().unwrap(), vec!["from the cdn"]);
}
