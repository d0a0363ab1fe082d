//! A distribution-spec conformance runner: tests any registry against the
//! OCI distribution spec v1.1 the way the official suites do, so an
//! operator can replace the Go runner and get the same verdicts.
//!
//! # Design
//!
//! Two trees of checks run one after the other against the same
//! registry:
//!
//! - [`ginkgo`]: the 79 specs of the Ginkgo v1.1 suite (Pull, Push,
//!   Content Discovery, Content Management), in source order, with the
//!   state they share and their accepted statuses and headers, configured
//!   by the suite's own `OCI_*` variables (workflows are off unless
//!   `OCI_TEST_*` says otherwise, as upstream);
//! - [`suite`]: the redesigned runner's checks (sha256 and sha512 blobs,
//!   every upload flavour, range requests, mounts, bad digests, the data
//!   sets, referrers, tag listing with `last`, deletes), with its
//!   "unsupported ⇒ skip" downgrades, configured by `OCI_VERSION`,
//!   `OCI_API_*` and `OCI_DATA_*`.
//!
//! Every check is a [`outcome::Meta`] (its id, the spec section it tests
//! and the endpoint ids `end-1` … `end-14` it exercises) and ends as an
//! [`outcome::CheckResult`] holding its redacted HTTP exchanges. The
//! [`http`] client speaks raw HTTP with exact control: it sends what a
//! check builds, answers an auth challenge once, follows redirects only
//! on the `GET`/`HEAD` requests the spec lets redirect, and never retries,
//! so a registry fault is never hidden. [`report::Report`] groups results
//! by workflow and by endpoint and writes `junit.xml`, `report.html` and
//! `results.json`; [`terminal::TreePrinter`] shows the live tree.
//!
//! The crate speaks HTTP itself rather than through `oras-remote`: a
//! client library exists to smooth over registry differences, and a
//! conformance runner must see every one of them.
//!
//! # Example
//!
//! Run the Ginkgo Pull workflow against the in-process fake registry:
//!
//! ```
//! use std::collections::BTreeMap;
//! use oras_conformance::{config::Config, runner::Silent};
//! use oras_testkit::fake::{FakeConfig, FakeRegistry};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let registry = FakeRegistry::start(FakeConfig::strict()).await;
//! let vars: BTreeMap<String, String> = [
//!     ("OCI_ROOT_URL", registry.url()),
//!     ("OCI_NAMESPACE", "conformance/doc".to_owned()),
//!     ("OCI_SUITE", "ginkgo".to_owned()),
//!     ("OCI_TEST_PULL", "1".to_owned()),
//! ]
//! .into_iter()
//! .map(|(k, v)| (k.to_owned(), v))
//! .collect();
//! let config = Config::from_vars(&vars).unwrap();
//! let report = oras_conformance::run(config, &mut Silent).await.unwrap();
//! assert!(report.passed());
//! assert_eq!(report.summary().passed, 23); // 24 specs; one runs only without setup
//! # });
//! ```

pub mod cli;
pub mod config;
pub mod config_file;
pub mod ginkgo;
pub mod http;
mod json;
pub mod outcome;
pub mod random;
pub mod report;
pub mod runner;
pub mod suite;
pub mod terminal;

use config::Config;
use http::{Client, ClientOptions};
use report::Report;
use runner::{Progress, Runner};

/// Runs every enabled tree against the configured registry.
///
/// # Errors
/// When the HTTP client cannot be set up (TLS).
pub async fn run(config: Config, progress: &mut dyn Progress) -> Result<Report, http::Error> {
    let started = time::OffsetDateTime::now_utc();
    let clock = std::time::Instant::now();
    let client = Client::new(ClientOptions {
        base: config.root_url.clone(),
        verify_tls: config.verify_tls,
        credentials: config.credentials.clone(),
        auth_scope: config.auth_scope.clone(),
        timeout: config.timeout,
        debug: config.debug,
    })?;
    let configuration = config.redacted();
    let warnings = config.warnings.clone();
    let hide_skipped_workflows = config.hide_skipped_workflows;
    let suites = config.suites;
    let mut runner = Runner::new(client, config, progress);
    if suites.ginkgo {
        ginkgo::run(&mut runner).await;
    }
    if suites.redesign {
        suite::run(&mut runner).await;
    }
    let format = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Ok(Report {
        tool: "oras-conformance".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        started: format(started),
        finished: format(time::OffsetDateTime::now_utc()),
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        configuration,
        warnings,
        hide_skipped_workflows,
        results: runner.into_results(),
    })
}
