//! Registry authentication as the Ginkgo suite's client does it: on a `401` the `WWW-Authenticate` challenge
//! is parsed (with oras-auth's parser) and the request is sent once more,
//! with Basic credentials or with a Bearer token fetched from the realm
//! (`service` and `scope` from the challenge, `OCI_AUTH_SCOPE` overriding
//! the scope). Tokens are remembered per repository and access (pull or
//! push) so later requests carry them from the start.
//!
//! Credentials are only ever attached to requests for the registry's own
//! origin (scheme, host, port), never to a redirect or upload location on
//! another host (spec on `main`: "clients must not forward Authorization
//! across hosts").

use std::collections::HashMap;

use base64::Engine as _;
use oras_auth::{Challenge, Scheme};
use url::Url;

/// The largest token response read (oras-go's cap).
pub const MAX_TOKEN_RESPONSE: usize = oras_auth::MAX_TOKEN_RESPONSE_BYTES;

/// What a request needs to be authenticated, learnt from challenges.
#[derive(Debug, Default)]
pub struct AuthState {
    /// The registry asked for Basic: send it on every request.
    basic: bool,
    /// Bearer tokens per access key (see [`access_key`]).
    tokens: HashMap<String, String>,
}

impl AuthState {
    /// The `Authorization` value for a request to `url` with `method`, if
    /// one is known.
    pub fn header_for(
        &self,
        credentials: Option<&(String, String)>,
        url: &Url,
        method: &str,
    ) -> Option<String> {
        if self.basic {
            return credentials.map(basic_header);
        }
        self.tokens
            .get(&access_key(url, method))
            .map(|t| format!("Bearer {t}"))
    }

    /// Remembers that the registry wants Basic.
    pub fn use_basic(&mut self) {
        self.basic = true;
    }

    /// Remembers a bearer token for requests like this one.
    pub fn remember_token(&mut self, url: &Url, method: &str, token: String) {
        self.tokens.insert(access_key(url, method), token);
    }
}

/// `Basic base64(user:password)`.
pub fn basic_header((user, password): &(String, String)) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// The key tokens are cached under: the repository of the path and
/// whether the request reads (`GET`, `HEAD`) or writes.
pub fn access_key(url: &Url, method: &str) -> String {
    let access = if matches!(method, "GET" | "HEAD") {
        "pull"
    } else {
        "push"
    };
    format!("{}:{access}", repository_of(url.path()).unwrap_or_default())
}

/// The `<name>` of a `/v2/<name>/…` path.
pub fn repository_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/v2/")?;
    for marker in ["/blobs/", "/manifests/", "/tags/", "/referrers/"] {
        if let Some(at) = rest.rfind(marker) {
            return Some(rest[..at].to_owned());
        }
    }
    None
}

/// The URL of the token request for a Bearer challenge: the realm with
/// `service` and one `scope` per space-separated scope of the challenge
/// (or of `scope_override`).
pub fn token_url(challenge: &Challenge, scope_override: Option<&str>) -> Result<Url, String> {
    let realm = challenge
        .param("realm")
        .ok_or_else(|| "Bearer challenge without a realm".to_owned())?;
    let mut url = Url::parse(realm).map_err(|e| format!("invalid token realm {realm:?}: {e}"))?;
    {
        let mut query = url.query_pairs_mut();
        if let Some(service) = challenge.param("service") {
            query.append_pair("service", service);
        }
        let scope = scope_override
            .or_else(|| challenge.param("scope"))
            .unwrap_or("");
        for scope in scope.split(' ').filter(|s| !s.is_empty()) {
            query.append_pair("scope", scope);
        }
    }
    Ok(url)
}

/// The token of a token-endpoint response (`token`, else `access_token`).
pub fn token_from(body: &[u8]) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("token response is not JSON: {e}"))?;
    ["token", "access_token"]
        .iter()
        .find_map(|key| {
            value
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|t| !t.is_empty())
        })
        .map(str::to_owned)
        .ok_or_else(|| "token response has neither token nor access_token".to_owned())
}

/// Whether the challenge can be answered at all.
pub fn answerable(challenge: &Challenge, credentials: Option<&(String, String)>) -> bool {
    match challenge.scheme {
        Scheme::Basic => credentials.is_some(),
        Scheme::Bearer => true,
        Scheme::Other(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_and_access_of_paths() {
        assert_eq!(
            repository_of("/v2/a/b/blobs/uploads/x").as_deref(),
            Some("a/b")
        );
        assert_eq!(repository_of("/v2/a/manifests/t").as_deref(), Some("a"));
        assert_eq!(repository_of("/v2/"), None);
        let url = Url::parse("http://h/v2/a/blobs/sha256:1").unwrap();
        assert_eq!(access_key(&url, "HEAD"), "a:pull");
        assert_eq!(access_key(&url, "DELETE"), "a:push");
    }

    #[test]
    fn token_url_carries_service_and_each_scope() {
        let challenge = oras_auth::parse_challenges(
            r#"Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a:pull repository:b:pull,push""#,
        )
        .remove(0);
        let url = token_url(&challenge, None).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/token?service=reg&scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull%2Cpush"
        );
        let url = token_url(&challenge, Some("repository:x:*")).unwrap();
        assert!(url.as_str().ends_with("scope=repository%3Ax%3A*"), "{url}");
        assert_eq!(token_from(br#"{"access_token":"t"}"#).unwrap(), "t");
        assert!(token_from(b"{}").is_err());
    }
}
