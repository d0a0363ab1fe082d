//! Errors worded as Go's standard library words them, so that a tool built
//! on this crate prints what the Go `oras` CLI prints: `net/http`'s
//! `url.Error` (`Head "https://…": <cause>`), `net.OpError` for dials
//! (`dial tcp 127.0.0.1:5000: connect: connection refused`), DNS errors
//! (`dial tcp: lookup host on 10.0.0.53:53: no such host`), `crypto/tls`
//! and `crypto/x509` verification errors, and the `syscall.Errno` texts of
//! OS errors. The original errors stay the `source()` of ours; only the
//! text is Go's.

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

use http::Method;

use oras_auth::BoxError;

/// Most causes a chain walk follows.
const MAX_CAUSES: usize = 16;

/// Go `net/http` `urlErrorOp`: the method with its first letter upper
/// case and the rest lower case (`Get`, `Head`, `Put`).
pub fn url_error_op(method: &Method) -> String {
    let name = method.as_str();
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let mut op = first.to_ascii_uppercase().to_string();
            op.push_str(&chars.as_str().to_ascii_lowercase());
            op
        }
        None => String::new(),
    }
}

/// The text Go's `syscall.Errno.Error` gives an OS error (Linux table:
/// `no such file or directory`, `file exists`, `not a directory`,
/// `permission denied`, `is a directory`, …). An error without an OS code
/// keeps its own text, except the kinds Go has a sentinel for (`EOF`,
/// `unexpected EOF`, `i/o timeout`).
pub fn errno_text(err: &std::io::Error) -> String {
    if let Some(code) = err.raw_os_error() {
        return errno_code_text(code);
    }
    if err.get_ref().is_some() {
        // Wrappers that hide their io::Error (tempfile's) still show its
        // code in their text.
        let text = err.to_string();
        let code = text
            .split_once("(os error ")
            .and_then(|(_, rest)| rest.split_once(')'))
            .and_then(|(code, _)| code.parse::<i32>().ok());
        return match code {
            Some(code) => errno_code_text(code),
            None => text,
        };
    }
    match err.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
        std::io::ErrorKind::TimedOut => "i/o timeout".into(),
        std::io::ErrorKind::NotFound => errno_code_text(libc_errno::ENOENT),
        std::io::ErrorKind::PermissionDenied => errno_code_text(libc_errno::EACCES),
        std::io::ErrorKind::AlreadyExists => errno_code_text(libc_errno::EEXIST),
        std::io::ErrorKind::ConnectionRefused => errno_code_text(libc_errno::ECONNREFUSED),
        std::io::ErrorKind::ConnectionReset => errno_code_text(libc_errno::ECONNRESET),
        std::io::ErrorKind::BrokenPipe => errno_code_text(libc_errno::EPIPE),
        _ => err.to_string(),
    }
}

/// Linux errno values of the table below.
mod libc_errno {
    pub(super) const ENOENT: i32 = 2;
    pub(super) const EACCES: i32 = 13;
    pub(super) const EEXIST: i32 = 17;
    pub(super) const EPIPE: i32 = 32;
    pub(super) const ECONNRESET: i32 = 104;
    pub(super) const ECONNREFUSED: i32 = 111;
}

/// Go's `syscall` errors table (Linux) for the common codes; any other
/// code gets the C library's text with its first letter lower-cased, which
/// is how Go's table was made.
fn errno_code_text(code: i32) -> String {
    let known = match code {
        1 => "operation not permitted",
        2 => "no such file or directory",
        4 => "interrupted system call",
        5 => "input/output error",
        9 => "bad file descriptor",
        11 => "resource temporarily unavailable",
        12 => "cannot allocate memory",
        13 => "permission denied",
        16 => "device or resource busy",
        17 => "file exists",
        18 => "invalid cross-device link",
        20 => "not a directory",
        21 => "is a directory",
        22 => "invalid argument",
        24 => "too many open files",
        26 => "text file busy",
        27 => "file too large",
        28 => "no space left on device",
        30 => "read-only file system",
        32 => "broken pipe",
        36 => "file name too long",
        39 => "directory not empty",
        40 => "too many levels of symbolic links",
        99 => "cannot assign requested address",
        101 => "network is unreachable",
        103 => "software caused connection abort",
        104 => "connection reset by peer",
        110 => "connection timed out",
        111 => "connection refused",
        113 => "no route to host",
        122 => "disk quota exceeded",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let text = std::io::Error::from_raw_os_error(code).to_string();
    let text = text
        .strip_suffix(&format!(" (os error {code})"))
        .unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("errno {code}"),
    }
}

/// A failed dial, worded as Go's `net.OpError` (`dial tcp <address>:
/// connect: connection refused`, `dial tcp: lookup <host> on <server>: no
/// such host`), the connector's error kept as its source.
#[derive(Debug)]
pub(crate) struct DialError {
    text: String,
    source: BoxError,
}

impl fmt::Display for DialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl StdError for DialError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}

impl DialError {
    /// Words the failure of hyper-util's `HttpConnector` dialling
    /// `host:port` (through `overridden`, the address a DNS override named,
    /// if any).
    pub(crate) async fn word(
        host: &str,
        port: u16,
        overridden: Option<SocketAddr>,
        source: BoxError,
    ) -> DialErrorOr {
        // hyper-util's `ConnectError` says only which step failed ("dns
        // error", "tcp connect error"); its source is the io error.
        let step = source.to_string();
        let io = source
            .source()
            .and_then(|cause| cause.downcast_ref::<std::io::Error>());
        let text = if step == "dns error" {
            let reason = match io {
                Some(e) if is_no_such_host(e) => "no such host".to_owned(),
                Some(e) => e.to_string(),
                None => "no such host".to_owned(),
            };
            // Go's resolver names the server it asked (`on <ip>:53`); the
            // system resolver used here does not say, so the first server
            // of the resolver configuration stands in, as Go's own
            // resolver asks it first.
            match first_name_server().await {
                Some(server) => format!("dial tcp: lookup {host} on {server}: {reason}"),
                None => format!("dial tcp: lookup {host}: {reason}"),
            }
        } else if let Some(io) = io {
            let address = dialled_address(host, port, overridden).await;
            if io.kind() == std::io::ErrorKind::TimedOut && io.raw_os_error().is_none() {
                format!("dial tcp {address}: i/o timeout")
            } else {
                format!("dial tcp {address}: connect: {}", errno_text(io))
            }
        } else {
            return DialErrorOr(Err(source));
        };
        DialErrorOr(Ok(DialError { text, source }))
    }
}

/// A worded [`DialError`], or the connector's error when it had no cause
/// to word.
pub(crate) struct DialErrorOr(Result<DialError, BoxError>);

impl DialErrorOr {
    /// The dial of a proxy: Go `net/http` words it `proxyconnect tcp:
    /// <the dial error>`.
    pub(crate) fn proxied(self) -> BoxError {
        match self.0 {
            Ok(mut dial) => {
                dial.text = format!("proxyconnect tcp: {}", dial.text);
                Box::new(dial)
            }
            Err(other) => other,
        }
    }
}

impl From<DialErrorOr> for BoxError {
    fn from(dial: DialErrorOr) -> BoxError {
        match dial.0 {
            Ok(dial) => Box::new(dial),
            Err(other) => other,
        }
    }
}

/// A failed step of a connection (TLS with an https proxy), in its own
/// words (which name the proxy), with its cause kept as the source.
#[derive(Debug)]
pub(crate) struct ConnectError(pub(crate) String, pub(crate) std::io::Error);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.1)
    }
}

/// A failed read or write on a connection, worded as Go's `net.OpError`
/// (`read tcp 127.0.0.1:40000->127.0.0.1:5000: read: connection reset by
/// peer`), the OS error kept as its source and its kind kept.
#[derive(Debug)]
pub(crate) struct IoOpError {
    text: String,
    source: std::io::Error,
}

impl IoOpError {
    /// `err` of `op` (`read`, `write`) on the connection `local->peer`.
    pub(crate) fn wrap(op: &'static str, addresses: &str, err: std::io::Error) -> std::io::Error {
        let text = format!("{op} tcp {addresses}: {op}: {}", errno_text(&err));
        std::io::Error::new(err.kind(), IoOpError { text, source: err })
    }
}

impl fmt::Display for IoOpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl StdError for IoOpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// Whether a `getaddrinfo` failure means the name does not exist
/// (`EAI_NONAME`, `EAI_NODATA`), which Go words `no such host`.
fn is_no_such_host(err: &std::io::Error) -> bool {
    let text = err.to_string();
    text.contains("Name or service not known")
        || text.contains("No address associated with hostname")
        || text.contains("nodename nor servname")
}

/// `<ip>:53` of the first `nameserver` line of the resolver configuration.
async fn first_name_server() -> Option<String> {
    let conf = tokio::fs::read_to_string("/etc/resolv.conf").await.ok()?;
    let ip: IpAddr = conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()
            .and_then(|ip| ip.parse().ok())
    })?;
    Some(SocketAddr::new(ip, 53).to_string())
}

/// The address Go names in a dial error: the resolved one (`127.0.0.1:5000`
/// for `localhost:5000`).
async fn dialled_address(host: &str, port: u16, overridden: Option<SocketAddr>) -> String {
    if let Some(address) = overridden {
        return address.to_string();
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return SocketAddr::new(ip, port).to_string();
    }
    // The connector's own lookup is not exposed; the first address of a
    // new one is the first it tried. Go prefers IPv4 for a name with both.
    match tokio::net::lookup_host((host, port)).await {
        Ok(addresses) => {
            let addresses: Vec<SocketAddr> = addresses.collect();
            addresses
                .iter()
                .find(|a| a.is_ipv4())
                .or(addresses.first())
                .map(ToString::to_string)
                .unwrap_or_else(|| format!("{host}:{port}"))
        }
        Err(_) => format!("{host}:{port}"),
    }
}

/// The cause of a failed request as Go words it, if a cause Go has its own
/// words for is in the chain of `err`: a dial error, a TLS or certificate
/// error, a connection closed before the response (`EOF`).
pub(crate) fn cause_text(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut current = Some(err);
    for _ in 0..MAX_CAUSES {
        let e = current?;
        if let Some(dial) = e.downcast_ref::<DialError>() {
            return Some(dial.text.clone());
        }
        if e.is::<ConnectError>() {
            // A step at a proxy (TLS with an https proxy): its own words,
            // which name the proxy.
            return None;
        }
        if let Some(op) = e.downcast_ref::<IoOpError>() {
            return Some(op.text.clone());
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_text(tls);
        }
        if let Some(hyper) = e.downcast_ref::<hyper::Error>()
            && hyper.is_incomplete_message()
        {
            // Go `net/http`: the server closed the connection before
            // answering.
            return Some("EOF".into());
        }
        // An io::Error's `source()` skips its own inner error.
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            let inner: &(dyn StdError + 'static) = inner;
            if let Some(text) = cause_text(inner) {
                return Some(text);
            }
        }
        current = e.source();
    }
    None
}

/// Go `crypto/tls` and `crypto/x509` wording of a rustls error.
fn tls_text(err: &rustls::Error) -> Option<String> {
    use rustls::{CertificateError, Error, InvalidMessage};
    const VERIFY: &str = "tls: failed to verify certificate: x509:";
    Some(match err {
        // Go `net/http`: the first bytes of the answer to the handshake
        // were an HTTP response.
        Error::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "http: server gave HTTP response to HTTPS client".into()
        }
        Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => {
                format!("{VERIFY} certificate signed by unknown authority")
            }
            CertificateError::ExpiredContext { time, not_after } => format!(
                "{VERIFY} certificate has expired or is not yet valid: current time {} is after {}",
                rfc3339(time.as_secs()),
                rfc3339(not_after.as_secs())
            ),
            CertificateError::NotValidYetContext { time, not_before } => format!(
                "{VERIFY} certificate has expired or is not yet valid: current time {} is before {}",
                rfc3339(time.as_secs()),
                rfc3339(not_before.as_secs())
            ),
            CertificateError::Expired | CertificateError::NotValidYet => {
                format!("{VERIFY} certificate has expired or is not yet valid")
            }
            CertificateError::NotValidForNameContext {
                expected,
                presented,
            } => {
                format!("{VERIFY} {}", hostname_text(&expected.to_str(), presented))
            }
            CertificateError::BadSignature => format!("{VERIFY} signature is invalid"),
            _ => return None,
        },
        // Go `crypto/tls` `alert.String`, as `remote error: tls: <alert>`.
        Error::AlertReceived(alert) => {
            use rustls::AlertDescription as A;
            let text = match alert {
                A::HandshakeFailure => "handshake failure",
                A::BadCertificate => "bad certificate",
                A::UnsupportedCertificate => "unsupported certificate",
                A::CertificateRevoked => "revoked certificate",
                A::CertificateExpired => "expired certificate",
                A::CertificateUnknown => "unknown certificate",
                A::IllegalParameter => "illegal parameter",
                A::UnknownCA => "unknown certificate authority",
                A::AccessDenied => "access denied",
                A::DecodeError => "error decoding message",
                A::DecryptError => "error decrypting message",
                A::ProtocolVersion => "protocol version not supported",
                A::InternalError => "internal error",
                A::CertificateRequired => "certificate required",
                A::NoApplicationProtocol => "no application protocol",
                _ => return None,
            };
            format!("remote error: tls: {text}")
        }
        _ => return None,
    })
}

/// Go `x509.HostnameError.Error`: the names of the certificate of the
/// kind asked for (IP addresses for an IP, DNS names otherwise).
fn hostname_text(host: &str, presented: &[String]) -> String {
    // rustls lists the subject alternative names in their debug form
    // (`DnsName("a.test")`, `IpAddress(10.0.0.1)`), IP addresses included.
    let names: Vec<String> = presented
        .iter()
        .map(|name| {
            let name = name
                .strip_prefix("DnsName(\"")
                .and_then(|n| n.strip_suffix("\")"))
                .or_else(|| {
                    name.strip_prefix("IpAddress(")
                        .and_then(|n| n.strip_suffix(')'))
                })
                .unwrap_or(name);
            name.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned()
        })
        .collect();
    let (ips, dns): (Vec<String>, Vec<String>) = names
        .into_iter()
        .partition(|name| name.parse::<IpAddr>().is_ok());
    let valid = if host.parse::<IpAddr>().is_ok() {
        if ips.is_empty() {
            return format!(
                "cannot validate certificate for {host} because it doesn't contain any IP SANs"
            );
        }
        ips.join(", ")
    } else {
        dns.join(", ")
    };
    if valid.is_empty() {
        format!("certificate is not valid for any names, but wanted to match {host}")
    } else {
        format!("certificate is valid for {valid}, not {host}")
    }
}

/// Go `time.RFC3339` of a UTC Unix time (`2026-01-02T03:04:05Z`).
fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_as_go_url_errors_name_them() {
        assert_eq!(url_error_op(&Method::HEAD), "Head");
        assert_eq!(url_error_op(&Method::GET), "Get");
        assert_eq!(url_error_op(&Method::PATCH), "Patch");
        assert_eq!(url_error_op(&Method::DELETE), "Delete");
    }

    #[test]
    fn os_errors_as_go_syscall_table() {
        let cases = [
            (2, "no such file or directory"),
            (17, "file exists"),
            (20, "not a directory"),
            (13, "permission denied"),
            (21, "is a directory"),
            (111, "connection refused"),
        ];
        for (code, text) in cases {
            assert_eq!(errno_text(&std::io::Error::from_raw_os_error(code)), text);
        }
        assert_eq!(
            errno_text(&std::io::ErrorKind::UnexpectedEof.into()),
            "unexpected EOF"
        );
        assert_eq!(errno_text(&std::io::Error::other("custom")), "custom");
        let dir = std::env::temp_dir().join("surely-not-here-dir");
        let wrapped = tempfile::Builder::new().tempfile_in(&dir).unwrap_err();
        assert_eq!(errno_text(&wrapped), "no such file or directory");
    }

    #[test]
    fn tls_errors_as_go_words_them() {
        use rustls::{CertificateError, Error, InvalidMessage};
        let text = |e: Error| tls_text(&e).unwrap_or_default();
        assert_eq!(
            text(Error::InvalidMessage(InvalidMessage::InvalidContentType)),
            "http: server gave HTTP response to HTTPS client"
        );
        assert_eq!(
            text(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        );
        assert_eq!(
            text(Error::InvalidCertificate(
                CertificateError::ExpiredContext {
                    time: rustls_pki_types::UnixTime::since_unix_epoch(
                        std::time::Duration::from_secs(1_796_585_400)
                    ),
                    not_after: rustls_pki_types::UnixTime::since_unix_epoch(
                        std::time::Duration::from_secs(1_704_067_200)
                    ),
                }
            )),
            "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: \
             current time 2026-12-06T19:30:00Z is after 2024-01-01T00:00:00Z"
        );
        assert_eq!(
            hostname_text("127.0.0.1", &["localhost".into()]),
            "cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"
        );
        assert_eq!(
            hostname_text(
                "r.test",
                &["a.test".into(), "b.test".into(), "10.0.0.1".into()]
            ),
            "certificate is valid for a.test, b.test, not r.test"
        );
        assert_eq!(
            hostname_text(
                "registry.invalid",
                &[
                    "DnsName(\"localhost\")".into(),
                    "IpAddress(127.0.0.1)".into()
                ]
            ),
            "certificate is valid for localhost, not registry.invalid"
        );
        assert_eq!(
            hostname_text("10.0.0.2", &["a.test".into(), "10.0.0.1".into()]),
            "certificate is valid for 10.0.0.1, not 10.0.0.2"
        );
    }

    #[test]
    fn connection_errors_name_both_ends() {
        let reset = std::io::Error::from_raw_os_error(104);
        let err = IoOpError::wrap("read", "127.0.0.1:40000->127.0.0.1:5000", reset);
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
        let text = "read tcp 127.0.0.1:40000->127.0.0.1:5000: read: connection reset by peer";
        assert_eq!(cause_text(&err), Some(text.to_owned()));
        // Its own words stay: the errno text is not pulled out of it.
        assert_eq!(errno_text(&err), text);
    }

    #[tokio::test]
    async fn refused_dials_name_the_address() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        let uri: http::Uri = format!("http://{address}/").parse().unwrap();
        let err = tower::Service::call(&mut http, uri).await.unwrap_err();
        let err: BoxError = DialError::word("127.0.0.1", address.port(), None, Box::new(err))
            .await
            .into();
        assert_eq!(
            err.to_string(),
            format!("dial tcp {address}: connect: connection refused")
        );
        assert!(err.source().is_some());
        assert_eq!(cause_text(err.as_ref()), Some(err.to_string()));
    }
}
