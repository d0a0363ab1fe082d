//! The one error type of the real-registry harness.

use std::path::PathBuf;

/// What can go wrong while installing, configuring, starting or stopping
/// the real registry. Every variant carries enough context to act on it;
/// start-up failures include the tail of the registry's log.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The registry binary is missing and this process may not install it.
    /// The message says exactly how to install it or point at another one.
    #[error("{message}")]
    NotInstalled {
        /// Human instructions: which package, which command, which variable.
        message: String,
    },

    /// `apt-get` ran but did not leave a usable binary behind.
    #[error("installing docker-registry with apt-get failed: {detail}")]
    InstallFailed {
        /// The failing command and the tail of its output.
        detail: String,
    },

    /// A file-system or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What the harness was doing, with the path involved.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Generating a key, a certificate or a password hash failed.
    #[error("generating test credentials ({what}): {detail}")]
    Crypto {
        /// Which piece of material (CA, server certificate, htpasswd, ...).
        what: &'static str,
        /// The library's message.
        detail: String,
    },

    /// The registry process exited during start-up.
    #[error(
        "docker-registry ({binary}) exited during start-up with {status}; log tail:\n{log_tail}"
    )]
    Exited {
        /// The binary that was run.
        binary: PathBuf,
        /// How it exited.
        status: String,
        /// The last lines of its combined stdout/stderr.
        log_tail: String,
    },

    /// The registry did not answer `GET /v2/` with 200 or 401 in time.
    #[error(
        "docker-registry did not become ready at {url} within {seconds} s (last probe: {last_probe}); log tail:\n{log_tail}"
    )]
    NotReady {
        /// The base URL that was polled.
        url: String,
        /// The bound that was exceeded.
        seconds: u64,
        /// What the last probe saw.
        last_probe: String,
        /// The last lines of the registry's log.
        log_tail: String,
    },

    /// The harness's own token server could not start.
    #[error("token server: {0}")]
    TokenServer(String),

    /// The reference Go `oras` CLI could not be found or built (see
    /// `crate::reference::go_oras`).
    #[error("reference Go oras CLI: {detail}")]
    ReferenceTool {
        /// What is missing or failed, and how to fix it.
        detail: String,
    },

    /// A Go program the test kit builds and runs (the referrers registry,
    /// the official conformance suite) could not be built or started.
    #[error("{tool}: {detail}")]
    GoTool {
        /// Which program.
        tool: String,
        /// What is missing or failed (with output tails), and how to fix it.
        detail: String,
    },

    /// A differential scenario is malformed or could not be run.
    #[error("differential scenario {context}: {detail}")]
    Scenario {
        /// The scenario file or scenario name.
        context: String,
        /// What is wrong with it.
        detail: String,
    },
}

impl Error {
    /// Wraps an I/O error with what the harness was doing.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Wraps a crypto library's error.
    pub(crate) fn crypto(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Error::Crypto {
            what,
            detail: detail.to_string(),
        }
    }

    /// True when the registry binary is simply not available here (the only
    /// failure that `ORAS_SKIP_REAL_REGISTRY=1` turns into a skip).
    pub fn is_not_installed(&self) -> bool {
        matches!(
            self,
            Error::NotInstalled { .. } | Error::InstallFailed { .. }
        )
    }
}

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
