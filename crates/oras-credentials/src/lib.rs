//! Registry credentials for oras-rs: Docker's `config.json`, credential
//! helpers, login and logout (oras-go `registry/remote/credentials`).
//!
//! The design follows oras-go and the Docker CLI so that `oras` and
//! `docker` share one login:
//! - [`Store`] is the interface: `get`, `put`, `delete` by server address
//!   (`host[:port]`, or `https://index.docker.io/v1/` for Docker Hub; see
//!   [`server_address_from_registry`]).
//! - [`Config`] reads and writes `config.json`, keeping every field it does
//!   not know; writes are atomic and private (0600 file, 0700 directory).
//! - [`FileStore`] keeps credentials in plaintext in `auths`;
//!   [`NativeStore`] asks a `docker-credential-<name>` helper;
//!   [`DynamicStore`] picks between them per server as the config says
//!   (`credHelpers`, then `credsStore`, then `auths`);
//!   [`StoreWithFallbacks`] reads several configs (the CLI's repeated
//!   `--registry-config`); [`MemoryStore`] is for tests.
//! - [`login`] checks a credential with a [`RegistryPing`] (implemented by
//!   the CLI with the registry client, which this crate may not depend on)
//!   and then stores it; [`logout`] deletes it.
//! - [`Credential`] is what a login holds; [`CredentialProvider`] is how
//!   the registry client's auth layer (oras-auth, a crate above this one)
//!   asks for it by `host[:port]`. Every [`Store`] is a provider;
//!   [`StaticCredential`] is the simplest one.
//!
//! `Debug` output names servers but never prints a password or token.
//!
//! # Example
//!
//! ```
//! use async_trait::async_trait;
//! use oras_credentials::{
//!     BoxError, Credential, CredentialProvider, DynamicStore, RegistryPing, Store, StoreOptions,
//!     login, logout,
//! };
//!
//! struct AcceptAll;
//!
//! #[async_trait]
//! impl RegistryPing for AcceptAll {
//!     async fn ping(&self, _registry: &str, _credential: &Credential) -> Result<(), BoxError> {
//!         Ok(()) // the CLI sends `GET /v2/` with the credential here
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), BoxError> {
//! let dir = tempfile::tempdir()?;
//! let options = StoreOptions { allow_plaintext_put: true, ..StoreOptions::default() };
//! let store = DynamicStore::new(dir.path().join("config.json"), options)?;
//!
//! login(&store, "localhost:5000", &Credential::basic("alice", "s3cret"), &AcceptAll).await?;
//! // The auth layer asks by `host[:port]`.
//! assert_eq!(store.credential("localhost:5000").await?.username, "alice");
//!
//! logout(&store, "localhost:5000").await?;
//! assert!(store.get("localhost:5000").await?.is_empty());
//! # Ok(())
//! # }
//! ```

mod address;
mod config;
mod credential;
mod dynamic;
mod error;
mod file_store;
mod login;
mod native;
mod store;

pub use address::{
    DOCKER_HUB_SERVER_ADDRESS, server_address_from_hostname, server_address_from_registry,
    to_hostname,
};
pub use config::Config;
pub use credential::{BoxError, Credential, CredentialProvider, StaticCredential};
pub use dynamic::{DynamicStore, StoreOptions, docker_config_path};
pub use error::Error;
pub use file_store::FileStore;
pub use login::{RegistryPing, credential_for_host, login, logout};
pub use native::{DEFAULT_HELPER_TIMEOUT, HelperOptions, NativeStore};
pub use store::{MemoryStore, Store, StoreWithFallbacks};

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
