//! The one error type of oras-credentials.

use std::path::PathBuf;
use std::time::Duration;

use crate::BoxError;

/// An error reading, writing or using credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The home directory is unknown, so `~/.docker/config.json` is too.
    #[error("cannot locate the Docker config: neither DOCKER_CONFIG nor HOME is set")]
    NoHomeDirectory,
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config file is not a valid Docker config (oras-go
    /// `ErrInvalidConfigFormat`).
    /// Worded as oras-go's config reader: `<context>: invalid config
    /// format: <cause>` (`fmt.Errorf("%s: %w: %v", ...)`).
    #[error("{context}: invalid config format: {detail}")]
    InvalidConfig {
        /// The file.
        path: PathBuf,
        /// What was being done, as oras-go words it (`failed to decode
        /// config file <path>`, `failed to unmarshal auths field`, …).
        context: String,
        /// What is wrong.
        detail: String,
    },
    /// Saving a plaintext credential is disabled (oras-go
    /// `ErrPlaintextPutDisabled`).
    #[error("putting plaintext credentials is disabled")]
    PlaintextPutDisabled,
    /// The credential cannot be stored in this format (oras-go
    /// `ErrBadCredentialFormat`).
    #[error("bad credential format: {0}")]
    BadCredentialFormat(&'static str),
    /// The credential helper program could not be started.
    #[error("running {helper}: {source}")]
    HelperSpawn {
        /// The program, `docker-credential-<name>`.
        helper: String,
        /// Why it could not run.
        source: std::io::Error,
    },
    /// The credential helper exited with an error; `message` is what it
    /// printed on stdout (the helper protocol's error channel).
    #[error("{helper} {action}: {message}")]
    Helper {
        /// The program.
        helper: String,
        /// `get`, `store` or `erase`.
        action: &'static str,
        /// The helper's message.
        message: String,
    },
    /// The credential helper did not finish in time.
    #[error("{helper} {action}: timed out after {timeout:?}")]
    HelperTimeout {
        /// The program.
        helper: String,
        /// `get`, `store` or `erase`.
        action: &'static str,
        /// The time limit.
        timeout: Duration,
    },
    /// The credential helper's answer is not the protocol's JSON.
    #[error("{helper} {action}: invalid output: {detail}")]
    HelperOutput {
        /// The program.
        helper: String,
        /// `get`, `store` or `erase`.
        action: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// Docker Desktop's helper is configured but not installed.
    #[error(
        "credentials store is configured to `desktop.exe` but Docker Desktop seems not running"
    )]
    DockerDesktopNotRunning,
    /// The registry refused the credential at login.
    #[error("failed to validate the credentials for {server}: {source}")]
    Login {
        /// The registry.
        server: String,
        /// What the ping reported.
        source: BoxError,
    },
    /// Storing or deleting a credential failed at login or logout.
    #[error("failed to {action} the credentials for {server}: {source}")]
    Store {
        /// `store` or `delete`.
        action: &'static str,
        /// The server address.
        server: String,
        /// The store's error.
        source: Box<Error>,
    },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
