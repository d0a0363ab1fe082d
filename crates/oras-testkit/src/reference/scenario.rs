//! The scenario file format: TOML files holding `[[scenario]]` tables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use super::normalise::Normaliser;
use crate::real::{Error, Result};

/// Which registry a scenario runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistryMode {
    /// Plain HTTP, no authentication.
    Plain,
    /// HTTPS with a test CA, htpasswd Basic authentication.
    Basic,
    /// Plain HTTP with token authentication.
    Token,
    /// As [`RegistryMode::Basic`], and the TLS handshake requires a client
    /// certificate (`{client_cert}`, `{client_key}`).
    Mtls,
    /// No registry: `{registry}` names a closed port.
    None,
}

/// Which implementation runs a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Binary {
    /// The implementation under test in each run (Go in the Go run, ours
    /// in ours).
    #[default]
    Both,
    /// The Go CLI in both runs (seeding state ours then reads).
    Go,
    /// Our CLI in both runs (state the Go CLI then reads).
    Ours,
}

/// What is compared for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// The exit code.
    Exit,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A file (or symlink) created in the work dir before the first step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Path relative to the work dir; parents are created.
    pub path: String,
    /// Text content (placeholders are substituted).
    #[serde(default)]
    pub content: String,
    /// `content` repeated this many times (for larger files).
    #[serde(default)]
    pub repeat: Option<usize>,
    /// Unix mode; 0o644 when absent.
    #[serde(default)]
    pub mode: Option<u32>,
    /// Make a symlink to this target instead of a file.
    #[serde(default)]
    pub symlink: Option<String>,
}

/// One `oras` invocation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The arguments after `oras`, with placeholders.
    pub args: Vec<String>,
    /// Bytes on standard input (empty when absent).
    #[serde(default)]
    pub stdin: Option<String>,
    /// Which implementation runs it.
    #[serde(default)]
    pub binary: Binary,
    /// What to compare; everything when absent.
    #[serde(default)]
    pub compare: Option<Vec<Stream>>,
    /// Extra environment variables (placeholders substituted).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

impl Step {
    /// The streams compared for this step.
    pub fn compared(&self) -> BTreeSet<Stream> {
        match &self.compare {
            Some(list) => list.iter().copied().collect(),
            None => [Stream::Exit, Stream::Stdout, Stream::Stderr]
                .into_iter()
                .collect(),
        }
    }
}

/// A step written either as a bare argument list or as a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum StepSpec {
    Args(Vec<String>),
    Full(Step),
}

impl From<StepSpec> for Step {
    fn from(spec: StepSpec) -> Step {
        match spec {
            StepSpec::Full(step) => step,
            StepSpec::Args(args) => Step {
                args,
                stdin: None,
                binary: Binary::Both,
                compare: None,
                env: BTreeMap::new(),
            },
        }
    }
}

/// One scenario as written in a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default = "default_registry")]
    registry: RegistryMode,
    #[serde(default)]
    normalise: Vec<Normaliser>,
    #[serde(default)]
    deliberate: Option<String>,
    #[serde(default)]
    files: Vec<FileSpec>,
    #[serde(default)]
    dirs: Vec<String>,
    #[serde(default)]
    setup: Vec<Vec<String>>,
    steps: Vec<StepSpec>,
    #[serde(default = "yes")]
    compare_registry: bool,
    #[serde(default = "yes")]
    compare_files: bool,
    #[serde(default)]
    tty: bool,
}

fn default_registry() -> RegistryMode {
    RegistryMode::Plain
}

fn yes() -> bool {
    true
}

/// A file of scenarios.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    scenario: Vec<RawScenario>,
}

/// One differential scenario: state to create, then `oras` invocations
/// whose results are compared between the Go CLI and ours.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Unique name (lowercase, digits, `-`); part of the repository name.
    pub name: String,
    /// The file it came from, without `.toml`.
    pub group: String,
    /// The registry it runs against.
    pub registry: RegistryMode,
    /// Normalisers applied to both runs' observations.
    pub normalise: Vec<Normaliser>,
    /// Why a difference is deliberate (we are safer or more capable).
    pub deliberate: Option<String>,
    /// Files created before the first step.
    pub files: Vec<FileSpec>,
    /// Directories created before the first step.
    pub dirs: Vec<String>,
    /// Invocations run with the Go CLI before the steps; they must succeed.
    pub setup: Vec<Vec<String>>,
    /// The compared invocations.
    pub steps: Vec<Step>,
    /// Compare the repository contents afterwards.
    pub compare_registry: bool,
    /// Compare the files in the work dir and home afterwards.
    pub compare_files: bool,
    /// Run the steps with standard error on a pseudo-terminal and compare
    /// its final screen (needs the `progress` normaliser).
    pub tty: bool,
}

/// Parses one scenario file's text; `group` names it in errors.
///
/// # Errors
/// [`Error::Scenario`] on TOML errors, unknown keys, bad names or a
/// scenario without steps.
pub fn parse_scenarios(group: &str, text: &str) -> Result<Vec<Scenario>> {
    let file: ScenarioFile = toml::from_str(text).map_err(|e| Error::Scenario {
        context: format!("file {group}.toml"),
        detail: e.to_string(),
    })?;
    let mut out = Vec::new();
    for raw in file.scenario {
        let valid_name = !raw.name.is_empty()
            && raw.name.len() <= 60
            && raw
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !raw.name.starts_with('-')
            && !raw.name.ends_with('-')
            && !raw.name.contains("--");
        if !valid_name {
            return Err(Error::Scenario {
                context: format!("{:?} in {group}.toml", raw.name),
                detail: "names are 1-60 characters of a-z, 0-9 and single inner '-'".into(),
            });
        }
        if raw.steps.is_empty() {
            return Err(Error::Scenario {
                context: raw.name,
                detail: "no steps".into(),
            });
        }
        if raw.tty && !raw.normalise.contains(&Normaliser::Progress) {
            return Err(Error::Scenario {
                context: raw.name,
                detail: "tty = true compares a progress screen: list the `progress` normaliser"
                    .into(),
            });
        }
        out.push(Scenario {
            name: raw.name,
            group: group.to_owned(),
            registry: raw.registry,
            normalise: raw.normalise,
            deliberate: raw.deliberate,
            files: raw.files,
            dirs: raw.dirs,
            setup: raw.setup,
            steps: raw.steps.into_iter().map(Step::from).collect(),
            compare_registry: raw.compare_registry,
            compare_files: raw.compare_files,
            tty: raw.tty,
        });
    }
    Ok(out)
}

/// Loads every `*.toml` file of `dir`, in file-name order.
///
/// # Errors
/// I/O errors, parse errors, and duplicate scenario names.
pub fn load_scenarios(dir: &Path) -> Result<Vec<Scenario>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("listing {}", dir.display()), e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut all = Vec::new();
    let mut names = BTreeSet::new();
    for path in paths {
        let group = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        for scenario in parse_scenarios(&group, &text)? {
            if !names.insert(scenario.name.clone()) {
                return Err(Error::Scenario {
                    context: scenario.name,
                    detail: format!("name used twice (again in {group}.toml)"),
                });
            }
            all.push(scenario);
        }
    }
    Ok(all)
}

/// One entry of the known-divergence list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDivergence {
    /// The scenario's name.
    pub scenario: String,
    /// What differs, in one line.
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownFile {
    #[serde(default)]
    divergence: Vec<KnownDivergence>,
}

/// Loads the known-divergence list (`[[divergence]]` tables).
///
/// # Errors
/// I/O and parse errors, and a scenario listed twice.
pub fn load_known_divergences(path: &Path) -> Result<Vec<KnownDivergence>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let file: KnownFile = toml::from_str(&text).map_err(|e| Error::Scenario {
        context: path.display().to_string(),
        detail: e.to_string(),
    })?;
    let mut seen = BTreeSet::new();
    for entry in &file.divergence {
        if !seen.insert(entry.scenario.clone()) {
            return Err(Error::Scenario {
                context: path.display().to_string(),
                detail: format!("{} listed twice", entry.scenario),
            });
        }
    }
    Ok(file.divergence)
}

/// A flag of the Go CLI that no scenario needs to use, with why (it
/// cannot run against the suite's loopback registries).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagExemption {
    /// The long flag's name without `--`.
    pub flag: String,
    /// Why no scenario uses it.
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagExemptionFile {
    #[serde(default)]
    exempt: Vec<FlagExemption>,
}

/// Loads the flag-exemption list (`[[exempt]]` tables).
///
/// # Errors
/// I/O and parse errors, and an entry without a reason.
pub fn load_flag_exemptions(path: &Path) -> Result<Vec<FlagExemption>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let file: FlagExemptionFile = toml::from_str(&text).map_err(|e| Error::Scenario {
        context: path.display().to_string(),
        detail: e.to_string(),
    })?;
    if let Some(entry) = file.exempt.iter().find(|e| e.reason.trim().is_empty()) {
        return Err(Error::Scenario {
            context: path.display().to_string(),
            detail: format!("--{} has no reason", entry.flag),
        });
    }
    Ok(file.exempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_step_forms_parse() {
        let text = r#"
[[scenario]]
name = "push-one"
registry = "basic"
normalise = ["digests"]
files = [{ path = "a.txt", content = "a", mode = 0o600 }]
setup = [["version"]]
steps = [
  ["push", "{repo}:v1", "a.txt"],
  { args = ["pull", "{repo}:v1"], binary = "go", compare = ["exit"] },
]
"#;
        let scenarios = parse_scenarios("push", text).unwrap();
        assert_eq!(scenarios.len(), 1);
        let s = &scenarios[0];
        assert_eq!(s.registry, RegistryMode::Basic);
        assert_eq!(s.files[0].mode, Some(0o600));
        assert_eq!(s.steps[0].binary, Binary::Both);
        assert_eq!(s.steps[1].binary, Binary::Go);
        assert_eq!(s.steps[1].compared().len(), 1);
        assert!(s.compare_registry);
    }

    #[test]
    fn unknown_keys_and_bad_names_are_refused() {
        let typo = "[[scenario]]\nname = \"a\"\nstep = [[\"x\"]]\n";
        assert!(parse_scenarios("g", typo).is_err());
        let bad = "[[scenario]]\nname = \"A b\"\nsteps = [[\"x\"]]\n";
        assert!(parse_scenarios("g", bad).is_err());
        let tty = "[[scenario]]\nname = \"t\"\ntty = true\nsteps = [[\"x\"]]\n";
        assert!(parse_scenarios("g", tty).is_err());
        let tty = tty.replace("tty = true", "tty = true\nnormalise = [\"progress\"]");
        assert!(parse_scenarios("g", &tty).unwrap()[0].tty);
    }
}
