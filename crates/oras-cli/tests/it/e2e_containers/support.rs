//! An isolated `oras` environment: its own `HOME`, `XDG_*` directories,
//! Docker config and system configuration root, a bounded run time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

/// The longest any single `oras` run may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// A working directory with its own home.
pub(crate) struct Env {
    dir: TempDir,
}

/// What one run printed.
pub(crate) struct Run {
    pub(crate) ok: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Env {
    /// A fresh environment.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home/.docker", "home/.config/containers", "work", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        // Reads need a policy.json; the user's wins over the machine's.
        std::fs::write(
            dir.path().join("home/.config/containers/policy.json"),
            br#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )
        .unwrap();
        Env { dir }
    }

    /// A path inside the environment.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
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

    /// The user's containers directory (`~/.config/containers`).
    pub(crate) fn containers_dir(&self) -> PathBuf {
        self.path("home/.config/containers")
    }

    /// `oras` in the working directory with empty stdin; the containers
    /// configuration is read from this environment only.
    pub(crate) fn oras(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oras"));
        cmd.current_dir(self.path("work"))
            .env("HOME", self.path("home"))
            .env("DOCKER_CONFIG", self.path("home/.docker"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("REGISTRY_AUTH_FILE")
            .env(
                "CONTAINERS_REGISTRIES_CONF",
                self.containers_dir().join("registries.conf"),
            )
            .env_remove("ORAS_EXPERIMENTAL_CONTAINERS_CONFIG")
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

    /// `oras` with the containers configuration on.
    pub(crate) fn oras_containers(&self) -> Command {
        let mut cmd = self.oras();
        cmd.env("ORAS_EXPERIMENTAL_CONTAINERS_CONFIG", "1");
        cmd
    }

    /// Runs `cmd` with `args`.
    pub(crate) fn run(mut cmd: Command, args: &[&str]) -> Run {
        let out = cmd.args(args).output().unwrap();
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `cmd` with `args` and fails the test unless it succeeds.
    pub(crate) fn ok(cmd: Command, args: &[&str]) -> String {
        let run = Env::run(cmd, args);
        assert!(
            run.ok,
            "oras {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Pushes a one-file artifact to `reference` with `extra` flags and
    /// returns the manifest digest.
    pub(crate) fn push(&self, reference: &str, content: &str, extra: &[&str]) -> String {
        let file = self.write(&format!("work/{content}.txt"), content.as_bytes());
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        let mut args = vec!["push", "--format", "go-template={{.digest}}"];
        args.extend_from_slice(extra);
        args.push(reference);
        args.push(&name);
        Env::ok(self.oras(), &args).trim().to_string()
    }
}

/// Writes `path`'s parent directories and `content`.
pub(crate) fn write_file(path: &Path, content: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// The token registry whose tokens are scoped per namespace, with
/// `team-a/src:v1` pushed by `team-a`.
pub(crate) struct Teams {
    pub(crate) registry: oras_testkit::real::RealRegistry,
    pub(crate) env: Env,
    /// `team-a`'s user and password.
    pub(crate) a: (String, String),
    /// `team-b`'s user and password.
    pub(crate) b: (String, String),
    /// `<host>/team-a/src:v1`.
    pub(crate) src: String,
    /// `<host>/team-b/dst:v1`.
    pub(crate) dst: String,
    /// The digest of the manifest pushed to `src`.
    pub(crate) pushed: String,
}

impl Teams {
    /// Starts the registry and pushes a file named `content`; `None` when
    /// the real registry is skipped.
    pub(crate) async fn start(content: &str) -> Option<Teams> {
        let registry =
            oras_testkit::real::start_for_test_async(oras_testkit::real::Mode::Token).await?;
        let host = registry.host();
        let owned = |(user, password): (&str, &str)| (user.to_owned(), password.to_owned());
        let a = owned(registry.scoped_credentials("team-a")?);
        let b = owned(registry.scoped_credentials("team-b")?);
        let env = Env::new();
        let src = format!("{host}/team-a/src:v1");
        let pushed = tokio::task::block_in_place(|| {
            env.push(&src, content, &["--plain-http", "-u", &a.0, "-p", &a.1])
        });
        Some(Teams {
            env,
            a,
            b,
            src,
            dst: format!("{host}/team-b/dst:v1"),
            pushed,
            registry,
        })
    }
}
