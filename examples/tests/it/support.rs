//! Running an example binary against a real registry, and checking what it
//! left behind with the libraries themselves.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use oras_auth::{Credential, StaticCredential};
use oras_remote::{ClientConfig, ProxyConfig, Repository};
use oras_testkit::real::{Mode, RealRegistry};

/// The longest any one example may run.
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// The longest a whole test may take.
pub const TEST_LIMIT: Duration = Duration::from_secs(240);

/// Environment variables that would route the examples' requests away
/// from 127.0.0.1 or log them in without being asked to.
const SCRUBBED_ENV: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "ORAS_USERNAME",
    "ORAS_PASSWORD",
];

/// An example to run: its binary, arguments and extra environment.
pub struct Example {
    command: tokio::process::Command,
}

impl Example {
    /// The example whose binary is at `bin` (`env!("CARGO_BIN_EXE_<name>")`).
    pub fn new(bin: &str) -> Self {
        let mut command = tokio::process::Command::new(bin);
        for name in SCRUBBED_ENV {
            command.env_remove(name);
        }
        // Never read the Docker config of whoever runs the tests.
        command.env(
            "DOCKER_CONFIG",
            std::env::temp_dir().join("oras-examples-no-docker-config"),
        );
        command.kill_on_drop(true);
        Example { command }
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Sets an environment variable for this run only.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Runs in `dir`.
    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// The flags that reach `registry`: `--plain-http` or `--ca-file`.
    pub fn connect(self, registry: &RealRegistry) -> Self {
        match registry.mode() {
            Mode::Plain | Mode::Token => self.arg("--plain-http"),
            Mode::TlsBasic => self
                .arg("--ca-file")
                .arg(registry.ca_path().expect("a TLS registry has a CA")),
        }
    }

    /// The flags that log in to `registry` (none when it has no users).
    pub fn login(self, registry: &RealRegistry) -> Self {
        match (registry.username(), registry.password()) {
            (Some(user), Some(password)) => self.args(["-u", user, "-p", password]),
            _ => self,
        }
    }

    /// Runs the example to its end (killed after [`RUN_LIMIT`]).
    pub async fn output(mut self) -> Output {
        let shown = format!("{:?}", self.command.as_std());
        match tokio::time::timeout(RUN_LIMIT, self.command.output()).await {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => panic!("cannot run {shown}: {e}"),
            Err(_) => panic!("{shown} ran longer than {RUN_LIMIT:?}"),
        }
    }

    /// Runs the example, expects success and returns its standard output.
    pub async fn succeeds(self) -> String {
        let shown = format!("{:?}", self.command.as_std());
        let output = self.output().await;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{shown} failed ({})\nstdout:\n{stdout}\nstderr:\n{stderr}",
            output.status
        );
        stdout
    }

    /// Runs the example, expects failure and returns its standard error.
    pub async fn fails(self) -> String {
        let shown = format!("{:?}", self.command.as_std());
        let output = self.output().await;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !output.status.success(),
            "{shown} succeeded but should have failed\nstdout:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        stderr
    }
}

/// A client of `registry` for checking what the examples did: no proxy,
/// the registry's CA, its full user.
pub fn client_config(registry: &RealRegistry) -> ClientConfig {
    let mut config = ClientConfig::new().proxy(ProxyConfig::none());
    config = match registry.mode() {
        Mode::Plain | Mode::Token => config.plain_http(true),
        Mode::TlsBasic => config
            .without_system_roots()
            .ca_file(registry.ca_path().expect("a TLS registry has a CA")),
    };
    if let (Some(user), Some(password)) = (registry.username(), registry.password()) {
        config = config.credentials(Arc::new(StaticCredential::new(
            registry.host(),
            Credential::basic(user, password),
        )));
    }
    config
}

/// The repository `name` of `registry`, for checks.
pub fn repository(registry: &RealRegistry, name: &str) -> Repository {
    oras_remote::Registry::with_config(&registry.host(), client_config(registry))
        .expect("registry client")
        .repository(name)
        .expect("repository name")
}

/// The last whitespace-separated word of the first stdout line starting
/// with `prefix`.
pub fn word_after(stdout: &str, prefix: &str) -> String {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{stdout}"))
        .to_owned()
}
