//! Origins and realm validation.
//!
//! An origin is scheme + host + effective port (RFC 6454). Tokens and
//! Basic credentials are cached per origin, so a credential obtained for
//! `https://r.example` is never attached to a request for another origin,
//! not even `http://r.example` (GHSA-vh4v-2xq2-g5cg).

use std::fmt;

use http::Uri;

use crate::Error;

/// The origin of a URI: scheme, lower-cased host and effective port. Two
/// origins are equal when those three are; `host_port` is only the key for
/// credential lookups.
#[derive(Clone, Debug)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
    authority: String,
}

impl Origin {
    /// The origin of `uri`; an error when it has no scheme or host or the
    /// scheme is not http(s).
    pub fn of(uri: &Uri) -> Result<Origin, Error> {
        let invalid = || Error::InvalidUri {
            uri: uri.to_string(),
        };
        let scheme = uri.scheme_str().ok_or_else(invalid)?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return Err(invalid()),
        };
        let authority = uri.authority().ok_or_else(invalid)?;
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(invalid());
        }
        // `Authority::as_str` may carry `user:pass@`; the credential key is
        // `host[:port]` as written, without it.
        let hostport = match authority.port() {
            Some(port) => format!("{}:{}", authority.host(), port.as_str()),
            None => authority.host().to_string(),
        };
        Ok(Origin {
            scheme,
            host,
            port: authority.port_u16().unwrap_or(default_port),
            authority: hostport,
        })
    }

    /// `host[:port]` as written in the URI: the key credentials are looked
    /// up by (oras-go uses `req.Host`).
    pub fn host_port(&self) -> &str {
        &self.authority
    }

    /// The lower-cased host (IPv6 literals keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the scheme is plain http.
    pub fn is_http(&self) -> bool {
        self.scheme == "http"
    }
}

impl PartialEq for Origin {
    fn eq(&self, other: &Origin) -> bool {
        (&self.scheme, &self.host, self.port) == (&other.scheme, &other.host, other.port)
    }
}

impl Eq for Origin {}

impl std::hash::Hash for Origin {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.scheme, &self.host, self.port).hash(state);
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(uri: &str) -> Origin {
        Origin::of(&uri.parse().unwrap()).unwrap()
    }

    #[test]
    fn origins_compare_scheme_host_and_effective_port() {
        assert_eq!(
            origin("https://R.example/v2/"),
            origin("https://r.example:443/x")
        );
        assert_ne!(origin("https://r.example/"), origin("http://r.example/"));
        assert_ne!(
            origin("https://r.example/"),
            origin("https://r.example:444/")
        );
        assert_eq!(
            origin("http://user:pw@localhost:5000/v2/").host_port(),
            "localhost:5000"
        );
        assert!(Origin::of(&"/v2/".parse().unwrap()).is_err());
        assert!(Origin::of(&"ftp://x/".parse().unwrap()).is_err());
    }
}
