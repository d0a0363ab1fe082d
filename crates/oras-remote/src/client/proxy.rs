//! `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`, with the rules of Go's
//! `golang.org/x/net/http/httpproxy` (what oras uses through
//! `http.ProxyFromEnvironment`, oras#155):
//!
//! - https requests use `HTTPS_PROXY`, http requests `HTTP_PROXY` (the
//!   upper-case variable first, then the lower-case one);
//! - `localhost` and loopback addresses are never proxied;
//! - `NO_PROXY` is a comma-separated list of `*` (nothing is proxied), IP
//!   addresses, CIDR blocks and domain names, each optionally with a port;
//!   `foo.com` matches `foo.com` and its subdomains, `.foo.com` (or
//!   `*.foo.com`) only the subdomains;
//! - a proxy URL without a scheme is `http://`; an `https://` proxy is
//!   spoken to over TLS (the `CONNECT` line and `Proxy-Authorization`
//!   inside it), its certificate verified with the client's roots, or not
//!   at all under `--insecure`, as Go's transport does.

use std::net::IpAddr;

use url::Url;

/// Which proxy, if any, each request goes through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: Vec<NoProxyEntry>,
    no_proxy_all: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum NoProxyEntry {
    /// An address or CIDR block (`prefix` bits), with an optional port.
    Ip {
        addr: IpAddr,
        prefix: u8,
        port: Option<u16>,
    },
    /// A domain; `subdomains_only` for a leading `.` or `*.`.
    Domain {
        name: String,
        subdomains_only: bool,
        port: Option<u16>,
    },
}

impl ProxyConfig {
    /// No proxy at all.
    pub fn none() -> Self {
        ProxyConfig::default()
    }

    /// Reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (or their lower-case
    /// forms) from the environment. Unparsable proxy URLs are ignored.
    pub fn from_env() -> Self {
        let var = |upper: &str, lower: &str| {
            std::env::var(upper)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var(lower).ok())
                .unwrap_or_default()
        };
        ProxyConfig::new(
            &var("HTTP_PROXY", "http_proxy"),
            &var("HTTPS_PROXY", "https_proxy"),
            &var("NO_PROXY", "no_proxy"),
        )
    }

    /// A configuration from the three values as they would appear in the
    /// environment (empty means unset).
    pub fn new(http_proxy: &str, https_proxy: &str, no_proxy: &str) -> Self {
        let mut config = ProxyConfig {
            http: parse_proxy_url(http_proxy),
            https: parse_proxy_url(https_proxy),
            ..ProxyConfig::default()
        };
        for entry in no_proxy.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                config.no_proxy_all = true;
            } else if let Some(parsed) = parse_no_proxy(entry) {
                config.no_proxy.push(parsed);
            }
        }
        config
    }

    /// The proxy for a request to `scheme://host:port`, if one applies.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&Url> {
        let proxy = match scheme {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        if self.bypasses(host, port) {
            None
        } else {
            Some(proxy)
        }
    }

    /// Whether requests to `host:port` go direct.
    fn bypasses(&self, host: &str, port: u16) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if self.no_proxy_all || host == "localhost" {
            return true;
        }
        let ip = host.parse::<IpAddr>().ok();
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return true;
        }
        self.no_proxy.iter().any(|entry| match entry {
            NoProxyEntry::Ip {
                addr,
                prefix,
                port: want,
            } => {
                want.is_none_or(|p| p == port) && ip.is_some_and(|ip| in_block(ip, *addr, *prefix))
            }
            NoProxyEntry::Domain {
                name,
                subdomains_only,
                port: want,
            } => {
                want.is_none_or(|p| p == port)
                    && (host.ends_with(&format!(".{name}")) || (!subdomains_only && host == *name))
            }
        })
    }
}

fn parse_proxy_url(value: &str) -> Option<Url> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let url = Url::parse(value)
        .ok()
        .filter(|u| u.has_host() && matches!(u.scheme(), "http" | "https"))
        .or_else(|| Url::parse(&format!("http://{value}")).ok())?;
    url.has_host().then_some(url)
}

fn parse_no_proxy(entry: &str) -> Option<NoProxyEntry> {
    let entry = entry.to_ascii_lowercase();
    if let Some((addr, bits)) = entry.split_once('/') {
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u8 = bits.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        return (prefix <= max).then_some(NoProxyEntry::Ip {
            addr,
            prefix,
            port: None,
        });
    }
    if let Ok(addr) = entry
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        return Some(NoProxyEntry::Ip {
            addr,
            prefix,
            port: None,
        });
    }
    let (host, port) = split_port(&entry);
    if let Ok(addr) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        return Some(NoProxyEntry::Ip { addr, prefix, port });
    }
    let (name, subdomains_only) = if let Some(rest) = host.strip_prefix("*.") {
        (rest, true)
    } else if let Some(rest) = host.strip_prefix('.') {
        (rest, true)
    } else {
        (host, false)
    };
    (!name.is_empty()).then(|| NoProxyEntry::Domain {
        name: name.to_owned(),
        subdomains_only,
        port,
    })
}

fn split_port(entry: &str) -> (&str, Option<u16>) {
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn in_block(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(no_proxy: &str, scheme: &str, host: &str, port: u16) -> bool {
        ProxyConfig::new("http://hp:3128", "proxy.corp:8080", no_proxy)
            .proxy_for(scheme, host, port)
            .is_some()
    }

    #[test]
    fn picks_the_proxy_by_scheme() {
        let config = ProxyConfig::new("http://hp:3128", "proxy.corp:8080", "");
        let https = config.proxy_for("https", "r.example", 443).unwrap();
        assert_eq!(https.as_str(), "http://proxy.corp:8080/");
        let http = config.proxy_for("http", "r.example", 80).unwrap();
        assert_eq!(http.host_str(), Some("hp"));
        assert!(
            ProxyConfig::none()
                .proxy_for("https", "r.example", 443)
                .is_none()
        );
        let only_http = ProxyConfig::new("hp:1", "", "");
        assert!(only_http.proxy_for("https", "r.example", 443).is_none());
    }

    #[test]
    fn never_proxies_loopback() {
        for host in ["localhost", "127.0.0.1", "127.5.6.7", "[::1]", "LOCALHOST"] {
            assert!(!decide("", "https", host, 5000), "{host}");
        }
        assert!(decide("", "https", "10.0.0.1", 443));
    }

    #[test]
    fn no_proxy_rules_follow_go_httpproxy() {
        let list = "example.com, .sub.org, *.star.net, 10.0.0.0/8, 192.168.1.7, only.port:8443, [2001:db8::1]";
        let cases = [
            ("example.com", 443, false),
            ("api.example.com", 443, false),
            ("notexample.com", 443, true),
            ("sub.org", 443, true),
            ("a.sub.org", 443, false),
            ("star.net", 443, true),
            ("x.star.net", 443, false),
            ("10.1.2.3", 443, false),
            ("11.1.2.3", 443, true),
            ("192.168.1.7", 443, false),
            ("192.168.1.8", 443, true),
            ("only.port", 8443, false),
            ("only.port", 443, true),
            ("[2001:db8::1]", 443, false),
            ("EXAMPLE.COM", 443, false),
        ];
        for (host, port, proxied) in cases {
            assert_eq!(decide(list, "https", host, port), proxied, "{host}:{port}");
        }
        assert!(!decide("*", "https", "anything.example", 443));
        assert!(!decide("a.com,*", "http", "b.com", 80));
    }
}
