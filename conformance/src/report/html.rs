//! `report.html`: a self-contained page (inline CSS, no script, no
//! external resource) written as well-formed XHTML-compatible HTML5, so
//! any XML parser reads it too. It shows the summary with a meter, the
//! times, the configuration (secrets masked), the results by endpoint,
//! then every check by suite, workflow and context with its message,
//! warnings and HTTP exchanges in collapsible sections.

use std::fmt::Write as _;

use super::{Report, xml_escape as esc};
use crate::outcome::{CheckResult, Status};

const STYLE: &str = "
body { font-family: sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
h3 { margin-bottom: 0.3em; }
h4 { margin: 0.8em 0 0.3em 1em; color: #555; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
.meter { width: 40em; height: 1.2em; background: #ddd; display: flex; }
.meter span { display: block; height: 100%; }
.pass { background: #c8f0c8; }
.fail, .error { background: #f6c6c6; }
.skip, .disabled { background: #e8e8e8; }
.bar-pass { background: #3a3; }
.bar-fail { background: #c33; }
.bar-skip { background: #999; }
details { margin: 0.2em 0 0.2em 2em; padding: 0.2em 0.5em; border-radius: 4px; }
summary { cursor: pointer; }
.badge { font-weight: bold; font-family: monospace; margin-right: 0.5em; }
.meta { color: #555; font-size: 0.9em; }
pre { background: #fafafa; border: 1px solid #ddd; padding: 0.5em; overflow-x: auto; white-space: pre-wrap; }
.message { font-weight: bold; }
";

/// The HTML text.
pub fn render(report: &Report) -> String {
    let s = report.summary();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<title>OCI distribution-spec conformance report</title>\n");
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str("<h1>OCI distribution-spec conformance report</h1>\n");

    let ran = (s.passed + s.failed + s.errors + s.skipped).max(1);
    let pct = |n: usize| n * 100 / ran;
    let _ = writeln!(
        out,
        "<p><strong>{} passed</strong>, <strong>{} failed</strong>, <strong>{} errors</strong>, {} skipped, {} disabled &#8212; {}% of the checks run passed.</p>",
        s.passed,
        s.failed,
        s.errors,
        s.skipped,
        s.disabled,
        pct(s.passed)
    );
    let _ = writeln!(
        out,
        "<div class=\"meter\"><span class=\"bar-pass\" style=\"width: {}%\"></span><span class=\"bar-fail\" style=\"width: {}%\"></span><span class=\"bar-skip\" style=\"width: {}%\"></span></div>",
        pct(s.passed),
        pct(s.failed + s.errors),
        pct(s.skipped)
    );
    out.push_str("<table>\n");
    for (name, value) in [
        ("Start time", report.started.clone()),
        ("End time", report.finished.clone()),
        (
            "Time elapsed",
            format!("{:.3} s", report.duration_ms as f64 / 1000.0),
        ),
        (
            "Test version",
            format!("{} {}", report.tool, report.version),
        ),
    ] {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(name),
            esc(&value)
        );
    }
    out.push_str("</table>\n");

    out.push_str("<h2>Configuration</h2>\n<ul>\n");
    for (name, value) in &report.configuration {
        let _ = writeln!(
            out,
            "<li><code>{}</code>: <code>{}</code></li>",
            esc(name),
            esc(value)
        );
    }
    out.push_str("</ul>\n");
    if !report.warnings.is_empty() {
        out.push_str("<ul>\n");
        for w in &report.warnings {
            let _ = writeln!(out, "<li>warning: {}</li>", esc(w));
        }
        out.push_str("</ul>\n");
    }

    out.push_str("<h2>By endpoint</h2>\n<table>\n<tr><th>endpoint</th><th>request</th><th>status</th><th>pass</th><th>fail</th><th>error</th><th>skip</th><th>disabled</th></tr>\n");
    for g in report.by_endpoint() {
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            g.status.as_str(),
            esc(&g.name),
            esc(&g.description),
            g.status.as_str(),
            g.summary.passed,
            g.summary.failed,
            g.summary.errors,
            g.summary.skipped,
            g.summary.disabled
        );
    }
    out.push_str("</table>\n");

    out.push_str("<h2>By workflow</h2>\n");
    for g in report.by_workflow() {
        let members: Vec<&CheckResult> = report
            .results
            .iter()
            .filter(|r| g.checks.contains(&r.meta.id))
            .collect();
        if report.hide_skipped_workflows && g.status == Status::Disabled {
            continue;
        }
        let _ = writeln!(
            out,
            "<h3 class=\"{}\">{} &#8212; {} ({} passed, {} failed, {} errors, {} skipped, {} disabled)</h3>",
            g.status.as_str(),
            esc(&g.name),
            g.status.as_str(),
            g.summary.passed,
            g.summary.failed,
            g.summary.errors,
            g.summary.skipped,
            g.summary.disabled
        );
        let mut context = String::new();
        for r in members {
            let here = r
                .meta
                .path
                .iter()
                .skip(2)
                .cloned()
                .collect::<Vec<_>>()
                .join(" / ");
            if here != context {
                let _ = writeln!(out, "<h4>{}</h4>", esc(&here));
                context = here;
            }
            write_check(&mut out, r);
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn write_check(out: &mut String, r: &CheckResult) {
    let open = if r.status.is_failure() {
        " open=\"open\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<details class=\"{}\"{open}><summary><span class=\"badge\">{}</span>{} <span class=\"meta\">[{}; {}; {} ms]</span></summary>",
        r.status.as_str(),
        r.status.as_str().to_uppercase(),
        esc(&r.meta.name),
        esc(&r.meta.spec),
        esc(&r.meta.endpoints.join(", ")),
        r.duration_ms
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">id: <code>{}</code></p>",
        esc(&r.meta.id)
    );
    if let Some(message) = &r.message {
        let _ = writeln!(out, "<p class=\"message\">{}</p>", esc(message));
    }
    for w in &r.warnings {
        let _ = writeln!(out, "<p>warning: {}</p>", esc(w));
    }
    if !r.exchanges.is_empty() {
        let dump: Vec<String> = r.exchanges.iter().map(|e| e.dump()).collect();
        let _ = writeln!(out, "<pre>{}</pre>", esc(&dump.join("\n")));
    }
    out.push_str("</details>\n");
}
