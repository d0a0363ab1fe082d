//! `junit.xml`: one `<testsuite>` per tree, one `<testcase>` per check,
//! in the shape of Ginkgo's JUnit reporter: the testcase is named
//! by its full path, `status` is `passed|failed|skipped|disabled|error`,
//! a failure carries `<failure message=… type="failed">` with the HTTP
//! exchange, an error `<error>`, a skip `<skipped message="skipped - …">`.

use std::fmt::Write as _;

use super::{Report, Summary, xml_escape};
use crate::outcome::{CheckResult, Status};

/// The XML text.
pub fn render(report: &Report) -> String {
    let total = report.summary();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites tests=\"{}\" disabled=\"{}\" errors=\"{}\" failures=\"{}\" time=\"{}\">",
        total.total(),
        total.disabled,
        total.errors,
        total.failed,
        seconds(report.duration_ms)
    );
    let mut suites: Vec<&str> = Vec::new();
    for r in &report.results {
        let suite = suite_of(r);
        if !suites.contains(&suite) {
            suites.push(suite);
        }
    }
    for suite in suites {
        let members: Vec<&CheckResult> = report
            .results
            .iter()
            .filter(|r| suite_of(r) == suite)
            .collect();
        write_suite(&mut out, report, suite, &members);
    }
    out.push_str("</testsuites>\n");
    out
}

/// Ginkgo's suite is named `conformance tests` upstream.
fn suite_name(suite: &str) -> &str {
    if suite == crate::ginkgo::SUITE {
        "conformance tests"
    } else {
        suite
    }
}

fn suite_of(r: &CheckResult) -> &str {
    r.meta.path.first().map_or("", String::as_str)
}

fn write_suite(out: &mut String, report: &Report, suite: &str, members: &[&CheckResult]) {
    let s = Summary::of(members.iter().copied());
    let time: u64 = members.iter().map(|r| r.duration_ms).sum();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" disabled=\"{}\" skipped=\"{}\" errors=\"{}\" failures=\"{}\" time=\"{}\" timestamp=\"{}\">",
        xml_escape(suite_name(suite)),
        s.total(),
        s.disabled,
        s.skipped,
        s.errors,
        s.failed,
        seconds(time),
        xml_escape(&report.started)
    );
    out.push_str("    <properties>\n");
    for (name, value) in &report.configuration {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"></property>",
            xml_escape(name),
            xml_escape(value)
        );
    }
    out.push_str("    </properties>\n");
    for r in members {
        write_case(out, suite, r);
    }
    out.push_str("  </testsuite>\n");
}

fn write_case(out: &mut String, suite: &str, r: &CheckResult) {
    let status = match r.status {
        Status::Pass => "passed",
        Status::Fail => "failed",
        Status::Error => "error",
        Status::Skip => "skipped",
        Status::Disabled => "disabled",
    };
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" status=\"{status}\" time=\"{}\">",
        xml_escape(&r.meta.full_name()),
        xml_escape(suite_name(suite)),
        seconds(r.duration_ms)
    );
    let message = r.message.clone().unwrap_or_default();
    let details = || {
        let mut text = format!(
            "{message}\n\nspec: {}\nendpoints: {}\nid: {}\n",
            r.meta.spec,
            r.meta.endpoints.join(", "),
            r.meta.id
        );
        for exchange in &r.exchanges {
            text.push('\n');
            text.push_str(&exchange.dump());
        }
        text
    };
    match r.status {
        Status::Fail => {
            let _ = write!(
                out,
                "\n      <failure message=\"{}\" type=\"failed\">{}</failure>\n    ",
                xml_escape(&message),
                xml_escape(&details())
            );
        }
        Status::Error => {
            let _ = write!(
                out,
                "\n      <error message=\"{}\" type=\"error\">{}</error>\n    ",
                xml_escape(&message),
                xml_escape(&details())
            );
        }
        Status::Skip | Status::Disabled => {
            let _ = write!(
                out,
                "\n      <skipped message=\"skipped - {}\"></skipped>\n    ",
                xml_escape(&message)
            );
        }
        Status::Pass => {}
    }
    if !r.warnings.is_empty() {
        let _ = write!(
            out,
            "\n      <system-out>{}</system-out>\n    ",
            xml_escape(&r.warnings.join("\n"))
        );
    }
    out.push_str("</testcase>\n");
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}
