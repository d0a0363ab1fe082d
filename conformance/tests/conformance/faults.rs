//! One broken rule at a time: exactly the checks for that rule fail, and
//! what the spec allows as "unsupported" is a skip, never a failure.

use oras_conformance::outcome::Status;
use oras_conformance::report::Report;
use oras_testkit::fake::{Auth, DigestHeader, FakeConfig, TagDelete};

use crate::support::{explain, failures, ids, run_fake};

const CHUNKED: &str = "ginkgo/push/blob-upload-chunked/";
const REFERENCES: &str =
    "ginkgo/content-discovery/test-content-discovery-endpoints-listing-references/";
const SUBJECT_SETS: [&str; 3] = [
    "artifacts-with-subject",
    "index-with-subject",
    "missing-subject",
];

/// Fails unless the failed checks are exactly the Ginkgo specs `ginkgo`
/// plus the redesign checks whose id satisfies `oci`.
fn assert_failures(report: &Report, ginkgo: &[String], oci: impl Fn(&str) -> bool) {
    let mut expected: Vec<String> = ginkgo.to_vec();
    expected.extend(
        report
            .results
            .iter()
            .filter(|r| r.status != Status::Disabled)
            .map(|r| r.meta.id.clone())
            .filter(|id| id.starts_with("oci/") && oci(id)),
    );
    expected.sort();
    let mut actual = failures(report);
    actual.sort();
    assert_eq!(actual, expected, "failures:\n{}", explain(report));
}

/// A feature switched off, and which checks must then be skips.
type SkipCase = (&'static str, FakeConfig, fn(&str) -> bool);

/// A registry variation and the variables the run needs for it.
type PassCase = (&'static str, FakeConfig, Vec<(&'static str, &'static str)>);

fn strict() -> FakeConfig {
    FakeConfig::strict()
}

fn no_oci(_: &str) -> bool {
    false
}

fn in_subject_set(id: &str, leaves: &[&str]) -> bool {
    SUBJECT_SETS.iter().any(|set| {
        leaves
            .iter()
            .any(|leaf| id == format!("oci/data/{set}/{leaf}"))
    })
}

#[tokio::test]
async fn no_416_on_out_of_order_chunks() {
    let (_r, report) = run_fake(
        FakeConfig {
            out_of_order_416: false,
            ..strict()
        },
        &[],
    )
    .await;
    // The Ginkgo specs share the upload session, so the later chunked
    // specs fail on the state the first ones left, as upstream's do.
    let ginkgo: Vec<String> = [
        "out-of-order-blob-upload-should-return-416",
        "retry-previous-blob-chunk-should-return-416",
        "get-on-stale-blob-upload-should-return-204-with-a-range-and-location",
        "patch-request-with-second-chunk-should-return-202",
        "put-request-with-digest-should-return-201",
    ]
    .iter()
    .map(|s| format!("{CHUNKED}{s}"))
    .collect();
    assert_failures(&report, &ginkgo, |id| {
        id.ends_with("/chunked-out-of-order/upload")
            || id.ends_with("/chunked-out-of-order-and-put-chunk/upload")
    });
    // Their blob checks are not run rather than failed.
    assert!(
        ids(&report, Status::Skip)
            .iter()
            .any(|id| id.ends_with("/chunked-out-of-order/blob-get"))
    );
}

#[tokio::test]
async fn no_oci_subject_header() {
    let (_r, report) = run_fake(
        FakeConfig {
            oci_subject_header: false,
            ..strict()
        },
        &[],
    )
    .await;
    // Upstream's references setup is one spec: its first missing header
    // ends it, so the listing specs that need the rest of it fail too.
    let ginkgo = vec![
        "ginkgo/content-discovery/setup/references-setup".to_owned(),
        format!("{REFERENCES}get-request-to-existing-blob-should-yield-200"),
        format!("{REFERENCES}get-request-to-existing-blob-with-filter-should-yield-200"),
        format!("{REFERENCES}get-request-to-missing-manifest-should-yield-200"),
    ];
    assert_failures(&report, &ginkgo, |id| {
        in_subject_set(id, &["push-manifest-by-digest", "push-manifest-by-tag"])
    });
}

#[tokio::test]
async fn wrong_blob_digest_header() {
    let (_r, report) = run_fake(
        FakeConfig {
            blob_digest_header: DigestHeader::Wrong,
            ..strict()
        },
        &[],
    )
    .await;
    let ginkgo =
        vec!["ginkgo/pull/pull-blobs/head-request-to-existing-blob-should-yield-200".to_owned()];
    assert_failures(&report, &ginkgo, |id| {
        id.ends_with("/blob-head") || id.ends_with("/blob-get")
    });
}

#[tokio::test]
async fn wrong_manifest_digest_header() {
    let (_r, report) = run_fake(
        FakeConfig {
            manifest_digest_header: DigestHeader::Wrong,
            ..strict()
        },
        &[],
    )
    .await;
    let ginkgo: Vec<String> = [
        "head-request-to-manifest-0-path-digest-should-yield-200-response",
        "head-request-to-manifest-1-path-digest-should-yield-200-response",
        "head-request-to-manifest-path-tag-should-yield-200-response",
    ]
    .iter()
    .map(|s| format!("ginkgo/pull/pull-manifests/{s}"))
    .collect();
    assert_failures(&report, &ginkgo, |id| {
        [
            "head-manifest-by-tag",
            "head-manifest-by-digest",
            "pull-manifest-by-tag",
            "pull-manifest-by-digest",
        ]
        .iter()
        .any(|leaf| id.ends_with(leaf))
    });
}

#[tokio::test]
async fn missing_digest_headers_fail_only_the_dev_profile() {
    let config = FakeConfig {
        blob_digest_header: DigestHeader::Missing,
        manifest_digest_header: DigestHeader::Missing,
        ..strict()
    };
    let (_r, report) = run_fake(config.clone(), &[]).await;
    assert!(
        report.passed(),
        "v1.1 makes the header optional:\n{}",
        explain(&report)
    );
    let (_r, report) = run_fake(
        config,
        &[
            ("OCI_VERSION", "dev"),
            ("OCI_SUITE", "redesign"),
            ("OCI_DATA_SHA512", "0"),
        ],
    )
    .await;
    assert_failures(&report, &[], |id| {
        [
            "/blob-head",
            "/blob-get",
            "head-manifest-by-tag",
            "head-manifest-by-digest",
            "pull-manifest-by-tag",
            "pull-manifest-by-digest",
        ]
        .iter()
        .any(|leaf| id.ends_with(leaf))
    });
}

#[tokio::test]
async fn referrers_api_off() {
    let config = FakeConfig {
        referrers_api: false,
        ..strict()
    };
    let (_r, report) = run_fake(config.clone(), &[]).await;
    let mut ginkgo: Vec<String> = [
        "get-request-to-nonexistent-blob-should-result-in-empty-200-response",
        "get-request-to-existing-blob-should-yield-200",
        "get-request-to-existing-blob-with-filter-should-yield-200",
        "get-request-to-missing-manifest-should-yield-200",
    ]
    .iter()
    .map(|s| format!("{REFERENCES}{s}"))
    .collect();
    ginkgo.push("ginkgo/content-discovery/setup/references-setup".to_owned());
    assert_failures(&report, &ginkgo, |id| {
        id == "oci/empty/referrers"
            || in_subject_set(
                id,
                &[
                    "push-manifest-by-digest",
                    "push-manifest-by-tag",
                    "referrers",
                    "referrers-artifacttype-filter",
                ],
            )
    });
    // The 1.0 profile does not test referrers: only the Ginkgo suite,
    // which always does, fails.
    let (_r, report) = run_fake(config, &[("OCI_VERSION", "1.0")]).await;
    assert_failures(&report, &ginkgo, no_oci);
}

#[tokio::test]
async fn filter_applied_but_not_announced() {
    let (_r, report) = run_fake(
        FakeConfig {
            filters_applied_header: false,
            ..strict()
        },
        &[],
    )
    .await;
    // The redesign cannot tell this from "filtering unsupported" (Skip).
    assert_failures(
        &report,
        &[format!(
            "{REFERENCES}get-request-to-existing-blob-with-filter-should-yield-200"
        )],
        no_oci,
    );
    assert!(
        ids(&report, Status::Skip)
            .iter()
            .any(|id| id.ends_with("referrers-artifacttype-filter"))
    );
}

#[tokio::test]
async fn manifest_delete_refused() {
    let (_r, report) = run_fake(
        FakeConfig {
            manifest_delete: false,
            ..strict()
        },
        &[],
    )
    .await;
    let ginkgo = vec![
        "ginkgo/content-management/manifest-delete/delete-request-to-manifest-digest-should-yield-202-response-unless-already-deleted"
            .to_owned(),
    ];
    assert_failures(&report, &ginkgo, no_oci);
    assert!(
        ids(&report, Status::Skip)
            .iter()
            .any(|id| id.ends_with("/manifest-delete"))
    );
}

/// Optional features a registry may lack: nothing fails, the checks for
/// the feature are skipped.
#[tokio::test]
async fn unsupported_optional_features_are_skips() {
    let cases: Vec<SkipCase> = vec![
        (
            "range",
            FakeConfig {
                range_requests: false,
                ..strict()
            },
            |id| id.contains("/range-requests/bytes-"),
        ),
        (
            "single POST",
            FakeConfig {
                single_post_upload: false,
                ..strict()
            },
            |id| id.ends_with("/post-only/upload") || id.ends_with("/bad-digest/post-only"),
        ),
        (
            "mount",
            FakeConfig {
                mount: false,
                ..strict()
            },
            |id| id.ends_with("/mount/upload"),
        ),
        (
            "blob delete",
            FakeConfig {
                blob_delete: false,
                ..strict()
            },
            |id| id.ends_with("/blob-delete"),
        ),
        (
            "tag delete",
            FakeConfig {
                tag_delete: TagDelete::RefuseMethodNotAllowed,
                ..strict()
            },
            |id| id.ends_with("/tag-delete"),
        ),
        (
            "tag delete 400",
            FakeConfig {
                tag_delete: TagDelete::RefuseBadRequest,
                ..strict()
            },
            |id| id.ends_with("/tag-delete"),
        ),
        (
            "filtering",
            FakeConfig {
                referrers_filtering: false,
                ..strict()
            },
            |id| id.ends_with("referrers-artifacttype-filter"),
        ),
    ];
    for (name, config, skipped) in cases {
        let (_r, report) = run_fake(config, &[]).await;
        assert!(report.passed(), "{name}: failures:\n{}", explain(&report));
        let skips = ids(&report, Status::Skip);
        let expected: Vec<&String> = report
            .results
            .iter()
            .filter(|r| r.status != Status::Disabled)
            .map(|r| &r.meta.id)
            .filter(|id| skipped(id))
            .collect();
        assert!(!expected.is_empty(), "{name}: no check of the feature ran");
        for id in expected {
            assert!(skips.contains(id), "{name}: {id} is not a skip");
        }
    }
}

/// Registries that differ from the fake's default in allowed ways pass
/// everything.
#[tokio::test]
async fn allowed_variations_pass() {
    let cases: Vec<PassCase> = vec![
        (
            "absolute locations with _state",
            FakeConfig {
                absolute_location: true,
                upload_state_param: true,
                ..strict()
            },
            vec![],
        ),
        (
            "chunk minimum",
            FakeConfig {
                chunk_min_length: Some(3000),
                ..strict()
            },
            vec![],
        ),
        (
            "blob redirects",
            FakeConfig {
                blob_redirect: true,
                ..strict()
            },
            vec![],
        ),
        (
            "paged tags",
            FakeConfig {
                page_size: Some(3),
                ..strict()
            },
            vec![("OCI_TEST_CONTENT_DISCOVERY", "0")],
        ),
        (
            "automatic mount",
            FakeConfig {
                automatic_mount: true,
                ..strict()
            },
            vec![("OCI_AUTOMATIC_CROSSMOUNT", "1")],
        ),
        (
            "token auth",
            FakeConfig::with_auth(Auth::bearer("conformance", "pa55word")),
            vec![
                ("OCI_USERNAME", "conformance"),
                ("OCI_PASSWORD", "pa55word"),
            ],
        ),
    ];
    for (name, config, extra) in cases {
        let (registry, report) = run_fake(config, &extra).await;
        assert!(report.passed(), "{name}: failures:\n{}", explain(&report));
        assert!(
            registry.unexpected_requests().is_empty(),
            "{name}: {:?}",
            registry.unexpected_requests()
        );
        if name == "automatic mount" {
            assert!(
                ids(&report, Status::Pass)
                    .iter()
                    .any(|id| id.contains("automatic-content-discovery-enabled"))
            );
        }
        if name == "token auth" {
            assert!(registry.token_request_count() > 0);
        }
    }
}
