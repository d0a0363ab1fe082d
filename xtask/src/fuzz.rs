//! `cargo xtask fuzz [--seconds N] [TARGET...]`: builds the cargo-fuzz
//! project in `fuzz/` and runs each target (all by default) for N seconds
//! from its committed seeds (`fuzz/seeds/<target>/`) plus the corpus
//! grown by earlier runs (`target/fuzz/corpus/<target>/`).
//!
//! cargo-fuzz needs nightly compiler flags; the stable toolchain accepts
//! them with `RUSTC_BOOTSTRAP=1`. No sanitizer is used (every crate of
//! ours forbids `unsafe`): the targets look for panics, hangs (`-timeout`),
//! memory beyond `-rss_limit_mb`, and the invariants each one asserts.
//! A crash leaves its input under `target/fuzz/artifacts/<target>/` and
//! fails the job; the results of a run are kept in
//! `target/fuzz/results.json` for `cargo xtask reliability`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

/// Seconds per target of CI's smoke run: 23 targets stay under 3 minutes.
pub(crate) const SMOKE_SECONDS: u64 = 5;

/// Memory a target may use before libFuzzer calls it a failure.
const RSS_LIMIT_MB: u64 = 2048;

/// Seconds one input may take before libFuzzer calls it a hang.
const INPUT_TIMEOUT_SECONDS: u64 = 10;

/// The outcome of one target's run.
#[derive(Debug, Clone)]
pub(crate) struct TargetRun {
    pub(crate) target: String,
    pub(crate) seconds: u64,
    pub(crate) runs: u64,
    pub(crate) seeds: usize,
    pub(crate) corpus: usize,
    pub(crate) crash: Option<PathBuf>,
}

/// `cargo xtask fuzz [--seconds N] [TARGET...]`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut seconds = 60;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().context("--seconds needs a number")?;
                seconds = value
                    .parse()
                    .with_context(|| format!("--seconds {value:?} is not a number"))?;
            }
            other if other.starts_with('-') => bail!("unknown fuzz option {other:?}"),
            target => targets.push(target.to_owned()),
        }
    }
    let runs = fuzz(seconds, &targets)?;
    report(&runs)
}

/// CI's smoke run: every target for [`SMOKE_SECONDS`].
pub(crate) fn smoke() -> Result<()> {
    let runs = fuzz(SMOKE_SECONDS, &[])?;
    report(&runs)
}

/// Builds, runs `targets` (all when empty) and records the results.
pub(crate) fn fuzz(seconds: u64, targets: &[String]) -> Result<Vec<TargetRun>> {
    let root = repo_root()?;
    ensure_cargo_fuzz()?;
    build(&root)?;
    let all = list_targets(&root)?;
    let chosen: Vec<String> = if targets.is_empty() {
        all
    } else {
        for target in targets {
            if !all.contains(target) {
                bail!("no fuzz target {target:?}; the targets are {all:?}");
            }
        }
        targets.to_vec()
    };
    let mut runs = Vec::new();
    for target in &chosen {
        let run = run_target(&root, target, seconds)?;
        println!(
            "fuzz: {target}: {} runs in {seconds}s, corpus {} ({} seeds){}",
            run.runs,
            run.corpus,
            run.seeds,
            run.crash
                .as_ref()
                .map(|p| format!(", CRASH: {}", p.display()))
                .unwrap_or_default()
        );
        runs.push(run);
    }
    save_results(&root, &runs)?;
    Ok(runs)
}

fn report(runs: &[TargetRun]) -> Result<()> {
    let crashed: Vec<&TargetRun> = runs.iter().filter(|r| r.crash.is_some()).collect();
    if crashed.is_empty() {
        println!("fuzz: {} target(s), no crash", runs.len());
        return Ok(());
    }
    for run in &crashed {
        if let Some(input) = &run.crash {
            eprintln!(
                "fuzz: {} crashed; reproduce with target/fuzz/x86_64-unknown-linux-gnu/release/{} {}",
                run.target,
                run.target,
                input.display()
            );
        }
    }
    bail!("{} fuzz target(s) crashed", crashed.len())
}

fn repo_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask has no parent directory")
}

fn ensure_cargo_fuzz() -> Result<()> {
    let found = Command::new(crate::cargo_bin())
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        bail!(
            "cargo-fuzz is not installed; run `cargo install --locked cargo-fuzz` (.ci/run does)"
        );
    }
    Ok(())
}

fn build(root: &Path) -> Result<()> {
    let mut build = Command::new(crate::cargo_bin());
    build
        .current_dir(root.join("fuzz"))
        .args(["fuzz", "build", "--sanitizer", "none", "--target-dir"])
        .arg(root.join("target/fuzz"))
        .env("RUSTC_BOOTSTRAP", "1");
    crate::run(build).context("building the fuzz targets")
}

fn list_targets(root: &Path) -> Result<Vec<String>> {
    let mut targets: Vec<String> = std::fs::read_dir(root.join("fuzz/fuzz_targets"))
        .context("reading fuzz/fuzz_targets")?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            entry
                .file_name()
                .to_str()
                .and_then(|name| name.strip_suffix(".rs"))
                .map(str::to_owned)
        })
        .collect();
    targets.sort();
    Ok(targets)
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).count())
        .unwrap_or(0)
}

fn run_target(root: &Path, target: &str, seconds: u64) -> Result<TargetRun> {
    let binary = root
        .join("target/fuzz/x86_64-unknown-linux-gnu/release")
        .join(target);
    let seeds = root.join("fuzz/seeds").join(target);
    let corpus = root.join("target/fuzz/corpus").join(target);
    let artifacts = root.join("target/fuzz/artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let before: Vec<PathBuf> = list_dir(&artifacts);
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .arg(&corpus)
        .arg(&seeds)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stderr = child.stderr.take().context("no stderr pipe")?;
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut text);
        text
    });
    // libFuzzer stops itself after max_total_time; a hang past that (and
    // the per-input timeout) is killed here.
    let deadline = Duration::from_secs(seconds + INPUT_TIMEOUT_SECONDS + 60);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = log.join().unwrap_or_default();
    let runs = log
        .lines()
        .rev()
        .find_map(|line| {
            line.strip_prefix("Done ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    let crash = if status.success() {
        None
    } else {
        let new = list_dir(&artifacts)
            .into_iter()
            .find(|p| !before.contains(p));
        eprintln!("{}", tail(&log, 40));
        Some(new.unwrap_or_else(|| artifacts.clone()))
    };
    Ok(TargetRun {
        target: target.to_owned(),
        seconds,
        runs,
        seeds: count_files(&seeds),
        corpus: count_files(&corpus) + count_files(&seeds),
        crash,
    })
}

fn list_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn save_results(root: &Path, runs: &[TargetRun]) -> Result<()> {
    let path = root.join("target/fuzz/results.json");
    let value: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            json!({
                "target": r.target,
                "seconds": r.seconds,
                "runs": r.runs,
                "seeds": r.seeds,
                "corpus": r.corpus,
                "crash": r.crash.as_ref().map(|p| p.display().to_string()),
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&value)?;
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}
