//! Project automation, run as `cargo xtask <job>` (the alias lives in
//! `.cargo/config.toml`). Each job drives `cargo` through
//! `std::process::Command`, as cargo's own xtask does.
//!
//! - `demo`: the README's first command: push and pull on an OCI layout.
//! - `ci`: everything CI checks, in order: format, clippy, layering,
//!   tests, the official conformance suite compared with ours, docs,
//!   `cargo package` of every publishable crate, each feature of the
//!   library crates checked alone, cargo-deny, a few seconds of each fuzz
//!   target.
//! - `test`: the whole test suite (the README's test command), then the
//!   tests of `examples/external/` (a crate outside the workspace).
//! - `check-layers`: fails on any internal crate edge outside the table of
//!   ARCHITECTURE.md, and on a workspace member missing from it (see
//!   [`layers`]).
//! - `check-modules`: fails when the files of a crate import each other
//!   in a circle (see [`modules`]).
//! - `fuzz [--seconds N] [TARGET...]`: the fuzz targets of `fuzz/` (see
//!   [`fuzz`]); `ci` runs each for a few seconds.
//! - `reliability [--fuzz-seconds N]`: the crash, concurrency and property
//!   scenarios and every fuzz target, written to RELIABILITY.md.

mod bench;
mod conformance;
mod demo;
mod external;
mod fuzz;
mod layers;
mod modules;
mod package;
mod reliability;

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let job = args.first().map(String::as_str).unwrap_or("help");
    let result = match job {
        "ci" => ci(),
        "test" => test(&args[1..]),
        "check-layers" => check_layers(),
        "check-modules" => check_modules(),
        "package" => package::package_all(),
        "check-features" => package::check_each_feature(),
        "conformance" => conformance::run(&args[1..]),
        "bench" => bench::run(&args[1..]),
        "demo" => demo::run(),
        "fuzz" => fuzz::run(&args[1..]),
        "reliability" => reliability::run(&args[1..]),
        "help" | "--help" | "-h" => {
            print_help();
            Ok(())
        }
        other => Err(anyhow::anyhow!(
            "unknown job {other:?}; try `cargo xtask help`"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <job>\n\n\
         jobs:\n  \
         demo          build oras, push files to an OCI layout on disk and pull them back\n  \
         ci            format check, clippy -D warnings, check-layers, tests, conformance comparison, docs,\n                \
       cargo package, each feature checked, cargo-deny\n  \
         test [ARGS]   the whole test suite (extra ARGS go to cargo test)\n  \
         check-layers  fail on crate edges outside the layering of ARCHITECTURE.md\n  \
         check-modules fail when files of a crate import each other in a circle\n  \
         package       cargo package every publishable crate\n  \
         check-features  cargo check each feature of the library crates alone\n  \
         conformance   run the distribution-spec conformance runner (ARGS go to it);\n                \
       --compare --registry distribution|referrers|all: beside the official suite\n  \
         bench         benchmarks against the peers (see BENCHMARKS.md)\n  \
         fuzz [--seconds N] [TARGET...]\n                \
       run the fuzz targets of fuzz/ (all by default, 60 s each)\n  \
         reliability [--fuzz-seconds N]\n                \
       run the reliability scenarios and the fuzz targets, write RELIABILITY.md"
    );
}

/// Everything CI checks, stopping at the first failure.
fn ci() -> Result<()> {
    step("format", cargo(&["fmt", "--all", "--", "--check"]))?;
    step(
        "clippy",
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step("check-layers", check_layers())?;
    step("unused dependencies", machete())?;
    step("check-modules", check_modules())?;
    step("tests", test(&[]))?;
    step("fuzz: each target a few seconds", fuzz::smoke())?;
    step(
        "conformance: official suite beside ours",
        conformance::compare_for_ci(),
    )?;
    step("docs", {
        let mut doc = Command::new(cargo_bin());
        doc.args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings");
        run(doc)
    })?;
    step("package", package::package_all())?;
    step("features", package::check_each_feature())?;
    step("cargo-deny", deny())?;
    println!("xtask ci: all checks passed");
    Ok(())
}

/// The whole test suite: unit, integration, doc tests, the real-registry
/// tests (the harness installs CNCF Distribution when missing) and the
/// runnable examples.
fn test(extra: &[String]) -> Result<()> {
    let mut args = vec!["test", "--workspace", "--no-fail-fast"];
    args.extend(extra.iter().map(String::as_str));
    let workspace = cargo(&args);
    let external = external::test();
    workspace.and(external)
}

/// `cargo machete`: fails on a dependency a crate declares and never
/// uses, so the declared graph stays the real one. A false positive (a
/// crate used only through a macro, say) goes in the crate's
/// `[package.metadata.cargo-machete] ignored` list, with the reason.
fn machete() -> Result<()> {
    // cargo-machete takes its arguments as paths to analyse when
    // `CARGO_PKG_NAME` is set, as it is in this process (`cargo run`).
    let machete = |args: &[&str]| {
        let mut command = Command::new(cargo_bin());
        command
            .arg("machete")
            .args(args)
            .env_remove("CARGO_PKG_NAME");
        command
    };
    let found = machete(&["--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        bail!(
            "cargo-machete is not installed; run `cargo install --locked cargo-machete` (.ci/run does)"
        );
    }
    run(machete(&[]))
}

/// `cargo deny check bans licenses sources`. The advisories check needs
/// a database download this machine cannot make, so it is left out.
fn deny() -> Result<()> {
    let found = Command::new(cargo_bin())
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        bail!(
            "cargo-deny is not installed; run `cargo install --locked cargo-deny` (.ci/run does)"
        );
    }
    cargo(&["deny", "check", "bans", "licenses", "sources"])
}

/// `cargo metadata --no-deps` of the workspace, parsed.
pub(crate) fn workspace_metadata() -> Result<serde_json::Value> {
    let output = Command::new(cargo_bin())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("parsing cargo metadata")?;
    Ok(metadata)
}

fn check_layers() -> Result<()> {
    let metadata = workspace_metadata()?;
    let violations = layers::violations(&metadata)?;
    if violations.is_empty() {
        println!("check-layers: every internal edge follows the layering");
        return Ok(());
    }
    for v in &violations {
        eprintln!("check-layers: forbidden edge {v}");
    }
    bail!("{} crate edge(s) outside the layering", violations.len())
}

/// Fails when the files of a workspace crate import each other in a
/// circle (see [`modules`]).
fn check_modules() -> Result<()> {
    let metadata = workspace_metadata()?;
    let packages = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages array")?;
    let mut found = 0;
    for package in packages {
        let (Some(name), Some(manifest)) =
            (package["name"].as_str(), package["manifest_path"].as_str())
        else {
            continue;
        };
        let src = std::path::Path::new(manifest).with_file_name("src");
        if !src.is_dir() {
            continue;
        }
        for circle in modules::circles(&src)? {
            eprintln!("check-modules: {name}: {}", circle.join(" <-> "));
            found += 1;
        }
    }
    if found > 0 {
        bail!("{found} circle(s) of files importing each other");
    }
    println!("check-modules: the files of every crate form a tree");
    Ok(())
}

fn step(name: &str, result: Result<()>) -> Result<()> {
    result.with_context(|| format!("step `{name}` failed"))
}

pub(crate) fn cargo(args: &[&str]) -> Result<()> {
    let mut command = Command::new(cargo_bin());
    command.args(args);
    run(command)
}

pub(crate) fn run(mut command: Command) -> Result<()> {
    eprintln!("xtask: running {command:?}");
    let status = command
        .status()
        .with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{command:?} exited with {status}");
    }
    Ok(())
}

pub(crate) fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
