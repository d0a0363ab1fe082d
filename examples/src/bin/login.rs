//! Log in to a registry and out again, keeping the credential in Docker's
//! `config.json` (oras-go `registry/remote/credentials` `ExampleLogin`,
//! `ExampleLogout`, with `ExampleNewStore`'s store).
//!
//! ```text
//! cargo run -p oras-examples --bin login -- --plain-http login localhost:5000 -u alice -p s3cret
//! cargo run -p oras-examples --bin login -- logout localhost:5000
//! ```
//!
//! Login first checks the credential against the registry (`GET /v2/`
//! with it), then stores it where the config says: the credential helper
//! it names for the registry, or plaintext in `auths`. After a login, the
//! `pull-with-docker-credentials` example pulls with that credential.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;
use clap::{Parser, Subcommand};
use oras_auth::{BoxError, Credential, StaticCredential};
use oras_credentials::{DynamicStore, RegistryPing, StoreOptions, docker_config_path};
use oras_examples::ConnectArgs;
use oras_remote::Registry;

/// Log in to a registry, or out of it.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    action: Action,
    /// The Docker config file (default: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(flatten)]
    connect: ConnectArgs,
}

#[derive(Subcommand)]
enum Action {
    /// Check a credential against the registry, then store it.
    Login {
        /// The registry, `host[:port]`.
        registry: String,
        /// The username.
        #[arg(short = 'u', long, env = "ORAS_USERNAME")]
        username: String,
        /// The password.
        #[arg(short = 'p', long, env = "ORAS_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Remove the stored credential of a registry.
    Logout {
        /// The registry, `host[:port]`.
        registry: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();

    // 0. Open the credential store of the Docker config file. Plaintext
    //    `auths` entries are allowed (as `oras login` does) for registries
    //    without a credential helper.
    let path = docker_config_path(args.config.as_deref())?;
    let options = StoreOptions {
        allow_plaintext_put: true,
        ..StoreOptions::default()
    };
    let store = DynamicStore::new(&path, options)?;

    match &args.action {
        Action::Login {
            registry,
            username,
            password,
        } => {
            // 1. Log in: ping the registry with the credential, and store
            //    it only if the registry accepted it.
            let credential = Credential::basic(username, password);
            let pinger = Pinger {
                connect: args.connect.clone(),
            };
            oras_credentials::login(&store, registry, &credential, &pinger)
                .await
                .with_context(|| format!("login to {registry} failed"))?;
            println!("Login Succeeded: {registry} in {}", path.display());
        }
        Action::Logout { registry } => {
            // 1. Log out: delete whatever the store holds for the registry.
            oras_credentials::logout(&store, registry).await?;
            println!("Removed login credentials for {registry}");
        }
    }
    Ok(())
}

/// Checks a credential with the registry client: `GET /v2/` through a
/// client that knows only this credential, for this registry only.
struct Pinger {
    connect: ConnectArgs,
}

#[async_trait]
impl RegistryPing for Pinger {
    async fn ping(&self, registry: &str, credential: &Credential) -> Result<(), BoxError> {
        let provider = StaticCredential::new(registry, credential.clone());
        let config = self.connect.client_config().credentials(Arc::new(provider));
        Registry::with_config(registry, config)?.ping().await?;
        Ok(())
    }
}
