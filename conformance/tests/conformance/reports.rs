//! The report files are produced and well formed.

use std::path::Path;

use oras_conformance::report::Report;
use oras_testkit::fake::{Auth, FakeConfig};

use crate::support::run_fake;

/// Parses the three files of `dir` and checks they describe `report`.
pub(crate) fn check_report_files(dir: &Path, report: &Report) {
    check_files(dir, report.results.len(), report.summary().failed);
}

/// Parses the three files of `dir`: well-formed, `results` testcases and
/// results, `failed` failures.
pub(crate) fn check_files(dir: &Path, results: usize, failed: usize) {
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml");
    let doc = roxmltree::Document::parse(&junit).expect("junit.xml is well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), results, "one testcase per check");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, failed, "one <failure> per failed check");
    for case in &cases {
        assert!(case.attribute("name").is_some_and(|n| !n.is_empty()));
        assert!(matches!(
            case.attribute("status"),
            Some("passed" | "failed" | "skipped" | "disabled" | "error")
        ));
    }

    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("results.json")).expect("results.json"),
    )
    .expect("results.json is JSON");
    assert_eq!(json["results"].as_array().map(Vec::len), Some(results));
    assert_eq!(json["summary"]["failed"], failed);
    assert!(
        json["endpoints"]
            .as_array()
            .is_some_and(|e| e.iter().any(|g| g["name"] == "end-2"))
    );
    assert!(json["workflows"].as_array().is_some_and(|w| !w.is_empty()));

    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let page = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("report.html is well-formed");
    assert_eq!(page.root_element().tag_name().name(), "html");
    assert!(
        !page.descendants().any(|n| n.has_tag_name("script")),
        "no script"
    );
    for node in page.descendants() {
        for attr in ["src", "href"] {
            assert!(
                node.attribute(attr).is_none(),
                "no external resource: {node:?}"
            );
        }
    }
    assert!(html.contains("By endpoint") && html.contains("By workflow"));
}

#[tokio::test]
async fn reports_are_well_formed_and_redacted() {
    // Basic auth so there are secrets to mask; one fault so there are
    // failures to render.
    let config = FakeConfig {
        auth: Auth::basic("conformance-user", "s3cret-Pa55"),
        out_of_order_416: false,
        ..FakeConfig::strict()
    };
    let (_registry, report) = run_fake(
        config,
        &[
            ("OCI_USERNAME", "conformance-user"),
            ("OCI_PASSWORD", "s3cret-Pa55"),
            ("OCI_DEBUG", "0"),
        ],
    )
    .await;
    assert!(!report.passed(), "the fault fails some checks");
    let dir = tempfile::tempdir().unwrap();
    let written = report.write_all(dir.path()).unwrap();
    assert_eq!(written.len(), 3);
    check_report_files(dir.path(), &report);
    let mut printer = oras_conformance::terminal::TreePrinter::new(Vec::new(), false);
    for r in &report.results {
        oras_conformance::runner::Progress::result(&mut printer, r);
    }
    printer.flush();
    for name in ["junit.xml", "report.html", "results.json"] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(!text.contains("s3cret-Pa55"), "{name} leaks the password");
        assert!(
            !text.contains("Y29uZm9ybWFuY2UtdXNlcjpzM2NyZXQtUGE1NQ"),
            "{name} leaks the Basic credential"
        );
        assert!(
            !text.contains("conformance-user"),
            "{name} leaks the user name"
        );
    }
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("authorization: *****"),
        "the exchanges show the masked header"
    );
    if std::env::var_os("CONFORMANCE_DUMP").is_some() {
        std::fs::copy(
            dir.path().join("report.html"),
            "/tmp/conformance-report.html",
        )
        .unwrap();
        std::fs::copy(
            dir.path().join("results.json"),
            "/tmp/conformance-results.json",
        )
        .unwrap();
        std::fs::copy(dir.path().join("junit.xml"), "/tmp/conformance-junit.xml").unwrap();
    }
}

#[tokio::test]
async fn binary_exits_zero_and_writes_reports_when_everything_passes() {
    let registry = oras_testkit::fake::FakeRegistry::start(FakeConfig::strict()).await;
    let dir = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_oras-conformance"))
        .env_clear()
        .args([
            "--root-url",
            &registry.url(),
            "--namespace",
            "bin/test",
            "--pull",
            "--push",
        ])
        .args([
            "--suite",
            "ginkgo",
            "--report-dir",
            &dir.path().display().to_string(),
        ])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), output)
        .await
        .expect("the run finished in time")
        .expect("the binary started");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("PASS") && stdout.contains("Content Discovery"),
        "{stdout}"
    );
    check_files(dir.path(), 79, 0);
}
