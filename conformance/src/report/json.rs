//! `results.json`: the machine-readable report — summary, configuration
//! (secrets masked), the groups by workflow and by endpoint, and every
//! result with its redacted HTTP exchanges.

use serde::Serialize;

use super::{Group, Report, Summary};
use crate::outcome::{CheckResult, Status};

#[derive(Serialize)]
struct Document<'a> {
    tool: &'a str,
    version: &'a str,
    started: &'a str,
    finished: &'a str,
    duration_ms: u64,
    status: Status,
    summary: Summary,
    configuration: std::collections::BTreeMap<&'a str, &'a str>,
    warnings: &'a [String],
    workflows: Vec<Group>,
    endpoints: Vec<Group>,
    results: &'a [CheckResult],
}

/// The JSON text.
pub fn render(report: &Report) -> String {
    let summary = report.summary();
    let document = Document {
        tool: &report.tool,
        version: &report.version,
        started: &report.started,
        finished: &report.finished,
        duration_ms: report.duration_ms,
        status: summary.status(),
        summary,
        configuration: report
            .configuration
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        warnings: &report.warnings,
        workflows: report.by_workflow(),
        endpoints: report.by_endpoint(),
        results: &report.results,
    };
    // Plain data: serialisation cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
