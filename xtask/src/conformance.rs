//! `cargo xtask conformance`: runs `oras-conformance`, or with `--compare`
//! runs the official distribution-spec conformance suite and ours against
//! the same real registry with the same settings and prints both verdicts
//! check by check.
//!
//! ```text
//! cargo xtask conformance [ARGS...]                  # ARGS go to oras-conformance
//! cargo xtask conformance --compare --registry distribution|referrers|all
//!                         [--report-dir DIR]
//! ```
//!
//! `--compare` alone compares on both registries ([`compare_for_ci`], the
//! entry point for CI).
//!
//! `--registry distribution` is CNCF Distribution 2.8.2 from Debian
//! (plain HTTP), `referrers` is olareg with the OCI 1.1 referrers API. The
//! registries and the official suite come from the test kit through the
//! `real_registry` example of `oras-conformance` (`cargo run --example`),
//! so the test kit stays a dev-dependency. Each runner gets a fresh registry, every `OCI_*` variable of the
//! caller's environment is dropped, and both get the same settings: all
//! four workflows on, `OCI_NAMESPACE=conformance/repo1`,
//! `OCI_CROSSMOUNT_NAMESPACE=conformance/repo2`. Each runner is bounded by
//! [`RUNNER_TIMEOUT_SECS`].
//!
//! Check names are matched through `conformance/compare/ginkgo-2023-11.tsv`
//! (official testcase name and occurrence to our check id). A difference
//! is explained when `conformance/compare/known-differences.tsv` lists it
//! with its cause; the job fails on any unexplained difference, so
//! [`compare`] can gate CI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The exit status of the `real_registry` example when it failed itself
/// (the registry did not start or stop), told apart from the runner's.
const WRAPPER_FAILED: i32 = 125;

/// Upper bound for one runner against one registry, in seconds.
pub(crate) const RUNNER_TIMEOUT_SECS: u64 = 600;

/// The name prefix every official Ginkgo testcase carries.
const GINKGO_PREFIX: &str = "[It] OCI Distribution Conformance Tests ";

/// Which real registry a comparison runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegistryKind {
    /// CNCF Distribution 2.8.2 from Debian, plain HTTP.
    Distribution,
    /// olareg with the referrers API.
    Referrers,
}

impl RegistryKind {
    fn name(self) -> &'static str {
        match self {
            RegistryKind::Distribution => "distribution",
            RegistryKind::Referrers => "referrers",
        }
    }
}

/// A verdict, normalised across both runners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verdict {
    Pass,
    Fail,
    Skip,
    /// The runner has no such check.
    Absent,
}

impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
            Verdict::Absent => "-",
        }
    }
}

/// One row of a comparison.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The official name without the common prefix (with `#N` for a
    /// repeated name), or our id for a check only we have.
    pub(crate) name: String,
    /// Our check id, when we have one.
    pub(crate) our_id: Option<String>,
    pub(crate) official: Verdict,
    pub(crate) ours: Verdict,
    /// The documented cause of a difference.
    pub(crate) cause: Option<String>,
}

/// The result of one comparison.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    pub(crate) registry: RegistryKind,
    /// The version of the official suite.
    pub(crate) suite_version: String,
    pub(crate) rows: Vec<Row>,
}

impl Comparison {
    /// Rows whose verdicts agree.
    pub(crate) fn agree(&self) -> usize {
        self.rows.iter().filter(|r| r.official == r.ours).count()
    }

    /// Rows whose verdicts differ with no documented cause.
    pub(crate) fn unexplained(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.official != r.ours && r.cause.is_none())
            .count()
    }

    /// The summary line.
    pub(crate) fn summary(&self) -> String {
        let differ = self.rows.len() - self.agree();
        format!(
            "{} / official Ginkgo suite {}: {} agree, {differ} differ ({} unexplained)",
            self.registry.name(),
            self.suite_version,
            self.agree(),
            self.unexplained()
        )
    }
}

/// The job's entry point.
pub(crate) fn run(extra: &[String]) -> Result<()> {
    if !extra.iter().any(|a| a == "--compare") {
        let mut args = vec!["run", "--release", "-p", "oras-conformance", "--"];
        args.extend(extra.iter().map(String::as_str));
        return crate::cargo(&args);
    }
    let mut registries = Vec::new();
    let mut report_dir = None;
    let mut iter = extra.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--compare" => {}
            "--registry" => match iter.next().map(String::as_str) {
                Some("distribution") => registries.push(RegistryKind::Distribution),
                Some("referrers") => registries.push(RegistryKind::Referrers),
                Some("all") => {
                    registries.extend([RegistryKind::Distribution, RegistryKind::Referrers]);
                }
                other => bail!("--registry takes distribution, referrers or all, not {other:?}"),
            },
            "--report-dir" => {
                report_dir = Some(PathBuf::from(
                    iter.next().context("--report-dir needs a directory")?,
                ));
            }
            other => bail!(
                "unknown argument {other:?}; usage: cargo xtask conformance --compare \
                 --registry distribution|referrers|all [--report-dir DIR]"
            ),
        }
    }
    if registries.is_empty() && report_dir.is_none() {
        return compare_for_ci();
    }
    if registries.is_empty() {
        registries.extend([RegistryKind::Distribution, RegistryKind::Referrers]);
    }
    let report_dir = report_dir.unwrap_or_else(|| target_dir().join("conformance-compare"));
    compare_and_report(&registries, &report_dir)
}

/// The comparison for CI: both registries, reports under
/// `target/conformance-compare/`, failing on any unexplained difference.
/// Bounded: each Go build by 900 s, each runner by [`RUNNER_TIMEOUT_SECS`];
/// a warm run takes about 20 s, a cold one (Go builds and the release
/// build of `oras-conformance`) a few minutes.
pub(crate) fn compare_for_ci() -> Result<()> {
    compare_and_report(
        &[RegistryKind::Distribution, RegistryKind::Referrers],
        &target_dir().join("conformance-compare"),
    )
}

/// Compares on each registry, prints the tables and the summary lines,
/// and fails when a difference has no documented cause.
fn compare_and_report(registries: &[RegistryKind], report_dir: &Path) -> Result<()> {
    let mut summaries = Vec::new();
    let mut unexplained = 0;
    for &registry in registries {
        let comparison = compare(registry, &report_dir.join(registry.name()))?;
        print_comparison(&comparison);
        unexplained += comparison.unexplained();
        summaries.push(comparison.summary());
    }
    println!();
    for line in &summaries {
        println!("{line}");
    }
    if unexplained > 0 {
        bail!(
            "{unexplained} difference(s) have no documented cause in conformance/compare/known-differences.tsv"
        );
    }
    Ok(())
}

/// Builds both runners, runs each against a fresh registry of `registry`'s
/// kind and pairs the verdicts. Reports go to `report_dir/{official,ours}`.
///
/// # Errors
/// A runner or registry that cannot be built or started, a runner that
/// times out or writes no report, or a malformed mapping table.
pub(crate) fn compare(registry: RegistryKind, report_dir: &Path) -> Result<Comparison> {
    let root = workspace_root();
    let table = read_table(&root.join("conformance/compare/ginkgo-2023-11.tsv"))?;
    let known = read_known(
        &root.join("conformance/compare/known-differences.tsv"),
        registry,
    )?;
    crate::cargo(&["build", "--release", "-p", "oras-conformance"])?;
    let ours_bin = target_dir().join("release/oras-conformance");
    let (suite_version, official_bin) =
        official_ginkgo_suite().context("building the official Ginkgo suite")?;

    let official_dir = report_dir.join("official");
    let ours_dir = report_dir.join("ours");
    for dir in [&official_dir, &ours_dir] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    run_runner(registry, &official_bin, &official_dir, &[])?;
    run_runner(registry, &ours_bin, &ours_dir, &[("OCI_SUITE", "ginkgo")])?;
    let official = read_official_junit(&official_dir.join("junit.xml"))?;
    let ours = read_our_results(&ours_dir.join("results.json"))?;
    Ok(Comparison {
        registry,
        suite_version,
        rows: pair(&table, &official, &ours, &known),
    })
}

/// `cargo run` of the `real_registry` example of `oras-conformance`, which
/// holds the test kit's registries and official suite.
fn real_registry() -> Command {
    let manifest = workspace_root().join("Cargo.toml");
    let mut command = Command::new(crate::cargo_bin());
    command
        .arg("run")
        .arg("--manifest-path")
        .arg(manifest)
        .args([
            "--quiet",
            "-p",
            "oras-conformance",
            "--example",
            "real_registry",
            "--",
        ]);
    command
}

/// Builds the official Ginkgo suite: its version and its binary.
fn official_ginkgo_suite() -> Result<(String, PathBuf)> {
    let output = real_registry()
        .arg("suite")
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running the real_registry example")?;
    if !output.status.success() {
        bail!("the real_registry example failed to build the official suite");
    }
    let text = String::from_utf8(output.stdout).context("suite path is not UTF-8")?;
    let mut lines = text.lines();
    match (lines.next(), lines.next()) {
        (Some(version), Some(path)) => Ok((version.to_owned(), PathBuf::from(path))),
        _ => bail!("the real_registry example printed no suite version and path: {text:?}"),
    }
}

/// Runs one runner against a fresh registry of `registry`'s kind with the
/// shared settings in `dir`, bounded in time (the example sets
/// `OCI_ROOT_URL`). A runner's own exit status (1 when a check failed) is
/// not an error.
fn run_runner(
    registry: RegistryKind,
    binary: &Path,
    dir: &Path,
    extra: &[(&str, &str)],
) -> Result<()> {
    let mut command = real_registry();
    command
        .args(["run", registry.name(), "timeout"])
        .arg(RUNNER_TIMEOUT_SECS.to_string())
        .arg(binary);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OCI_") {
            command.env_remove(key);
        }
    }
    command
        .current_dir(dir)
        .env("OCI_NAMESPACE", "conformance/repo1")
        .env("OCI_CROSSMOUNT_NAMESPACE", "conformance/repo2")
        .env("OCI_TEST_PULL", "1")
        .env("OCI_TEST_PUSH", "1")
        .env("OCI_TEST_CONTENT_DISCOVERY", "1")
        .env("OCI_TEST_CONTENT_MANAGEMENT", "1")
        .env("OCI_HIDE_SKIPPED_WORKFLOWS", "0")
        .env("OCI_DEBUG", "0")
        .env("OCI_REPORT_DIR", dir)
        .envs(extra.iter().copied());
    let log = dir.join("output.txt");
    let out = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone().context("duplicating the output file")?;
    command.stdout(out).stderr(err);
    eprintln!(
        "xtask: running {} against a fresh {} registry",
        binary.display(),
        registry.name()
    );
    let status = command
        .status()
        .with_context(|| format!("running {}", binary.display()))?;
    if status.code() == Some(WRAPPER_FAILED) {
        bail!(
            "the {} registry could not be started or stopped (output in {})",
            registry.name(),
            log.display()
        );
    }
    if status.code() == Some(124) {
        bail!(
            "{} did not finish within {RUNNER_TIMEOUT_SECS} s (output in {})",
            binary.display(),
            log.display()
        );
    }
    Ok(())
}

/// `(official name without prefix, occurrence) -> our id` (None for `-`).
type Table = Vec<((String, usize), Option<String>)>;

fn read_table(path: &Path) -> Result<Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut table = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, occurrence, id] = fields[..] else {
            bail!(
                "{}:{}: expected 3 tab-separated fields",
                path.display(),
                n + 1
            );
        };
        let occurrence: usize = occurrence
            .parse()
            .with_context(|| format!("{}:{}: occurrence", path.display(), n + 1))?;
        let id = (id != "-").then(|| id.to_owned());
        table.push(((name.to_owned(), occurrence), id));
    }
    Ok(table)
}

/// `check key -> cause` for one registry, where the key is our id or, for
/// a check we lack, the official name with `#occurrence`.
fn read_known(path: &Path, registry: RegistryKind) -> Result<BTreeMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut known = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, key, cause] = fields[..] else {
            bail!(
                "{}:{}: expected 3 tab-separated fields",
                path.display(),
                n + 1
            );
        };
        if kind == registry.name() || kind == "*" {
            known.insert(key.to_owned(), cause.to_owned());
        }
    }
    Ok(known)
}

/// The official junit.xml: `(name without prefix, occurrence) -> verdict`.
fn read_official_junit(path: &Path) -> Result<BTreeMap<(String, usize), Verdict>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc =
        roxmltree::Document::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut verdicts = BTreeMap::new();
    for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        let Some(name) = case
            .attribute("name")
            .and_then(|n| n.strip_prefix(GINKGO_PREFIX))
        else {
            continue;
        };
        let count = seen.entry(name.to_owned()).or_default();
        *count += 1;
        let verdict = match case.attribute("status") {
            Some("passed") => Verdict::Pass,
            Some("skipped" | "pending") => Verdict::Skip,
            _ => Verdict::Fail,
        };
        verdicts.insert((name.to_owned(), *count), verdict);
    }
    if verdicts.is_empty() {
        bail!("{} has no official testcase", path.display());
    }
    Ok(verdicts)
}

/// Our results.json: `id -> verdict`.
fn read_our_results(path: &Path) -> Result<BTreeMap<String, Verdict>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let results = json["results"]
        .as_array()
        .with_context(|| format!("{} has no results array", path.display()))?;
    let mut verdicts = BTreeMap::new();
    for result in results {
        let (Some(id), Some(status)) = (result["id"].as_str(), result["status"].as_str()) else {
            bail!("{}: a result without id or status", path.display());
        };
        let verdict = match status {
            "pass" => Verdict::Pass,
            "skip" | "disabled" => Verdict::Skip,
            _ => Verdict::Fail,
        };
        verdicts.insert(id.to_owned(), verdict);
    }
    Ok(verdicts)
}

/// Pairs the verdicts through the table: official order first, then the
/// checks only we have.
fn pair(
    table: &Table,
    official: &BTreeMap<(String, usize), Verdict>,
    ours: &BTreeMap<String, Verdict>,
    known: &BTreeMap<String, String>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for ((name, occurrence), id) in table {
        let key = (name.clone(), *occurrence);
        let official_verdict = official.get(&key).copied().unwrap_or(Verdict::Absent);
        let our_verdict = id
            .as_ref()
            .and_then(|id| ours.get(id).copied())
            .unwrap_or(Verdict::Absent);
        if let Some(id) = id {
            used.insert(id.clone());
        }
        let label = if *occurrence > 1 {
            format!("{name} #{occurrence}")
        } else {
            name.clone()
        };
        let cause = id
            .as_ref()
            .and_then(|id| known.get(id))
            .or_else(|| known.get(&format!("{name} #{occurrence}")))
            .cloned();
        rows.push(Row {
            name: label,
            our_id: id.clone(),
            official: official_verdict,
            ours: our_verdict,
            cause,
        });
    }
    for ((name, occurrence), verdict) in official {
        if !table
            .iter()
            .any(|(key, _)| key.0 == *name && key.1 == *occurrence)
        {
            let label = format!("{name} #{occurrence}");
            rows.push(Row {
                cause: known.get(&label).cloned(),
                name: label,
                our_id: None,
                official: *verdict,
                ours: Verdict::Absent,
            });
        }
    }
    for (id, verdict) in ours {
        if !used.contains(id) {
            rows.push(Row {
                name: id.clone(),
                our_id: Some(id.clone()),
                official: Verdict::Absent,
                ours: *verdict,
                cause: known.get(id).cloned(),
            });
        }
    }
    rows
}

fn print_comparison(comparison: &Comparison) {
    println!(
        "\n== {}: official Ginkgo suite {} vs oras-conformance ==",
        comparison.registry.name(),
        comparison.suite_version
    );
    println!("{:<7} {:<8} {:<5} check", "", "official", "ours");
    for row in &comparison.rows {
        let mark = if row.official == row.ours {
            "agree"
        } else {
            "DIFFER"
        };
        println!(
            "{mark:<7} {:<8} {:<5} {}",
            row.official.label(),
            row.ours.label(),
            row.name
        );
        if row.official != row.ours {
            if let Some(id) = &row.our_id
                && *id != row.name
            {
                println!("{:22}ours: {id}", "");
            }
            match &row.cause {
                Some(cause) => println!("{:22}cause: {cause}", ""),
                None => println!("{:22}cause: UNEXPLAINED", ""),
            }
        }
    }
    println!("{}", comparison.summary());
}

/// The workspace root (xtask's parent directory).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `$CARGO_TARGET_DIR`, else `<workspace>/target`.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pair_by_name_and_occurrence_and_keep_unmatched_checks() {
        let table: Table = vec![
            (("A x".into(), 1), Some("a/x".into())),
            (("A x".into(), 2), Some("a/x-2".into())),
            (("B".into(), 1), None),
        ];
        let official = BTreeMap::from([
            (("A x".into(), 1), Verdict::Pass),
            (("A x".into(), 2), Verdict::Fail),
            (("B".into(), 1), Verdict::Skip),
        ]);
        let ours = BTreeMap::from([
            ("a/x".to_owned(), Verdict::Pass),
            ("a/x-2".to_owned(), Verdict::Pass),
            ("c".to_owned(), Verdict::Pass),
        ]);
        let known = BTreeMap::from([("a/x-2".to_owned(), "because".to_owned())]);
        let rows = pair(&table, &official, &ours, &known);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].name, "A x #2");
        assert_eq!(rows[1].cause.as_deref(), Some("because"));
        assert_eq!(
            (rows[2].official, rows[2].ours),
            (Verdict::Skip, Verdict::Absent)
        );
        assert_eq!(
            (rows[3].official, rows[3].ours),
            (Verdict::Absent, Verdict::Pass)
        );
        let comparison = Comparison {
            registry: RegistryKind::Referrers,
            suite_version: "v0".into(),
            rows,
        };
        assert_eq!(comparison.agree(), 1);
        assert_eq!(comparison.unexplained(), 2);
        assert!(
            comparison
                .summary()
                .contains("suite v0: 1 agree, 3 differ (2 unexplained)")
        );
    }

    #[test]
    fn the_mapping_table_parses() {
        let table =
            read_table(&workspace_root().join("conformance/compare/ginkgo-2023-11.tsv")).unwrap();
        assert_eq!(table.len(), 79);
        assert!(table.iter().any(|(_, id)| id.is_none()));
    }
}
