//! `cargo package` for every publishable crate, and `cargo check` of each
//! feature of the library crates, as CI steps.
//!
//! Publishable crates are the workspace members without `publish = false`
//! (read from `cargo metadata`), packaged together so cargo orders them
//! by dependency and resolves each against the others instead of
//! crates.io (`--no-verify`: the tests already built them).

use anyhow::{Context, Result};

use crate::{cargo, workspace_metadata};

/// The workspace members that `cargo publish` would publish.
fn publishable() -> Result<Vec<(String, Vec<String>)>> {
    let metadata = workspace_metadata()?;
    let packages = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages array")?;
    // `publish = false` shows as an empty list of registries.
    Ok(packages
        .iter()
        .filter(|p| p["publish"].as_array().is_none_or(|r| !r.is_empty()))
        .filter_map(|p| {
            let name = p["name"].as_str()?.to_owned();
            let features = p["features"]
                .as_object()
                .map(|f| f.keys().filter(|k| *k != "default").cloned().collect())
                .unwrap_or_default();
            Some((name, features))
        })
        .collect())
}

/// `cargo package --no-verify` of every publishable crate at once.
pub(crate) fn package_all() -> Result<()> {
    let crates = publishable()?;
    let mut args = vec!["package", "--no-verify", "--allow-dirty"];
    for (name, _) in &crates {
        args.extend(["-p", name.as_str()]);
    }
    cargo(&args)
}

/// `cargo check` of the facade and the library crates (every publishable
/// crate but the binary) with default features off, then with each
/// feature alone and with all of them (as `cargo hack check
/// --each-feature` would).
pub(crate) fn check_each_feature() -> Result<()> {
    for (name, features) in publishable()? {
        if name == "oras-cli" {
            continue;
        }
        cargo(&["check", "-p", &name, "--no-default-features"])?;
        if features.is_empty() {
            continue;
        }
        for feature in &features {
            cargo(&[
                "check",
                "-p",
                &name,
                "--no-default-features",
                "--features",
                feature,
            ])?;
        }
        cargo(&["check", "-p", &name, "--all-features"])?;
    }
    Ok(())
}
