//! The strict fake registry passes every check.

use oras_conformance::outcome::Status;
use oras_testkit::fake::FakeConfig;

use crate::support::{explain, failures, ids, run_fake};

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
    // Skipped only where the spec makes them optional or the suite runs
    // them conditionally.
    let skipped = ids(&report, Status::Skip);
    for id in &skipped {
        assert!(
            id.contains("get-tag-name-from-environment")
                || id.contains("no-push")
                || id.contains("cross-mounting-of-nonexistent-blob")
                || id.contains("automatic-content-discovery-enabled"),
            "unexpected skip {id}: {skipped:?}"
        );
    }
    assert!(
        registry.unexpected_requests().is_empty(),
        "{:?}",
        registry.unexpected_requests()
    );
}
