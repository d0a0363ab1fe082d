//! Checks for crash-consistency tests: what a process killed outright
//! (SIGKILL) may leave behind, and seeded kill times.
//!
//! - [`check_layout`]: an OCI image layout is valid (`index.json` parses,
//!   every blob reachable from it exists and matches its digest, no file
//!   under a final blob name is partial) and its tags;
//! - [`check_no_partial_files`]: every file under a directory is either
//!   complete under its final name or a recognisable temp file;
//! - [`KillClock`]: reproducible random kill times from a seed that is
//!   printed and can be set (`ORAS_CRASH_SEED`) to replay a failure.

mod files;
mod kill;
mod layout;

pub use files::check_no_partial_files;
pub use kill::{KillClock, SEED_ENV};
pub use layout::check_layout;
