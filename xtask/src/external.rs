//! The tests of `examples/external/`, a crate outside the workspace that
//! depends on the facade alone, as a user's crate would.
//!
//! It is built in the workspace's `target/` with the workspace's
//! `Cargo.lock` (copied in; the copy is ignored by git), so it reuses the
//! dependencies the workspace tests already compiled.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{cargo_bin, run};

/// `cargo test` in `examples/external/`.
pub(crate) fn test() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask has no parent directory")?;
    let external = root.join("examples/external");
    std::fs::copy(root.join("Cargo.lock"), external.join("Cargo.lock"))
        .context("copying Cargo.lock into examples/external")?;
    let mut command = Command::new(cargo_bin());
    command
        .args(["test", "--manifest-path"])
        .arg(external.join("Cargo.toml"))
        .env(
            "CARGO_TARGET_DIR",
            std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| root.join("target").into()),
        );
    run(command)
}
