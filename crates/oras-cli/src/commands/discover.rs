//! `oras discover`: list the referrers of a manifest, recursively (Go
//! `root/discover.go`).

use clap::Args;
use oras_spec::Platform;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{
    Common, DiscoverFormatOptions, DistributionSpecOption, OutputFormat, PlatformOption, Target,
    TargetOptions, parse_platform,
};

/// Usage facts of `oras discover`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras discover",
    usage: "oras discover [flags] <name>{:<tag>|@<digest>}",
};

const EXAMPLES: &str = "\
** This command is in preview and under development. **

Example - Show the referrers of the manifest 'hello:v1' as a tree:
  oras discover localhost:5000/hello:v1

Example - Find referrers through the referrers API only:
  oras discover --distribution-spec v1.1-referrers-api localhost:5000/hello:v1

Example - Find referrers through the tag schema only:
  oras discover --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1

Example - [Experimental] Show the direct referrers as a table:
  oras discover localhost:5000/hello:v1 --format table

Example - [Experimental] Print the referrers with a Go template:
  oras discover localhost:5000/hello:v1 --format go-template --template \"{{.referrers}}\"

Example - [Experimental] Print only the direct referrers as JSON:
  oras discover localhost:5000/hello:v1 --format json --depth 1

Example - Show only the referrers of type 'test-artifact':
  oras discover --artifact-type test-artifact localhost:5000/hello:v1

Example - Show the referrers of the manifest tagged 'v1' in the OCI image layout folder 'layout-dir':
  oras discover --oci-layout layout-dir:v1

Example - Show the referrers of the manifest tagged 'example.com:v1' in the OCI image layout folder 'layout-dir':
  oras discover example.com:v1 --oci-layout-path layout-dir
";

/// Flags and arguments of `oras discover`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Preview] Discover referrers of a manifest in a registry or an OCI image layout",
    override_usage = "oras discover [flags] <name>{:<tag>|@<digest>}",
    after_help = EXAMPLES
)]
pub struct DiscoverArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// `--format`, `--template`, deprecated `-o`.
    #[command(flatten)]
    pub format: DiscoverFormatOptions,
    /// Disable colours.
    #[arg(long, value_name = "bool", num_args = 0..=1, require_equals = true, default_missing_value = "true", hide_possible_values = true, help = "[Preview] disable colors")]
    pub no_tty: Option<bool>,
    /// Only referrers of this artifact type.
    #[arg(long, value_name = "string", help = "artifact type")]
    pub artifact_type: Option<String>,
    /// Levels of referrers to show.
    #[arg(
        long,
        value_name = "int",
        allow_negative_numbers = true,
        help = "[Experimental] level of referrers to display, if unused shows referrers of all levels"
    )]
    pub depth: Option<i64>,
    /// The subject.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras discover` options.
#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Shared flags.
    pub common: Common,
    /// The subject.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// Output format (tree by default).
    pub format: OutputFormat,
    /// Whether to colour the tree (stderr and stdout are terminals).
    pub color: bool,
    /// Referrer artifact type filter (empty: all).
    pub artifact_type: String,
    /// Depth limit; `None` is unlimited (table always uses 1).
    pub depth: Option<usize>,
}

impl DiscoverArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<DiscoverOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target artifact to discover referrers from",
        )?;
        let mut depth = match self.depth {
            Some(d) if d < 1 => return Err(CliError::new("depth value should be at least 1")),
            Some(d) => Some(usize::try_from(d).unwrap_or(usize::MAX)),
            None => None,
        };
        let format = self.format.parse(&mut env.notes)?;
        if format == OutputFormat::Table {
            depth = Some(1);
        }
        let mut target = self.target.parse(&self.args[0])?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        target.ensure_reference(&INFO, true)?;
        let color = env.stderr_is_tty && !self.common.debug && self.no_tty != Some(true);
        Ok(DiscoverOptions {
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            format,
            color,
            artifact_type: self.artifact_type.unwrap_or_default(),
            depth,
        })
    }
}

/// Runs `oras discover` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: DiscoverOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("discover"))
}
