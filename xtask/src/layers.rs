//! The crate layering of ARCHITECTURE.md, checked against `cargo metadata`.
//!
//! Lower crates never import higher ones. Only normal (and build)
//! dependencies count: dev-dependencies may reach anything, so tests can
//! use the test kit and other stores.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};

/// For each workspace member, the internal crates it may depend on.
/// The facade `oras-rs`, `oras-cli` and the examples may depend on every
/// library crate; the test kit is a normal dependency only where a row
/// says so (the benchmark), a dev-dependency everywhere else.
pub(crate) fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let libraries = [
        "oras-spec",
        "oras-content",
        "oras-store-oci",
        "oras-store-file",
        "oras-auth",
        "oras-credentials",
        "oras-containers-config",
        "oras-remote",
        "oras-copy",
    ];
    let table: &[(&str, &[&str])] = &[
        ("oras-spec", &[]),
        ("oras-content", &["oras-spec"]),
        ("oras-store-oci", &["oras-content", "oras-spec"]),
        ("oras-store-file", &["oras-content", "oras-spec"]),
        ("oras-auth", &["oras-credentials"]),
        ("oras-credentials", &["oras-spec"]),
        (
            "oras-containers-config",
            &["oras-credentials", "oras-auth", "oras-spec"],
        ),
        ("oras-remote", &["oras-content", "oras-spec", "oras-auth"]),
        ("oras-copy", &["oras-content", "oras-spec"]),
        ("oras-rs", &libraries),
        ("oras-cli", &libraries),
        ("oras-examples", &libraries),
        // The conformance runner speaks raw HTTP; auth only for its token
        // requests.
        ("oras-conformance", &["oras-spec", "oras-auth"]),
        ("oras-testkit", &["oras-spec"]),
        // Automation drives cargo; what needs the test kit runs as an
        // example of the crate it serves (oras-conformance's real_registry).
        ("xtask", &[]),
        // The benchmark binary starts real registries; it is tooling, not a
        // library, and never published.
        ("oras-bench", &["oras-testkit"]),
    ];
    table
        .iter()
        .map(|&(name, deps)| (name, deps.iter().copied().collect()))
        .collect()
}

/// The forbidden edges (`from -> to`) in `metadata` (the JSON of `cargo
/// metadata --format-version 1 --no-deps`), and every workspace member
/// missing from the table (`name: not in the layer table`), so a new
/// crate is placed in the layering before it builds in CI.
pub(crate) fn violations(metadata: &serde_json::Value) -> Result<Vec<String>> {
    let packages = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages array")?;
    let members: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let allowed = allowed();
    let mut out = Vec::new();
    for package in packages {
        let Some(name) = package["name"].as_str() else {
            continue;
        };
        let Some(permitted) = allowed.get(name) else {
            out.push(format!("{name}: not in the layer table"));
            continue;
        };
        let deps = package["dependencies"]
            .as_array()
            .with_context(|| format!("package {name} has no dependencies array"))?;
        for dep in deps {
            let Some(dep_name) = dep["name"].as_str() else {
                continue;
            };
            let is_dev = dep["kind"].as_str() == Some("dev");
            if is_dev || !members.contains(dep_name) || permitted.contains(dep_name) {
                continue;
            }
            out.push(format!("{name} -> {dep_name}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(name: &str, deps: &[(&str, Option<&str>)]) -> serde_json::Value {
        let deps: Vec<_> = deps
            .iter()
            .map(|(dep, kind)| json!({ "name": dep, "kind": kind }))
            .collect();
        json!({ "name": name, "dependencies": deps })
    }

    fn metadata(packages: Vec<serde_json::Value>) -> serde_json::Value {
        json!({ "packages": packages })
    }

    fn all_crates(extra: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
        let mut packages = vec![
            package("oras-spec", &[("serde", None)]),
            package("oras-content", &[("oras-spec", None)]),
            package("oras-credentials", &[("oras-spec", None)]),
            package("oras-auth", &[("oras-credentials", None)]),
            package("oras-testkit", &[("oras-spec", None)]),
        ];
        packages.extend(extra);
        packages
    }

    #[test]
    fn the_layering_as_designed_passes() {
        let m = metadata(all_crates(vec![
            package(
                "oras-copy",
                &[
                    ("oras-content", None),
                    ("oras-spec", None),
                    ("oras-testkit", Some("dev")),
                    ("oras-auth", Some("dev")),
                ],
            ),
            package("oras-cli", &[("oras-copy", None), ("oras-auth", None)]),
        ]));
        assert_eq!(violations(&m).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_forbidden_edge_fails() {
        // oras-copy must never import the registry client or a store.
        let m = metadata(all_crates(vec![package(
            "oras-copy",
            &[("oras-content", None), ("oras-auth", None)],
        )]));
        assert_eq!(violations(&m).unwrap(), vec!["oras-copy -> oras-auth"]);
        // Every member is layered: one missing from the table fails.
        let m = metadata(all_crates(vec![package(
            "oras-spec-user",
            &[("oras-content", None)],
        )]));
        assert_eq!(
            violations(&m).unwrap(),
            vec!["oras-spec-user: not in the layer table"]
        );
        // A lower crate importing a higher one counts as a build dependency too.
        let m = metadata(vec![
            package("oras-spec", &[("oras-content", Some("build"))]),
            package("oras-content", &[]),
        ]);
        assert_eq!(violations(&m).unwrap(), vec!["oras-spec -> oras-content"]);
    }

    #[test]
    fn the_test_kit_is_dev_only() {
        let m = metadata(all_crates(vec![package(
            "oras-cli",
            &[("oras-testkit", None)],
        )]));
        assert_eq!(violations(&m).unwrap(), vec!["oras-cli -> oras-testkit"]);
        for tool in ["xtask", "oras-examples", "oras-conformance"] {
            let m = metadata(all_crates(vec![package(tool, &[("oras-testkit", None)])]));
            assert_eq!(
                violations(&m).unwrap(),
                vec![format!("{tool} -> oras-testkit")]
            );
        }
    }

    #[test]
    fn the_real_workspace_passes() {
        let output = std::process::Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(output.status.success());
        let m: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(violations(&m).unwrap(), Vec::<String>::new());
    }
}
