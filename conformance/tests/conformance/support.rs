//! Running the conformance runner against a registry in a test.

use std::collections::BTreeMap;
use std::time::Duration;

use oras_conformance::config::Config;
use oras_conformance::outcome::{CheckResult, Status};
use oras_conformance::report::Report;
use oras_conformance::runner::Silent;
use oras_testkit::fake::{FakeConfig, FakeRegistry};

/// Every test is bounded by this.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(240);

/// Variables for a full run against `url`: every Ginkgo workflow on,
/// automatic cross-mount expected off (as the fake's default), no
/// reports written, a fixed seed.
pub(crate) fn all_on(url: &str) -> BTreeMap<String, String> {
    [
        ("OCI_ROOT_URL", url),
        ("OCI_NAMESPACE", "conformance/repo1"),
        ("OCI_CROSSMOUNT_NAMESPACE", "conformance/cross"),
        ("OCI_REPO2", "conformance/repo2"),
        ("OCI_TEST_PULL", "1"),
        ("OCI_TEST_PUSH", "1"),
        ("OCI_TEST_CONTENT_DISCOVERY", "1"),
        ("OCI_TEST_CONTENT_MANAGEMENT", "1"),
        ("OCI_AUTOMATIC_CROSSMOUNT", "0"),
        ("OCI_REPORT_DIR", "none"),
        ("OCI_SEED", "20260716"),
        ("OCI_TIMEOUT", "20"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Runs the runner with `vars`, bounded in time.
pub(crate) async fn run(vars: &BTreeMap<String, String>) -> Report {
    let config = Config::from_vars(vars).expect("configuration");
    tokio::time::timeout(TIMEOUT, oras_conformance::run(config, &mut Silent))
        .await
        .expect("the run finished in time")
        .expect("the run started")
}

/// Starts a fake with `config` and runs everything against it, with
/// `extra` variables on top of [`all_on`].
pub(crate) async fn run_fake(config: FakeConfig, extra: &[(&str, &str)]) -> (FakeRegistry, Report) {
    let registry = FakeRegistry::start(config).await;
    let mut vars = all_on(&registry.url());
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let report = run(&vars).await;
    (registry, report)
}

/// Ids of the results with `status`.
pub(crate) fn ids(report: &Report, status: Status) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| r.status == status)
        .map(|r| r.meta.id.clone())
        .collect()
}

/// Ids of the failed or errored results.
pub(crate) fn failures(report: &Report) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| r.status.is_failure())
        .map(|r| r.meta.id.clone())
        .collect()
}

/// A readable listing of failures for assertion messages.
pub(crate) fn explain(report: &Report) -> String {
    report
        .results
        .iter()
        .filter(|r| r.status.is_failure())
        .map(|r: &CheckResult| {
            format!(
                "{} [{}]: {}",
                r.meta.id,
                r.status.as_str(),
                r.message.clone().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
