//! [`AuthLayer`]: wraps a service in [`Auth`].

use std::fmt;
use std::sync::Arc;

use tower::Layer;

use super::Auth;
use crate::{CredentialProvider, RealmPolicy, TokenCache};

/// The default OAuth2 `client_id` (oras-go uses `oras-go`).
pub const DEFAULT_CLIENT_ID: &str = "oras-rs";

/// Settings shared by every [`Auth`] service a layer builds.
pub(crate) struct Config {
    pub(crate) provider: Arc<dyn CredentialProvider>,
    pub(crate) cache: TokenCache,
    pub(crate) client_id: String,
    pub(crate) force_attempt_oauth2: bool,
    pub(crate) realm_policy: RealmPolicy,
}

/// A tower layer that authenticates requests to a registry: it answers
/// Basic and Bearer challenges with credentials from a
/// [`CredentialProvider`] and caches tokens in a [`TokenCache`].
#[derive(Clone)]
pub struct AuthLayer {
    config: Arc<Config>,
}

impl AuthLayer {
    /// A layer resolving credentials with `provider` and caching tokens in
    /// `cache` (clone one cache into several layers to share tokens).
    pub fn new(provider: Arc<dyn CredentialProvider>, cache: TokenCache) -> Self {
        AuthLayer {
            config: Arc::new(Config {
                provider,
                cache,
                client_id: DEFAULT_CLIENT_ID.to_string(),
                force_attempt_oauth2: false,
                realm_policy: RealmPolicy::default(),
            }),
        }
    }

    fn edit(mut self, change: impl FnOnce(&mut Config)) -> Self {
        match Arc::get_mut(&mut self.config) {
            Some(config) => change(config),
            None => {
                let mut config = Config {
                    provider: self.config.provider.clone(),
                    cache: self.config.cache.clone(),
                    client_id: self.config.client_id.clone(),
                    force_attempt_oauth2: self.config.force_attempt_oauth2,
                    realm_policy: self.config.realm_policy.clone(),
                };
                change(&mut config);
                self.config = Arc::new(config);
            }
        }
        self
    }

    /// The OAuth2 `client_id` sent with token POSTs (default
    /// [`DEFAULT_CLIENT_ID`]).
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        let client_id = client_id.into();
        self.edit(|c| c.client_id = client_id)
    }

    /// Use the OAuth2 password grant instead of the distribution token GET
    /// for a username and password (oras-go `ForceAttemptOAuth2`).
    pub fn force_attempt_oauth2(self, force: bool) -> Self {
        self.edit(|c| c.force_attempt_oauth2 = force)
    }

    /// Which addresses a bearer realm on another host than the registry
    /// may not be (oras-go `BlockedRealmPrefixes`; [`RealmPolicy::default`]
    /// when never called). Token requests carry it in their
    /// [`RealmRequest`](crate::RealmRequest) extension for the transport.
    pub fn realm_policy(self, policy: RealmPolicy) -> Self {
        self.edit(|c| c.realm_policy = policy)
    }

    /// The token cache this layer uses.
    pub fn cache(&self) -> &TokenCache {
        &self.config.cache
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth::from_parts(inner, self.config.clone())
    }
}

impl fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("client_id", &self.config.client_id)
            .field("force_attempt_oauth2", &self.config.force_attempt_oauth2)
            .field("realm_policy", &self.config.realm_policy)
            .field("cache", &self.config.cache)
            .finish_non_exhaustive()
    }
}
