//! Registry connection flags (Go `option/remote.go`): credentials, TLS,
//! DNS overrides, auth files and custom headers.
//!
//! [`RemoteOptions`] is the unprefixed flag set (with `-u/-p/-H` and the
//! `*-stdin` flags); the `--from-*`/`--to-*` sets of `cp` live in
//! [`super::binary_target`]. Both parse into [`RemoteSettings`], which is
//! what the registry client is built from.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;

use crate::error::{CliError, Result, check_mutually_exclusive, check_required_together};
use crate::options::spec::DistributionSpec;
use crate::parse::{Header, ResolveRule, parse_headers, parse_resolve_rules};

/// The unprefixed remote flags.
#[derive(Args, Clone, Debug, Default)]
pub struct RemoteOptions {
    /// Registry username.
    #[arg(short = 'u', long, value_name = "string", help = "registry username")]
    pub username: Option<String>,
    /// Registry password or identity token.
    #[arg(
        short = 'p',
        long,
        value_name = "string",
        help = "registry password or identity token"
    )]
    pub password: Option<String>,
    /// Registry identity token.
    #[arg(long, value_name = "string", help = "registry identity token")]
    pub identity_token: Option<String>,
    /// Read the password from stdin.
    #[arg(long, help = "read password from stdin")]
    pub password_stdin: bool,
    /// Read the identity token from stdin.
    #[arg(long, help = "read identity token from stdin")]
    pub identity_token_stdin: bool,
    /// Skip TLS verification.
    #[arg(long, help = "allow connections to SSL registry without certs")]
    pub insecure: bool,
    /// Use plain HTTP (`--plain-http=false` forces HTTPS even for localhost).
    #[arg(
        long,
        value_name = "bool",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true", hide_possible_values = true,
        help = "allow insecure connections to registry without SSL check"
    )]
    pub plain_http: Option<bool>,
    /// CA certificate file.
    #[arg(
        long,
        value_name = "string",
        help = "server certificate authority file for the remote registry"
    )]
    pub ca_file: Option<PathBuf>,
    /// Client certificate file.
    #[arg(
        long,
        value_name = "string",
        help = "client certificate file for the remote registry"
    )]
    pub cert_file: Option<PathBuf>,
    /// Client private key file.
    #[arg(
        long,
        value_name = "string",
        help = "client private key file for the remote registry"
    )]
    pub key_file: Option<PathBuf>,
    /// DNS overrides.
    #[arg(
        long,
        value_name = "host:port:address[:address_port]",
        help = "customized DNS for registry, formatted in host:port:address[:address_port]"
    )]
    pub resolve: Vec<String>,
    /// Authentication files.
    #[arg(
        long,
        value_name = "path",
        help = "path of the authentication file for registry"
    )]
    pub registry_config: Vec<PathBuf>,
    /// Custom request headers.
    #[arg(
        short = 'H',
        long,
        value_name = "stringArray",
        help = "add custom headers to requests"
    )]
    pub header: Vec<String>,
}

/// Which secret a credential from flags carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagCredential {
    /// Username; empty means the secret is an identity (refresh) token
    /// (Go `internal/credential`).
    pub username: String,
    /// Password or identity token.
    pub secret: String,
}

/// Where the secret comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SecretSource {
    /// No secret was given on the command line.
    #[default]
    None,
    /// `-p/--password` (prints an insecurity warning when used).
    Password(String),
    /// `--identity-token` (prints an insecurity warning when used).
    IdentityToken(String),
    /// `--password-stdin`.
    PasswordStdin,
    /// `--identity-token-stdin`.
    IdentityTokenStdin,
}

/// Validated connection settings for one registry side.
#[derive(Clone, Debug, Default)]
pub struct RemoteSettings {
    /// `-u/--username`.
    pub username: Option<String>,
    /// Where the secret comes from.
    pub secret: SecretSource,
    /// `--insecure`.
    pub insecure: bool,
    /// `--plain-http` when given explicitly.
    pub plain_http: Option<bool>,
    /// `--ca-file`.
    pub ca_file: Option<PathBuf>,
    /// `--cert-file` (always together with `key_file`).
    pub cert_file: Option<PathBuf>,
    /// `--key-file`.
    pub key_file: Option<PathBuf>,
    /// DNS overrides, later entries overriding earlier ones.
    pub resolve: Vec<ResolveRule>,
    /// `--registry-config` files.
    pub registry_configs: Vec<PathBuf>,
    /// Custom headers, sent to the registry origin only (GHSA-whvf-jp7m-59f3).
    pub headers: Vec<Header>,
    /// `--distribution-spec`, where the command offers it.
    pub distribution_spec: Option<DistributionSpec>,
    /// Whether the flags carry a `from-`/`to-` prefix (`oras cp`).
    pub prefixed: bool,
}

/// The values of one remote flag set, prefixed or not.
#[derive(Clone, Debug, Default)]
pub struct RemoteFlags {
    /// `--[prefix-]username`.
    pub username: Option<String>,
    /// `--[prefix-]password`.
    pub password: Option<String>,
    /// `--[prefix-]identity-token`.
    pub identity_token: Option<String>,
    /// `--password-stdin` (unprefixed only).
    pub password_stdin: bool,
    /// `--identity-token-stdin` (unprefixed only).
    pub identity_token_stdin: bool,
    /// `--[prefix-]insecure`.
    pub insecure: bool,
    /// `--[prefix-]plain-http`, when given.
    pub plain_http: Option<bool>,
    /// `--[prefix-]ca-file`.
    pub ca_file: Option<PathBuf>,
    /// `--[prefix-]cert-file`.
    pub cert_file: Option<PathBuf>,
    /// `--[prefix-]key-file`.
    pub key_file: Option<PathBuf>,
    /// `--[prefix-]resolve`.
    pub resolve: Vec<String>,
    /// `--[prefix-]registry-config`.
    pub registry_config: Vec<PathBuf>,
    /// `--[prefix-]header`.
    pub header: Vec<String>,
}

impl RemoteFlags {
    /// Validates the flags (Go `Remote.Parse`): username vs identity
    /// token, the secret flags against each other, headers, and
    /// `--cert-file` with `--key-file`. `prefix` is `""`, `"from-"` or
    /// `"to-"` and names the flags in messages.
    pub fn settings(&self, prefix: &str) -> Result<RemoteSettings> {
        let name = |flag: &str| format!("{prefix}{flag}");
        check_mutually_exclusive(&[
            (&name("username"), self.username.is_some()),
            (&name("identity-token"), self.identity_token.is_some()),
            ("identity-token-stdin", self.identity_token_stdin),
        ])?;
        check_mutually_exclusive(&[
            (&name("password"), self.password.is_some()),
            (&name("identity-token"), self.identity_token.is_some()),
            ("identity-token-stdin", self.identity_token_stdin),
            ("password-stdin", self.password_stdin),
        ])?;
        let headers = parse_headers(&self.header)?;
        check_required_together(&[
            (&name("cert-file"), self.cert_file.is_some()),
            (&name("key-file"), self.key_file.is_some()),
        ])?;
        let secret = match (
            &self.password,
            &self.identity_token,
            self.password_stdin,
            self.identity_token_stdin,
        ) {
            (Some(p), _, _, _) => SecretSource::Password(p.clone()),
            (_, Some(t), _, _) => SecretSource::IdentityToken(t.clone()),
            (_, _, true, _) => SecretSource::PasswordStdin,
            (_, _, _, true) => SecretSource::IdentityTokenStdin,
            _ => SecretSource::None,
        };
        Ok(RemoteSettings {
            username: self.username.clone(),
            secret,
            insecure: self.insecure,
            plain_http: self.plain_http,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            resolve: parse_resolve_rules(&self.resolve)?,
            registry_configs: self.registry_config.clone(),
            headers,
            distribution_spec: None,
            prefixed: !prefix.is_empty(),
        })
    }
}

impl RemoteOptions {
    /// The flag values.
    pub fn flags(&self) -> RemoteFlags {
        RemoteFlags {
            username: self.username.clone(),
            password: self.password.clone(),
            identity_token: self.identity_token.clone(),
            password_stdin: self.password_stdin,
            identity_token_stdin: self.identity_token_stdin,
            insecure: self.insecure,
            plain_http: self.plain_http,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            resolve: self.resolve.clone(),
            registry_config: self.registry_config.clone(),
            header: self.header.clone(),
        }
    }

    /// Validates the flags into settings (see [`RemoteFlags::settings`]).
    pub fn settings(&self) -> Result<RemoteSettings> {
        self.flags().settings("")
    }

    /// Whether a `*-stdin` flag was given (Go `CheckStdinConflict`, used
    /// when a file argument is `-`).
    pub fn check_stdin_conflict(&self) -> Result<()> {
        if self.password_stdin {
            return Err(CliError::new(
                "`-` read file from input and `--password-stdin` read password from input cannot be both used",
            ));
        }
        if self.identity_token_stdin {
            return Err(CliError::new(
                "`-` read file from input and `--identity-token-stdin` read identity token from input cannot be both used",
            ));
        }
        Ok(())
    }
}

impl RemoteSettings {
    /// Whether to talk plain HTTP to `registry`: the explicit flag, else
    /// true for `localhost` and `localhost:<port>` (Go `isPlainHTTP`).
    pub fn plain_http_for(&self, registry: &str) -> bool {
        if let Some(explicit) = self.plain_http {
            return explicit;
        }
        let host = match registry.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => registry,
        };
        host == "localhost"
    }

    /// The credential given by flags, if any, reading stdin for the
    /// `*-stdin` flags (one trailing `\n` or `\r\n` removed) and writing
    /// Go's insecurity warnings to `warn` for secrets on the command line.
    /// `None` means: use the credential store.
    ///
    /// Go `Remote.readSecret` warns only when `cmd.Flags().Changed` sees
    /// the unprefixed `password`/`identity-token` flag, so `oras cp`'s
    /// `--from-password`/`--to-password` are taken silently.
    pub fn flag_credential(
        &self,
        stdin: &mut dyn Read,
        warn: &mut dyn std::io::Write,
    ) -> Result<Option<FlagCredential>> {
        let secret = match &self.secret {
            SecretSource::None => String::new(),
            SecretSource::Password(p) | SecretSource::IdentityToken(p) if self.prefixed => {
                p.clone()
            }
            SecretSource::Password(p) => {
                let _ = writeln!(
                    warn,
                    "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
                );
                p.clone()
            }
            SecretSource::IdentityToken(t) => {
                let _ = writeln!(
                    warn,
                    "WARNING! Using --identity-token via the CLI is insecure. Use --identity-token-stdin."
                );
                t.clone()
            }
            SecretSource::PasswordStdin | SecretSource::IdentityTokenStdin => read_secret(stdin)?,
        };
        let username = self.username.clone().unwrap_or_default();
        if username.is_empty() && secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(FlagCredential { username, secret }))
    }
}

/// Reads a secret from `stdin`, at most 1 MiB, removing one trailing
/// newline as Go does.
fn read_secret(stdin: &mut dyn Read) -> Result<String> {
    let mut text = String::new();
    stdin
        .take(1 << 20)
        .read_to_string(&mut text)
        .map_err(|err| CliError::new(format!("failed to read secret from stdin: {err}")))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_flags_are_exclusive() {
        let opts = RemoteOptions {
            password: Some("x".into()),
            password_stdin: true,
            ..Default::default()
        };
        assert_eq!(
            opts.settings().unwrap_err().message,
            "--password, --password-stdin cannot be used at the same time"
        );
        let opts = RemoteOptions {
            username: Some("u".into()),
            identity_token: Some("t".into()),
            ..Default::default()
        };
        assert_eq!(
            opts.settings().unwrap_err().message,
            "--username, --identity-token cannot be used at the same time"
        );
    }

    #[test]
    fn cert_and_key_together() {
        let opts = RemoteOptions {
            key_file: Some("k".into()),
            ..Default::default()
        };
        assert_eq!(
            opts.settings().unwrap_err().message,
            "--key-file must be used in conjunction with --cert-file"
        );
    }

    #[test]
    fn localhost_is_plain_http_by_default() {
        let mut s = RemoteSettings::default();
        assert!(s.plain_http_for("localhost"));
        assert!(s.plain_http_for("localhost:5000"));
        assert!(!s.plain_http_for("localhost.example.com"));
        assert!(!s.plain_http_for("example.com:5000"));
        s.plain_http = Some(false);
        assert!(!s.plain_http_for("localhost:5000"));
        s.plain_http = Some(true);
        assert!(s.plain_http_for("example.com"));
    }

    #[test]
    fn credentials_from_flags() {
        let mut warn = Vec::new();
        let opts = RemoteOptions {
            username: Some("u".into()),
            password_stdin: true,
            ..Default::default()
        };
        let s = opts.settings().unwrap();
        let cred = s
            .flag_credential(&mut "s3cret\r\n".as_bytes(), &mut warn)
            .unwrap()
            .unwrap();
        assert_eq!(
            cred,
            FlagCredential {
                username: "u".into(),
                secret: "s3cret".into()
            }
        );
        assert!(warn.is_empty());

        let opts = RemoteOptions {
            password: Some("p".into()),
            ..Default::default()
        };
        let cred = opts
            .settings()
            .unwrap()
            .flag_credential(&mut std::io::empty(), &mut warn)
            .unwrap()
            .unwrap();
        assert_eq!(cred.username, "");
        assert!(
            String::from_utf8(warn)
                .unwrap()
                .starts_with("WARNING! Using --password")
        );

        let none = RemoteOptions::default().settings().unwrap();
        assert!(
            none.flag_credential(&mut std::io::empty(), &mut Vec::new())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn stdin_conflict() {
        let opts = RemoteOptions {
            password_stdin: true,
            ..Default::default()
        };
        assert!(opts.check_stdin_conflict().is_err());
        assert!(RemoteOptions::default().check_stdin_conflict().is_ok());
    }
}
