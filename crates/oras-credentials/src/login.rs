//! Login and logout (oras-go `credentials.Login`, `Logout`), and the
//! bridge to the registry client's auth layer: every store is a
//! [`CredentialProvider`].
//!
//! Login checks the credential against the registry before saving it. The
//! check needs a registry client, which lives in oras-remote, a crate this
//! one may not depend on; so the check is the [`RegistryPing`] trait, which
//! the CLI implements with a client holding only the new credential
//! (oras-go pings `/v2/` with a clone of the client and a static
//! credential).

use async_trait::async_trait;

use crate::address::{server_address_from_hostname, server_address_from_registry};
use crate::{BoxError, Credential, CredentialProvider, Error, Store};

/// Checks a credential against a registry: `GET /v2/` with it.
#[async_trait]
pub trait RegistryPing: Send + Sync {
    /// Succeeds when `registry` (as the user wrote it, e.g. `docker.io` or
    /// `localhost:5000`) accepts `credential`.
    async fn ping(&self, registry: &str, credential: &Credential) -> Result<(), BoxError>;
}

/// Validates `credential` with `pinger`, then saves it in `store` under the
/// registry's server address.
pub async fn login(
    store: &dyn Store,
    registry: &str,
    credential: &Credential,
    pinger: &dyn RegistryPing,
) -> Result<(), Error> {
    pinger
        .ping(registry, credential)
        .await
        .map_err(|source| Error::Login {
            server: registry.to_string(),
            source,
        })?;
    let server = server_address_from_registry(registry);
    store
        .put(&server, credential)
        .await
        .map_err(|source| Error::Store {
            action: "store",
            server,
            source: Box::new(source),
        })
}

/// Removes the credential of `registry` from `store`.
pub async fn logout(store: &dyn Store, registry: &str) -> Result<(), Error> {
    let server = server_address_from_registry(registry);
    store.delete(&server).await.map_err(|source| Error::Store {
        action: "delete",
        server,
        source: Box::new(source),
    })
}

/// The credential for the `host[:port]` a request goes to, from a store
/// (oras-go `credentials.Credential`).
pub async fn credential_for_host<S: Store + ?Sized>(
    store: &S,
    host: &str,
) -> Result<Credential, Error> {
    let server = server_address_from_hostname(host);
    if server.is_empty() {
        return Ok(Credential::EMPTY);
    }
    store.get(&server).await
}

/// Every store is a [`CredentialProvider`]: the auth layer asks by the
/// `host[:port]` a request goes to, the store keeps server addresses.
#[async_trait]
impl<S: Store + ?Sized> CredentialProvider for S {
    async fn credential(&self, host: &str) -> Result<Credential, BoxError> {
        Ok(credential_for_host(self, host).await?)
    }
}
