//! The store the CLI uses: a Docker config file that decides, per server,
//! where the credential lives (oras-go `DynamicStore`).
//!
//! For a server: `credHelpers[server]` names its helper; else `credsStore`
//! names the helper for every server; else the credential is plaintext in
//! `auths`, which `put` writes only when
//! [`StoreOptions::allow_plaintext_put`] is set (the CLI sets it). oras-go's
//! optional detection of a platform-default helper is not done (the CLI
//! does not enable it).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::Credential;
use async_trait::async_trait;

use crate::{Config, Error, FileStore, HelperOptions, NativeStore, Store};

/// Options of a [`DynamicStore`].
#[derive(Clone, Debug, Default)]
pub struct StoreOptions {
    /// Allow `put` to save plaintext credentials in `auths` when no helper
    /// is configured (the oras CLI sets this).
    pub allow_plaintext_put: bool,
    /// How credential helpers are run.
    pub helper: HelperOptions,
}

/// Where the Docker config lives: `explicit` if given, else
/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("config.json"));
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .ok_or(Error::NoHomeDirectory)?;
    Ok(PathBuf::from(home).join(".docker").join("config.json"))
}

/// Credentials as the Docker config file says to keep them.
#[derive(Clone, Debug)]
pub struct DynamicStore {
    config: Arc<Mutex<Config>>,
    options: StoreOptions,
}

impl DynamicStore {
    /// The store of the config file at `path` (which need not exist yet).
    pub fn new(path: impl Into<PathBuf>, options: StoreOptions) -> Result<Self, Error> {
        Ok(DynamicStore {
            config: Arc::new(Mutex::new(Config::load(path)?)),
            options,
        })
    }

    /// The store of the default Docker config (see [`docker_config_path`]).
    pub fn from_docker(options: StoreOptions) -> Result<Self, Error> {
        DynamicStore::new(docker_config_path(None)?, options)
    }

    fn config(&self) -> MutexGuard<'_, Config> {
        self.config.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The config file's path.
    pub fn config_path(&self) -> PathBuf {
        self.config().path().to_path_buf()
    }

    /// Whether the config names any credential source (oras-go
    /// `IsAuthConfigured`).
    pub fn is_auth_configured(&self) -> bool {
        self.config().is_auth_configured()
    }

    /// The store that holds `server`'s credential.
    fn store_for(&self, server: &str) -> Box<dyn Store> {
        let helper = {
            let config = self.config();
            config
                .credential_helper(server)
                .map(str::to_string)
                .or_else(|| Some(config.credentials_store().to_string()).filter(|s| !s.is_empty()))
        };
        match helper {
            Some(helper) => Box::new(NativeStore::with_options(
                &helper,
                self.options.helper.clone(),
            )),
            None => Box::new(FileStore::shared(
                self.config.clone(),
                self.options.allow_plaintext_put,
            )),
        }
    }
}

#[async_trait]
impl Store for DynamicStore {
    async fn get(&self, server: &str) -> Result<Credential, Error> {
        self.store_for(server).get(server).await
    }
    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error> {
        self.store_for(server).put(server, credential).await
    }
    async fn delete(&self, server: &str) -> Result<(), Error> {
        self.store_for(server).delete(server).await
    }
}
