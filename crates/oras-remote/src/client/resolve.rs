//! DNS overrides: the oras CLI's `--resolve host:port:address[:address_port]`
//! (Go `internal/net.Dialer`, installed as the transport's `DialContext`).
//!
//! An override changes only where the TCP connection goes: the URL, the
//! `Host` header, the TLS server name and the certificate check keep the
//! original name. As in Go, the override is looked up for the address that
//! is actually dialled: the destination when the connection is direct, the
//! proxy's `host:port` when a proxy is used (the proxy then resolves the
//! destination itself, so an override for the registry does not apply).
//! Host names match without regard to ASCII case; the last override given
//! for a `host:port` wins (Go's map of rules).

use std::collections::HashMap;
use std::net::SocketAddr;

use http::Uri;

use crate::error::BoxError;

/// `host:port` → the address to dial instead.
#[derive(Clone, Debug, Default)]
pub(crate) struct DnsOverrides {
    rules: HashMap<(String, u16), SocketAddr>,
}

/// The form hosts are compared in: no IPv6 brackets, lower case.
fn normalize(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

impl DnsOverrides {
    /// Dials `address` for `host:port` from now on.
    pub(crate) fn insert(&mut self, host: &str, port: u16, address: SocketAddr) {
        self.rules.insert((normalize(host), port), address);
    }

    /// The address to dial for `host:port`, if overridden.
    pub(crate) fn lookup(&self, host: &str, port: u16) -> Option<SocketAddr> {
        if self.rules.is_empty() {
            return None;
        }
        self.rules.get(&(normalize(host), port)).copied()
    }

    /// The URI to hand the TCP connector for a dial of `host:port`
    /// (`original` when nothing overrides it).
    pub(crate) fn dial_uri(&self, host: &str, port: u16, original: Uri) -> Result<Uri, BoxError> {
        match self.lookup(host, port) {
            // An IP literal: the connector skips DNS.
            Some(address) => Ok(format!("http://{address}").parse()?),
            None => Ok(original),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_host_and_port_ignoring_case_and_the_last_rule_wins() {
        let mut overrides = DnsOverrides::default();
        let a: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let b: SocketAddr = "[::1]:6000".parse().unwrap();
        overrides.insert("Registry.Test", 443, a);
        assert_eq!(overrides.lookup("registry.test", 443), Some(a));
        assert_eq!(overrides.lookup("registry.test", 80), None);
        assert_eq!(overrides.lookup("other.test", 443), None);
        overrides.insert("registry.test", 443, b);
        assert_eq!(overrides.lookup("REGISTRY.TEST", 443), Some(b));
        overrides.insert("::1", 8443, a);
        assert_eq!(overrides.lookup("[::1]", 8443), Some(a));
    }

    #[test]
    fn dial_uri_is_the_overriding_address() {
        let mut overrides = DnsOverrides::default();
        overrides.insert("registry.test", 443, "[::1]:6000".parse().unwrap());
        let original: Uri = "https://registry.test/v2/".parse().unwrap();
        let uri = overrides
            .dial_uri("registry.test", 443, original.clone())
            .unwrap();
        assert_eq!(uri.host(), Some("[::1]"));
        assert_eq!(uri.port_u16(), Some(6000));
        let other = overrides.dial_uri("other.test", 443, original.clone());
        assert_eq!(other.unwrap(), original);
    }
}
