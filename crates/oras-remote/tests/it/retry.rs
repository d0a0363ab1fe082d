//! The retry layer inside the whole stack: which answers are retried, how
//! long it waits (recorded, not slept), and that a streamed body is sent
//! once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;
use oras_content::{ErrorKind, Pusher, Resolver, bytes_reader};
use oras_remote::RetryPolicy;
use oras_spec::{Descriptor, media_type};

use crate::support::{Finish, Script, bounded, resp};

fn recording() -> (RetryPolicy, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let record = waits.clone();
    let policy = RetryPolicy::default().with_sleep(Arc::new(move |d| {
        record.lock().unwrap().push(d);
        Box::pin(async {})
    }));
    (policy, waits)
}

fn head_ok(_: &crate::support::Seen) -> http::Response<oras_remote::ResponseBody> {
    resp(200)
        .header("content-type", media_type::IMAGE_MANIFEST)
        .header("content-length", 2)
        .header(
            "docker-content-digest",
            oras_spec::Digest::sha256(b"{}").to_string(),
        )
        .empty()
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let (policy, waits) = recording();
    let script = Script::new();
    for status in [503, 500, 408] {
        script.expect(Method::HEAD, "/v2/app/manifests/v1", move |_| {
            resp(status).empty()
        });
    }
    script.expect(Method::HEAD, "/v2/app/manifests/v1", head_ok);
    let repo = script.repository_with("app", script.config().retry(policy));
    bounded(repo.resolve("v1")).await.unwrap();
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 3);
    for (i, wait) in waits.iter().enumerate() {
        let nominal = 0.25 * 2f64.powi(i as i32);
        let secs = wait.as_secs_f64();
        assert!(
            secs >= (nominal * 0.9).max(0.2) - 1e-9 && secs <= nominal * 1.1 + 1e-9,
            "retry {i} waited {secs}"
        );
    }
    script.finish();
}

#[tokio::test]
async fn gives_up_after_five_retries() {
    let (policy, waits) = recording();
    let script = Script::new();
    for _ in 0..6 {
        script.expect(Method::HEAD, "/v2/app/manifests/v1", |_| resp(502).empty());
    }
    let repo = script.repository_with("app", script.config().retry(policy));
    let err = bounded(repo.resolve("v1")).await.unwrap_err();
    assert!(err.to_string().contains("502"), "{err}");
    assert_eq!(waits.lock().unwrap().len(), 5);
    script.finish();
}

#[tokio::test]
async fn too_many_requests_waits_retry_after_clamped() {
    let (policy, waits) = recording();
    let script = Script::new();
    script.expect(Method::HEAD, "/v2/app/manifests/v1", |_| {
        resp(429).header("retry-after", "2").empty()
    });
    script.expect(Method::HEAD, "/v2/app/manifests/v1", |_| {
        resp(429).header("retry-after", "3600").empty()
    });
    script.expect(Method::HEAD, "/v2/app/manifests/v1", head_ok);
    let repo = script.repository_with("app", script.config().retry(policy));
    bounded(repo.resolve("v1")).await.unwrap();
    assert_eq!(
        *waits.lock().unwrap(),
        vec![Duration::from_secs(2), Duration::from_secs(3)]
    );
    script.finish();

    // Without retries the 429 surfaces as TooManyRequests.
    let script = Script::new();
    script.expect(Method::HEAD, "/v2/app/manifests/v1", |_| {
        resp(429).body_bytes(r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#)
    });
    let repo = script.repository_with("app", script.config().retry(RetryPolicy::none()));
    let err = bounded(repo.resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRequests);
    script.finish();
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (policy, waits) = recording();
    let script = Script::new();
    script.expect(Method::HEAD, "/v2/app/manifests/v1", |_| resp(404).empty());
    let repo = script.repository_with("app", script.config().retry(policy));
    let err = bounded(repo.resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(waits.lock().unwrap().is_empty());
    script.finish();
}

#[tokio::test]
async fn a_streamed_body_is_sent_once_and_a_buffered_one_retried() {
    // 5 MiB streams (one-shot); its 503 is not retried.
    let data = vec![1u8; 5 * 1024 * 1024];
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &data);
    let (policy, waits) = recording();
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202).header("location", "/upload/1").empty()
    });
    script.expect(Method::PUT, "/upload/1", |_| resp(503).empty());
    let repo = script.repository_with("app", script.config().retry(policy.clone()));
    let err = bounded(repo.push(&desc, bytes_reader(data)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    assert!(waits.lock().unwrap().is_empty());
    script.finish();

    // A small blob is buffered, so its PUT is replayed.
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"small");
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202).header("location", "/upload/1").empty()
    });
    script.expect(Method::PUT, "/upload/1", |_| resp(503).empty());
    script.expect(Method::PUT, "/upload/1", |seen| {
        assert_eq!(seen.body, "small");
        resp(201).empty()
    });
    let repo = script.repository_with("app", script.config().retry(policy));
    bounded(repo.push(&desc, bytes_reader(&b"small"[..])))
        .await
        .unwrap();
    assert_eq!(waits.lock().unwrap().len(), 1);
    script.finish();
}
