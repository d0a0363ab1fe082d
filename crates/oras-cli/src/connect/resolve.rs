//! `--resolve host:port:address[:address_port]` (Go `Remote.parseResolve`
//! and its dialer): every rule becomes a DNS override of oras-remote's
//! client ([`ClientConfig::resolve`]), so connections for a rule's
//! `host:port` go to its address while the URL, the `Host` header and the
//! TLS server name stay those of the reference; `--insecure`, `--ca-file`
//! and client certificates work as without it.
//!
//! As in Go, every rule applies to every connection of the client (the
//! registry, a token realm, a blob CDN), the last rule for a `host:port`
//! wins (so `--from-resolve`/`--to-resolve`, appended after `--resolve`,
//! override it), and a connection through a proxy dials the proxy.

use std::net::SocketAddr;

use oras_remote::ClientConfig;

use crate::options::RemoteSettings;

/// Adds the `--resolve` rules of `settings` to `config`.
pub(crate) fn apply(mut config: ClientConfig, settings: &RemoteSettings) -> ClientConfig {
    for rule in &settings.resolve {
        let address = SocketAddr::new(rule.address, rule.address_port);
        config = config.resolve(&rule.host, rule.port, address);
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_resolve_rules;

    #[test]
    fn every_rule_becomes_an_override_and_the_last_one_wins() {
        let settings = RemoteSettings {
            resolve: parse_resolve_rules(&[
                "example.com:443:127.0.0.1".into(),
                "example.com:5000:127.0.0.2".into(),
                "example.com:443:127.0.0.3:8443".into(),
            ])
            .unwrap(),
            insecure: true,
            ..RemoteSettings::default()
        };
        let shown = format!("{:?}", apply(ClientConfig::new(), &settings));
        assert!(shown.contains("127.0.0.3:8443"), "{shown}");
        assert!(shown.contains("127.0.0.2:5000"), "{shown}");
        assert!(!shown.contains("127.0.0.1:443"), "{shown}");
    }
}
