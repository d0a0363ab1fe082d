//! An isolated environment for the `oras` binary: a temporary working
//! directory with its own `HOME` and `DOCKER_CONFIG`, no `ORAS_CACHE` and
//! no proxies, and a bounded run time; plus small file helpers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

/// The longest any single `oras` run may take.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// A working directory with its own `HOME` and Docker config.
pub(crate) struct Env {
    dir: TempDir,
}

impl Env {
    /// A fresh environment.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.docker")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        Env { dir }
    }

    /// A path inside the working directory.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("work").join(name)
    }

    /// The Docker config file of this environment.
    pub(crate) fn docker_config(&self) -> PathBuf {
        self.dir.path().join("home/.docker/config.json")
    }

    /// Writes `content` to `name` (parents created).
    pub(crate) fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Reads `name`.
    pub(crate) fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// `oras` run in the working directory, with empty stdin.
    pub(crate) fn oras(&self) -> Command {
        self.command(Path::new(env!("CARGO_BIN_EXE_oras")))
    }

    /// `program` run as [`Env::oras`] runs ours (the Go `oras`, or a
    /// wrapper such as `unshare` around ours).
    pub(crate) fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path().join("work"))
            .env("HOME", self.dir.path().join("home"))
            .env("DOCKER_CONFIG", self.dir.path().join("home/.docker"))
            .env_remove("ORAS_CACHE")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("RUST_LOG")
            .write_stdin("")
            .timeout(COMMAND_TIMEOUT);
        cmd
    }

    /// Runs `oras args…` and returns its stdout; fails the test with the
    /// output when it does not succeed.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.oras().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "oras {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `oras args…`, which must fail with exit code 1; returns stderr.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let out = self.oras().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "oras {args:?} should fail\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

/// The JSON in `text`.
pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The manifest a layout's tag points at, parsed.
pub(crate) fn layout_manifest(layout: &Path, tag: &str) -> (String, serde_json::Value) {
    let index = json(&std::fs::read_to_string(layout.join("index.json")).unwrap());
    let entry = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap_or_else(|| panic!("no tag {tag} in {index}"))
        .clone();
    let digest = entry["digest"].as_str().unwrap().to_owned();
    let blob = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    (digest, json(&std::fs::read_to_string(blob).unwrap()))
}

/// The digest line (`Digest: sha256:…`) of a summary.
pub(crate) fn digest_of(summary: &str) -> String {
    summary
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap_or_else(|| panic!("no digest in:\n{summary}"))
        .to_owned()
}
