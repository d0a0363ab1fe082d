//! [`Registry`]: one registry host, its client, ping and catalog
//! (oras-go `registry/remote/registry.go`).

use futures::{StreamExt, TryStreamExt, stream};
use http::{HeaderMap, Method, Request, StatusCode};
use oras_auth::{Body, BoxError, Credential, RegistryPing, Scope, Scopes, WithCredential};
use serde::Deserialize;
use url::Url;

use crate::client::{Client, ClientConfig};
use crate::error::Error;
use crate::pages::{Pager, Pages, first_page_url};
use crate::remote::{Answer, Remote, display_url};
use crate::repository::{Repository, RepositoryOptions};

/// A registry: its name, its HTTP client and the defaults of the
/// repositories it opens.
#[derive(Clone, Debug)]
pub struct Registry {
    name: String,
    remote: Remote,
    options: RepositoryOptions,
}

#[derive(Deserialize)]
struct CatalogPage {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

impl Registry {
    /// The registry `name` (`host[:port]`, as in a reference) with the
    /// default client: https, or plain http for `localhost[:port]`.
    pub fn new(name: &str) -> Result<Registry, Error> {
        Registry::with_config(name, ClientConfig::new())
    }

    /// The registry `name` with a client built from `config`.
    pub fn with_config(name: &str, config: ClientConfig) -> Result<Registry, Error> {
        Ok(Registry {
            name: name.to_owned(),
            remote: Remote::connect(name, &config)?,
            options: RepositoryOptions::default(),
        })
    }

    /// The registry `name` reached through `client`, shared with every
    /// other registry and repository value holding a clone of it (see
    /// [`ClientConfig::build`]); an error when `client` was built for
    /// another registry.
    pub fn with_client(name: &str, client: Client) -> Result<Registry, Error> {
        Ok(Registry {
            name: name.to_owned(),
            remote: Remote::with_client(name, client)?,
            options: RepositoryOptions::default(),
        })
    }

    /// Uses `options` for the repositories opened from now on.
    pub fn with_options(mut self, options: RepositoryOptions) -> Self {
        self.options = options;
        self
    }

    /// The registry name as given (`docker.io`, `localhost:5000`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The base URL requests go to (`https://registry-1.docker.io/`).
    pub fn base_url(&self) -> &Url {
        &self.remote.base
    }

    /// The HTTP client (the tower service every request goes through).
    pub fn client(&self) -> &Client {
        &self.remote.client
    }

    /// The defaults of repositories opened from this registry.
    pub fn options(&self) -> &RepositoryOptions {
        &self.options
    }

    /// Checks that the registry speaks the distribution API: `GET /v2/`
    /// answers 200 (404 is `NotFound`, 401 `Unauthorized` after the auth
    /// layer tried).
    pub async fn ping(&self) -> oras_content::Result<()> {
        let url = self.remote.url("/v2/")?;
        let answer = self
            .remote
            .send_empty(Method::GET, &url, HeaderMap::new(), &Scopes::default())
            .await?;
        answer.expect(StatusCode::OK).await?;
        Ok(())
    }

    /// Checks `credential` against the registry: `GET /v2/` authenticated
    /// with it alone, with tokens of its own (the client's credentials
    /// and token cache are neither used nor changed), as oras-go's
    /// `credentials.Login` pings. This is what makes a `Registry` the
    /// `RegistryPing` of `oras_credentials::login`:
    ///
    /// ```
    /// use oras_auth::{Credential, RegistryPing};
    ///
    /// # async fn example(registry: oras_remote::Registry) -> Result<(), oras_auth::BoxError> {
    /// // oras_credentials::login(&store, "localhost:5000", &credential, &registry) calls this.
    /// RegistryPing::ping(&registry, "localhost:5000", &Credential::basic("alice", "s3cret")).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// `Unauthorized` when the registry refuses the credential, or the
    /// failure of the request.
    pub async fn ping_with(&self, credential: &Credential) -> oras_content::Result<()> {
        let url = self.remote.url("/v2/")?;
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = url.as_str().parse().map_err(|_| Error::RefusedUrl {
            what: "request URL",
            url: display_url(&url),
            reason: "not a valid URI",
        })?;
        request
            .extensions_mut()
            .insert(WithCredential(credential.clone()));
        request.extensions_mut().insert(Scopes::default());
        let response =
            self.remote
                .client
                .send(request)
                .await
                .map_err(|source| Error::Transport {
                    method: Method::GET,
                    url: display_url(&url),
                    source,
                })?;
        let answer = Answer {
            response,
            method: Method::GET,
            url,
        };
        answer.expect(StatusCode::OK).await?;
        Ok(())
    }

    /// The repositories of the catalog after `last` (all of them when
    /// `None`), one page at a time (`n` is
    /// [`RepositoryOptions::page_size`]); dropping the stream stops the
    /// listing. See [`Registry::repositories`] for all of them at once.
    ///
    /// ```
    /// use futures::TryStreamExt;
    ///
    /// # async fn example(registry: oras_remote::Registry) -> oras_content::Result<()> {
    /// // The first page only.
    /// let first = registry.repository_pages(None).try_next().await?;
    /// # drop(first);
    /// # Ok(())
    /// # }
    /// ```
    pub fn repository_pages(&self, last: Option<&str>) -> Pages<String> {
        let pager = match self.remote.url("/v2/_catalog") {
            Ok(url) => Pager::new(
                self.remote.clone(),
                first_page_url(url, self.options.page_size, last),
                Scopes(vec![Scope::registry_catalog()]),
                "catalog".into(),
                &self.options,
            ),
            Err(e) => return stream::once(async move { Err(e.into()) }).boxed(),
        };
        stream::try_unfold(pager, |mut pager| async move {
            let Some(page) = pager.next_ok().await? else {
                return Ok::<_, oras_content::Error>(None);
            };
            let catalog: CatalogPage = serde_json::from_slice(&page.body).map_err(|e| {
                page.answer.protocol(
                    oras_content::ErrorKind::InvalidContent,
                    format!("invalid catalog: {e}"),
                )
            })?;
            Ok(Some((catalog.repositories.unwrap_or_default(), pager)))
        })
        .boxed()
    }

    /// The repositories of the catalog after `last` (all of them when
    /// `None`), following `Link` pagination on the same origin up to the
    /// page cap of [`RepositoryOptions::max_pages`].
    pub async fn repositories(&self, last: Option<&str>) -> oras_content::Result<Vec<String>> {
        self.repository_pages(last).try_concat().await
    }

    /// The repository `name` of this registry.
    pub fn repository(&self, name: &str) -> Result<Repository, Error> {
        Repository::open(
            self.name.clone(),
            name,
            self.remote.clone(),
            self.options.clone(),
        )
    }
}

/// `oras_credentials::login` checks a credential with the registry
/// itself ([`Registry::ping_with`]); the registry named must be this one,
/// so a credential never goes to another host.
#[async_trait::async_trait]
impl RegistryPing for Registry {
    async fn ping(&self, registry: &str, credential: &Credential) -> Result<(), BoxError> {
        if registry != self.name {
            return Err(Box::new(Error::Config(format!(
                "login to {registry:?} asked of the registry {:?}",
                self.name
            ))));
        }
        self.ping_with(credential)
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_is_plain_http_by_default() {
        let registry = Registry::new("localhost:5000").unwrap();
        assert_eq!(registry.base_url().as_str(), "http://localhost:5000/");
        let registry = Registry::new("r.example").unwrap();
        assert_eq!(registry.base_url().as_str(), "https://r.example/");
        let registry =
            Registry::with_config("localhost", ClientConfig::new().plain_http(false)).unwrap();
        assert_eq!(registry.base_url().as_str(), "https://localhost/");
        let registry = Registry::new("docker.io").unwrap();
        assert_eq!(
            registry.base_url().as_str(),
            "https://registry-1.docker.io/"
        );
        let registry =
            Registry::with_config("127.0.0.1:5000", ClientConfig::new().plain_http(true)).unwrap();
        assert_eq!(registry.base_url().as_str(), "http://127.0.0.1:5000/");
    }
}
