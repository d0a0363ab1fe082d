//! Credential helpers: `docker-credential-<name>` programs (oras-go
//! `nativeStore`, <https://docs.docker.com/reference/cli/docker/login/#credential-helper-protocol>).
//!
//! The protocol: run `docker-credential-<name> get|store|erase`; stdin is
//! the server URL (`get`, `erase`) or `{"ServerURL","Username","Secret"}`
//! (`store`); `get` prints the same JSON. A Username of `<token>` means the
//! Secret is an identity (refresh) token. On failure the helper exits
//! non-zero and prints its message on stdout; `credentials not found in
//! native keychain` is not an error but an empty credential. The helper's
//! stderr passes through to ours (it may prompt). Each run is bounded by a
//! timeout, and its output read up to 4 MiB.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::Credential;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Error, Store};

const HELPER_PREFIX: &str = "docker-credential-";
const TOKEN_USERNAME: &str = "<token>";
const NOT_FOUND_MESSAGE: &str = "credentials not found in native keychain";
const MAX_OUTPUT_BYTES: u64 = 4 * 1024 * 1024;

/// The default time a helper may take.
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(60);

/// How helper programs are run.
#[derive(Clone, Debug)]
pub struct HelperOptions {
    /// The longest a helper may run before it is killed.
    pub timeout: Duration,
    /// A `PATH` to find helpers in and to give them, instead of this
    /// process's.
    pub search_path: Option<OsString>,
}

impl Default for HelperOptions {
    fn default() -> Self {
        HelperOptions {
            timeout: DEFAULT_HELPER_TIMEOUT,
            search_path: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct HelperCredential {
    #[serde(rename = "ServerURL", default)]
    server_url: String,
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// A store backed by a credential helper program.
#[derive(Clone, Debug)]
pub struct NativeStore {
    program: String,
    options: HelperOptions,
}

impl NativeStore {
    /// The store of `docker-credential-<suffix>` (e.g. `pass`,
    /// `osxkeychain`, `desktop`).
    pub fn new(suffix: &str) -> Self {
        NativeStore::with_options(suffix, HelperOptions::default())
    }

    /// As [`NativeStore::new`], run with `options`.
    pub fn with_options(suffix: &str, options: HelperOptions) -> Self {
        NativeStore {
            program: format!("{HELPER_PREFIX}{suffix}"),
            options,
        }
    }

    /// The program name, `docker-credential-<suffix>`.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The program to spawn: looked up in the custom search path when one
    /// is given, else left to the OS lookup in our `PATH`.
    fn resolve(&self) -> PathBuf {
        if let Some(search_path) = &self.options.search_path {
            for dir in std::env::split_paths(search_path) {
                let candidate = dir.join(&self.program);
                if candidate.is_file() {
                    return candidate;
                }
            }
        }
        PathBuf::from(&self.program)
    }

    /// Runs the helper with `action`, feeding it `input`; its stdout.
    async fn execute(&self, action: &'static str, input: Vec<u8>) -> Result<Vec<u8>, Error> {
        let mut command = tokio::process::Command::new(self.resolve());
        command
            .arg(action)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(path) = &self.options.search_path {
            command.env("PATH", path);
        }
        let mut child = command.spawn().map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound
                && self.program == "docker-credential-desktop.exe"
            {
                Error::DockerDesktopNotRunning
            } else {
                Error::HelperSpawn {
                    helper: self.program.clone(),
                    source,
                }
            }
        })?;
        let run = async {
            let mut stdin = child.stdin.take();
            let mut stdout = child.stdout.take();
            let write = async {
                if let Some(stdin) = stdin.as_mut() {
                    // A helper that exits without reading closes the pipe;
                    // its exit status tells what happened.
                    let _ = stdin.write_all(&input).await;
                    let _ = stdin.shutdown().await;
                }
                drop(stdin.take());
            };
            let read = async {
                let mut output = Vec::new();
                if let Some(stdout) = stdout.take() {
                    stdout
                        .take(MAX_OUTPUT_BYTES)
                        .read_to_end(&mut output)
                        .await?;
                }
                Ok::<_, std::io::Error>(output)
            };
            let ((), output) = tokio::join!(write, read);
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((status, output?))
        };
        let (status, output) = match tokio::time::timeout(self.options.timeout, run).await {
            Ok(result) => result.map_err(|source| Error::HelperSpawn {
                helper: self.program.clone(),
                source,
            })?,
            Err(_) => {
                // `kill_on_drop` ends the helper when `child` goes.
                return Err(Error::HelperTimeout {
                    helper: self.program.clone(),
                    action,
                    timeout: self.options.timeout,
                });
            }
        };
        if !status.success() {
            let text = String::from_utf8_lossy(&output).trim().to_string();
            let message = if text.is_empty() {
                format!("exited with {status}")
            } else {
                text
            };
            return Err(Error::Helper {
                helper: self.program.clone(),
                action,
                message,
            });
        }
        Ok(output)
    }
}

#[async_trait]
impl Store for NativeStore {
    async fn get(&self, server: &str) -> Result<Credential, Error> {
        let output = match self.execute("get", server.as_bytes().to_vec()).await {
            Ok(output) => output,
            Err(Error::Helper { message, .. }) if message == NOT_FOUND_MESSAGE => {
                return Ok(Credential::EMPTY);
            }
            Err(e) => return Err(e),
        };
        let answer: HelperCredential =
            serde_json::from_slice(&output).map_err(|e| Error::HelperOutput {
                helper: self.program.clone(),
                action: "get",
                detail: e.to_string(),
            })?;
        Ok(if answer.username == TOKEN_USERNAME {
            Credential::refresh_token(answer.secret)
        } else {
            Credential::basic(answer.username, answer.secret)
        })
    }

    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error> {
        // An access token is not kept by helpers (as oras-go).
        let message = if credential.refresh_token.is_empty() {
            HelperCredential {
                server_url: server.to_string(),
                username: credential.username.clone(),
                secret: credential.password.clone(),
            }
        } else {
            HelperCredential {
                server_url: server.to_string(),
                username: TOKEN_USERNAME.to_string(),
                secret: credential.refresh_token.clone(),
            }
        };
        let input = serde_json::to_vec(&message).map_err(|e| Error::HelperOutput {
            helper: self.program.clone(),
            action: "store",
            detail: e.to_string(),
        })?;
        self.execute("store", input).await.map(drop)
    }

    async fn delete(&self, server: &str) -> Result<(), Error> {
        self.execute("erase", server.as_bytes().to_vec())
            .await
            .map(drop)
    }
}
