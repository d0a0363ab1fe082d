//! The credential store interface (oras-go `credentials.Store`), and the
//! simple stores: in memory and with fallbacks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Credential;
use async_trait::async_trait;

use crate::Error;

/// Keeps credentials by server address (see [`crate::server_address_from_registry`]).
#[async_trait]
pub trait Store: Send + Sync {
    /// The credential for `server`; [`Credential::EMPTY`] when none.
    async fn get(&self, server: &str) -> Result<Credential, Error>;
    /// Saves `credential` for `server`.
    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error>;
    /// Removes the credential of `server`; removing nothing is not an
    /// error.
    async fn delete(&self, server: &str) -> Result<(), Error>;
}

#[async_trait]
impl<S: Store + ?Sized> Store for Arc<S> {
    async fn get(&self, server: &str) -> Result<Credential, Error> {
        (**self).get(server).await
    }
    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error> {
        (**self).put(server, credential).await
    }
    async fn delete(&self, server: &str) -> Result<(), Error> {
        (**self).delete(server).await
    }
}

/// Credentials in memory, for tests and short-lived programs.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    credentials: Arc<Mutex<HashMap<String, Credential>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Credential>> {
        // Each update is one insert or remove: a poisoned map is intact.
        self.credentials.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, server: &str) -> Result<Credential, Error> {
        Ok(self.map().get(server).cloned().unwrap_or_default())
    }
    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error> {
        self.map().insert(server.to_string(), credential.clone());
        Ok(())
    }
    async fn delete(&self, server: &str) -> Result<(), Error> {
        self.map().remove(server);
        Ok(())
    }
}

/// A primary store and fallbacks (oras-go `NewStoreWithFallbacks`; the
/// CLI's repeated `--registry-config`): `get` asks each store in order and
/// returns the first non-empty credential; `put` and `delete` use the
/// primary only.
pub struct StoreWithFallbacks {
    stores: Vec<Arc<dyn Store>>,
}

impl StoreWithFallbacks {
    /// `primary`, then `fallbacks` in order.
    pub fn new(primary: Arc<dyn Store>, fallbacks: Vec<Arc<dyn Store>>) -> Self {
        let mut stores = vec![primary];
        stores.extend(fallbacks);
        StoreWithFallbacks { stores }
    }
}

impl std::fmt::Debug for StoreWithFallbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreWithFallbacks({} stores)", self.stores.len())
    }
}

#[async_trait]
impl Store for StoreWithFallbacks {
    async fn get(&self, server: &str) -> Result<Credential, Error> {
        for store in &self.stores {
            let credential = store.get(server).await?;
            if !credential.is_empty() {
                return Ok(credential);
            }
        }
        Ok(Credential::EMPTY)
    }
    async fn put(&self, server: &str, credential: &Credential) -> Result<(), Error> {
        self.stores[0].put(server, credential).await
    }
    async fn delete(&self, server: &str) -> Result<(), Error> {
        self.stores[0].delete(server).await
    }
}
