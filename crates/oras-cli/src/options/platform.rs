//! `--platform` and `--artifact-platform` (Go `option/platform.go`).

use clap::Args;
use oras_spec::Platform;

use crate::error::{CliError, Result, quote};

/// `--platform`: select the matching manifest of an index.
#[derive(Args, Clone, Debug, Default)]
pub struct PlatformOption {
    /// The wanted platform.
    #[arg(
        long,
        value_name = "os[/arch][/variant][:os_version]",
        help = "request platform in the form of os[/arch][/variant][:os_version]"
    )]
    pub platform: Option<String>,
}

/// `--platform` of attach: attach to the matching child of an index.
#[derive(Args, Clone, Debug, Default)]
pub struct AttachPlatformOption {
    /// The platform of the subject.
    #[arg(
        long,
        value_name = "os[/arch][/variant][:os_version]",
        help = "attach to an arch-specific subject in the form of os[/arch][/variant][:os_version]"
    )]
    pub platform: Option<String>,
}

/// `--artifact-platform` of push: the platform written into the config.
#[derive(Args, Clone, Debug, Default)]
pub struct ArtifactPlatformOption {
    /// The platform of the pushed artifact.
    #[arg(
        long,
        value_name = "os[/arch][/variant][:os_version]",
        help = "[Experimental] set artifact platform in the form of os[/arch][/variant][:os_version]"
    )]
    pub artifact_platform: Option<String>,
}

/// Parses a platform flag value; a missing architecture is this machine's.
pub fn parse_platform(value: Option<&str>) -> Result<Option<Platform>> {
    match value {
        None | Some("") => Ok(None),
        // Go `option/platform.go` parsePlatform: too many parts is
        // `failed to parse platform "<text>": expected format …`, an empty
        // OS or architecture `invalid platform: <part> cannot be empty`.
        Some(text) => Platform::parse(text).map(Some).map_err(|err| match err {
            oras_spec::Error::InvalidPlatform { reason, .. }
                if reason != Platform::FORMAT_REASON =>
            {
                CliError::new(format!("invalid platform: {reason}"))
            }
            oras_spec::Error::InvalidPlatform { reason, .. } => CliError::new(format!(
                "failed to parse platform {}: {reason}",
                quote(text)
            )),
            other => CliError::new(other.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_platforms() {
        assert_eq!(parse_platform(None).unwrap(), None);
        let p = parse_platform(Some("linux/arm/v5")).unwrap().unwrap();
        assert_eq!(
            (p.os.as_str(), p.architecture.as_str(), p.variant.as_str()),
            ("linux", "arm", "v5")
        );
        let p = parse_platform(Some("linux")).unwrap().unwrap();
        assert_eq!(p.architecture, oras_spec::host_architecture());
        let message = |text| parse_platform(Some(text)).unwrap_err().message;
        assert_eq!(message("/amd64"), "invalid platform: OS cannot be empty");
        assert_eq!(
            message("linux/"),
            "invalid platform: Architecture cannot be empty"
        );
        assert_eq!(
            message("a/b/c/d"),
            "failed to parse platform \"a/b/c/d\": expected format os[/arch[/variant]]"
        );
    }
}
