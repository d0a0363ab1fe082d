//! Credentials and where they come from: the types the auth layer above
//! asks through, defined here so the stores implement them directly.
//!
//! A [`Credential`] mirrors oras-go's `auth.Credential`: a username and
//! password, an identity (refresh) token, or a ready access token. A
//! [`CredentialProvider`] resolves the credential for one registry host
//! (`host[:port]`, as written in the request URI); an empty credential is a
//! valid answer, not an error.

use std::fmt;

use async_trait::async_trait;

/// The error a [`CredentialProvider`] or a [`crate::RegistryPing`] reports:
/// any error, boxed (the registry client's stack carries the same type).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A registry credential. Which fields are set decides how a token is
/// obtained (oras-go `fetchBearerToken`): an access token is used as is, a
/// refresh token goes through the OAuth2 refresh grant, a username and
/// password go through Basic auth or the distribution token GET.
///
/// `Debug` shows which fields are set, never their secret values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credential {
    /// The user name (not secret).
    pub username: String,
    /// The password.
    pub password: String,
    /// An identity token: an OAuth2 refresh token.
    pub refresh_token: String,
    /// A bearer access token sent to the registry directly.
    pub access_token: String,
}

impl Credential {
    /// The empty credential: anonymous access.
    pub const EMPTY: Credential = Credential {
        username: String::new(),
        password: String::new(),
        refresh_token: String::new(),
        access_token: String::new(),
    };

    /// A username and password credential.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credential {
            username: username.into(),
            password: password.into(),
            ..Credential::EMPTY
        }
    }

    /// An identity (refresh) token credential.
    pub fn refresh_token(token: impl Into<String>) -> Self {
        Credential {
            refresh_token: token.into(),
            ..Credential::EMPTY
        }
    }

    /// An access token credential.
    pub fn access_token(token: impl Into<String>) -> Self {
        Credential {
            access_token: token.into(),
            ..Credential::EMPTY
        }
    }

    /// Whether every field is empty (anonymous access).
    pub fn is_empty(&self) -> bool {
        self == &Credential::EMPTY
    }
}

fn redacted(value: &str) -> &'static str {
    if value.is_empty() { "" } else { "<redacted>" }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("refresh_token", &redacted(&self.refresh_token))
            .field("access_token", &redacted(&self.access_token))
            .finish()
    }
}

/// Resolves the credential for a registry host (`host[:port]`).
///
/// Returning [`Credential::EMPTY`] means "no credential" (anonymous); an
/// error means the lookup itself failed.
#[async_trait]
pub trait CredentialProvider: Send + Sync {
    /// The credential for `host` (`host[:port]`).
    async fn credential(&self, host: &str) -> Result<Credential, BoxError>;
}

/// One credential for one host, or for every host.
///
/// As oras-go's `StaticCredential`, a credential given for `docker.io` is
/// used for `registry-1.docker.io`, where Docker Hub traffic goes.
#[derive(Clone, Debug)]
pub struct StaticCredential {
    host: Option<String>,
    credential: Credential,
}

impl StaticCredential {
    /// `credential` for `host` only; every other host gets the empty
    /// credential.
    pub fn new(host: impl Into<String>, credential: Credential) -> Self {
        let mut host = host.into();
        if host == "docker.io" {
            host = "registry-1.docker.io".to_string();
        }
        StaticCredential {
            host: Some(host),
            credential,
        }
    }

    /// `credential` for any host. Safe only because the auth layer sends
    /// a credential to the origin it was asked for and nowhere else.
    pub fn any_host(credential: Credential) -> Self {
        StaticCredential {
            host: None,
            credential,
        }
    }

    /// No credential for any host (anonymous access).
    pub fn anonymous() -> Self {
        StaticCredential::any_host(Credential::EMPTY)
    }
}

#[async_trait]
impl CredentialProvider for StaticCredential {
    async fn credential(&self, host: &str) -> Result<Credential, BoxError> {
        match &self.host {
            Some(expected) if !expected.eq_ignore_ascii_case(host) => Ok(Credential::EMPTY),
            _ => Ok(self.credential.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_secrets() {
        let credential = Credential {
            username: "alice".into(),
            password: "hunter2".into(),
            refresh_token: "refresh-secret".into(),
            access_token: "access-secret".into(),
        };
        let text = format!(
            "{credential:?} {:?}",
            StaticCredential::any_host(credential.clone())
        );
        assert!(text.contains("alice"));
        for secret in ["hunter2", "refresh-secret", "access-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn empty_is_empty() {
        assert!(Credential::EMPTY.is_empty());
        assert!(Credential::default().is_empty());
        assert!(!Credential::basic("a", "b").is_empty());
    }

    #[tokio::test]
    async fn static_credential_matches_its_host_and_docker_hub() {
        let provider = StaticCredential::new("docker.io", Credential::basic("u", "p"));
        assert_eq!(
            provider.credential("registry-1.docker.io").await.unwrap(),
            Credential::basic("u", "p")
        );
        assert!(
            provider
                .credential("evil.example")
                .await
                .unwrap()
                .is_empty()
        );
        let any = StaticCredential::any_host(Credential::basic("u", "p"));
        assert!(!any.credential("x:5000").await.unwrap().is_empty());
    }
}
