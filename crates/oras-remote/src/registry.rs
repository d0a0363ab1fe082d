//! [`Registry`]: one registry host, its client, ping and catalog
//! (oras-go `registry/remote/registry.go`).

use http::{HeaderMap, Method, StatusCode};
use oras_auth::{Scope, Scopes};
use serde::Deserialize;
use url::Url;

use crate::client::{Client, ClientConfig};
use crate::error::Error;
use crate::remote::Remote;
use crate::repository::{ListingBudget, Repository, RepositoryOptions};

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

    /// The repositories of the catalog after `last` (all of them when
    /// `None`), following `Link` pagination on the same origin up to the
    /// page cap of [`RepositoryOptions::max_pages`].
    pub async fn repositories(&self, last: Option<&str>) -> oras_content::Result<Vec<String>> {
        let mut url = self.remote.url("/v2/_catalog")?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(n) = self.options.page_size {
                query.append_pair("n", &n.to_string());
            }
            if let Some(last) = last.filter(|l| !l.is_empty()) {
                query.append_pair("last", last);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let scopes = Scopes(vec![Scope::registry_catalog()]);
        let mut out = Vec::new();
        let mut budget = ListingBudget::new("catalog".into(), self.options.max_listing_bytes);
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > self.options.max_pages {
                return Err(Error::TooManyPages {
                    what: "catalog".into(),
                    limit: self.options.max_pages,
                }
                .into());
            }
            let answer = self
                .remote
                .send_empty(Method::GET, &url, HeaderMap::new(), &scopes)
                .await?;
            let mut answer = answer.expect(StatusCode::OK).await?;
            let body = answer.read_body(self.options.max_metadata_bytes).await?;
            budget.take(body.len())?;
            let page: CatalogPage = serde_json::from_slice(&body).map_err(|e| {
                answer.protocol(
                    oras_content::ErrorKind::InvalidContent,
                    format!("invalid catalog: {e}"),
                )
            })?;
            out.extend(page.repositories.unwrap_or_default());
            next = answer.next_link()?;
        }
        Ok(out)
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
