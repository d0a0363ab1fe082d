//! Origins: scheme + host + effective port (RFC 6454), the unit every
//! security rule of the registry client compares. It is defined once, here,
//! and used by the auth layer and by the client in oras-remote:
//! - tokens and Basic credentials are cached per origin, so a credential
//!   obtained for `https://r.example` is never attached to a request for
//!   another origin, not even `http://r.example` (GHSA-vh4v-2xq2-g5cg);
//! - custom headers and the client certificate go only to the registry's
//!   origin, and a redirect to another origin drops `Authorization`;
//! - pagination links to another origin are refused (GHSA-h7vf-4x9w-h99v).

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
        let default_port = default_port(&scheme).ok_or_else(invalid)?;
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

    /// The origin of a parsed URL; an error when it has no host or the
    /// scheme is not http(s). The URL parser drops a default port, so
    /// [`Origin::host_port`] has none then.
    pub fn of_url(url: &url::Url) -> Result<Origin, Error> {
        let invalid = || Error::InvalidUri {
            uri: url.to_string(),
        };
        let scheme = url.scheme().to_ascii_lowercase();
        let default_port = default_port(&scheme).ok_or_else(invalid)?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(invalid)?;
        let hostport = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port: url.port().unwrap_or(default_port),
            authority: hostport,
        })
    }

    /// Whether `a` and `b` are both http(s) URLs of one origin.
    pub fn same(a: &Uri, b: &Uri) -> bool {
        matches!((Origin::of(a), Origin::of(b)), (Ok(a), Ok(b)) if a == b)
    }

    /// Whether `a` and `b` are both http(s) URLs of one origin.
    pub fn same_url(a: &url::Url, b: &url::Url) -> bool {
        matches!((Origin::of_url(a), Origin::of_url(b)), (Ok(a), Ok(b)) if a == b)
    }

    /// Whether `uri` is an http(s) URL of this origin.
    pub fn contains(&self, uri: &Uri) -> bool {
        Origin::of(uri).is_ok_and(|other| &other == self)
    }

    /// `host[:port]` as written in the URI: the key credentials are looked
    /// up by (oras-go uses `req.Host`).
    pub fn host_port(&self) -> &str {
        &self.authority
    }

    /// `host:port` with the effective port, lower-cased: what a connection
    /// is made to (IPv6 literals keep their brackets).
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The lower-cased scheme: `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The lower-cased host (IPv6 literals keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The effective port: the one written, or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the scheme is plain http.
    pub fn is_http(&self) -> bool {
        self.scheme == "http"
    }
}

/// The default port of an http(s) scheme; `None` for any other scheme.
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
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
        assert_eq!(origin("https://R.example/v2/").authority(), "r.example:443");
        assert_eq!(origin("http://[::1]:5000/").authority(), "[::1]:5000");
    }

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn urls_and_uris_agree() {
        for text in [
            "https://R.example/v2/",
            "https://r.example:443/x",
            "http://r.example/",
            "http://localhost:5000/v2/",
            "http://[::1]:5000/v2/",
        ] {
            assert_eq!(Origin::of_url(&url(text)).unwrap(), origin(text), "{text}");
        }
        assert!(Origin::of_url(&url("ftp://x/")).is_err());
        assert!(Origin::of_url(&url("file:///tmp/x")).is_err());
    }

    #[test]
    fn same_origin_needs_scheme_host_and_port() {
        let a = url("https://r.example/v2/");
        assert!(Origin::same_url(&a, &url("https://R.example:443/x")));
        assert!(!Origin::same_url(&a, &url("http://r.example/x")));
        assert!(!Origin::same_url(&a, &url("https://r.example:444/x")));
        assert!(!Origin::same_url(&a, &url("https://evil.example/x")));
        // Two URLs that are not http(s) are never of one origin.
        assert!(!Origin::same_url(&url("ftp://x/a"), &url("ftp://x/b")));
        let uri = |s: &str| -> Uri { s.parse().unwrap() };
        assert!(Origin::same(
            &uri("https://r.example/a"),
            &uri("https://r.example:443/b")
        ));
        assert!(!Origin::same(&uri("/relative"), &uri("/relative")));
        let registry = origin("https://r.example/");
        assert!(registry.contains(&uri("https://R.EXAMPLE/v2/x")));
        assert!(!registry.contains(&uri("http://r.example/v2/x")));
        assert!(!registry.contains(&uri("/v2/x")));
    }
}
