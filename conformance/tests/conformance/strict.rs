//! The strict fake registry passes every check.

use oras_conformance::outcome::Status;
use oras_testkit::fake::FakeConfig;

use crate::support::{explain, failures, ids, run_fake};

/// Skips a strict registry may cause: specs the suite runs only in
/// another configuration, and the optional anonymous mount (the fake
/// mounts without `from` only with `automatic_mount`).
fn allowed_skip(id: &str) -> bool {
    id.contains("get-tag-name-from-environment")
        || id.contains("no-push")
        || id.contains("cross-mounting-of-nonexistent-blob")
        || id.contains("automatic-content-discovery-enabled")
        || id.contains("/mount-anonymous/")
}

#[tokio::test]
async fn strict_fake_passes_every_check() {
    let (registry, report) = run_fake(FakeConfig::strict(), &[]).await;
    assert!(
        failures(&report).is_empty(),
        "failures:\n{}",
        explain(&report)
    );
    let ginkgo: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.meta.id.starts_with("ginkgo/"))
        .collect();
    assert_eq!(ginkgo.len(), 79, "the Ginkgo tree has 79 specs");
    let redesign = report
        .results
        .iter()
        .filter(|r| r.meta.id.starts_with("oci/"))
        .count();
    assert!(redesign > 150, "the redesigned tree ran {redesign} checks");
    let skipped = ids(&report, Status::Skip);
    assert!(
        skipped.iter().all(|id| allowed_skip(id)),
        "unexpected skips: {skipped:?}"
    );
    // Disabled only by the 1.1 profile's defaults (dev-only APIs, sparse).
    for id in ids(&report, Status::Disabled) {
        assert!(
            id.contains("post-cancel") || id.contains("tag-param") || id.contains("/sparse/"),
            "unexpected disabled check {id}"
        );
    }
    assert!(
        registry.unexpected_requests().is_empty(),
        "{:?}",
        registry.unexpected_requests()
    );
}

#[tokio::test]
async fn strict_fake_passes_the_dev_profile() {
    let config = FakeConfig {
        automatic_mount: true,
        ..FakeConfig::strict()
    };
    let (_registry, report) =
        run_fake(config, &[("OCI_VERSION", "dev"), ("OCI_SUITE", "redesign")]).await;
    assert!(
        failures(&report).is_empty(),
        "failures:\n{}",
        explain(&report)
    );
    assert!(
        ids(&report, Status::Skip).is_empty(),
        "skips: {:?}",
        ids(&report, Status::Skip)
    );
    let passed = ids(&report, Status::Pass);
    for expected in [
        "post-cancel/cancel",
        "data/tag-param-sha512/push-manifest-by-digest",
        "mount-anonymous/upload",
    ] {
        assert!(
            passed.iter().any(|id| id.contains(expected)),
            "{expected} did not pass"
        );
    }
}

#[tokio::test]
async fn filter_runs_only_matching_checks() {
    let (_registry, report) = run_fake(
        FakeConfig::strict(),
        &[("OCI_FILTER_TEST", "oci/sha256-blobs/post-put/")],
    )
    .await;
    let ids: Vec<&str> = report.results.iter().map(|r| r.meta.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "oci/sha256-blobs/post-put/upload",
            "oci/sha256-blobs/post-put/blob-head",
            "oci/sha256-blobs/post-put/blob-get",
            "oci/sha256-blobs/post-put/blob-delete"
        ]
    );
    assert!(report.passed());
}

#[tokio::test]
async fn uploads_send_their_real_content_length() {
    let (registry, _report) = run_fake(FakeConfig::strict(), &[("OCI_SUITE", "ginkgo")]).await;
    for r in registry.requests() {
        if matches!(r.method.as_str(), "POST" | "PUT" | "PATCH") {
            assert!(
                r.request_headers.contains_key("content-length"),
                "{} {} has no Content-Length",
                r.method,
                r.path
            );
        }
    }
}
