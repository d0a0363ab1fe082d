//! The results: rows, ratios against the references, target verdicts, and
//! their renderings (a Markdown table for stdout and `BENCHMARKS.md`, and
//! JSON for `target/bench/results.json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use super::machine::Machine;
use super::network::{self, Network};
use super::stats::{Sample, Summary, ratio};
use super::targets::{Measured, Target, Verdict, overall};
use super::tool::Tool;
use super::workload::{Sizes, WorkloadId};

/// How one tool fared on one workload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Every run succeeded.
    Measured(Summary),
    /// A run failed: why, with the command's stderr tail.
    Failed(String),
    /// The tool was not run: why.
    Skipped(String),
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// The workload.
    pub(crate) workload: WorkloadId,
    /// The network profile it ran on.
    pub(crate) network: Network,
    /// The tool.
    pub(crate) tool: Tool,
    /// What happened.
    pub(crate) outcome: Outcome,
    /// The measured runs (warm-ups excluded).
    pub(crate) samples: Vec<Sample>,
    /// CPU over `openssl dgst`'s CPU on the same workload.
    pub(crate) cpu_vs_openssl: Option<f64>,
    /// Wall over `curl`'s wall on the same workload.
    pub(crate) wall_vs_curl: Option<f64>,
    /// Our targets (our rows only).
    pub(crate) verdicts: Vec<Verdict>,
}

impl Row {
    /// A row without ratios or verdicts yet.
    pub(crate) fn new(
        workload: WorkloadId,
        tool: Tool,
        outcome: Outcome,
        samples: Vec<Sample>,
    ) -> Row {
        Row {
            workload,
            network: Network::Lan,
            tool,
            outcome,
            samples,
            cpu_vs_openssl: None,
            wall_vs_curl: None,
            verdicts: Vec::new(),
        }
    }

    fn summary(&self) -> Option<Summary> {
        match self.outcome {
            Outcome::Measured(s) => Some(s),
            _ => None,
        }
    }

    /// The workload as the table names it: with its profile unless that
    /// is loopback.
    fn label(&self, sizes: &Sizes) -> String {
        let what = self.workload.describe(sizes);
        match self.network {
            Network::Lan => what,
            network => format!("{what} [{}]", network.name()),
        }
    }
}

/// Fills in the ratios of every row and the verdicts of our rows;
/// `overhead` is the wrappers' share of every wall time.
pub(crate) fn complete(rows: &mut [Row], overhead: Option<f64>) {
    let groups: Vec<(Network, WorkloadId)> = {
        let mut g: Vec<(Network, WorkloadId)> =
            rows.iter().map(|r| (r.network, r.workload)).collect();
        g.dedup();
        g
    };
    for (network, workload) in groups {
        let same = |r: &Row| r.workload == workload && r.network == network;
        let of = |tool: Tool| {
            rows.iter()
                .find(|r| same(r) && r.tool == tool)
                .and_then(Row::summary)
        };
        let measured = Measured {
            overhead,
            ours: of(Tool::Oras),
            openssl: of(Tool::Openssl),
            curl: of(Tool::Curl),
            peers: rows
                .iter()
                .filter(|r| same(r) && r.tool.is_peer())
                .filter_map(|r| r.summary().map(|s| (r.tool, s)))
                .collect(),
        };
        for row in rows.iter_mut().filter(|r| same(r)) {
            if let Some(s) = row.summary() {
                row.cpu_vs_openssl = ratio(s.cpu, measured.openssl.map(|o| o.cpu));
                row.wall_vs_curl = ratio(s.wall, measured.curl.map(|c| c.wall));
            }
            if row.tool == Tool::Oras {
                row.verdicts = workload
                    .targets_on(network)
                    .iter()
                    .map(|t| t.evaluate(&measured))
                    .collect();
            }
        }
    }
}

/// Everything one run of the harness found.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// When it ran (UTC, RFC 3339).
    pub(crate) generated_at: String,
    /// The command line.
    pub(crate) command: String,
    /// The options in words.
    pub(crate) options: String,
    /// The machine.
    pub(crate) machine: Machine,
    /// Where the registry kept its storage.
    pub(crate) storage: String,
    /// What the wrappers add to each wall time, in seconds.
    pub(crate) overhead: Option<f64>,
    /// The sizes used.
    pub(crate) sizes: Sizes,
    /// Tool → version line (or why it is missing).
    pub(crate) tools: BTreeMap<String, String>,
    /// The rows, in table order.
    pub(crate) rows: Vec<Row>,
    /// Notes about the run (installs, skipped peers).
    pub(crate) notes: Vec<String>,
}

/// How the numbers are made, for the report.
const METHOD: &str = "\
- Inputs are random bytes (SplitMix64, the same on every machine), generated once under \
  `target/bench/data`. The registry is CNCF Distribution (Debian `docker-registry`) on \
  127.0.0.1, plain HTTP, started by `oras_testkit::real`.
- Every pull and copy reads an artifact the harness itself seeded over HTTP (an OCI image \
  manifest with titled layers), so no tool depends on another having pushed. Every push \
  and copy goes to a new repository.
- Each run is GNU `time` around the tool: CPU is user+sys of the whole process, peak RSS \
  is `ru_maxrss`; wall time is taken by the harness around the command. `oras version` \
  runs five times as often as the other workloads, its start-up target is checked net of \
  the wrapper's overhead.
- Our `oras` uses the Go CLI syntax with its default concurrency; the Go `oras` runs the \
  same command lines. crane (`push` of the seeded OCI layout, `pull --format oci`, \
  `copy`, all `--insecure`), regctl (`image copy` with `ocidir://` layouts, the hosts \
  declared `tls=disabled`) and skopeo copy images between OCI layouts and the registry, \
  so they neither pack nor unpack directories. oras-py runs through a small driver \
  script (library defaults). skopeo copies with `--preserve-digests` (no recompression), \
  each run with an empty blob-info cache of its own (except the mount workload, whose \
  runs share one so skopeo can mount as a returning user's copy would). The Go peers are \
  built by the test kit (`oras_testkit::reference::GoClient`, `go install` under \
  `target/reference-tools`) with `--install-peers`.
- The redirect workload pulls the 1 GiB artifact from a small read-only registry front \
  of the harness (manifest, blob HEADs) whose blob GETs answer `307` to a second HTTP \
  server on loopback, the CDN, which serves the blobs with `Accept-Ranges: bytes` and \
  single byte ranges.
- Heavy workloads run only with `--long`, on every profile: push and pull of 4 GiB, of \
  10 GiB, and of 10,000 files of 4 KiB (skopeo alone takes minutes per run for those on \
  loopback, and oras-py and skopeo take about 30 ms to 450 ms per small file on `wan80`).
";

/// `12.3 ms` under a second, `1.234 s` above.
pub(crate) fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.3} s")
    }
}

/// `830 MiB/s`, `7.4 MiB/s`, `0.52 MiB/s`.
pub(crate) fn throughput(mib_s: f64) -> String {
    if mib_s >= 100.0 {
        format!("{mib_s:.0} MiB/s")
    } else if mib_s >= 1.0 {
        format!("{mib_s:.1} MiB/s")
    } else {
        format!("{mib_s:.2} MiB/s")
    }
}

fn times(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{r:.2} ×"))
}

/// One network target over the whole run.
struct RunTarget {
    /// The target in words.
    what: &'static str,
    /// The verdicts of our rows it covers: profile, workload, verdict.
    verdicts: Vec<(Network, WorkloadId, Verdict)>,
}

/// The network targets, each met, not met, or not measured, with
/// what failed.
pub(crate) fn render_issue_targets(report: &Report) -> String {
    let ours = || report.rows.iter().filter(|r| r.tool == Tool::Oras);
    let collect = |keep: &dyn Fn(&Row, &Verdict) -> bool| {
        ours()
            .flat_map(|row| {
                row.verdicts
                    .iter()
                    .filter(|v| keep(row, v))
                    .map(|v| (row.network, row.workload, v.clone()))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let named = |target: Target| {
        let text = target.describe();
        move |_: &Row, v: &Verdict| v.target == text
    };
    let on = |network: Network, workloads: &'static [WorkloadId], target: Target| {
        let text = target.describe();
        move |row: &Row, v: &Verdict| {
            row.network == network && workloads.contains(&row.workload) && v.target == text
        }
    };
    let faster = |_: &Row, v: &Verdict| v.target.contains("faster than every peer");
    let targets = [
        RunTarget {
            what: "faster than every peer (the Go oras included) on every profile and workload",
            verdicts: collect(&faster),
        },
        RunTarget {
            what: "peak RSS < 64 MiB on every profile and workload",
            verdicts: collect(&named(Target::RssBelow { mib: 64.0 })),
        },
        RunTarget {
            what: "wan80: pull of 1 GiB ≥ 4 × faster than the Go oras",
            verdicts: collect(&on(
                Network::Wan80,
                &[WorkloadId::PullLarge],
                Target::FasterThan {
                    tool: Tool::GoOras,
                    factor: 4.0,
                },
            )),
        },
        RunTarget {
            what: "wan80: push and pull of 1,000 files of 4 KiB ≥ 2 × faster than the Go oras",
            verdicts: collect(&on(
                Network::Wan80,
                &[WorkloadId::PushSmall, WorkloadId::PullSmall],
                Target::FasterThan {
                    tool: Tool::GoOras,
                    factor: 2.0,
                },
            )),
        },
        RunTarget {
            what: "lan: push of 1 GiB within 1.15 × curl",
            verdicts: collect(&on(
                Network::Lan,
                &[WorkloadId::PushLarge],
                Target::WallVsCurl { at_most: 1.15 },
            )),
        },
        RunTarget {
            what: "lan: pull of 1 GiB within 1.2 × curl",
            verdicts: collect(&on(
                Network::Lan,
                &[WorkloadId::PullLarge],
                Target::WallVsCurl { at_most: 1.2 },
            )),
        },
    ];
    let mut t = String::from("| target | status | where it is not met |\n|---|---|---|\n");
    for target in &targets {
        // The comparison with every peer is long: its details are under
        // the workload's targets.
        let failed: Vec<String> = target
            .verdicts
            .iter()
            .filter(|(_, _, v)| v.pass == Some(false))
            .map(|(network, workload, v)| {
                if v.target.contains("every peer") {
                    format!("{} on {}", workload.name(), network.name())
                } else {
                    format!("{} on {}: {}", workload.name(), network.name(), v.measured)
                }
            })
            .collect();
        let checked = target.verdicts.iter().any(|(_, _, v)| v.pass.is_some());
        let status = match (checked, failed.is_empty()) {
            (false, _) => "not measured",
            (true, true) => "met",
            (true, false) => "not met",
        };
        let _ = writeln!(t, "| {} | {status} | {} |", target.what, failed.join("; "));
    }
    t
}

/// The results table (Markdown, also printed to stdout).
pub(crate) fn render_table(report: &Report) -> String {
    let mut t = String::new();
    t.push_str(
        "| workload | tool | wall (median) | CPU user+sys | peak RSS | throughput | CPU / openssl | wall / curl | target |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for row in &report.rows {
        let workload = row.label(&report.sizes);
        let target = if row.tool == Tool::Oras {
            overall(&row.verdicts)
        } else {
            ""
        };
        let _ = match &row.outcome {
            Outcome::Measured(s) => writeln!(
                t,
                "| {workload} | {} | {} | {} | {:.1} MiB | {} | {} | {} | {target} |",
                row.tool.name(),
                seconds(s.wall),
                seconds(s.cpu),
                s.peak_rss_mib,
                s.throughput_mib_s
                    .map_or_else(|| "—".to_owned(), throughput),
                times(row.cpu_vs_openssl),
                times(row.wall_vs_curl),
            ),
            Outcome::Failed(_) => writeln!(
                t,
                "| {workload} | {} | FAILED (see below) | — | — | — | — | — | {target} |",
                row.tool.name()
            ),
            Outcome::Skipped(_) => writeln!(
                t,
                "| {workload} | {} | skipped (see below) | — | — | — | — | — | |",
                row.tool.name()
            ),
        };
    }
    t
}

/// The targets of our rows, one line per target.
pub(crate) fn render_targets(report: &Report) -> String {
    let mut t = String::new();
    for row in report.rows.iter().filter(|r| r.tool == Tool::Oras) {
        let _ = writeln!(
            t,
            "- **{}** ({}):",
            row.label(&report.sizes),
            overall(&row.verdicts)
        );
        for v in &row.verdicts {
            let mark = match v.pass {
                Some(true) => "pass",
                Some(false) => "FAIL",
                None => "not checked",
            };
            let _ = writeln!(t, "  - {}: {} → {mark}", v.target, v.measured);
        }
    }
    t
}

/// Failures and skips, each with its reason.
pub(crate) fn render_problems(report: &Report) -> (String, String) {
    let mut failures = String::new();
    let mut skips = String::new();
    let mut first_with: Vec<(&str, String)> = Vec::new();
    for row in &report.rows {
        let name = match row.network {
            Network::Lan => format!("{} / {}", row.workload.name(), row.tool.name()),
            network => format!(
                "{} [{}] / {}",
                row.workload.name(),
                network.name(),
                row.tool.name()
            ),
        };
        match &row.outcome {
            Outcome::Failed(why) => {
                let why = why.trim();
                if let Some((_, first)) = first_with.iter().find(|(w, _)| *w == why) {
                    let _ = writeln!(failures, "### {name}\n\nThe same error as {first}.\n");
                } else {
                    let _ = writeln!(failures, "### {name}\n\n```text\n{why}\n```\n");
                    first_with.push((why, name));
                }
            }
            Outcome::Skipped(why) => {
                let _ = writeln!(skips, "- {name}: {why}");
            }
            Outcome::Measured(_) => {}
        }
    }
    (failures, skips)
}

/// The whole `BENCHMARKS.md`.
pub(crate) fn render_markdown(report: &Report) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Generated by `{}` on {} ({}). Do not edit by hand: run the harness again \
         (see `cargo xtask bench --help`).\n",
        report.command, report.generated_at, report.options
    );
    let ours_failed = report
        .rows
        .iter()
        .any(|r| r.tool == Tool::Oras && matches!(r.outcome, Outcome::Failed(_)));
    if ours_failed {
        let _ = writeln!(
            md,
            "> Some rows of `oras (ours)` failed in this run: the command failed at the time \
             (for instance not yet wired in the CLI). Their errors are under *Failures*; \
             targets of those rows read FAIL until a later run measures them.\n"
        );
    }
    let _ = writeln!(md, "## Machine\n");
    let m = &report.machine;
    let _ = writeln!(md, "- CPU: {} × {}", m.cpus, m.cpu_model);
    let _ = writeln!(
        md,
        "- SHA-256 instructions: {}",
        if m.sha_extensions {
            "yes (sha_ni/sha2 in /proc/cpuinfo)"
        } else {
            "no"
        }
    );
    let _ = writeln!(
        md,
        "- memory: {:.1} GiB",
        m.memory_kib as f64 / (1024.0 * 1024.0)
    );
    let _ = writeln!(md, "- kernel: {}", m.kernel);
    let _ = writeln!(md, "- load average at start (1, 5, 15 min): {}", m.load);
    let _ = writeln!(md, "- OS: {}", m.os);
    let _ = writeln!(md, "- registry storage: {}", report.storage);
    if let Some(o) = report.overhead {
        let _ = writeln!(
            md,
            "- wrapper overhead included in every wall time (GNU `time` running `true`): {}",
            seconds(o)
        );
    }
    let _ = writeln!(md, "\n## Method\n\n{METHOD}{}", network::MODEL);
    let _ = writeln!(md, "## Tools\n");
    for (tool, version) in &report.tools {
        let _ = writeln!(md, "- {tool}: {version}");
    }
    let _ = writeln!(
        md,
        "\n## Results\n\nMedian over the measured runs; peak RSS is the highest over them \
         (GNU time `%M`, the whole process); throughput is payload MiB over the median wall \
         time. Ratios are against `openssl dgst -sha256` of the same bytes (hashing floor) \
         and `curl` moving the same blob (registry ceiling). Rows on a WAN profile carry \
         its name in brackets.\n"
    );
    md.push_str(&render_table(report));
    let _ = writeln!(
        md,
        "\n## Network targets (reported, not asserted)\n\n{}",
        render_issue_targets(report)
    );
    let _ = writeln!(md, "## Targets per workload\n\n{}", render_targets(report));
    let (failures, skips) = render_problems(report);
    if !failures.is_empty() {
        let _ = writeln!(md, "## Failures\n\n{failures}");
    }
    if !skips.is_empty() {
        let _ = writeln!(md, "## Skipped\n\n{skips}");
    }
    if !report.notes.is_empty() {
        let _ = writeln!(md, "## Notes\n");
        for note in &report.notes {
            let _ = writeln!(md, "- {note}");
        }
    }
    md
}

/// The JSON of `target/bench/results.json`.
pub(crate) fn to_json(report: &Report) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|row| {
            let (status, summary, message) = match &row.outcome {
                Outcome::Measured(s) => ("ok", Some(*s), None),
                Outcome::Failed(why) => ("failed", None, Some(why.clone())),
                Outcome::Skipped(why) => ("skipped", None, Some(why.clone())),
            };
            json!({
                "workload": row.workload.name(),
                "network": row.network.name(),
                "description": row.workload.describe(&report.sizes),
                "payload_bytes": row.workload.payload_bytes(&report.sizes),
                "tool": row.tool.name(),
                "status": status,
                "message": message,
                "runs": summary.map(|s| s.runs),
                "wall_s_median": summary.map(|s| s.wall),
                "cpu_s_median": summary.map(|s| s.cpu),
                "peak_rss_mib": summary.map(|s| s.peak_rss_mib),
                "throughput_mib_s": summary.and_then(|s| s.throughput_mib_s),
                "cpu_vs_openssl": row.cpu_vs_openssl,
                "wall_vs_curl": row.wall_vs_curl,
                "samples": row.samples.iter().map(|s| json!({
                    "wall_s": s.wall,
                    "user_s": s.user,
                    "sys_s": s.sys,
                    "max_rss_kib": s.max_rss_kib,
                })).collect::<Vec<_>>(),
                "targets": row.verdicts.iter().map(|v| json!({
                    "target": v.target,
                    "measured": v.measured,
                    "pass": v.pass,
                })).collect::<Vec<_>>(),
                "verdict": (row.tool == Tool::Oras).then(|| overall(&row.verdicts)),
            })
        })
        .collect();
    json!({
        "generated_at": report.generated_at,
        "command": report.command,
        "options": report.options,
        "machine": report.machine.to_json(),
        "registry_storage": report.storage,
        "wrapper_overhead_s": report.overhead,
        "tools": report.tools,
        "results": rows,
        "notes": report.notes,
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (civil-from-days,
/// proleptic Gregorian calendar).
pub(crate) fn rfc3339_utc(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let rem = unix_seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(wall: f64, cpu: f64) -> Summary {
        Summary {
            runs: 3,
            wall,
            cpu,
            peak_rss_mib: 20.0,
            throughput_mib_s: Some(100.0),
        }
    }

    fn measured(workload: WorkloadId, tool: Tool, wall: f64, cpu: f64) -> Row {
        Row::new(
            workload,
            tool,
            Outcome::Measured(summary(wall, cpu)),
            Vec::new(),
        )
    }

    fn report(rows: Vec<Row>) -> Report {
        Report {
            generated_at: "2025-01-01T00:00:00Z".into(),
            command: "cargo xtask bench --quick".into(),
            options: "quick".into(),
            machine: Machine {
                cpus: 2,
                cpu_model: "Test CPU".into(),
                sha_extensions: true,
                memory_kib: 1024 * 1024,
                kernel: "Linux 6".into(),
                load: "0.10 0.20 0.30".into(),
                os: "Debian".into(),
            },
            storage: "tmpfs".into(),
            overhead: Some(0.001),
            sizes: Sizes::quick(),
            tools: BTreeMap::from([("curl".to_owned(), "curl 7.88.1".to_owned())]),
            rows,
            notes: vec!["a note".into()],
        }
    }

    fn rows() -> Vec<Row> {
        let w = WorkloadId::PushLarge;
        let mut rows = vec![
            measured(w, Tool::Oras, 1.0, 0.6),
            measured(w, Tool::OrasPy, 3.0, 2.0),
            Row::new(
                w,
                Tool::Skopeo,
                Outcome::Skipped("not installed".into()),
                Vec::new(),
            ),
            measured(w, Tool::Openssl, 0.5, 0.5),
            measured(w, Tool::Curl, 0.9, 0.2),
            Row::new(
                WorkloadId::PullLarge,
                Tool::Oras,
                Outcome::Failed("exit status 1: oras pull\nError: boom".into()),
                Vec::new(),
            ),
        ];
        complete(&mut rows, None);
        rows
    }

    #[test]
    fn ratios_are_against_the_references_of_the_same_workload() {
        let rows = rows();
        assert_eq!(rows[0].cpu_vs_openssl, Some(1.2));
        assert!((rows[0].wall_vs_curl.unwrap() - 1.0 / 0.9).abs() < 1e-9);
        assert_eq!(rows[1].cpu_vs_openssl, Some(4.0));
        assert_eq!(rows[2].cpu_vs_openssl, None);
        // The failed pull has no references, and its targets fail.
        assert_eq!(rows[5].wall_vs_curl, None);
        assert_eq!(overall(&rows[5].verdicts), "FAIL");
        // Push: RSS ok, CPU 1.2 ≤ 1.5, wall 1.11 ≤ 1.15, faster than oras-py.
        assert_eq!(overall(&rows[0].verdicts), "pass", "{:?}", rows[0].verdicts);
        assert!(rows[1].verdicts.is_empty());
    }

    #[test]
    fn the_table_has_a_line_per_row_with_units() {
        let table = render_table(&report(rows()));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2 + 6);
        assert!(lines[2].starts_with("| push 1 file of 64 MiB | oras (ours) | 1.000 s | 600.0 ms | 20.0 MiB | 100 MiB/s | 1.20 × | 1.11 × | pass |"), "{}", lines[2]);
        assert!(lines[4].contains("skipped"), "{}", lines[4]);
        assert!(
            lines[7].contains("FAILED") && lines[7].ends_with("| FAIL |"),
            "{}",
            lines[7]
        );
    }

    #[test]
    fn the_markdown_names_the_machine_failures_and_skips() {
        let md = render_markdown(&report(rows()));
        for needle in [
            "# Benchmarks",
            "cargo xtask bench --quick",
            "- CPU: 2 × Test CPU",
            "## Failures",
            "Error: boom",
            "## Skipped",
            "pull-large / oras (ours)",
            "not installed",
            "Some rows of `oras (ours)` failed",
            "CPU ≤ 1.5 × openssl dgst: 1.20 × (floor, curl + openssl dgst: 1.40 ×) → pass",
            "- curl: curl 7.88.1",
            "- a note",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in\n{md}");
        }
    }

    #[test]
    fn a_repeated_error_is_printed_once() {
        let failed = |w| {
            Row::new(
                w,
                Tool::Oras,
                Outcome::Failed("not built".into()),
                Vec::new(),
            )
        };
        let r = report(vec![
            failed(WorkloadId::Version),
            failed(WorkloadId::PushLarge),
        ]);
        let (failures, skips) = render_problems(&r);
        assert_eq!(failures.matches("not built").count(), 1, "{failures}");
        assert!(
            failures.contains("The same error as version / oras (ours)."),
            "{failures}"
        );
        assert!(skips.is_empty());
    }

    #[test]
    fn the_json_has_every_row_with_status_and_numbers() {
        let v = to_json(&report(rows()));
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 6);
        assert_eq!(results[0]["status"], "ok");
        assert_eq!(results[0]["wall_s_median"], 1.0);
        assert_eq!(results[0]["cpu_vs_openssl"], 1.2);
        assert_eq!(results[0]["verdict"], "pass");
        assert_eq!(results[1]["verdict"], serde_json::Value::Null);
        assert_eq!(results[2]["status"], "skipped");
        assert_eq!(results[5]["status"], "failed");
        assert!(results[5]["message"].as_str().unwrap().contains("boom"));
        assert_eq!(v["machine"]["cpus"], 2);
        assert_eq!(v["tools"]["curl"], "curl 7.88.1");
    }

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(2.0), "2.000 s");
        assert_eq!(throughput(830.4), "830 MiB/s");
        assert_eq!(throughput(7.44), "7.4 MiB/s");
        assert_eq!(throughput(0.521), "0.52 MiB/s");
    }
}
