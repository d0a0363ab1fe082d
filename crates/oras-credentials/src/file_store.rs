//! Plaintext credentials in the `auths` of a Docker config file (oras-go
//! `FileStore`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::Credential;
use async_trait::async_trait;

use crate::{Config, Error, Store};

/// Credentials kept in plaintext in a config file's `auths`.
#[derive(Clone, Debug)]
pub struct FileStore {
    config: Arc<Mutex<Config>>,
    allow_put: bool,
}

impl FileStore {
    /// The store of the config file at `path`. Saving is allowed; see
    /// [`FileStore::allow_put`].
    pub fn new(path: impl Into<PathBuf>) -> Result<Self, Error> {
        Ok(FileStore::shared(
            Arc::new(Mutex::new(Config::load(path)?)),
            true,
        ))
    }

    pub(crate) fn shared(config: Arc<Mutex<Config>>, allow_put: bool) -> Self {
        FileStore { config, allow_put }
    }

    /// Whether `put` may write plaintext credentials (oras-go
    /// `DisablePut`, inverted); when not, it fails with
    /// [`Error::PlaintextPutDisabled`].
    pub fn allow_put(mut self, allow: bool) -> Self {
        self.allow_put = allow;
        self
    }

    fn config(&self) -> MutexGuard<'_, Config> {
        // A failed save leaves the in-memory config valid.
        self.config.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Store for FileStore {
    async fn get(&self, server: &str) -> Result<Credential, Error> {
        self.config().credential(server)
    }

    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error> {
        if !self.allow_put {
            return Err(Error::PlaintextPutDisabled);
        }
        // `auth` is base64(username:password): a colon in the username
        // would be read back as part of the password.
        if credential.username.contains(':') {
            return Err(Error::BadCredentialFormat(
                "colons(:) are not allowed in username",
            ));
        }
        self.config().put_credential(server, credential)
    }

    async fn delete(&self, server: &str) -> Result<(), Error> {
        self.config().delete_credential(server)
    }
}
