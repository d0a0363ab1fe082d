//! Runnable examples of the oras-rs libraries, one program per example of
//! oras-go's documentation (v2.6), each written as a small document: read
//! `src/bin/<name>.rs` top to bottom.
//!
//! Run one with `cargo run -p oras-examples --bin <name> -- <args>`; every
//! program has `--help`. Programs that talk to a registry take the
//! reference as an argument and accept `--plain-http` (and `--ca-file`
//! for a registry with its own CA); those that log in take `--username`
//! and `--password` (or `ORAS_USERNAME` / `ORAS_PASSWORD`).
//!
//! | binary | oras-go example |
//! |---|---|
//! | `push-files` | `Example_pushFilesToRemoteRepository` |
//! | `pull-files` | `Example_pullFilesFromRemoteRepository` |
//! | `pull-image` | `Example_pullImageFromRemoteRepository` |
//! | `pull-with-docker-credentials` | `Example_pullImageUsingDockerCredentials` |
//! | `attach-blob` | `Example_attachBlobToRemoteRepository` |
//! | `copy` | `ExampleCopy_*` (one subcommand each) |
//! | `copy-artifact-from-repository` | `Example_copyArtifactFromRepository` |
//! | `extended-copy-from-repository` | `Example_extendedCopyArtifactAndReferrersFromRepository` |
//! | `extended-copy-to-repository` | `Example_extendedCopyArtifactAndReferrersToRepository` |
//! | `pack-manifest` | `ExamplePackManifest_imageV11`, `_imageV10` |
//! | `pack-files` | `content/file` `Example_packFiles` |
//! | `copy-error` | `ExampleCopyError` |
//! | `verify-reader` | `content` `ExampleVerifyReader` |
//! | `repository` | `registry/remote` `ExampleRepository_*`, `ExampleRegistry_Repositories`, `Example_pullByTag` … (one subcommand each) |
//! | `login` | `registry/remote/credentials` `ExampleLogin`, `ExampleLogout` |
//!
//! This library holds only what every program shares: the flags that say
//! how to reach a registry ([`ConnectArgs`], [`CredentialArgs`]) and how a
//! descriptor is printed ([`json`]).
//!
//! ```
//! use clap::Parser;
//! use oras_examples::{ConnectArgs, CredentialArgs};
//!
//! #[derive(Parser)]
//! struct Args {
//!     #[command(flatten)]
//!     connect: ConnectArgs,
//!     #[command(flatten)]
//!     credentials: CredentialArgs,
//! }
//!
//! let args = Args::parse_from(["demo", "--plain-http", "-u", "alice", "-p", "s3cret"]);
//! assert!(args.connect.plain_http);
//! let config = args.credentials.apply(args.connect.client_config(), "localhost:5000");
//! let registry = oras_remote::Registry::with_config("localhost:5000", config)?;
//! assert_eq!(registry.base_url().as_str(), "http://localhost:5000/");
//! # Ok::<(), oras_remote::Error>(())
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use oras_auth::{Credential, StaticCredential};
use oras_remote::ClientConfig;
use serde_json::Value;

/// How to reach a registry: the transport flags of the oras CLI. The
/// flags are global, so they may come before or after a subcommand.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ConnectArgs {
    /// Talk plain HTTP instead of HTTPS (oras `--plain-http`).
    #[arg(long, global = true)]
    pub plain_http: bool,
    /// Also trust the CA certificates in this PEM file (oras `--ca-file`).
    #[arg(long, value_name = "PEM", global = true)]
    pub ca_file: Option<PathBuf>,
}

impl ConnectArgs {
    /// The client settings these flags ask for. Without `--plain-http`,
    /// HTTPS is used except for `localhost[:port]`, as in the oras CLI.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        if self.plain_http {
            config = config.plain_http(true);
        }
        if let Some(ca_file) = &self.ca_file {
            config = config.ca_file(ca_file);
        }
        config
    }
}

/// A username and password to log in with; both optional, as most
/// examples also work against an anonymous registry.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct CredentialArgs {
    /// The username to log in with.
    #[arg(short = 'u', long, env = "ORAS_USERNAME", global = true)]
    pub username: Option<String>,
    /// The password to log in with.
    #[arg(
        short = 'p',
        long,
        env = "ORAS_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<String>,
}

impl CredentialArgs {
    /// `config` with these credentials for `registry` (`host[:port]`) and
    /// for no other host (oras-go `credentials.StaticCredentialFunc`);
    /// `config` unchanged when no username was given.
    pub fn apply(&self, config: ClientConfig, registry: &str) -> ClientConfig {
        match &self.username {
            Some(username) => {
                let password = self.password.as_deref().unwrap_or_default();
                let credential = Credential::basic(username, password);
                config.credentials(Arc::new(StaticCredential::new(registry, credential)))
            }
            None => config,
        }
    }
}

/// `value` as compact JSON, the way the examples print descriptors
/// (oras-go prints the Go struct; JSON is the readable equivalent).
pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|e| Value::String(format!("<unprintable: {e}>")).to_string())
}
