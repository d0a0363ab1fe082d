//! `--distribution-spec` and `--image-spec` (Go `option/spec.go`).

use std::fmt;

use clap::Args;

/// How referrers are found and maintained (`--distribution-spec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistributionSpec {
    /// `v1.1-referrers-tag`: the tag schema fallback only.
    ReferrersTag,
    /// `v1.1-referrers-api`: the referrers API only.
    ReferrersApi,
}

impl DistributionSpec {
    /// The accepted values, as listed in help and errors.
    pub const OPTIONS: &'static str = "v1.1-referrers-tag, v1.1-referrers-api";

    /// Parses a flag value.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "v1.1-referrers-tag" => Ok(DistributionSpec::ReferrersTag),
            "v1.1-referrers-api" => Ok(DistributionSpec::ReferrersApi),
            _ => Err(format!(
                "unknown distribution specification flag: {value}\nAvailable options: {}",
                Self::OPTIONS
            )),
        }
    }

    /// Whether the registry is known to support the referrers API.
    pub fn referrers_api(self) -> bool {
        self == DistributionSpec::ReferrersApi
    }
}

impl fmt::Display for DistributionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DistributionSpec::ReferrersTag => "v1.1-referrers-tag",
            DistributionSpec::ReferrersApi => "v1.1-referrers-api",
        })
    }
}

/// The unprefixed `--distribution-spec` flag, on the commands that offer it.
#[derive(Args, Clone, Debug, Default)]
pub struct DistributionSpecOption {
    /// The referrers mode; absent means auto-detect.
    #[arg(
        long = "distribution-spec",
        value_name = "string",
        value_parser = DistributionSpec::parse,
        help = "[Preview] set OCI distribution spec version and API option for target. Options: v1.1-referrers-tag, v1.1-referrers-api (default \"unknown\")"
    )]
    pub distribution_spec: Option<DistributionSpec>,
}

/// The manifest version to pack (`--image-spec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageSpec {
    /// Image-spec 1.0: no `artifactType` field, the type goes on the config.
    V1_0,
    /// Image-spec 1.1 (the default): `artifactType`, empty config.
    V1_1,
}

impl ImageSpec {
    /// Parses a flag value.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "v1.1" => Ok(ImageSpec::V1_1),
            "v1.0" => Ok(ImageSpec::V1_0),
            _ => Err(format!(
                "unknown image specification flag: {value}\nAvailable options: v1.1, v1.0"
            )),
        }
    }
}

impl fmt::Display for ImageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImageSpec::V1_0 => "v1.0",
            ImageSpec::V1_1 => "v1.1",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values() {
        assert_eq!(
            DistributionSpec::parse("v1.1-referrers-api"),
            Ok(DistributionSpec::ReferrersApi)
        );
        assert!(
            DistributionSpec::parse("v1.1-referrers-tag")
                .unwrap()
                .to_string()
                == "v1.1-referrers-tag"
        );
        assert!(
            DistributionSpec::parse("v1.0")
                .unwrap_err()
                .starts_with("unknown distribution specification flag: v1.0")
        );
        assert_eq!(ImageSpec::parse("v1.0"), Ok(ImageSpec::V1_0));
        assert!(ImageSpec::parse("v2").is_err());
    }
}
