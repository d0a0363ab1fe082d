//! `cargo xtask bench ARGS`: runs the benchmark crate, `oras-bench`
//! (`bench/`), as `cargo run --release -p oras-bench -- ARGS`. The crate
//! builds the release `oras`, starts the registries, measures and writes
//! `BENCHMARKS.md`; see its `--help`.

use anyhow::Result;

/// Runs the benchmark with `args`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut cargo_args = vec!["run", "--quiet", "--release", "-p", "oras-bench", "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    crate::cargo(&cargo_args)
}
