//! Bearer realm validation (GHSA-28r5-37g7-p6mp, GHSA-xf85-363p-868w).
//!
//! A bearer realm is where the client sends the user's credential to get a
//! token, so a malicious registry must not be able to point it anywhere.
//! The rules follow oras-go v2.7.0 (`validateRealm`):
//!
//! - the realm is parsed once, with the WHATWG URL parser, and the very
//!   value checked is the one requested: the token request is built from
//!   the returned [`url::Url`];
//! - it must be https, or http when the registry itself is http;
//! - its host must be written the way the parser prints it (ASCII case
//!   aside): `https://2130706433/`, `https://127.1/`, `https://0x7f.1/`,
//!   `https://%31%32%37.0.0.1/` are refused outright, since another parser
//!   (or the system resolver) reads them as addresses the check never saw;
//! - a realm on the registry's own host is always allowed (a registry on
//!   loopback or in a cluster serving its own tokens);
//! - otherwise an IP-literal host may not be in a blocked prefix of the
//!   [`RealmPolicy`] (by default loopback, link-local, link-local
//!   multicast, unspecified and cloud metadata addresses; private ranges
//!   are allowed, as in oras-go). IPv4-mapped, NAT64 and 6to4 addresses
//!   are unwrapped first.
//!
//! A host name cannot be checked here without resolving it: every token
//! request carries a [`RealmRequest`] extension so that the transport
//! below can check the address it actually connects to (oras-remote does,
//! after DNS and its overrides, with the same policy).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::Arc;

use url::{Host, Url};

use crate::{Error, Origin};

/// A block of IP addresses: an address and a prefix length (CIDR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpPrefix {
    addr: IpAddr,
    len: u8,
}

impl IpPrefix {
    /// The block of the first `len` bits of `addr`; an error when `len` is
    /// longer than the address.
    pub fn new(addr: IpAddr, len: u8) -> Result<IpPrefix, Error> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if len > max {
            return Err(Error::InvalidPrefix {
                prefix: format!("{addr}/{len}"),
                reason: "prefix length longer than the address",
            });
        }
        Ok(IpPrefix { addr, len })
    }

    const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> IpPrefix {
        IpPrefix {
            addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            len,
        }
    }

    const fn v6(segments: [u16; 8], len: u8) -> IpPrefix {
        let [a, b, c, d, e, f, g, h] = segments;
        IpPrefix {
            addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)),
            len,
        }
    }

    /// Whether `ip` is in the block (an IPv4 address is never in an IPv6
    /// block, nor the reverse).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.len)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.len))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpPrefix {
    type Err = Error;

    /// `addr/len`, or a bare address (a block of one).
    fn from_str(text: &str) -> Result<IpPrefix, Error> {
        let invalid = |reason| Error::InvalidPrefix {
            prefix: text.to_string(),
            reason,
        };
        let (addr, len) = match text.split_once('/') {
            Some((addr, len)) => (addr, Some(len)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| invalid("not an IP address"))?;
        let len = match len {
            Some(len) => len
                .trim()
                .parse::<u8>()
                .map_err(|_| invalid("not a prefix length"))?,
            None if addr.is_ipv4() => 32,
            None => 128,
        };
        IpPrefix::new(addr, len)
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// oras-go v2.7.0 `DefaultBlockedRealmPrefixes`: loopback, link-local
/// (cloud instance metadata at 169.254.169.254 included), link-local
/// multicast, unspecified, and the metadata addresses outside link-local
/// (Alibaba 100.100.100.200, AWS fd00:ec2::254 and fd00:ec2::23, GCP
/// fd20:ce::254, Azure 168.63.129.16).
const DEFAULT_BLOCKED: [IpPrefix; 13] = [
    IpPrefix::v4(127, 0, 0, 0, 8),
    IpPrefix::v6([0, 0, 0, 0, 0, 0, 0, 1], 128),
    IpPrefix::v4(169, 254, 0, 0, 16),
    IpPrefix::v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
    IpPrefix::v4(224, 0, 0, 0, 24),
    IpPrefix::v6([0xff02, 0, 0, 0, 0, 0, 0, 0], 16),
    IpPrefix::v4(0, 0, 0, 0, 8),
    IpPrefix::v6([0, 0, 0, 0, 0, 0, 0, 0], 128),
    IpPrefix::v4(100, 100, 100, 200, 32),
    IpPrefix::v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254], 128),
    IpPrefix::v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23], 128),
    IpPrefix::v6([0xfd20, 0xce, 0, 0, 0, 0, 0, 0x254], 128),
    IpPrefix::v4(168, 63, 129, 16, 32),
];

/// oras-go v2.7.0 `PrivateRealmPrefixes`: RFC 1918, IPv6 unique-local and
/// carrier-grade NAT.
const PRIVATE: [IpPrefix; 5] = [
    IpPrefix::v4(10, 0, 0, 0, 8),
    IpPrefix::v4(172, 16, 0, 0, 12),
    IpPrefix::v4(192, 168, 0, 0, 16),
    IpPrefix::v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
    IpPrefix::v4(100, 64, 0, 0, 10),
];

/// Which addresses a bearer realm on another host than the registry may
/// not be, or connect to (oras-go v2.7.0 `Client.BlockedRealmPrefixes`).
///
/// [`RealmPolicy::default`] blocks [`RealmPolicy::default_blocked`];
/// [`RealmPolicy::strict`] adds [`RealmPolicy::private`];
/// [`RealmPolicy::blocking`] uses exactly the prefixes given (none: every
/// address allowed). The scheme, downgrade and canonical-host rules always
/// apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealmPolicy {
    blocked: Arc<[IpPrefix]>,
}

impl Default for RealmPolicy {
    fn default() -> Self {
        RealmPolicy::blocking(RealmPolicy::default_blocked())
    }
}

impl RealmPolicy {
    /// A policy blocking exactly `prefixes` (an empty list blocks nothing).
    pub fn blocking(prefixes: impl IntoIterator<Item = IpPrefix>) -> RealmPolicy {
        RealmPolicy {
            blocked: prefixes.into_iter().collect(),
        }
    }

    /// The default blocks and the private ranges.
    pub fn strict() -> RealmPolicy {
        RealmPolicy::blocking(
            RealmPolicy::default_blocked()
                .into_iter()
                .chain(RealmPolicy::private()),
        )
    }

    /// The default blocked prefixes: loopback, link-local, link-local
    /// multicast, unspecified and cloud metadata addresses.
    pub fn default_blocked() -> Vec<IpPrefix> {
        DEFAULT_BLOCKED.to_vec()
    }

    /// RFC 1918, IPv6 unique-local (fc00::/7) and carrier-grade NAT
    /// (100.64.0.0/10), allowed by default.
    pub fn private() -> Vec<IpPrefix> {
        PRIVATE.to_vec()
    }

    /// The blocked prefixes.
    pub fn prefixes(&self) -> &[IpPrefix] {
        &self.blocked
    }

    /// The blocked prefix `ip` is in, if any, after unwrapping an
    /// IPv4-mapped, NAT64 or 6to4 address (oras-go `blockedPrefix`).
    pub fn blocked_prefix(&self, ip: IpAddr) -> Option<IpPrefix> {
        let unwrapped = unwrap_ipv4(ip);
        self.blocked
            .iter()
            .find(|prefix| prefix.contains(unwrapped) || prefix.contains(ip))
            .copied()
    }

    /// Checks the address a connection for a token request reached (or
    /// would reach): an [`Error::UnsafeRealm`] naming the address and the
    /// prefix when it is blocked. `host` is the realm host the address is
    /// for, `registry` the registry's host; a realm on the registry's own
    /// host is never refused.
    pub fn check_address(&self, host: &str, ip: IpAddr, registry: &str) -> Result<(), Error> {
        if same_host(host, registry) {
            return Ok(());
        }
        match self.blocked_prefix(ip) {
            Some(prefix) => Err(Error::UnsafeRealm {
                realm: host.to_string(),
                host: registry.to_string(),
                reason: format!(
                    "it connects to {}, in blocked prefix {prefix}",
                    unwrap_ipv4(ip)
                ),
            }),
            None => Ok(()),
        }
    }
}

/// A request extension on every request the auth layer sends to a bearer
/// realm (and so on each redirect hop of it): the transport below may
/// check the address it connects to with the same [`RealmPolicy`], since
/// a realm host name is only known to be safe once resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealmRequest {
    /// The host of the registry whose challenge named the realm (its own
    /// host is always allowed).
    pub registry_host: String,
    /// The policy the realm was validated with.
    pub policy: RealmPolicy,
}

/// The IPv4 address inside an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4
/// (2002::/16) IPv6 address; any other address as it is.
fn unwrap_ipv4(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else {
        return ip;
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let octets = v6.octets();
    let segments = v6.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return IpAddr::V4(Ipv4Addr::new(
            octets[12], octets[13], octets[14], octets[15],
        ));
    }
    if segments[0] == 0x2002 {
        return IpAddr::V4(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]));
    }
    ip
}

/// Hosts compared without ASCII case, and as addresses when both are.
fn same_host(a: &str, b: &str) -> bool {
    let bare = |h: &str| -> String {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()
    };
    let (a, b) = (bare(a), bare(b));
    if a == b {
        return true;
    }
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => unwrap_ipv4(x) == unwrap_ipv4(y),
        _ => false,
    }
}

/// The host of an absolute URL as written: between `://` (and any
/// `user@`) and the port or the path.
fn written_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    // The WHATWG parser ends the authority at `\` too for http(s).
    let authority = rest.split(['/', '\\', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        let end = host_port.find(']')?;
        return host_port.get(..=end);
    }
    Some(host_port.rsplit_once(':').map_or(host_port, |(h, _)| h))
}

/// Checks a bearer realm against the registry it came from and returns
/// it parsed: the URL to request, as is.
pub(crate) fn validate_realm(
    realm: &str,
    registry: &Origin,
    policy: &RealmPolicy,
) -> Result<Url, Error> {
    let refuse = |reason: String| Error::UnsafeRealm {
        realm: realm.to_string(),
        host: registry.host_port().to_string(),
        reason,
    };
    let url = Url::parse(realm).map_err(|_| refuse("not a valid absolute URL".into()))?;
    match url.scheme() {
        "https" => {}
        "http" if registry.is_http() => {}
        "http" => return Err(refuse("plain http realm for an https registry".into())),
        _ => return Err(refuse("not an http(s) URL".into())),
    }
    let (Some(host), Some(canonical)) = (url.host(), url.host_str()) else {
        return Err(refuse("URL without a host".into()));
    };
    // One parse: what another parser (hyper, getaddrinfo) would read in a
    // host the WHATWG parser rewrote is not what was checked.
    let written = written_host(realm).unwrap_or_default();
    if !written.eq_ignore_ascii_case(canonical) {
        return Err(refuse(format!(
            "host {written:?} is not in canonical form (it parses as {canonical})"
        )));
    }
    if same_host(canonical, registry.host()) {
        return Ok(url);
    }
    let ip = match host {
        Host::Ipv4(ip) => IpAddr::V4(ip),
        Host::Ipv6(ip) => IpAddr::V6(ip),
        Host::Domain(_) => return Ok(url),
    };
    if let Some(prefix) = policy.blocked_prefix(ip) {
        return Err(refuse(format!(
            "address {} is in blocked prefix {prefix} and is not the registry",
            unwrap_ipv4(ip)
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(uri: &str) -> Origin {
        Origin::of(&uri.parse().unwrap()).unwrap()
    }

    fn check(realm: &str, registry: &str) -> Result<Url, Error> {
        validate_realm(realm, &origin(registry), &RealmPolicy::default())
    }

    #[test]
    fn realm_scheme_rules() {
        let https = "https://r.example/";
        let http = "http://r.example/";
        assert!(check("https://auth.example/token", https).is_ok());
        assert!(check("http://auth.example/token", https).is_err());
        assert!(check("http://auth.example/token", http).is_ok());
        assert!(check("file:///etc/passwd", https).is_err());
        assert!(check("/token", https).is_err());
        assert!(check("", https).is_err());
    }

    #[test]
    fn blocked_ip_realms_are_refused_unless_the_registry() {
        let public = "https://r.example/";
        for realm in [
            "https://127.0.0.1/token",
            "https://127.8.9.10/token",
            "https://169.254.169.254/latest/meta-data",
            "https://0.0.0.0/t",
            "https://100.100.100.200/t",
            "https://168.63.129.16/t",
            "https://[::1]/t",
            "https://[fe80::1]/t",
            "https://[::]/t",
            "https://[::ffff:127.0.0.1]/t",
            "https://[64:ff9b::a9fe:a9fe]/t",
            "https://[2002:7f00:1::]/t",
            "https://[fd00:ec2::254]/t",
        ] {
            let err = check(realm, public).unwrap_err();
            assert!(matches!(err, Error::UnsafeRealm { .. }), "{realm}: {err}");
        }
        assert!(check("https://8.8.8.8/t", public).is_ok());
        let local = "http://127.0.0.1:5000/";
        assert!(check("http://127.0.0.1:5001/token", local).is_ok());
        assert!(check("http://169.254.169.254/token", local).is_err());
        let v6 = "https://[::1]:5000/";
        assert!(check("https://[::1]:6000/token", v6).is_ok());
        // A host name equal to the registry's is its own realm.
        assert!(check("https://LOCALHOST:6000/t", "https://localhost:5000/").is_ok());
    }

    #[test]
    fn private_ranges_are_allowed_by_default_and_refused_when_strict() {
        let public = origin("https://r.example/");
        for realm in [
            "https://10.0.0.1/t",
            "https://172.16.3.4/t",
            "https://192.168.1.1/t",
            "https://100.64.0.1/t",
            "https://[fd00::1]/t",
        ] {
            assert!(
                validate_realm(realm, &public, &RealmPolicy::default()).is_ok(),
                "{realm}"
            );
            assert!(
                validate_realm(realm, &public, &RealmPolicy::strict()).is_err(),
                "{realm}"
            );
        }
        let open = RealmPolicy::blocking([]);
        assert!(validate_realm("https://127.0.0.1/t", &public, &open).is_ok());
    }

    #[test]
    fn non_canonical_numeric_hosts_are_refused() {
        // Each of these reads as 127.0.0.1 or 169.254.169.254 somewhere.
        for realm in [
            "https://2130706433/token",
            "https://127.1/token",
            "https://0x7f.1/token",
            "https://0x7f000001/token",
            "https://0177.0.0.1/token",
            "https://0xa9fea9fe/token",
            "https://169.254.43518/token",
            "https://%31%32%37.0.0.1/token",
            "https://127.0.0.1./token",
            "https://[0:0::1]/token",
            "https://[::FFFF:127.0.0.1]/token",
            "https://user@2130706433:443/token",
        ] {
            let err = check(realm, "https://r.example/").unwrap_err();
            assert!(err.to_string().contains("canonical"), "{realm}: {err}");
        }
        // Case is not a rewrite; a canonical public address is fine.
        assert!(check("https://Auth.Example/token", "https://r.example/").is_ok());
        assert!(check("https://user:pw@8.8.8.8:443/t", "https://r.example/").is_ok());
    }

    #[test]
    fn the_checked_url_is_the_requested_one() {
        let url = check("https://auth.example/token?x=1", "https://r.example/").unwrap();
        assert_eq!(url.as_str(), "https://auth.example/token?x=1");
    }

    #[test]
    fn prefixes_parse_and_match() {
        let p: IpPrefix = "10.0.0.0/8".parse().unwrap();
        assert!(p.contains("10.255.0.1".parse().unwrap()));
        assert!(!p.contains("11.0.0.1".parse().unwrap()));
        assert!(!p.contains("::1".parse().unwrap()));
        let one: IpPrefix = "::1".parse().unwrap();
        assert_eq!(one.to_string(), "::1/128");
        let all: IpPrefix = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "x/8", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<IpPrefix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn connected_addresses_are_checked_against_the_policy() {
        let policy = RealmPolicy::default();
        let metadata: IpAddr = "169.254.169.254".parse().unwrap();
        assert!(
            policy
                .check_address("auth.test", metadata, "r.example")
                .is_err()
        );
        assert!(
            policy
                .check_address("r.example", metadata, "R.Example")
                .is_ok()
        );
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(
            policy
                .check_address("auth.test", mapped, "r.example")
                .is_err()
        );
        let public: IpAddr = "8.8.8.8".parse().unwrap();
        assert!(
            policy
                .check_address("auth.test", public, "r.example")
                .is_ok()
        );
    }
}
