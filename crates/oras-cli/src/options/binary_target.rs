//! The two targets of `cp` (Go `option/binary_target.go`): every target
//! flag with a `--from-` and a `--to-` prefix (no short flags, no
//! `*-stdin` flags), plus a base `--resolve` that both sides start from.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::options::remote::RemoteFlags;
use crate::options::spec::DistributionSpec;
use crate::options::target::{Target, TargetFlags};

/// Declares the flag struct of one side; `$p` is the flag prefix and `$d`
/// the word used in help texts.
macro_rules! prefixed_target {
    ($(#[$meta:meta])* $name:ident, $p:literal, $d:literal) => {
        $(#[$meta])*
        #[derive(Args, Clone, Debug, Default)]
        pub struct $name {
            /// Registry username.
            #[arg(long = concat!($p, "username"), id = concat!($p, "username"), value_name = "string",
                help = concat!($d, " registry username"))]
            pub username: Option<String>,
            /// Registry password or identity token.
            #[arg(long = concat!($p, "password"), id = concat!($p, "password"), value_name = "string",
                help = concat!($d, " registry password or identity token"))]
            pub password: Option<String>,
            /// Registry identity token.
            #[arg(long = concat!($p, "identity-token"), id = concat!($p, "identity-token"), value_name = "string",
                help = concat!($d, " registry identity token"))]
            pub identity_token: Option<String>,
            /// Skip TLS verification.
            #[arg(long = concat!($p, "insecure"), id = concat!($p, "insecure"),
                help = concat!("allow connections to ", $d, " SSL registry without certs"))]
            pub insecure: bool,
            /// Plain HTTP.
            #[arg(long = concat!($p, "plain-http"), id = concat!($p, "plain-http"), value_name = "bool",
                num_args = 0..=1, require_equals = true, default_missing_value = "true", hide_possible_values = true,
                help = concat!("allow insecure connections to ", $d, " registry without SSL check"))]
            pub plain_http: Option<bool>,
            /// CA certificate file.
            #[arg(long = concat!($p, "ca-file"), id = concat!($p, "ca-file"), value_name = "string",
                help = concat!("server certificate authority file for the remote ", $d, " registry"))]
            pub ca_file: Option<PathBuf>,
            /// Client certificate file.
            #[arg(long = concat!($p, "cert-file"), id = concat!($p, "cert-file"), value_name = "string",
                help = concat!("client certificate file for the remote ", $d, " registry"))]
            pub cert_file: Option<PathBuf>,
            /// Client private key file.
            #[arg(long = concat!($p, "key-file"), id = concat!($p, "key-file"), value_name = "string",
                help = concat!("client private key file for the remote ", $d, " registry"))]
            pub key_file: Option<PathBuf>,
            /// DNS overrides, appended to the base `--resolve` rules.
            #[arg(long = concat!($p, "resolve"), id = concat!($p, "resolve"),
                value_name = "host:port:address[:address_port]",
                help = concat!("customized DNS for ", $d, " registry, formatted in host:port:address[:address_port]"))]
            pub resolve: Vec<String>,
            /// Authentication files.
            #[arg(long = concat!($p, "registry-config"), id = concat!($p, "registry-config"), value_name = "path",
                help = concat!("path of the authentication file for ", $d, " registry"))]
            pub registry_config: Vec<PathBuf>,
            /// Custom headers.
            #[arg(long = concat!($p, "header"), id = concat!($p, "header"), value_name = "stringArray",
                help = concat!("add custom headers to ", $d, " requests"))]
            pub header: Vec<String>,
            /// The side is an OCI image layout.
            #[arg(long = concat!($p, "oci-layout"), id = concat!($p, "oci-layout"),
                help = concat!("set ", $d, " target as an OCI image layout"))]
            pub oci_layout: bool,
            /// The OCI image layout directory.
            #[arg(long = concat!($p, "oci-layout-path"), id = concat!($p, "oci-layout-path"), value_name = "string",
                help = concat!("[Experimental] set the path for the ", $d, " OCI image layout target"))]
            pub oci_layout_path: Option<String>,
            /// Referrers mode.
            #[arg(long = concat!($p, "distribution-spec"), id = concat!($p, "distribution-spec"),
                value_name = "string", value_parser = DistributionSpec::parse,
                help = concat!("[Preview] set OCI distribution spec version and API option for ", $d,
                    " target. Options: v1.1-referrers-tag, v1.1-referrers-api (default \"unknown\")"))]
            pub distribution_spec: Option<DistributionSpec>,
        }

        impl $name {
            /// The flag values, with `base_resolve` rules first.
            pub fn flags(&self, base_resolve: &[String]) -> TargetFlags {
                let mut resolve = base_resolve.to_vec();
                resolve.extend(self.resolve.iter().cloned());
                TargetFlags {
                    remote: RemoteFlags {
                        username: self.username.clone(),
                        password: self.password.clone(),
                        identity_token: self.identity_token.clone(),
                        password_stdin: false,
                        identity_token_stdin: false,
                        insecure: self.insecure,
                        plain_http: self.plain_http,
                        ca_file: self.ca_file.clone(),
                        cert_file: self.cert_file.clone(),
                        key_file: self.key_file.clone(),
                        resolve,
                        registry_config: self.registry_config.clone(),
                        header: self.header.clone(),
                    },
                    oci_layout: self.oci_layout,
                    oci_layout_path: self.oci_layout_path.clone(),
                }
            }
        }
    };
}

prefixed_target!(
    /// The `--from-*` flags of the source.
    FromTargetOptions, "from-", "source"
);
prefixed_target!(
    /// The `--to-*` flags of the destination.
    ToTargetOptions, "to-", "destination"
);

/// Both sides of a copy.
#[derive(Args, Clone, Debug, Default)]
pub struct BinaryTargetOptions {
    /// Source flags.
    #[command(flatten)]
    pub from: FromTargetOptions,
    /// Destination flags.
    #[command(flatten)]
    pub to: ToTargetOptions,
    /// Base DNS rules for both sides.
    #[arg(
        long,
        value_name = "host:port:address[:address_port]",
        help = "base DNS rules formatted in host:port:address[:address_port] for --from-resolve and --to-resolve"
    )]
    pub resolve: Vec<String>,
}

impl BinaryTargetOptions {
    /// Parses the source and destination arguments.
    pub fn parse(&self, from: &str, to: &str) -> Result<(Target, Target)> {
        let mut source = self.from.flags(&self.resolve).parse(from, "from-")?;
        source.remote.distribution_spec = self.from.distribution_spec;
        let mut destination = self.to.flags(&self.resolve).parse(to, "to-")?;
        destination.remote.distribution_spec = self.to.distribution_spec;
        Ok((source, destination))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::target::TargetKind;

    #[test]
    fn parses_both_sides() {
        let mut opts = BinaryTargetOptions::default();
        opts.to.oci_layout = true;
        opts.resolve = vec!["a:443:127.0.0.1".into()];
        opts.from.resolve = vec!["a:443:127.0.0.2".into()];
        let (from, to) = opts.parse("localhost:5000/a:v1", "dir:v2").unwrap();
        assert_eq!(from.kind, TargetKind::Registry);
        assert_eq!(from.remote.resolve.len(), 2);
        assert_eq!(from.remote.resolve[1].address.to_string(), "127.0.0.2");
        assert_eq!(to.kind, TargetKind::OciLayout);
        assert_eq!((to.path.as_str(), to.reference.as_str()), ("dir", "v2"));
    }

    #[test]
    fn prefixed_messages() {
        let mut opts = BinaryTargetOptions::default();
        opts.from.cert_file = Some("c".into());
        assert_eq!(
            opts.parse("localhost:5000/a:v1", "localhost:5000/b")
                .unwrap_err()
                .message,
            "--from-cert-file must be used in conjunction with --from-key-file"
        );
        let mut opts = BinaryTargetOptions::default();
        opts.to.oci_layout = true;
        opts.to.oci_layout_path = Some("x".into());
        assert_eq!(
            opts.parse("localhost:5000/a:v1", "b").unwrap_err().message,
            "--to-oci-layout-path, --to-oci-layout cannot be used at the same time"
        );
    }
}
