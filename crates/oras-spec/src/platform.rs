//! Platforms (`os/arch/variant`), their CLI syntax and oras-go's matching rules.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};

/// The Go CLI's reason for a platform with more than three parts.
const PLATFORM_FORMAT: &str = "expected format os[/arch[/variant]]";

/// The platform of an image, serialised as Go's `ocispec.Platform`.
/// Deserialising refuses keys Go would read differently (see
/// [`crate::json`]): two readers must pick the same manifest for a platform.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct Platform {
    /// CPU architecture in Go's naming (`amd64`, `arm64`, …).
    #[serde(default)]
    pub architecture: String,
    /// Operating system in Go's naming (`linux`, `windows`, …).
    #[serde(default)]
    pub os: String,
    /// Operating system version (Windows builds).
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    /// Required operating system features.
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// CPU variant (`v7`, `v8`, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

crate::json::strict_serde!(
    Platform,
    "platform",
    ["architecture", "os", "os.version", "os.features", "variant"]
);

impl Platform {
    /// A platform of `os` and `architecture`.
    pub fn new(os: impl Into<String>, architecture: impl Into<String>) -> Self {
        Platform {
            os: os.into(),
            architecture: architecture.into(),
            ..Platform::default()
        }
    }

    /// The reason [`Platform::parse`] gives for too many `/`-separated parts.
    pub const FORMAT_REASON: &str = PLATFORM_FORMAT;

    /// Parses the CLI syntax `os[/arch[/variant]][:os_version]`; a missing
    /// architecture is this machine's, in Go's naming, as the Go CLI does
    /// (`cmd/oras/internal/option/platform.go`).
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with_default_arch(text, host_architecture())
    }

    /// Like [`Platform::parse`], with the architecture to use when omitted.
    pub fn parse_with_default_arch(text: &str, default_arch: &str) -> Result<Self> {
        let invalid = |reason| Error::InvalidPlatform {
            input: text.to_owned(),
            reason,
        };
        let (spec, os_version) = match text.split_once(':') {
            Some((spec, version)) => (spec, version),
            None => (text, ""),
        };
        // The reasons are the Go CLI's (`option/platform.go` parsePlatform),
        // which accepts an empty variant.
        let parts: Vec<&str> = spec.split('/').collect();
        if parts.len() > 3 {
            return Err(invalid(PLATFORM_FORMAT));
        }
        let os = parts[0];
        if os.is_empty() {
            return Err(invalid("OS cannot be empty"));
        }
        let architecture = match parts.get(1) {
            Some(&"") => return Err(invalid("Architecture cannot be empty")),
            Some(arch) => *arch,
            None => default_arch,
        };
        let variant = parts.get(2).copied().unwrap_or_default();
        Ok(Platform {
            architecture: architecture.to_owned(),
            os: os.to_owned(),
            os_version: os_version.to_owned(),
            os_features: Vec::new(),
            variant: variant.to_owned(),
        })
    }

    /// Whether `self` (what an image offers) satisfies `want`, by oras-go's
    /// `internal/platform.Match`: OS and architecture equal; variant and OS
    /// version compared only when `want` sets them; `want`'s OS features a
    /// subset of `self`'s.
    pub fn matches(&self, want: &Platform) -> bool {
        self.os == want.os
            && self.architecture == want.architecture
            && (want.variant.is_empty() || self.variant == want.variant)
            && (want.os_version.is_empty() || self.os_version == want.os_version)
            && want
                .os_features
                .iter()
                .all(|feature| self.os_features.contains(feature))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        if !self.os_version.is_empty() {
            write!(f, ":{}", self.os_version)?;
        }
        Ok(())
    }
}

/// This machine's CPU architecture in Go's `GOARCH` naming.
pub fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "arm" => "arm",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loongarch64" => "loong64",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        "mips64" => "mips64",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_syntax() {
        let p = Platform::parse_with_default_arch("linux", "amd64").unwrap();
        assert_eq!(p, Platform::new("linux", "amd64"));
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(
            (p.os.as_str(), p.architecture.as_str(), p.variant.as_str()),
            ("linux", "arm64", "v8")
        );
        let p = Platform::parse("windows/amd64:10.0.17763.1234").unwrap();
        assert_eq!(p.os_version, "10.0.17763.1234");
        assert_eq!(p.to_string(), "windows/amd64:10.0.17763.1234");
        for bad in ["", "/amd64", "linux/", "a/b/c/d", ":1.0"] {
            assert!(Platform::parse(bad).is_err(), "{bad:?}");
        }
        // The Go CLI accepts an empty variant.
        assert_eq!(Platform::parse("linux/arm/").unwrap().variant, "");
    }

    #[test]
    fn default_arch_is_go_naming() {
        let p = Platform::parse("linux").unwrap();
        assert!(!p.architecture.is_empty());
        assert_ne!(p.architecture, "x86_64");
        assert_ne!(p.architecture, "aarch64");
    }

    #[test]
    fn matching_rules() {
        let mut got = Platform::new("linux", "arm");
        got.variant = "v7".into();
        got.os_features = vec!["a".into(), "b".into()];
        assert!(got.matches(&Platform::new("linux", "arm")));
        let mut want = Platform::new("linux", "arm");
        want.variant = "v7".into();
        assert!(got.matches(&want));
        want.variant = "v6".into();
        assert!(!got.matches(&want));
        let mut want = Platform::new("linux", "arm");
        want.os_features = vec!["b".into()];
        assert!(got.matches(&want));
        want.os_features = vec!["c".into()];
        assert!(!got.matches(&want));
        let mut want = Platform::new("linux", "arm");
        want.os_version = "1".into();
        assert!(!got.matches(&want));
        assert!(!got.matches(&Platform::new("windows", "arm")));
        assert!(!got.matches(&Platform::new("linux", "arm64")));
    }

    #[test]
    fn serialises_like_go() {
        let mut p = Platform::new("windows", "amd64");
        p.os_version = "10".into();
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"architecture":"amd64","os":"windows","os.version":"10"}"#
        );
    }

    #[test]
    fn keys_go_would_read_differently_are_refused() {
        let ok: Platform =
            serde_json::from_str(r#"{"architecture":"amd64","os":"linux"}"#).unwrap();
        assert_eq!(ok, Platform::new("linux", "amd64"));
        for json in [
            r#"{"architecture":"amd64","os":"linux","OS":"windows"}"#,
            r#"{"Architecture":"arm64","os":"linux"}"#,
            r#"{"architecture":"amd64","os":"linux","OS.Version":"10"}"#,
        ] {
            let err = serde_json::from_str::<Platform>(json).unwrap_err();
            assert!(err.to_string().contains("platform: key"), "{err}");
        }
    }
}
