//! The registry's `config.yml` and `htpasswd` file.
//!
//! Keys follow distribution 2.8's `docs/configuration.md`: `storage.filesystem`,
//! `storage.delete.enabled`, `http.addr/secret/tls`, `auth.htpasswd` (bcrypt
//! only) and `auth.token` (`realm`, `service`, `issuer`, `rootcertbundle`).
//! No redis, no notifications, no debug server (that would bind :5001).

use std::fmt::Write as _;
use std::path::Path;

use super::error::{Error, Result};

/// Token-auth settings for `auth.token`.
pub(crate) struct TokenAuth<'a> {
    pub(crate) realm: &'a str,
    pub(crate) service: &'a str,
    pub(crate) issuer: &'a str,
    pub(crate) root_cert_bundle: &'a Path,
}

/// Everything one `config.yml` depends on.
pub(crate) struct RegistryConfig<'a> {
    pub(crate) port: u16,
    pub(crate) storage_dir: &'a Path,
    /// `http.secret`: signs upload `_state`; fixed per registry.
    pub(crate) http_secret: &'a str,
    /// `(certificate, key)` PEM paths for `http.tls`.
    pub(crate) tls: Option<(&'a Path, &'a Path)>,
    /// `http.tls.clientcas`: a CA PEM path; clients must present a
    /// certificate it signed (Go `tls.RequireAndVerifyClientCert`).
    pub(crate) client_cas: Option<&'a Path>,
    pub(crate) htpasswd: Option<&'a Path>,
    pub(crate) token: Option<TokenAuth<'a>>,
}

/// The realm string of the registry's Basic challenge.
pub(crate) const BASIC_REALM: &str = "oras-testkit";

impl RegistryConfig<'_> {
    /// The YAML text of `config.yml`.
    pub(crate) fn render(&self) -> String {
        let mut y = String::new();
        let _ = writeln!(y, "version: 0.1");
        let _ = writeln!(
            y,
            "log:\n  level: warn\n  formatter: text\n  accesslog:\n    disabled: true"
        );
        let _ = writeln!(
            y,
            "storage:\n  filesystem:\n    rootdirectory: {}",
            quote_path(self.storage_dir)
        );
        let _ = writeln!(y, "  delete:\n    enabled: true");
        // Upload purging would walk the storage every few hours; pointless
        // here and it logs at start-up.
        let _ = writeln!(
            y,
            "  maintenance:\n    uploadpurging:\n      enabled: false"
        );
        let _ = writeln!(
            y,
            "http:\n  addr: {}",
            quote(&format!("127.0.0.1:{}", self.port))
        );
        let _ = writeln!(y, "  secret: {}", quote(self.http_secret));
        let _ = writeln!(y, "  headers:\n    X-Content-Type-Options: [nosniff]");
        if let Some((cert, key)) = self.tls {
            let _ = writeln!(
                y,
                "  tls:\n    certificate: {}\n    key: {}",
                quote_path(cert),
                quote_path(key)
            );
            if let Some(client_ca) = self.client_cas {
                let _ = writeln!(y, "    clientcas:\n      - {}", quote_path(client_ca));
            }
        }
        if self.htpasswd.is_some() || self.token.is_some() {
            let _ = writeln!(y, "auth:");
        }
        if let Some(path) = self.htpasswd {
            let _ = writeln!(
                y,
                "  htpasswd:\n    realm: {}\n    path: {}",
                quote(BASIC_REALM),
                quote_path(path)
            );
        }
        if let Some(token) = &self.token {
            let _ = writeln!(
                y,
                "  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}",
                quote(token.realm),
                quote(token.service),
                quote(token.issuer),
                quote_path(token.root_cert_bundle)
            );
        }
        // Lets non-distributable layers with `urls` through (spec
        // conformance pushes such manifests).
        let _ = writeln!(
            y,
            "validation:\n  manifests:\n    urls:\n      allow: ['^https?://']"
        );
        y
    }
}

/// One `user:hash` line for `auth.htpasswd`. Distribution accepts only
/// bcrypt; `$2y$` is what `htpasswd -B` writes. Cost 4 (the minimum) keeps
/// every authenticated request fast.
pub(crate) fn htpasswd_line(user: &str, password: &str) -> Result<String> {
    let hash = bcrypt::hash_with_result(password, 4).map_err(|e| Error::crypto("htpasswd", e))?;
    Ok(format!(
        "{user}:{}\n",
        hash.format_for_version(bcrypt::Version::TwoY)
    ))
}

/// A YAML single-quoted scalar.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn quote_path(path: &Path) -> String {
    quote(&path.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_config_has_no_auth_and_no_tls() {
        let config = RegistryConfig {
            port: 4321,
            storage_dir: Path::new("/tmp/x y/data"),
            http_secret: "s3cret",
            tls: None,
            client_cas: None,
            htpasswd: None,
            token: None,
        };
        let text = config.render();
        assert!(text.contains("addr: '127.0.0.1:4321'"));
        assert!(text.contains("rootdirectory: '/tmp/x y/data'"));
        assert!(text.contains("delete:\n    enabled: true"));
        assert!(!text.contains("auth:"));
        assert!(!text.contains("tls:"));
    }

    #[test]
    fn token_config_names_realm_service_issuer_and_bundle() {
        let config = RegistryConfig {
            port: 1,
            storage_dir: Path::new("/d"),
            http_secret: "s",
            tls: None,
            client_cas: None,
            htpasswd: None,
            token: Some(TokenAuth {
                realm: "http://127.0.0.1:9/token",
                service: "svc",
                issuer: "iss",
                root_cert_bundle: Path::new("/b.pem"),
            }),
        };
        let text = config.render();
        assert!(text.contains("auth:\n  token:\n    realm: 'http://127.0.0.1:9/token'\n    service: 'svc'\n    issuer: 'iss'\n    rootcertbundle: '/b.pem'"));
    }

    #[test]
    fn client_cas_are_listed_under_tls() {
        let config = RegistryConfig {
            port: 1,
            storage_dir: Path::new("/d"),
            http_secret: "s",
            tls: Some((Path::new("/c.pem"), Path::new("/k.pem"))),
            client_cas: Some(Path::new("/client-ca.pem")),
            htpasswd: None,
            token: None,
        };
        let text = config.render();
        assert!(text.contains("  tls:\n    certificate: '/c.pem'\n    key: '/k.pem'\n    clientcas:\n      - '/client-ca.pem'\n"), "{text}");
    }

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(quote("it's"), "'it''s'");
    }

    #[test]
    fn htpasswd_line_is_a_verifiable_2y_bcrypt_hash() {
        let line = htpasswd_line("alice", "pw").unwrap();
        let hash = line.trim_end().strip_prefix("alice:").unwrap();
        assert!(hash.starts_with("$2y$04$"));
        assert!(bcrypt::verify("pw", hash).unwrap());
    }
}
