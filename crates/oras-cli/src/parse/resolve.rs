//! `--resolve host:port:address[:address_port]` DNS overrides (Go
//! `Remote.parseResolve`). Later rules override earlier ones for the same
//! `host:port`, so `--from-resolve` appended after `--resolve` wins.

use std::net::IpAddr;

use crate::error::{CliError, Result, quote};

/// One DNS override: connect to `address:address_port` for `host:port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveRule {
    /// Host name as used in references.
    pub host: String,
    /// Port of the reference (443 or 80 when the reference has none).
    pub port: u16,
    /// Address to dial instead.
    pub address: IpAddr,
    /// Port to dial (defaults to `port`).
    pub address_port: u16,
}

/// Parses every rule; the first malformed one is an error.
pub fn parse_resolve_rules(flags: &[String]) -> Result<Vec<ResolveRule>> {
    flags.iter().map(|flag| parse_rule(flag)).collect()
}

fn parse_rule(flag: &str) -> Result<ResolveRule> {
    let error = |message: &str| {
        CliError::new(format!(
            "failed to parse resolve flag {}: {message}",
            quote(flag)
        ))
    };
    let parts: Vec<&str> = flag.splitn(4, ':').collect();
    if parts.len() < 3 {
        return Err(error("expecting host:port:address[:address_port]"));
    }
    let port: u16 = parts[1]
        .parse()
        .map_err(|_| error("expecting uint64 host port"))?;
    let address: IpAddr = parts[2].parse().map_err(|_| error("invalid IP address"))?;
    let address_port = match parts.get(3) {
        Some(p) => p
            .parse()
            .map_err(|_| error("expecting uint64 address port"))?,
        None => port,
    };
    Ok(ResolveRule {
        host: parts[0].to_owned(),
        port,
        address,
        address_port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules() {
        let rules = parse_resolve_rules(&[
            "example.com:443:127.0.0.1".to_owned(),
            "example.com:80:127.0.0.2:5000".to_owned(),
        ])
        .unwrap();
        assert_eq!(rules[0].port, 443);
        assert_eq!(rules[0].address_port, 443);
        assert_eq!(rules[0].address.to_string(), "127.0.0.1");
        assert_eq!(rules[1].address_port, 5000);
    }

    #[test]
    fn rejects_malformed_rules() {
        let msg = |s: &str| parse_resolve_rules(&[s.to_owned()]).unwrap_err().message;
        assert_eq!(
            msg("a:1"),
            r#"failed to parse resolve flag "a:1": expecting host:port:address[:address_port]"#
        );
        assert!(msg("a:x:127.0.0.1").ends_with("expecting uint64 host port"));
        assert!(msg("a:1:nope").ends_with("invalid IP address"));
        assert!(msg("a:1:127.0.0.1:p").ends_with("expecting uint64 address port"));
    }
}
