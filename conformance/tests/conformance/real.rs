//! The binary against a real CNCF Distribution registry (Debian's 2.8.2,
//! plain HTTP): it writes well-formed reports, exits non-zero, and fails
//! exactly the checks README.md lists for Distribution 2.8.

use std::time::Duration;

use oras_testkit::real::{Mode, start_for_test_async};

use crate::reports::check_files;
use crate::support::all_on;

/// What Distribution 2.8.2 fails, and why (kept in step with README.md).
const KNOWN_FAILURES: &[(&str, &str)] = &[
    (
        "ginkgo/pull/error-codes/400-response-body-should-contain-oci-conforming-json-message",
        "GET /manifests/sha256:totallywrong answers 500 UNKNOWN (a filesystem path error), not 400/404",
    ),
    (
        "ginkgo/push/blob-upload-chunked/out-of-order-blob-upload-should-return-416",
        "a PATCH whose Content-Range does not start at the upload's size is accepted (202), not refused with 416",
    ),
    (
        "ginkgo/push/blob-upload-chunked/retry-previous-blob-chunk-should-return-416",
        "the POST's location carries a stale _state: 404 BLOB_UPLOAD_INVALID instead of 416",
    ),
    (
        "ginkgo/push/blob-upload-chunked/get-on-stale-blob-upload-should-return-204-with-a-range-and-location",
        "the stale _state again: 404 instead of 204 with Range",
    ),
    (
        "ginkgo/content-discovery/setup/references-setup",
        "no OCI-Subject header on a manifest PUT with a subject",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-tags/get-request-to-list-tags-should-yield-200-response-and-be-in-sorted-order",
        "tags come back in filesystem order",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-tags/get-number-of-tags-should-be-limitable-by-n-query-parameter",
        "n is ignored",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-tags/get-start-of-tag-is-set-by-last-query-parameter",
        "n and last are ignored",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-references/get-request-to-nonexistent-blob-should-result-in-empty-200-response",
        "no referrers API (plain-text 404)",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-references/get-request-to-existing-blob-should-yield-200",
        "no referrers API",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-references/get-request-to-existing-blob-with-filter-should-yield-200",
        "no referrers API",
    ),
    (
        "ginkgo/content-discovery/test-content-discovery-endpoints-listing-references/get-request-to-missing-manifest-should-yield-200",
        "no referrers API",
    ),
    (
        "ginkgo/content-management/manifest-delete/delete-request-to-manifest-tag-should-return-202-unless-tag-deletion-is-disallowed-400-405",
        "DELETE by tag answers 400 DIGEST_INVALID; a refusal must carry UNSUPPORTED",
    ),
    ("oci/empty/referrers", "no referrers API"),
    (
        "oci/sha256-blobs/chunked-out-of-order/upload",
        "an out-of-order chunk is accepted (202), not 416",
    ),
    (
        "oci/sha256-blobs/chunked-out-of-order-and-put-chunk/upload",
        "an out-of-order last chunk in the PUT is appended (then 400 digest mismatch), not 416",
    ),
    (
        "oci/sha256-blobs/range-requests/bytes-500-0",
        "416 declares the whole blob's Content-Length and sends a short body",
    ),
    (
        "oci/sha256-blobs/range-requests/bytes-5000-10000",
        "416 declares the whole blob's Content-Length and sends a short body",
    ),
    (
        "oci/sha512-blobs/chunked-out-of-order/upload",
        "as for sha256",
    ),
    (
        "oci/sha512-blobs/chunked-out-of-order-and-put-chunk/upload",
        "as for sha256",
    ),
    (
        "oci/sha512-blobs/mount/upload",
        "a sha512 blob mounted with 201 is not served at its Location (404 BLOB_UNKNOWN)",
    ),
    (
        "oci/sha512-blobs/range-requests/bytes-500-0",
        "as for sha256",
    ),
    (
        "oci/sha512-blobs/range-requests/bytes-5000-10000",
        "as for sha256",
    ),
    ("oci/data/index/tag-list", "last is ignored"),
    ("oci/data/nested-index/tag-list", "last is ignored"),
    ("oci/data/artifact-index/tag-list", "last is ignored"),
    (
        "oci/data/artifacts-with-subject/push-manifest-by-digest",
        "no OCI-Subject",
    ),
    (
        "oci/data/artifacts-with-subject/push-manifest-by-tag",
        "no OCI-Subject",
    ),
    (
        "oci/data/artifacts-with-subject/tag-list",
        "last is ignored",
    ),
    (
        "oci/data/artifacts-with-subject/referrers",
        "no referrers API",
    ),
    (
        "oci/data/artifacts-with-subject/referrers-artifacttype-filter",
        "no referrers API",
    ),
    (
        "oci/data/index-with-subject/push-manifest-by-digest",
        "no OCI-Subject",
    ),
    (
        "oci/data/index-with-subject/push-manifest-by-tag",
        "no OCI-Subject",
    ),
    ("oci/data/index-with-subject/tag-list", "last is ignored"),
    ("oci/data/index-with-subject/referrers", "no referrers API"),
    (
        "oci/data/index-with-subject/referrers-artifacttype-filter",
        "no referrers API",
    ),
    (
        "oci/data/missing-subject/push-manifest-by-digest",
        "no OCI-Subject",
    ),
    (
        "oci/data/missing-subject/push-manifest-by-tag",
        "no OCI-Subject",
    ),
    ("oci/data/missing-subject/referrers", "no referrers API"),
    (
        "oci/data/missing-subject/referrers-artifacttype-filter",
        "no referrers API",
    ),
    (
        "oci/invalid-digest-format/put",
        "PUT /manifests/sha256:baddigeststring answers 500, not 400",
    ),
    (
        "oci/invalid-digest-format/get",
        "GET of the same answers 500, not 404/400",
    ),
    (
        "oci/data/sha512/push-blobs",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-multi-and-put-chunk/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-multi-and-put-chunk/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-multi-and-put-chunk/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-multi/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-multi/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-multi/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-single/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-single/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/chunked-single/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/empty/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/empty/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/empty/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/emptyjson/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/emptyjson/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/emptyjson/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/mount-anonymous/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/mount-missing/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/mount-missing/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/mount-missing/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/post-only/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/post-only/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/post-only/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/post-put/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/post-put/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/post-put/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/range-requests/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/stream/blob-get",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/stream/blob-head",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
    (
        "oci/sha512-blobs/stream/upload",
        "a sha512 blob is answered with a sha256 Docker-Content-Digest; the redesign requires the digest asked for",
    ),
];

#[tokio::test]
async fn distribution_fails_only_the_known_checks() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut vars = all_on(&registry.url());
    vars.insert(
        "OCI_REPORT_DIR".to_owned(),
        dir.path().display().to_string(),
    );
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_oras-conformance"));
    command.env_clear().envs(&vars).kill_on_drop(true);
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    let output = tokio::time::timeout(Duration::from_secs(300), command.output())
        .await
        .expect("the run finished within 5 minutes")
        .expect("the binary started");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("OCI Distribution Conformance Tests"),
        "the live tree is printed:\n{stdout}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json")).unwrap())
            .unwrap();
    let results = json["results"].as_array().unwrap();
    let failed: Vec<(String, String)> = results
        .iter()
        .filter(|r| r["status"] == "fail" || r["status"] == "error")
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_owned(),
                r["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    println!("summary: {}", json["summary"]);
    for r in results.iter().filter(|r| r["status"] == "skip") {
        println!("SKIPPED {}: {}", r["id"], r["message"]);
    }
    for (id, message) in &failed {
        println!("FAILED {id}: {message}");
    }
    check_files(
        dir.path(),
        results.len(),
        json["summary"]["failed"].as_u64().unwrap_or_default() as usize,
    );
    assert_eq!(
        output.status.code(),
        Some(if failed.is_empty() { 0 } else { 1 }),
        "exit status"
    );
    let mut ids: Vec<&str> = failed.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    let mut known: Vec<&str> = KNOWN_FAILURES.iter().map(|(id, _)| *id).collect();
    known.sort_unstable();
    assert_eq!(
        ids, known,
        "Distribution 2.8 fails other checks than README.md says"
    );
    registry.stop().unwrap();
}

/// Token auth against Distribution: the runner answers its Bearer
/// challenges (scopes from the challenge) and gets the same verdicts as
/// without auth.
#[tokio::test]
async fn distribution_with_token_auth() {
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    let mut vars = all_on(&registry.url());
    vars.insert("OCI_SUITE".to_owned(), "ginkgo".to_owned());
    vars.insert(
        "OCI_USERNAME".to_owned(),
        registry.username().unwrap().to_owned(),
    );
    vars.insert(
        "OCI_PASSWORD".to_owned(),
        registry.password().unwrap().to_owned(),
    );
    let report = crate::support::run(&vars).await;
    let known: Vec<&str> = KNOWN_FAILURES.iter().map(|(id, _)| *id).collect();
    let unexpected: Vec<String> = crate::support::failures(&report)
        .into_iter()
        .filter(|id| !known.contains(&id.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "failures beyond the known ones:\n{}",
        crate::support::explain(&report)
    );
    assert!(report.summary().passed > 40, "{:?}", report.summary());
    assert!(registry.token_server().unwrap().request_count() > 0);
    registry.stop().unwrap();
}
