//! The run's results and the files written from them: `junit.xml`
//! ([`junit`]), `report.html` ([`html`]) and `results.json` ([`json`]).
//! [`Report`] also groups the results by workflow and by endpoint.

pub mod html;
pub mod json;
pub mod junit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::outcome::{CheckResult, Status};

/// The endpoints of the spec, with `main`'s additions.
pub const ENDPOINTS: &[(&str, &str, &str)] = &[
    ("end-1", "GET", "/v2/"),
    ("end-2", "GET / HEAD", "/v2/<name>/blobs/<digest>"),
    ("end-3", "GET / HEAD", "/v2/<name>/manifests/<reference>"),
    ("end-4a", "POST", "/v2/<name>/blobs/uploads/"),
    (
        "end-4b",
        "POST",
        "/v2/<name>/blobs/uploads/?digest=<digest>",
    ),
    (
        "end-4c",
        "POST",
        "/v2/<name>/blobs/uploads/?digest-algorithm=<alg>",
    ),
    ("end-5", "PATCH", "/v2/<name>/blobs/uploads/<reference>"),
    (
        "end-6",
        "PUT",
        "/v2/<name>/blobs/uploads/<reference>?digest=<digest>",
    ),
    ("end-7", "PUT", "/v2/<name>/manifests/<reference>"),
    ("end-7b", "PUT", "/v2/<name>/manifests/<digest>?tag=<tag>"),
    ("end-8a", "GET", "/v2/<name>/tags/list"),
    ("end-8b", "GET", "/v2/<name>/tags/list?n=<int>&last=<tag>"),
    ("end-9", "DELETE", "/v2/<name>/manifests/<reference>"),
    ("end-10", "DELETE", "/v2/<name>/blobs/<digest>"),
    (
        "end-11",
        "POST",
        "/v2/<name>/blobs/uploads/?mount=<digest>&from=<other>",
    ),
    ("end-12a", "GET", "/v2/<name>/referrers/<digest>"),
    (
        "end-12b",
        "GET",
        "/v2/<name>/referrers/<digest>?artifactType=<type>",
    ),
    ("end-13", "GET", "/v2/<name>/blobs/uploads/<reference>"),
    ("end-14", "DELETE", "/v2/<name>/blobs/uploads/<reference>"),
];

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks that could not talk to the registry.
    pub errors: usize,
    /// Checks skipped (precondition, or allowed "unsupported" answer).
    pub skipped: usize,
    /// Checks whose workflow or switch is off.
    pub disabled: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Summary {
        let mut s = Summary::default();
        for r in results {
            match r.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Error => s.errors += 1,
                Status::Skip => s.skipped += 1,
                Status::Disabled => s.disabled += 1,
            }
        }
        s
    }

    /// All checks counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.errors + self.skipped + self.disabled
    }

    /// The group's status: the highest of its members'.
    pub fn status(&self) -> Status {
        if self.errors > 0 {
            Status::Error
        } else if self.failed > 0 {
            Status::Fail
        } else if self.passed > 0 {
            Status::Pass
        } else if self.skipped > 0 {
            Status::Skip
        } else {
            Status::Disabled
        }
    }
}

/// A group of results (a workflow or an endpoint).
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// Its key: `<suite> / <workflow>`, or an endpoint id.
    pub name: String,
    /// A description (the endpoint's method and path).
    pub description: String,
    /// The roll-up status.
    pub status: Status,
    /// Counts.
    pub summary: Summary,
    /// Ids of the checks in the group.
    pub checks: Vec<String>,
}

/// Everything a run produced.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `oras-conformance`.
    pub tool: String,
    /// The runner's version.
    pub version: String,
    /// Start time, RFC 3339.
    pub started: String,
    /// End time, RFC 3339.
    pub finished: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// The configuration, secrets masked.
    pub configuration: Vec<(String, String)>,
    /// Configuration warnings.
    pub warnings: Vec<String>,
    /// Hide workflows whose checks are all disabled in report.html.
    pub hide_skipped_workflows: bool,
    /// Every result, in run order.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// Counts over all results.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.results)
    }

    /// Whether no check failed or errored.
    pub fn passed(&self) -> bool {
        !self.results.iter().any(|r| r.status.is_failure())
    }

    /// Results grouped by suite and workflow, in run order.
    pub fn by_workflow(&self) -> Vec<Group> {
        let mut order: Vec<String> = Vec::new();
        let mut members: BTreeMap<String, Vec<&CheckResult>> = BTreeMap::new();
        for r in &self.results {
            let key = format!(
                "{} / {}",
                r.meta.path.first().map_or("", String::as_str),
                r.meta.workflow
            );
            if !members.contains_key(&key) {
                order.push(key.clone());
            }
            members.entry(key).or_default().push(r);
        }
        order
            .into_iter()
            .map(|key| {
                let list = members.remove(&key).unwrap_or_default();
                group(key, String::new(), &list)
            })
            .collect()
    }

    /// Results grouped by endpoint id, in the spec's order; endpoints no
    /// check touched are left out.
    pub fn by_endpoint(&self) -> Vec<Group> {
        ENDPOINTS
            .iter()
            .filter_map(|(id, method, path)| {
                let list: Vec<&CheckResult> = self
                    .results
                    .iter()
                    .filter(|r| r.meta.endpoints.contains(id))
                    .collect();
                (!list.is_empty())
                    .then(|| group((*id).to_owned(), format!("{method} {path}"), &list))
            })
            .collect()
    }

    /// Writes `junit.xml`, `report.html` and `results.json` into `dir`
    /// (created when missing), each through a temporary file renamed
    /// into place. Returns the paths written.
    ///
    /// # Errors
    /// When the directory or a file cannot be written.
    pub fn write_all(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let files = [
            ("junit.xml", junit::render(self)),
            ("report.html", html::render(self)),
            ("results.json", json::render(self)),
        ];
        let mut written = Vec::new();
        for (name, text) in files {
            let path = dir.join(name);
            write_atomically(&path, text.as_bytes())?;
            written.push(path);
        }
        Ok(written)
    }
}

fn group(name: String, description: String, list: &[&CheckResult]) -> Group {
    let summary = Summary::of(list.iter().copied());
    Group {
        name,
        description,
        status: summary.status(),
        summary,
        checks: list.iter().map(|r| r.meta.id.clone()).collect(),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report");
    let temp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// Text safe for XML 1.0: control characters other than tab, newline and
/// carriage return removed, then escaped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;&#39;\n"
        );
    }

    #[test]
    fn group_status_is_the_highest() {
        let s = Summary {
            passed: 3,
            skipped: 1,
            ..Summary::default()
        };
        assert_eq!(s.status(), Status::Pass);
        let s = Summary {
            passed: 3,
            failed: 1,
            ..Summary::default()
        };
        assert_eq!(s.status(), Status::Fail);
        assert_eq!(
            Summary {
                disabled: 2,
                ..Summary::default()
            }
            .status(),
            Status::Disabled
        );
    }
}
