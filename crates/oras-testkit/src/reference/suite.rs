//! The whole suite: registries, a bounded pool of workers, comparison of
//! the two runs of every scenario, and the check against the list of known
//! divergences.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::runner::{Binaries, Implementation, Observation, Target, run_scenario};
use super::scenario::{KnownDivergence, RegistryMode, Scenario, Stream};
use crate::real::{Error, Mode, RealRegistry, Result};

/// How one scenario came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every compared stream, file and repository is the same.
    Identical,
    /// Something differs and the scenario says why that is deliberate.
    Deliberate(String),
    /// Something differs.
    Divergent,
    /// The harness could not run it (a failing setup step, an I/O error).
    Error(String),
}

/// One difference: where, and the first differing line of each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `step 2 stdout`, `files`, `registry`, ...
    pub what: String,
    /// 1-based number of the first differing line.
    pub line: usize,
    /// That line in the Go run (`<none>` past the end).
    pub go: String,
    /// That line in our run.
    pub ours: String,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// The scenario's name.
    pub name: String,
    /// Its file, without `.toml`.
    pub group: String,
    /// How it came out.
    pub outcome: Outcome,
    /// What differs (empty when identical).
    pub differences: Vec<Difference>,
}

/// How to run the suite.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// The scenarios.
    pub scenarios: Vec<Scenario>,
    /// The known, not yet fixed divergences.
    pub known: Vec<KnownDivergence>,
    /// The two binaries.
    pub binaries: Binaries,
    /// Scenarios run at once.
    pub workers: usize,
    /// Where to write both runs' full observations (one file pair per
    /// scenario), when set.
    pub report_dir: Option<PathBuf>,
}

/// The results of the suite.
#[derive(Debug, Clone)]
pub struct SuiteReport {
    /// One per scenario run, in scenario order.
    pub scenarios: Vec<ScenarioReport>,
    /// The known-divergence list it was checked against.
    pub known: Vec<KnownDivergence>,
    /// True when only some scenarios ran (stale list entries are then
    /// only checked for the scenarios that ran).
    pub filtered: bool,
    /// Every scenario name, run or not.
    pub all_names: BTreeSet<String>,
}

impl SuiteReport {
    /// `differential: N identical, M deliberate differences, K known divergences`.
    pub fn summary(&self) -> String {
        let count =
            |f: &dyn Fn(&Outcome) -> bool| self.scenarios.iter().filter(|s| f(&s.outcome)).count();
        let identical = count(&|o| *o == Outcome::Identical);
        let deliberate = count(&|o| matches!(o, Outcome::Deliberate(_)));
        let known: BTreeSet<&str> = self.known.iter().map(|k| k.scenario.as_str()).collect();
        let divergent = self
            .scenarios
            .iter()
            .filter(|s| s.outcome == Outcome::Divergent && known.contains(s.name.as_str()))
            .count();
        format!(
            "differential: {identical} identical, {deliberate} deliberate differences, {divergent} known divergences"
        )
    }

    /// One block per non-identical scenario: a header line and the first
    /// differing line of each differing stream.
    pub fn render(&self) -> String {
        let known: BTreeMap<&str, &str> = self
            .known
            .iter()
            .map(|k| (k.scenario.as_str(), k.description.as_str()))
            .collect();
        let mut out = String::new();
        for report in &self.scenarios {
            let header = match &report.outcome {
                Outcome::Identical => continue,
                Outcome::Deliberate(reason) => format!("DELIBERATE {}: {reason}", report.name),
                Outcome::Divergent => match known.get(report.name.as_str()) {
                    Some(description) => format!("KNOWN {}: {description}", report.name),
                    None => format!("DIVERGENT {} (not listed)", report.name),
                },
                Outcome::Error(e) => format!("ERROR {}: {e}", report.name),
            };
            out.push_str(&header);
            out.push('\n');
            for d in report.differences.iter().take(4) {
                out.push_str(&format!(
                    "    {} line {}: go {} | ours {}\n",
                    d.what,
                    d.line,
                    clip(&d.go),
                    clip(&d.ours)
                ));
            }
        }
        out
    }

    /// Why the suite fails: unlisted divergences, harness errors, listed
    /// scenarios that no longer diverge, and list entries naming no
    /// scenario. Empty when it passes.
    pub fn problems(&self) -> Vec<String> {
        let known: BTreeSet<&str> = self.known.iter().map(|k| k.scenario.as_str()).collect();
        let mut problems = Vec::new();
        for report in &self.scenarios {
            let listed = known.contains(report.name.as_str());
            match &report.outcome {
                Outcome::Error(e) => problems.push(format!("{}: harness error: {e}", report.name)),
                Outcome::Divergent if !listed => problems.push(format!(
                    "{}: diverges from the Go CLI and is not in the known-divergence list",
                    report.name
                )),
                Outcome::Identical | Outcome::Deliberate(_) if listed => problems.push(format!(
                    "{}: listed as a known divergence but now {}; remove it from the list",
                    report.name,
                    if report.outcome == Outcome::Identical {
                        "identical"
                    } else {
                        "deliberate"
                    }
                )),
                _ => {}
            }
        }
        for name in known {
            if !self.all_names.contains(name) {
                problems.push(format!(
                    "{name}: in the known-divergence list but no such scenario"
                ));
            }
        }
        problems
    }
}

impl SuiteReport {
    /// The known-divergence list rewritten to match this run: entries of
    /// scenarios that no longer diverge are dropped, entries of scenarios
    /// that still diverge (or did not run) keep their description, and new
    /// divergences get one made of their first differences, prefixed with
    /// `unsorted:`. Entries are grouped by the text before the first `:`
    /// of their description (the likely cause).
    pub fn updated_known_list(&self, header: &str) -> String {
        let outcomes: BTreeMap<&str, &ScenarioReport> = self
            .scenarios
            .iter()
            .map(|s| (s.name.as_str(), s))
            .collect();
        let mut entries: Vec<(String, String)> = Vec::new();
        for known in &self.known {
            match outcomes.get(known.scenario.as_str()) {
                Some(report) if report.outcome != Outcome::Divergent => {}
                _ if !self.all_names.contains(&known.scenario) => {}
                _ => entries.push((known.scenario.clone(), known.description.clone())),
            }
        }
        for report in &self.scenarios {
            if report.outcome == Outcome::Divergent
                && !self.known.iter().any(|k| k.scenario == report.name)
            {
                let parts: Vec<String> = report
                    .differences
                    .iter()
                    .take(2)
                    .map(|d| {
                        format!(
                            "{}: go {} vs ours {}",
                            d.what,
                            clip_to(&d.go, 110),
                            clip_to(&d.ours, 110)
                        )
                    })
                    .collect();
                entries.push((
                    report.name.clone(),
                    format!("unsorted: {}", parts.join("; ")),
                ));
            }
        }
        let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (name, description) in entries {
            let group = description
                .split_once(':')
                .map(|(g, _)| g.trim().to_owned())
                .unwrap_or_default();
            groups.entry(group).or_default().push((name, description));
        }
        let mut out = header.trim_end().to_owned();
        out.push('\n');
        for (group, mut entries) in groups {
            entries.sort();
            out.push_str(&format!("\n# --- {group} ---\n"));
            for (name, description) in entries {
                out.push_str(&format!(
                    "\n[[divergence]]\nscenario = {}\ndescription = {}\n",
                    toml_string(&name),
                    toml_string(&description)
                ));
            }
        }
        out
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `line` cut to `max` characters, in backticks.
fn clip_to(line: &str, max: usize) -> String {
    let shown: String = line.chars().take(max).collect();
    if line.chars().count() > max {
        format!("`{shown}…`")
    } else {
        format!("`{shown}`")
    }
}

/// Shortens a line for the one-line diff.
fn clip(line: &str) -> String {
    const MAX: usize = 150;
    let shown: String = line.chars().take(MAX).collect();
    if line.chars().count() > MAX {
        format!("`{shown}…`")
    } else {
        format!("`{shown}`")
    }
}

/// Runs every scenario with both binaries and compares them.
///
/// # Errors
/// When a registry cannot be started or a port cannot be found.
pub fn run_suite(config: &SuiteConfig, filter: Option<&str>) -> Result<SuiteReport> {
    let all_names: BTreeSet<String> = config.scenarios.iter().map(|s| s.name.clone()).collect();
    let selected: Vec<&Scenario> = config
        .scenarios
        .iter()
        .filter(|s| filter.is_none_or(|f| s.name.contains(f) || s.group == f))
        .collect();
    let modes: BTreeSet<RegistryMode> = selected.iter().map(|s| s.registry).collect();
    let closed = closed_port()?;
    let mut registries: BTreeMap<RegistryMode, RealRegistry> = BTreeMap::new();
    for mode in &modes {
        let registry = match mode {
            RegistryMode::Plain => RealRegistry::start(Mode::Plain)?,
            RegistryMode::Basic => RealRegistry::start(Mode::TlsBasic)?,
            RegistryMode::Token => RealRegistry::start(Mode::Token)?,
            RegistryMode::Mtls => RealRegistry::start_with_client_auth()?,
            RegistryMode::None => continue,
        };
        registries.insert(*mode, registry);
    }
    let targets: BTreeMap<RegistryMode, Target> = modes
        .iter()
        .map(|mode| {
            let target = match registries.get(mode) {
                Some(r) => Target {
                    host: r.host(),
                    storage_dir: Some(r.storage_dir().to_path_buf()),
                    ca: r.ca_path().map(|p| p.to_string_lossy().into_owned()),
                    user: r
                        .username()
                        .zip(r.password())
                        .map(|(u, p)| (u.to_owned(), p.to_owned())),
                    reader: r
                        .reader_credentials()
                        .map(|(u, p)| (u.to_owned(), p.to_owned())),
                    closed: closed.clone(),
                    client_cert: r.client_cert_path().zip(r.client_key_path()).map(
                        |(cert, key)| {
                            (
                                cert.to_string_lossy().into_owned(),
                                key.to_string_lossy().into_owned(),
                            )
                        },
                    ),
                    token_server: r.token_server_url().map(|url| {
                        url.trim_start_matches("http://")
                            .trim_end_matches('/')
                            .to_owned()
                    }),
                },
                None => Target {
                    host: closed.clone(),
                    closed: closed.clone(),
                    ..Target::default()
                },
            };
            (*mode, target)
        })
        .collect();

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ScenarioReport>>> = Mutex::new(vec![None; selected.len()]);
    let workers = config.workers.clamp(1, 16);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(scenario) = selected.get(i) else {
                        break;
                    };
                    let target = targets.get(&scenario.registry).cloned().unwrap_or_default();
                    let report = run_and_compare(scenario, &config.binaries, &target, config);
                    if let Ok(mut results) = results.lock()
                        && let Some(slot) = results.get_mut(i)
                    {
                        *slot = Some(report);
                    }
                }
            });
        }
    });
    for registry in registries.into_values() {
        registry.stop()?;
    }
    let scenarios = results
        .into_inner()
        .map_err(|_| Error::Scenario {
            context: "suite".into(),
            detail: "a worker panicked".into(),
        })?
        .into_iter()
        .flatten()
        .collect();
    Ok(SuiteReport {
        scenarios,
        known: config.known.clone(),
        filtered: filter.is_some(),
        all_names,
    })
}

/// Runs one scenario twice and compares.
fn run_and_compare(
    scenario: &Scenario,
    binaries: &Binaries,
    target: &Target,
    config: &SuiteConfig,
) -> ScenarioReport {
    let report = |outcome, differences| ScenarioReport {
        name: scenario.name.clone(),
        group: scenario.group.clone(),
        outcome,
        differences,
    };
    let go = match run_scenario(scenario, Implementation::Go, binaries, target) {
        Ok(o) => o,
        Err(e) => return report(Outcome::Error(format!("go run: {e}")), Vec::new()),
    };
    let ours = match run_scenario(scenario, Implementation::Ours, binaries, target) {
        Ok(o) => o,
        Err(e) => return report(Outcome::Error(format!("our run: {e}")), Vec::new()),
    };
    if let Some(dir) = &config.report_dir {
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(dir.join(format!("{}.go.txt", scenario.name)), go.render());
        let _ = std::fs::write(
            dir.join(format!("{}.ours.txt", scenario.name)),
            ours.render(),
        );
    }
    let differences = compare(scenario, &go, &ours);
    let outcome = if differences.is_empty() {
        Outcome::Identical
    } else if let Some(reason) = &scenario.deliberate {
        Outcome::Deliberate(reason.clone())
    } else {
        Outcome::Divergent
    };
    report(outcome, differences)
}

/// Every difference between the two observations.
pub fn compare(scenario: &Scenario, go: &Observation, ours: &Observation) -> Vec<Difference> {
    let mut out = Vec::new();
    for (i, step) in scenario.steps.iter().enumerate() {
        let (Some(g), Some(o)) = (go.steps.get(i), ours.steps.get(i)) else {
            continue;
        };
        let compared = step.compared();
        let pairs = [
            (Stream::Exit, "exit", &g.exit, &o.exit),
            (Stream::Stdout, "stdout", &g.stdout, &o.stdout),
            (Stream::Stderr, "stderr", &g.stderr, &o.stderr),
        ];
        for (stream, label, a, b) in pairs {
            if compared.contains(&stream)
                && let Some(d) = first_difference(&format!("step {} {label}", i + 1), a, b)
            {
                out.push(d);
            }
        }
    }
    if scenario.compare_files
        && let Some(d) = first_difference("files", &go.files, &ours.files)
    {
        out.push(d);
    }
    if scenario.compare_registry
        && let Some(d) = first_difference("registry", &go.registry, &ours.registry)
    {
        out.push(d);
    }
    out
}

/// The first line where `a` and `b` differ, if they do.
fn first_difference(what: &str, a: &str, b: &str) -> Option<Difference> {
    if a == b {
        return None;
    }
    let mut left = a.split('\n');
    let mut right = b.split('\n');
    let mut line = 0;
    loop {
        line += 1;
        match (left.next(), right.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => {
                return Some(Difference {
                    what: what.to_owned(),
                    line,
                    go: "<same lines, different bytes>".into(),
                    ours: String::new(),
                });
            }
            (x, y) => {
                return Some(Difference {
                    what: what.to_owned(),
                    line,
                    go: x.unwrap_or("<none>").to_owned(),
                    ours: y.unwrap_or("<none>").to_owned(),
                });
            }
        }
    }
}

/// A loopback port where nothing listens (bound, then released).
fn closed_port() -> Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::io("binding a port to close", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("reading a bound port", e))?;
    drop(listener);
    Ok(addr.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_quotes_and_controls() {
        assert_eq!(toml_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        let parsed: toml::Value =
            toml::from_str(&format!("x = {}", toml_string("q\"\u{1}`"))).unwrap();
        assert_eq!(parsed["x"].as_str(), Some("q\"\u{1}`"));
    }

    #[test]
    fn first_difference_names_the_line() {
        let d = first_difference("x", "a\nb\nc", "a\nB\nc").unwrap();
        assert_eq!((d.line, d.go.as_str(), d.ours.as_str()), (2, "b", "B"));
        let d = first_difference("x", "a", "a\nmore").unwrap();
        assert_eq!((d.line, d.go.as_str()), (2, "<none>"));
        assert!(first_difference("x", "same", "same").is_none());
    }
}
