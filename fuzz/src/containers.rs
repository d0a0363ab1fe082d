//! Shared pieces of the containers configuration targets
//! (`oras-containers-config`): a sandbox laid out as `/etc` plus a home,
//! the references a loaded configuration is asked about, and the checks
//! every answer passes.
//!
//! Invariants: a malformed file fails with an error that names that file
//! (and, for a parse error, a line inside it); a configuration that loads
//! resolves any reference, for a pull and for a push, without panicking;
//! a push never goes to a mirror.

use std::path::{Path, PathBuf};

use oras_containers_config::{ContainersConfig, Environment, Error, Operation, RegistriesConf};

/// A policy.json that lets every read through, so that resolving a pull
/// gets past the policy check to the mirrors.
pub const ACCEPT_ANYTHING: &[u8] = br#"{"default":[{"type":"insecureAcceptAnything"}]}"#;

/// References every loaded configuration is asked about: short names
/// (with a tag, a digest, a namespace), Docker Hub, a port, localhost.
pub const REFERENCES: &[&str] = &[
    "alpine",
    "alpine:3",
    "team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "docker.io/library/alpine:3",
    "registry.example/team/app:v1",
    "registry.example:5000/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "localhost/app:v1",
    "a.b.example/c",
];

/// A digest suffix for references built from the configuration.
const BY_DIGEST: &str = "@sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// A temporary root laid out as [`Environment::rooted`] reads it.
pub struct Sandbox {
    root: tempfile::TempDir,
    env: Environment,
}

impl Sandbox {
    /// A fresh, empty sandbox; `None` when no temporary directory can be
    /// made (the input is then skipped, not failed).
    pub fn new() -> Option<Sandbox> {
        // In memory where a tmpfs exists: a directory tree made and removed
        // per input is several times faster there than on disk.
        let root = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .ok()?;
        let env = Environment::rooted(root.path());
        Some(Sandbox { root, env })
    }

    /// A sandbox holding [`ACCEPT_ANYTHING`] as the system policy.json and
    /// `files` (a path under the root and its contents); the paths of
    /// `files`, in order.
    pub fn with_files<const N: usize>(
        files: [(&str, &[u8]); N],
    ) -> Option<(Sandbox, [PathBuf; N])> {
        let sandbox = Sandbox::new()?;
        sandbox.write("etc/containers/policy.json", ACCEPT_ANYTHING)?;
        let mut paths = Vec::with_capacity(N);
        for (relative, data) in files {
            paths.push(sandbox.write(relative, data)?);
        }
        Some((sandbox, paths.try_into().ok()?))
    }

    /// Loads the configuration of a sandbox whose one file is `data` at
    /// `relative`; `None` when that fails, after checking that the error
    /// names the file.
    pub fn load_one(relative: &str, data: &[u8]) -> Option<(Sandbox, PathBuf, ContainersConfig)> {
        let (sandbox, [path]) = Sandbox::with_files([(relative, data)])?;
        match ContainersConfig::load_with(sandbox.env()) {
            Ok(config) => Some((sandbox, path, config)),
            Err(err) => {
                check_names_file(&err, &path, data);
                None
            }
        }
    }

    /// The locations of this sandbox.
    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// Writes `data` to `relative` (under the root), making its parents.
    pub fn write(&self, relative: &str, data: &[u8]) -> Option<PathBuf> {
        let path = self.root.path().join(relative);
        std::fs::create_dir_all(path.parent()?).ok()?;
        std::fs::write(&path, data).ok()?;
        Some(path)
    }
}

/// Panics unless `err` names `file`: a `Malformed` error carries its path
/// and a line within `text` (0: the whole file), a read error its path;
/// the message starts with or contains the path either way.
pub fn check_names_file(err: &Error, file: &Path, text: &[u8]) {
    let shown = err.to_string();
    assert!(
        shown.contains(&file.display().to_string()),
        "the error does not name {file:?}: {shown}"
    );
    match err {
        Error::Malformed { path, line, .. } => {
            assert_eq!(path, file, "{shown}");
            let lines = text.iter().filter(|b| **b == b'\n').count() + 1;
            assert!(
                *line <= lines,
                "line {line} of a {lines}-line file: {shown}"
            );
        }
        Error::Read { path, .. } => assert_eq!(path, file, "{shown}"),
        _ => {}
    }
}

/// References `conf` itself suggests: under each registry prefix (a
/// subdomain for a `*.domain` one), location and mirror, each alias and
/// each search registry; by tag and by digest.
pub fn references_of(conf: &RegistriesConf) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for registry in &conf.registries {
        match registry.prefix.strip_prefix("*.") {
            Some(domain) => names.push(format!("sub.{domain}")),
            None => names.push(registry.prefix.clone()),
        }
        names.push(registry.location.clone());
        names.extend(registry.mirrors.iter().map(|m| m.location.clone()));
    }
    names.extend(conf.unqualified_search_registries.iter().cloned());
    let mut references = Vec::new();
    for name in names.iter().take(16) {
        references.push(name.clone());
        references.push(format!("{name}/app:v1"));
        references.push(format!("{name}/app{BY_DIGEST}"));
    }
    for alias in conf.aliases.keys().take(16) {
        references.push(format!("{alias}:v1"));
        references.push(format!("{alias}{BY_DIGEST}"));
    }
    references
}

/// Resolves each of `references` for a pull and a push. Neither may
/// panic; a push resolves to no mirror, and a pull to at least as many
/// endpoints as the push of the same reference.
pub fn resolve_all(config: &ContainersConfig, references: &[String]) {
    let all = REFERENCES
        .iter()
        .map(|r| r.to_string())
        .chain(references.iter().cloned());
    for reference in all {
        let push = config.endpoints(&reference, Operation::Push);
        let pull = config.endpoints(&reference, Operation::Pull);
        if let Ok(push) = &push {
            assert!(
                push.iter().all(|e| !e.mirror),
                "a push to {reference:?} would go to a mirror: {push:?}"
            );
            if let Ok(pull) = &pull {
                assert!(pull.len() >= push.len(), "{reference:?}: {pull:?} {push:?}");
            }
        }
        let _ = config.registries().find(&reference);
        let _ = oras_containers_config::candidates(config.registries(), &reference);
    }
}
