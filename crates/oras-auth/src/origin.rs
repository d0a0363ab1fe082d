//! Origins and realm validation.
//!
//! An origin is scheme + host + effective port (RFC 6454). Tokens and
//! Basic credentials are cached per origin, so a credential obtained for
//! `https://r.example` is never attached to a request for another origin,
//! not even `http://r.example` (GHSA-vh4v-2xq2-g5cg).
//!
//! A bearer realm is where the client sends the credential to get a token,
//! so a malicious registry must not be able to point it anywhere
//! (GHSA-28r5-37g7-p6mp, GHSA-xf85-363p-868w): the realm must be https,
//! or http when the registry itself is http; and an IP-literal realm that is
//! loopback, link-local, private or unspecified is refused unless it is the
//! registry host itself.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// Checks a bearer realm against the registry it came from and returns it
/// parsed.
pub(crate) fn validate_realm(realm: &str, registry: &Origin) -> Result<Uri, Error> {
    let refuse = |reason: &'static str| Error::UnsafeRealm {
        realm: realm.to_string(),
        host: registry.host_port().to_string(),
        reason,
    };
    let uri: Uri = realm
        .parse()
        .map_err(|_| refuse("not a valid absolute URL"))?;
    let origin = Origin::of(&uri).map_err(|_| refuse("not an absolute http(s) URL"))?;
    if origin.is_http() && !registry.is_http() {
        return Err(refuse("plain http realm for an https registry"));
    }
    if let Some(ip) = ip_literal(origin.host())
        && is_internal(ip)
        && ip_literal(registry.host()) != Some(ip)
    {
        return Err(refuse(
            "loopback, link-local, private or unspecified address that is not the registry",
        ));
    }
    Ok(uri)
}

fn ip_literal(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = bare.parse().ok()?;
    // An IPv4-mapped IPv6 address is the IPv4 address in disguise.
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
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

    #[test]
    fn realm_scheme_rules() {
        let https = origin("https://r.example/");
        let http = origin("http://r.example/");
        assert!(validate_realm("https://auth.example/token", &https).is_ok());
        assert!(validate_realm("http://auth.example/token", &https).is_err());
        assert!(validate_realm("http://auth.example/token", &http).is_ok());
        assert!(validate_realm("file:///etc/passwd", &https).is_err());
        assert!(validate_realm("/token", &https).is_err());
        assert!(validate_realm("", &https).is_err());
    }

    #[test]
    fn internal_ip_realms_are_refused_unless_the_registry() {
        let public = origin("https://r.example/");
        for realm in [
            "https://127.0.0.1/token",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/t",
            "https://172.16.3.4/t",
            "https://192.168.1.1/t",
            "https://0.0.0.0/t",
            "https://[::1]/t",
            "https://[fe80::1]/t",
            "https://[fd00::1]/t",
            "https://[::]/t",
            "https://[::ffff:127.0.0.1]/t",
        ] {
            assert!(validate_realm(realm, &public).is_err(), "{realm}");
        }
        assert!(validate_realm("https://8.8.8.8/t", &public).is_ok());
        let local = origin("http://127.0.0.1:5000/");
        assert!(validate_realm("http://127.0.0.1:5001/token", &local).is_ok());
        assert!(validate_realm("http://10.0.0.1/token", &local).is_err());
        let v6 = origin("https://[::1]:5000/");
        assert!(validate_realm("https://[::1]:6000/token", &v6).is_ok());
    }
}
