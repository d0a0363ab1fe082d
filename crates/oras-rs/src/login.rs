//! Credentials from the docker configuration, as `docker login` and
//! `oras login` store them (oras-go `credentials.NewStoreFromDocker`).

use std::sync::Arc;

use oras_credentials::{DynamicStore, StoreOptions, docker_config_path};
use oras_remote::CredentialProvider;

use crate::error::Result;

/// The credentials of the docker configuration (`$DOCKER_CONFIG/config.json`,
/// else `~/.docker/config.json`): plaintext `auths`, `credsStore` and
/// `credHelpers`, as the `docker` and `oras` CLIs read them. Pass it to
/// `ClientConfig::credentials`.
///
/// ```no_run
/// use oras_rs::prelude::*;
///
/// # async fn run() -> oras_rs::Result<()> {
/// let config = ClientConfig::new().credentials(oras_rs::docker_credentials()?);
/// let repo = Repository::with_config("registry.example.com/hello", config)?;
/// oras_rs::pull_files(&repo, "v1", "out").await?;
/// # Ok(())
/// # }
/// ```
pub fn docker_credentials() -> Result<Arc<dyn CredentialProvider>> {
    let store = DynamicStore::new(docker_config_path(None)?, StoreOptions::default())?;
    Ok(Arc::new(store))
}
