//! Credentials as containers/image looks them up (containers-auth.json(5)
//! and the `credential-helpers` of containers-registries.conf(5)):
//!
//! * the sources are the `credential-helpers` of registries.conf, in
//!   order (default: `containers-auth.json` alone); the name
//!   `containers-auth.json` means the auth files, any other name the
//!   `docker-credential-<name>` program; the first source with a
//!   credential wins;
//! * in the auth files, each file in lookup order: a `credHelpers` entry
//!   for the registry answers first; then the `auths` key of the
//!   repository itself and of each enclosing namespace, most specific
//!   first (`host/ns/app`, then `host/ns`); then the registry's own key
//!   (or a key written as a URL, `https://host/v1/`, whose host it is;
//!   never a namespaced key), then Docker's `credsStore`.
//!   The first file with a credential wins.
//!
//! A credential is only ever asked for the registry a request goes to:
//! [`RepositoryCredentials`] uses the repository's namespaced keys for
//! its own registry and nothing else.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use oras_credentials::{
    BoxError, Config, Credential, CredentialProvider, NativeStore, Store, credential_for_host,
    server_address_from_hostname, to_hostname,
};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::toml_file::read_optional;

/// The `credential-helpers` name that stands for the auth files.
pub const AUTH_FILES_HELPER: &str = "containers-auth.json";

/// One auth file: its entries and the keys of its `auths`.
struct AuthFile {
    config: Config,
    keys: Vec<String>,
}

enum Source {
    AuthFiles(Vec<AuthFile>),
    Helper(NativeStore),
}

/// Every credential source of the configuration, in lookup order.
pub struct Credentials {
    sources: Vec<Source>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self
            .sources
            .iter()
            .map(|source| match source {
                Source::AuthFiles(files) => format!("{AUTH_FILES_HELPER} ({} files)", files.len()),
                Source::Helper(helper) => helper.program().to_string(),
            })
            .collect();
        f.debug_struct("Credentials")
            .field("sources", &names)
            .finish()
    }
}

/// The keys of the namespaces enclosing `host/path`, most specific first,
/// without the registry's own key (containers/image `authKeysForKey`).
fn namespace_keys(host: &str, path: &str) -> Vec<String> {
    let host = key_registry(host);
    let mut keys = Vec::new();
    let mut rest = path.trim_matches('/');
    while !rest.is_empty() {
        keys.push(format!("{host}/{rest}"));
        rest = rest.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    keys
}

/// The names Docker Hub goes by: users write `docker.io`, requests go to
/// `registry-1.docker.io`, Docker keeps `https://index.docker.io/v1/`.
fn is_docker_hub(name: &str) -> bool {
    matches!(
        name,
        "docker.io" | "registry-1.docker.io" | "index.docker.io"
    )
}

/// The registry part of auth.json keys for `host`: `docker.io` for Docker
/// Hub (containers/image normalizes it so), else the host itself.
fn key_registry(host: &str) -> &str {
    match is_docker_hub(host) {
        true => "docker.io",
        false => host,
    }
}

impl AuthFile {
    fn load(path: &Path) -> Result<AuthFile> {
        // A missing file is an empty store; a malformed one an error
        // (`Config::load` checks the whole file before the keys are read).
        let config = Config::load(path).map_err(|source| {
            match source.to_string().contains(&path.display().to_string()) {
                true => Error::Credentials(source),
                false => Error::AuthFile {
                    path: path.to_path_buf(),
                    source,
                },
            }
        })?;
        let keys = match read_optional(path)? {
            Some(text) if !text.trim().is_empty() => serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|value| value.get("auths")?.as_object().cloned())
                .map(|auths| auths.keys().cloned().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(AuthFile { config, keys })
    }

    /// The key of the registry's own entry: `server` itself, else a key
    /// written as a URL (`https://host/v1/`) whose host is `server`.
    /// containers/image cuts the path of URL keys only, so a namespaced
    /// key (`host/team`) never stands for the whole registry.
    fn registry_key(&self, server: &str, host: &str) -> Option<&str> {
        let has_scheme = |key: &str| key.starts_with("http://") || key.starts_with("https://");
        self.keys
            .iter()
            .find(|key| key.as_str() == server)
            .or_else(|| {
                // Docker Hub as podman writes it.
                let name = key_registry(host);
                self.keys
                    .iter()
                    .find(|key| name != host && key.as_str() == name)
            })
            .or_else(|| {
                self.keys
                    .iter()
                    .find(|key| has_scheme(key) && to_hostname(key) == server)
            })
            .map(String::as_str)
    }

    /// The `credHelpers` entry for `host`, under Docker's key or the
    /// registry name (`docker.io`, as podman writes it).
    fn helper_for(&self, host: &str) -> Option<&str> {
        let server = server_address_from_hostname(host);
        self.config
            .credential_helper(&server)
            .or_else(|| self.config.credential_helper(key_registry(host)))
    }

    /// The most specific namespaced key of this file for `host/path`.
    fn namespaced_key(&self, host: &str, path: &str) -> Result<Option<(String, Credential)>> {
        if self.helper_for(host).is_some() {
            return Ok(None);
        }
        for key in namespace_keys(host, path) {
            let credential = self.config.credential(&key)?;
            if !credential.is_empty() {
                return Ok(Some((key, credential)));
            }
        }
        Ok(None)
    }

    async fn credential(&self, host: &str, path: &str) -> Result<Credential> {
        let server = server_address_from_hostname(host);
        if let Some(helper) = self.helper_for(host) {
            return Ok(NativeStore::new(helper).get(&server).await?);
        }
        if let Some((_, credential)) = self.namespaced_key(host, path)? {
            return Ok(credential);
        }
        if let Some(key) = self.registry_key(&server, host) {
            return Ok(self.config.credential(key)?);
        }
        // Docker's `credsStore`, for the Docker config read last.
        match self.config.credentials_store() {
            "" => Ok(Credential::EMPTY),
            store => Ok(NativeStore::new(store).get(&server).await?),
        }
    }
}

impl Credentials {
    /// The sources named by `helpers` (empty: the auth files alone) over
    /// `auth_files`. Every auth file is read and checked here.
    pub(crate) fn load(helpers: &[String], auth_files: &[PathBuf]) -> Result<Credentials> {
        let default = [AUTH_FILES_HELPER.to_string()];
        let helpers = if helpers.is_empty() {
            &default[..]
        } else {
            helpers
        };
        let mut sources = Vec::new();
        for helper in helpers {
            if helper == AUTH_FILES_HELPER {
                let files = auth_files.iter().map(|path| AuthFile::load(path));
                sources.push(Source::AuthFiles(files.collect::<Result<_>>()?));
            } else {
                sources.push(Source::Helper(NativeStore::new(helper)));
            }
        }
        Ok(Credentials { sources })
    }

    /// The namespaced auth-file key that answers for the repository
    /// `path` of `host` (`team/app` of `r.example:5000`), if one does; no
    /// request and no helper is run. Callers that cache tokens per
    /// credential use it to keep one repository's token from another's.
    pub fn namespaced_key(&self, host: &str, path: &str) -> Result<Option<String>> {
        for source in &self.sources {
            let Source::AuthFiles(files) = source else {
                continue;
            };
            for file in files {
                if let Some((key, _)) = file.namespaced_key(host, path)? {
                    return Ok(Some(key));
                }
            }
        }
        Ok(None)
    }

    /// The credential for the repository `path` of `host` (an empty
    /// `path` asks for the registry's own): the first source with one,
    /// else [`Credential::EMPTY`]. A failing helper does not stop the
    /// lookup; its error is returned only when no source answered
    /// (containers/image collects them the same way).
    pub async fn credential(&self, host: &str, path: &str) -> Result<Credential> {
        let mut first_error: Option<Error> = None;
        for source in &self.sources {
            let found = match source {
                Source::AuthFiles(files) => {
                    let mut found = Ok(Credential::EMPTY);
                    for file in files {
                        found = file.credential(host, path).await;
                        if found.as_ref().map_or(true, |c| !c.is_empty()) {
                            break;
                        }
                    }
                    found
                }
                Source::Helper(helper) => {
                    credential_for_host(helper, host).await.map_err(Error::from)
                }
            };
            match found {
                Ok(credential) if !credential.is_empty() => return Ok(credential),
                Ok(_) => {}
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        match first_error {
            Some(err) => Err(err),
            None => Ok(Credential::EMPTY),
        }
    }
}

/// Registry-level lookups: the auth layer asks by `host[:port]`.
#[async_trait]
impl CredentialProvider for Credentials {
    async fn credential(&self, host: &str) -> std::result::Result<Credential, BoxError> {
        Ok(Credentials::credential(self, host, "").await?)
    }
}

/// The credentials of one repository: its namespaced keys for its own
/// registry, the registry-level credential for any other host asked.
#[derive(Clone, Debug)]
pub struct RepositoryCredentials {
    credentials: Arc<Credentials>,
    registry: String,
    path: String,
}

impl RepositoryCredentials {
    /// The credentials of repository `path` of `registry`.
    pub fn new(credentials: Arc<Credentials>, registry: &str, path: &str) -> Self {
        RepositoryCredentials {
            credentials,
            registry: registry.to_string(),
            path: path.to_string(),
        }
    }
}

#[async_trait]
impl CredentialProvider for RepositoryCredentials {
    async fn credential(&self, host: &str) -> std::result::Result<Credential, BoxError> {
        let own = host.eq_ignore_ascii_case(&self.registry)
            || (is_docker_hub(host) && is_docker_hub(&self.registry));
        let path = match own {
            true => self.path.as_str(),
            false => "",
        };
        Ok(self.credentials.credential(host, path).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(user: &str) -> String {
        let encoded = match user {
            "ns" => "bnM6cA==",               // ns:p
            "repo" => "cmVwbzpw",             // repo:p
            "registry" => "cmVnaXN0cnk6cA==", // registry:p
            _ => "b3RoZXI6cA==",              // other:p
        };
        format!(r#"{{"auth":"{encoded}"}}"#)
    }

    fn file(dir: &std::path::Path, name: &str, keys: &[(&str, &str)]) -> PathBuf {
        let auths: Vec<String> = keys
            .iter()
            .map(|(key, user)| format!("{key:?}:{}", auth(user)))
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, format!(r#"{{"auths":{{{}}}}}"#, auths.join(","))).unwrap();
        path
    }

    async fn user(credentials: &Credentials, host: &str, path: &str) -> String {
        credentials.credential(host, path).await.unwrap().username
    }

    #[test]
    fn namespace_keys_most_specific_first() {
        assert_eq!(
            namespace_keys("r.example:5000", "a/b/c"),
            [
                "r.example:5000/a/b/c",
                "r.example:5000/a/b",
                "r.example:5000/a"
            ]
        );
        assert!(namespace_keys("r.example", "").is_empty());
        assert_eq!(
            namespace_keys("registry-1.docker.io", "library/a"),
            ["docker.io/library/a", "docker.io/library"]
        );
    }

    #[tokio::test]
    async fn docker_hub_keys_as_podman_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            "auth.json",
            &[("docker.io/team", "ns"), ("docker.io", "registry")],
        );
        let c = Arc::new(Credentials::load(&[], &[path]).unwrap());
        // Requests go to registry-1.docker.io for a docker.io reference.
        let provider = RepositoryCredentials::new(c.clone(), "docker.io", "team/app");
        let asked = provider.credential("registry-1.docker.io").await.unwrap();
        assert_eq!(asked.username, "ns");
        assert_eq!(
            user(&c, "registry-1.docker.io", "library/x").await,
            "registry"
        );
    }

    #[tokio::test]
    async fn the_most_specific_key_wins_then_the_registry() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            "auth.json",
            &[
                ("r.example/team", "ns"),
                ("r.example/team/app", "repo"),
                ("r.example", "registry"),
            ],
        );
        let c = Credentials::load(&[], &[path]).unwrap();
        assert_eq!(user(&c, "r.example", "team/app").await, "repo");
        assert_eq!(user(&c, "r.example", "team/other").await, "ns");
        assert_eq!(user(&c, "r.example", "team/app/sub").await, "repo");
        assert_eq!(user(&c, "r.example", "teamx/app").await, "registry");
        assert_eq!(user(&c, "r.example", "").await, "registry");
        assert_eq!(user(&c, "other.example", "team/app").await, "");
        // A namespaced key alone never answers for the registry or for
        // another namespace.
        let dir2 = tempfile::tempdir().unwrap();
        let only = file(dir2.path(), "auth.json", &[("r.example/team", "ns")]);
        let c2 = Credentials::load(&[], &[only]).unwrap();
        assert_eq!(user(&c2, "r.example", "").await, "");
        assert_eq!(user(&c2, "r.example", "other/app").await, "");
        let legacy = file(
            dir2.path(),
            "legacy.json",
            &[("https://r.example/v1/", "registry")],
        );
        let c3 = Credentials::load(&[], &[legacy]).unwrap();
        assert_eq!(user(&c3, "r.example", "team/app").await, "registry");
        assert_eq!(
            c.namespaced_key("r.example", "team/other/x").unwrap(),
            Some("r.example/team".to_string())
        );
        assert_eq!(c.namespaced_key("r.example", "teamx").unwrap(), None);
    }

    #[tokio::test]
    async fn the_first_file_with_a_credential_wins() {
        let dir = tempfile::tempdir().unwrap();
        // The first file's registry key wins over the second file's more
        // specific key (containers/image looks file by file).
        let first = file(dir.path(), "a.json", &[("r.example", "registry")]);
        let second = file(dir.path(), "b.json", &[("r.example/team/app", "repo")]);
        let c = Credentials::load(&[], &[first, second]).unwrap();
        assert_eq!(user(&c, "r.example", "team/app").await, "registry");
    }

    #[tokio::test]
    async fn the_repository_provider_scopes_to_its_registry() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            "auth.json",
            &[("r.example/team/app", "repo"), ("o.example", "other")],
        );
        let c = Arc::new(Credentials::load(&[], &[path]).unwrap());
        let provider = RepositoryCredentials::new(c, "r.example", "team/app");
        assert_eq!(
            provider.credential("r.example").await.unwrap().username,
            "repo"
        );
        assert_eq!(
            provider.credential("o.example").await.unwrap().username,
            "other"
        );
    }

    #[tokio::test]
    async fn helpers_without_the_auth_files_skip_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "auth.json", &[("r.example", "registry")]);
        // A helper that is not installed fails; with no other source,
        // that failure is the answer.
        let c = Credentials::load(
            &["oras-test-absent-helper".into()],
            std::slice::from_ref(&path),
        )
        .unwrap();
        assert!(c.credential("r.example", "").await.is_err());
        // After the auth files, the helper is never run for what they
        // answer.
        let c = Credentials::load(
            &[AUTH_FILES_HELPER.into(), "oras-test-absent-helper".into()],
            &[path],
        )
        .unwrap();
        assert_eq!(user(&c, "r.example", "").await, "registry");
    }

    /// Found by the `containers_auth_json` fuzz target: a `credHelpers`
    /// entry that is not a string failed in oras-go's words alone,
    /// without naming the file.
    #[test]
    fn a_malformed_auth_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            r#"{"credHelpers":{"a.example/app":{"auth":"x"}}}"#,
            r#"{"auths":[]}"#,
            r#"{"credsStore":1}"#,
            "{",
        ] {
            let path = dir.path().join("auth.json");
            std::fs::write(&path, text).unwrap();
            let Err(err) = Credentials::load(&[], std::slice::from_ref(&path)) else {
                panic!("{text} loaded");
            };
            let shown = err.to_string();
            assert_eq!(
                shown.matches(&path.display().to_string()).count(),
                1,
                "{shown}"
            );
        }
    }
}
