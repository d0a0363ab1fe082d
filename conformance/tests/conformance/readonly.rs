//! The read-only data set (`OCI_RO_DATA_*`) against the fake holding
//! existing content, with pushes switched off.

use oras_conformance::outcome::Status;
use oras_testkit::fake::{FakeConfig, FakeRegistry};

use crate::support::{all_on, explain, ids, run};

#[tokio::test]
async fn read_only_data_is_pulled_and_missing_content_fails() {
    let registry = FakeRegistry::start(FakeConfig::strict()).await;
    let repo = "conformance/repo1";
    let blob = registry.put_blob(repo, "a layer that is already there");
    let config = registry.put_blob(repo, "{}");
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
         \"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{config}\",\"size\":2}},\
         \"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{blob}\",\"size\":29}}]}}"
    );
    let digest =
        registry.put_manifest(repo, "application/vnd.oci.image.manifest.v1+json", manifest);
    registry.tag(repo, "existing", &digest);

    let digest = digest.to_string();
    let mut vars = all_on(&registry.url());
    for (k, v) in [
        ("OCI_SUITE", "redesign"),
        ("OCI_API_PUSH", "0"),
        ("OCI_FILTER_TEST", "oci/data/read-only"),
        ("OCI_RO_DATA_TAGS", "existing"),
        ("OCI_RO_DATA_MANIFESTS", digest.as_str()),
        ("OCI_RO_DATA_REFERRERS", digest.as_str()),
    ] {
        vars.insert(k.to_owned(), v.to_owned());
    }
    let blobs = format!("{blob} {config}");
    vars.insert("OCI_RO_DATA_BLOBS".to_owned(), blobs);
    let report = run(&vars).await;
    let passed = ids(&report, Status::Pass);
    for check in [
        "tag-list",
        "head-manifest-by-tag",
        "pull-manifest-by-tag",
        "head-manifest-by-digest",
        "pull-manifest-by-digest",
        "blob-head",
        "blob-get",
        "referrers",
    ] {
        let id = format!("oci/data/read-only/{check}");
        assert!(
            passed.contains(&id),
            "{id} did not pass:\n{}",
            explain(&report)
        );
    }
    assert_eq!(passed.len(), 8, "{passed:?}");

    // A blob the registry does not hold fails exactly the blob checks.
    let missing = format!("sha256:{}", "0".repeat(64));
    vars.insert("OCI_RO_DATA_BLOBS".to_owned(), missing);
    let report = run(&vars).await;
    let failed: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.status.is_failure())
        .map(|r| r.meta.id.clone())
        .collect();
    assert_eq!(
        failed,
        [
            "oci/data/read-only/blob-head",
            "oci/data/read-only/blob-get"
        ],
        "{}",
        explain(&report)
    );

    // A malformed digest is a configuration error.
    vars.insert("OCI_RO_DATA_BLOBS".to_owned(), "sha256:nope".to_owned());
    assert!(oras_conformance::config::Config::from_vars(&vars).is_err());
}
