//! Real registries and the official suite for `cargo xtask conformance
//! --compare`, from the test kit (a dev-dependency, which examples may
//! use), so that xtask itself does not depend on the test kit.
//!
//! ```text
//! real_registry suite
//!     builds the official Ginkgo suite; prints its version, then its path
//! real_registry run distribution|referrers PROGRAM [ARGS...]
//!     starts a fresh registry, runs PROGRAM with OCI_ROOT_URL set to the
//!     registry's base URL, stops the registry; exits as PROGRAM did
//! ```
//!
//! When it fails itself (a registry that does not start or stop), it
//! exits with 125, as `timeout` does, so the caller tells that apart from
//! the program's own status.
//!
//! `distribution` is CNCF Distribution from Debian, plain HTTP
//! (`oras_testkit::real::RealRegistry`); `referrers` is olareg with the OCI
//! 1.1 referrers API (`oras_testkit::real::ReferrersRegistry`). Starting
//! and stopping are bounded by the test kit; the caller bounds PROGRAM.

use std::process::{Command, ExitCode};

use oras_testkit::real::{
    GINKGO_SUITE_VERSION, Mode, RealRegistry, ReferrersRegistry, official_ginkgo_suite,
};

type BoxError = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("real_registry: {err}");
            ExitCode::from(125)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, BoxError> {
    match args {
        [job] if job == "suite" => {
            let path = official_ginkgo_suite()?;
            println!("{GINKGO_SUITE_VERSION}");
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        [job, kind, program, rest @ ..] if job == "run" => {
            let mut command = Command::new(program);
            command.args(rest);
            with_registry(kind, command)
        }
        _ => {
            Err("usage: real_registry suite | run distribution|referrers PROGRAM [ARGS...]".into())
        }
    }
}

/// Runs `command` against a fresh registry of `kind`; the registry is
/// stopped whatever the command did.
fn with_registry(kind: &str, mut command: Command) -> Result<ExitCode, BoxError> {
    let (status, stopped) = match kind {
        "distribution" => {
            let server = RealRegistry::start(Mode::Plain)?;
            let status = command.env("OCI_ROOT_URL", server.url()).status();
            (status, server.stop())
        }
        "referrers" => {
            let server = ReferrersRegistry::start()?;
            let status = command.env("OCI_ROOT_URL", server.base_url()).status();
            (status, server.stop())
        }
        other => {
            return Err(format!("unknown registry {other:?}: distribution or referrers").into());
        }
    };
    let status = status?;
    stopped?;
    let code = status
        .code()
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(1);
    Ok(ExitCode::from(code))
}
