//! The differential suite: every scenario runs once with the reference Go
//! `oras` CLI (built by `oras_testkit::reference::go_oras`, or named by
//! `ORAS_TEST_GO_ORAS`) and once with ours, and everything observable is
//! compared. Run a subset with `ORAS_DIFFERENTIAL_FILTER=<substring of a
//! name, or a file name without .toml>`. Both runs' full, normalised
//! observations are written to `target/reference-tools/differential-report/`.
//! `ORAS_DIFFERENTIAL_UPDATE_KNOWN=1` rewrites the known-divergence list to
//! match the run (fixed scenarios dropped, new divergences added under
//! `unsorted`, to be described and grouped by hand) instead of failing on it.
//! `ORAS_DIFFERENTIAL_SELF_CHECK=1` runs the Go CLI against itself instead:
//! every scenario must then be identical, which finds scenarios whose
//! output varies from run to run and needs a normaliser.
//!
//! `flag_coverage` reads every command, alias and long flag from the Go
//! binary's `--help` pages and fails for a flag no compared step uses,
//! unless `tests/it/differential/flag_exemptions.toml` lists it with why.
//!
//! # Scenario files
//!
//! `tests/it/differential/scenarios/<group>.toml` holds `[[scenario]]` tables:
//!
//! ```toml
//! [[scenario]]
//! name = "push-file"            # unique; a-z, 0-9, inner '-'
//! registry = "plain"            # plain (default) | basic (TLS + htpasswd) | token
//!                               # | mtls (basic + a required client certificate) | none
//! normalise = ["digests"]       # optional named normalisers, see below
//! deliberate = "why"            # optional: a difference is deliberate (we are safer or more capable)
//! dirs = ["empty"]              # optional directories to create in the work dir
//! files = [                     # optional files (mtime fixed, mode 0o644 unless given)
//!   { path = "a.txt", content = "hi\n", mode = 0o600, repeat = 1 },
//!   { path = "link", symlink = "a.txt" },
//! ]
//! setup = [["push", "--plain-http", "{repo}:seed", "a.txt"]]  # run with the Go CLI; must succeed
//! compare_registry = true       # compare the run's repositories afterwards (default)
//! compare_files = true          # compare work dir and home afterwards (default)
//! tty = false                   # run the steps with stderr on a pseudo-terminal (see below)
//! steps = [
//!   ["push", "--plain-http", "{repo}:v1", "a.txt"],     # bare argv: run by the implementation under test
//!   { args = ["pull", "{repo}:v1"], binary = "go",       # "both" (default) | "go" | "ours": fixed implementation
//!     stdin = "text", compare = ["exit", "stdout"],      # default: exit, stdout and stderr
//!     env = { ORAS_CACHE = "{workdir}/cache" } },
//! ]
//! ```
//!
//! Placeholders in arguments, stdin, env values and file contents:
//! `{registry}` (`127.0.0.1:PORT`, a closed port when `registry = "none"`),
//! `{repo}` (`{registry}/{repo_path}`), `{repo_path}` (`diff/<name>/go` in
//! the Go run, `diff/<name>/rs` in ours), `{workdir}` (the current
//! directory), `{layout}` (`{workdir}/layout`), `{home}`, `{tmp}` (`TMPDIR`),
//! `{ca}` (the TLS registry's CA file), `{user}`/`{password}` (the
//! registry's full user), `{reader_user}`/`{reader_password}` (token mode's
//! read-only user), `{client_cert}`/`{client_key}` (mtls mode's client
//! certificate and key), `{closed}` (a loopback port where nothing listens).
//! In outputs the token server's address also becomes `{token_server}`.
//!
//! Each run has a clean environment: `PATH`, `HOME`, `DOCKER_CONFIG`
//! (`{home}/.docker`), `TMPDIR`, plus a step's `env`; no `TERM`, no TTY, a
//! 60 s bound per process.
//!
//! # Comparison and normalisers
//!
//! Per step: exit code, stdout, stderr. Per scenario: files under the work
//! dir and home (path, mode, bytes, symlink target) and the repositories at
//! or under `{repo_path}` (tags, manifest revisions with their bytes, layer
//! links), read from the registry's storage. Run-specific strings (the
//! values of the placeholders above) are always replaced by their
//! placeholder names. Anything else that must differ is removed only by the
//! normalisers a scenario lists: `digests` (`sha256:…`, 64- and 12-hex
//! strings), `created` (`org.opencontainers.image.created` values),
//! `timestamps` (RFC 3339), `durations`, `temp_paths` (`/tmp/…`),
//! `unordered` (stdout and stderr lines sorted), `upload_urls` (blob upload
//! session URLs), `index_order` (the `manifests` of `index.json` files sorted:
//! the Go CLI writes layout tags in map order), `progress` (the timing of a
//! progress screen: spinner frames, unfinished bars, speeds, percentages
//! and offsets, elapsed times and padding; each bar's `└─ <digest>` line
//! joined to it; applied first, so `unordered` sorts whole bars).
//!
//! # Terminal scenarios
//!
//! With `tty = true` every step runs under util-linux `script` with
//! standard error (and input) on a 160×60 pseudo-terminal and standard
//! output redirected to a file, as when a user pipes `oras` into another
//! program; `stdin` is not used. The compared stderr is the terminal's
//! final screen (replayed by `oras_testkit::reference::Screen`), so the
//! structure of the progress display is compared: its lines, their order,
//! status words, names, digests and sizes. Such a scenario must list the
//! `progress` normaliser.
//!
//! # Outcomes
//!
//! `identical`, `deliberate` (differs, with a `deliberate` reason) or
//! divergent. Divergences not yet fixed are listed in
//! `tests/it/differential/known_divergences.toml` (`[[divergence]]` with
//! `scenario` and `description`). The test fails on a divergent scenario
//! that is not listed, on a listed one that no longer diverges, and on a
//! harness error (such as a failing setup step).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use oras_testkit::real::skip_requested;
use oras_testkit::reference::{
    Binaries, SuiteConfig, go_oras, load_known_divergences, load_scenarios, run_suite, tools_dir,
};

#[path = "differential/flag_coverage.rs"]
mod flag_coverage;

/// The comment at the top of the known-divergence list.
const KNOWN_HEADER: &str = "\
# Scenarios where our oras differs from the Go oras CLI and the difference
# is not yet fixed. One `[[divergence]]` per scenario: its name and one
# line saying what differs, prefixed with the likely cause (entries are
# grouped by it). The suite fails when a scenario diverges without being
# listed here, and when a listed one no longer diverges (remove it then,
# or run the suite with ORAS_DIFFERENTIAL_UPDATE_KNOWN=1).
";

/// Scenarios run at once (each runs its two implementations in turn).
const WORKERS: usize = 4;

#[test]
fn go_and_ours_behave_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/differential");
    let scenarios = load_scenarios(&dir.join("scenarios")).unwrap();
    let known = load_known_divergences(&dir.join("known_divergences.toml")).unwrap();
    let go = go_oras().unwrap_or_else(|e| panic!("{e}"));
    let self_check = std::env::var("ORAS_DIFFERENTIAL_SELF_CHECK").is_ok_and(|v| v == "1");
    let ours = if self_check {
        go.clone()
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_oras"))
    };
    let config = SuiteConfig {
        scenarios,
        known: if self_check { Vec::new() } else { known },
        binaries: Binaries { go, ours },
        workers: WORKERS,
        report_dir: tools_dir().ok().map(|d| d.join("differential-report")),
    };
    let filter = std::env::var("ORAS_DIFFERENTIAL_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let report = match run_suite(&config, filter.as_deref()) {
        Ok(report) => report,
        Err(e) if e.is_not_installed() && skip_requested() => {
            eprintln!("SKIP: differential suite: {e}");
            return;
        }
        Err(e) => panic!("differential suite: {e}"),
    };
    print!("{}", report.render());
    println!("{}", report.summary());
    let update = std::env::var("ORAS_DIFFERENTIAL_UPDATE_KNOWN").is_ok_and(|v| v == "1");
    if update && !self_check && filter.is_none() {
        let path = dir.join("known_divergences.toml");
        std::fs::write(&path, report.updated_known_list(KNOWN_HEADER)).unwrap();
        println!("differential: rewrote {}", path.display());
        return;
    }
    let problems = report.problems();
    assert!(
        problems.is_empty(),
        "{}\n{}\n{}",
        report.render(),
        report.summary(),
        problems.join("\n")
    );
}
