//! A differential harness against the reference Go `oras` CLI: the same
//! scenario runs once with the Go binary and once with ours, each in a
//! fresh work dir with its own home and its own repository on the same
//! real registry, and everything observable is compared after
//! normalisation.
//!
//! - [`go_oras`] finds or builds the Go CLI (`oras.land/oras/cmd/oras`,
//!   version [`GO_ORAS_VERSION`]) under the workspace's
//!   `target/reference-tools/`; [`GoClient`] finds or builds it and the
//!   other Go clients the benchmark compares with (crane, regctl) there;
//! - [`load_scenarios`] reads the TOML scenario files (format documented in
//!   `crates/oras-cli/tests/it/differential.rs`);
//! - [`run_suite`] starts the registries the scenarios need, runs them on a
//!   bounded pool of workers and compares: per step the exit code, stdout
//!   and stderr; per scenario the files left in the work dir and home
//!   (paths, modes, bytes, symlink targets) and the repositories (tags,
//!   manifest revisions with their bytes, layer links);
//! - [`go_run`] runs a Go program of a crate's test tree (the reference
//!   vectors of `encoding/json` and oras-go) with the same Go directories;
//! - [`SuiteReport`] gives the summary line, a compact diff per
//!   non-identical scenario, and the problems that fail the suite
//!   (unlisted divergences, listed scenarios that became identical).

mod go_clients;
mod go_run;
mod install;
mod normalise;
mod runner;
mod scenario;
mod screen;
mod snapshot;
mod suite;
mod tty;

pub use crate::real::{Error, Result};
pub use go_clients::GoClient;
pub use go_run::{GO_RUN_TIMEOUT, go_run};
pub use install::{GO_ORAS_ENV, GO_ORAS_VERSION, go_oras, tools_dir};
pub use normalise::{Normalisation, Normaliser, TextKind};
pub use runner::{
    Binaries, Implementation, Observation, STEP_TIMEOUT, StepObservation, Target, run_scenario,
};
pub use scenario::{
    Binary, FileSpec, FlagExemption, KnownDivergence, RegistryMode, Scenario, Step, Stream,
    load_flag_exemptions, load_known_divergences, load_scenarios, parse_scenarios,
};
pub use screen::Screen;
pub use suite::{
    Difference, Outcome, ScenarioReport, SuiteConfig, SuiteReport, compare, run_suite,
};
pub use tty::{TTY_COLS, TTY_ROWS, final_screen, normalise_screen};
