//! Origins (scheme, host, port with defaults filled in), the unit every
//! security rule of the client compares: credentials, custom headers and
//! the client certificate go only to the registry's origin.

use http::Uri;

/// The scheme, lower-case host and port of a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl Origin {
    /// The origin of `uri`, if it is absolute.
    pub(crate) fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().or_else(|| default_port(&scheme))?;
        Some(Origin { scheme, host, port })
    }

    /// The origin of a `url::Url`.
    pub(crate) fn of_url(url: &url::Url) -> Option<Origin> {
        Some(Origin {
            scheme: url.scheme().to_ascii_lowercase(),
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port_or_known_default()?,
        })
    }

    /// `host:port` (IPv6 hosts keep their brackets, as `Uri::host` gives them).
    pub(crate) fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The default port of `scheme`.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

/// `host:port` of `uri`, with the scheme's default port filled in.
pub(crate) fn authority_of(uri: &Uri) -> Option<String> {
    Origin::of(uri).map(|o| o.authority())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_are_normalised() {
        let a: Uri = "https://R.example/v2/".parse().unwrap();
        let b: Uri = "https://r.example:443/x".parse().unwrap();
        assert_eq!(Origin::of(&a), Origin::of(&b));
        let c: Uri = "http://r.example/v2/".parse().unwrap();
        assert_ne!(Origin::of(&a), Origin::of(&c));
        let d: Uri = "https://r.example:8443/".parse().unwrap();
        assert_ne!(Origin::of(&a), Origin::of(&d));
        assert_eq!(authority_of(&a).unwrap(), "r.example:443");
        assert!(Origin::of(&"/relative".parse().unwrap()).is_none());
    }
}
