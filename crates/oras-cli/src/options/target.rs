//! Where a command reads or writes: a registry repository or an OCI image
//! layout (Go `option/target.go`).

use std::fmt;

use clap::Args;
use oras_spec::Reference;

use crate::context::CommandInfo;
use crate::error::{CliError, Result, check_mutually_exclusive, quote};
use crate::options::remote::{RemoteFlags, RemoteOptions, RemoteSettings};
use crate::parse::parse_oci_layout_reference;

/// The unprefixed target flags: the remote flags plus `--oci-layout` and
/// `--oci-layout-path`.
#[derive(Args, Clone, Debug, Default)]
pub struct TargetOptions {
    /// Registry connection flags.
    #[command(flatten)]
    pub remote: RemoteOptions,
    /// The reference is `<path>[:tag|@digest]` of an OCI image layout.
    #[arg(long, help = "set target as an OCI image layout")]
    pub oci_layout: bool,
    /// The OCI image layout directory; the argument is then only the tag or digest.
    #[arg(
        long,
        value_name = "string",
        help = "[Experimental] set the path for the OCI image layout target"
    )]
    pub oci_layout_path: Option<String>,
}

/// The kind of a target, as shown in brackets in summaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// A registry repository.
    Registry,
    /// An OCI image layout (directory, or tar for read-only commands).
    OciLayout,
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetKind::Registry => "registry",
            TargetKind::OciLayout => "oci-layout",
        })
    }
}

/// A parsed target.
#[derive(Clone, Debug)]
pub struct Target {
    /// Registry or OCI layout.
    pub kind: TargetKind,
    /// The reference argument as typed.
    pub raw_reference: String,
    /// The layout path, or `registry/repository` for a remote target.
    pub path: String,
    /// The tag or digest; empty when none was given.
    pub reference: String,
    /// The parsed remote reference (remote targets only).
    pub remote_reference: Option<Reference>,
    /// Connection settings (default for layouts).
    pub remote: RemoteSettings,
    /// Whether the layout was named by `--oci-layout-path` (Go's
    /// `IsOCILayout` is false then, so its errors are handled as remote).
    pub from_layout_path: bool,
}

/// The values of one target flag set, prefixed or not.
#[derive(Clone, Debug, Default)]
pub struct TargetFlags {
    /// Remote flag values.
    pub remote: RemoteFlags,
    /// `--[prefix-]oci-layout`.
    pub oci_layout: bool,
    /// `--[prefix-]oci-layout-path`.
    pub oci_layout_path: Option<String>,
}

impl TargetOptions {
    /// The flag values.
    pub fn flags(&self) -> TargetFlags {
        TargetFlags {
            remote: self.remote.flags(),
            oci_layout: self.oci_layout,
            oci_layout_path: self.oci_layout_path.clone(),
        }
    }

    /// Parses `raw` as this command's target.
    pub fn parse(&self, raw: &str) -> Result<Target> {
        self.flags().parse(raw, "")
    }
}

impl TargetFlags {
    /// Parses `raw` (Go `Target.Parse`): `--oci-layout` splits
    /// `<path>[:tag|@digest]` and refuses `-H`; `--oci-layout-path` takes
    /// `raw` as the tag or digest; otherwise `raw` is a registry reference
    /// and the remote flags are validated.
    pub fn parse(&self, raw: &str, prefix: &str) -> Result<Target> {
        check_mutually_exclusive(&[
            (
                &format!("{prefix}oci-layout-path"),
                self.oci_layout_path.is_some(),
            ),
            (&format!("{prefix}oci-layout"), self.oci_layout),
        ])?;
        if self.oci_layout {
            if !self.remote.header.is_empty() {
                return Err(CliError::new(
                    "custom header flags cannot be used on an OCI image layout target",
                ));
            }
            let (path, reference) = parse_oci_layout_reference(raw)?;
            return Ok(Target::layout(raw, path, reference));
        }
        if let Some(path) = &self.oci_layout_path {
            return Ok(Target {
                from_layout_path: true,
                ..Target::layout(raw, path.clone(), raw.to_owned())
            });
        }
        // A short name resolves through the containers configuration
        // when it is on (`ORAS_EXPERIMENTAL_CONTAINERS_CONFIG`).
        let resolved = crate::connect::containers::resolve_short_name(raw)
            .map_err(|err| CliError::new(err.to_string()))?;
        let parsed = Reference::parse(&resolved).map_err(|err| {
            CliError::new(format!("{}: {err}", quote(raw))).with_recommendation(
                "Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]",
            )
        })?;
        let reference = parsed
            .target()
            .map(|t| match t {
                oras_spec::ReferenceTarget::Tag(tag) => tag.clone(),
                oras_spec::ReferenceTarget::Digest(d) => d.to_string(),
            })
            .unwrap_or_default();
        Ok(Target {
            kind: TargetKind::Registry,
            raw_reference: raw.to_owned(),
            path: format!("{}/{}", parsed.registry(), parsed.repository()),
            reference,
            remote_reference: Some(parsed),
            remote: self.remote.settings(prefix)?,
            from_layout_path: false,
        })
    }
}

impl Target {
    fn layout(raw: &str, path: String, reference: String) -> Target {
        Target {
            kind: TargetKind::OciLayout,
            raw_reference: raw.to_owned(),
            path,
            reference,
            remote_reference: None,
            remote: RemoteSettings::default(),
            from_layout_path: false,
        }
    }

    /// `[registry] <raw>` or `[oci-layout] <raw>`, as summaries print it.
    pub fn display_reference(&self) -> String {
        format!("[{}] {}", self.kind, self.raw_reference)
    }

    /// Whether this is an OCI image layout.
    pub fn is_layout(&self) -> bool {
        self.kind == TargetKind::OciLayout
    }

    /// Whether the reference is a digest.
    pub fn reference_is_digest(&self) -> bool {
        crate::parse::is_digest(&self.reference)
    }

    /// Fails when no tag or digest was given (Go `EnsureReferenceNotEmpty`).
    pub fn ensure_reference(&self, info: &CommandInfo, allow_tag: bool) -> Result<()> {
        if self.reference.is_empty() {
            return Err(empty_tag_or_digest(&self.raw_reference, info, allow_tag));
        }
        Ok(())
    }
}

/// The error of a reference without tag or digest (Go `NewErrEmptyTagOrDigest`).
pub fn empty_tag_or_digest(raw: &str, info: &CommandInfo, allow_tag: bool) -> CliError {
    let (form, what) = if allow_tag {
        (
            r#""<name>:<tag>" or "<name>@<digest>""#,
            "no tag or digest specified",
        )
    } else {
        (r#""<name>@<digest>""#, "no digest specified")
    };
    CliError::new(format!("\"{raw}\": {what}"))
        .with_usage(info.usage)
        .with_recommendation(format!(
            r#"Please specify a reference in the form of {form}. Run "{} -h" for more options and examples"#,
            info.path
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: CommandInfo = CommandInfo {
        path: "oras pull",
        usage: "oras pull [flags] <name>{:<tag>|@<digest>}",
    };

    #[test]
    fn remote_target() {
        let t = TargetOptions::default()
            .parse("localhost:5000/hello:v1")
            .unwrap();
        assert_eq!(t.kind, TargetKind::Registry);
        assert_eq!(t.path, "localhost:5000/hello");
        assert_eq!(t.reference, "v1");
        assert_eq!(t.display_reference(), "[registry] localhost:5000/hello:v1");
        assert!(t.ensure_reference(&INFO, true).is_ok());
    }

    #[test]
    fn bad_remote_reference() {
        let err = TargetOptions::default()
            .parse("localhost/Hello")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"localhost/Hello\": invalid reference: invalid repository \"Hello\"\nPlease make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]"
        );
    }

    #[test]
    fn layout_targets() {
        let opts = TargetOptions {
            oci_layout: true,
            ..Default::default()
        };
        let t = opts.parse("layout-dir:v1").unwrap();
        assert_eq!(
            (t.kind, t.path.as_str(), t.reference.as_str()),
            (TargetKind::OciLayout, "layout-dir", "v1")
        );
        assert_eq!(t.display_reference(), "[oci-layout] layout-dir:v1");

        let opts = TargetOptions {
            oci_layout_path: Some("dir".into()),
            ..Default::default()
        };
        let t = opts.parse("example.com:v1").unwrap();
        assert_eq!(
            (t.path.as_str(), t.reference.as_str()),
            ("dir", "example.com:v1")
        );

        let both = TargetOptions {
            oci_layout: true,
            oci_layout_path: Some("dir".into()),
            ..Default::default()
        };
        assert_eq!(
            both.parse("x").unwrap_err().message,
            "--oci-layout-path, --oci-layout cannot be used at the same time"
        );
    }

    #[test]
    fn headers_refused_on_layout() {
        let mut opts = TargetOptions {
            oci_layout: true,
            ..Default::default()
        };
        opts.remote.header = vec!["A: b".into()];
        assert_eq!(
            opts.parse("dir:v1").unwrap_err().message,
            "custom header flags cannot be used on an OCI image layout target"
        );
    }

    #[test]
    fn empty_reference() {
        let t = TargetOptions::default()
            .parse("localhost:5000/hello")
            .unwrap();
        let err = t.ensure_reference(&INFO, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"localhost:5000/hello\": no tag or digest specified\nUsage: oras pull [flags] <name>{:<tag>|@<digest>}\nPlease specify a reference in the form of \"<name>:<tag>\" or \"<name>@<digest>\". Run \"oras pull -h\" for more options and examples"
        );
        let err = t.ensure_reference(&INFO, false).unwrap_err();
        assert!(err.message.ends_with("no digest specified"));
    }
}
