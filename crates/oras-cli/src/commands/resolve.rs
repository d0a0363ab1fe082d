//! `oras resolve` (alias `digest`): print the digest of a reference (Go
//! `root/resolve.go`).

use clap::Args;
use oras_spec::Platform;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::Result;
use crate::options::{Common, PlatformOption, Target, TargetOptions, parse_platform};
use crate::output::text;

/// Usage facts of `oras resolve`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras resolve",
    usage: "oras resolve [flags] <name>{:<tag>|@<digest>}",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
[Preview] Resolves digest of the target artifact

Example - Resolve digest of the target artifact:
  oras resolve localhost:5000/hello-world:v1";

/// Flags and arguments of `oras resolve`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Preview] Resolves digest of the target artifact",
    override_usage = "oras resolve [flags] <name>{:<tag>|@<digest>}",
    after_help = LONG,
)]
pub struct ResolveArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// Print `<repo>@<digest>`.
    #[arg(
        short = 'l',
        long,
        help = "print the full artifact reference with digest"
    )]
    pub full_reference: bool,
    /// The reference.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras resolve` options.
#[derive(Clone, Debug)]
pub struct ResolveOptions {
    /// Shared flags.
    pub common: Common,
    /// The reference.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// `-l`.
    pub full_reference: bool,
}

impl Command for ResolveArgs {
    type Options = ResolveOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<ResolveOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target artifact reference to resolve",
        )?;
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        self.common.report_to(env);
        Ok(ResolveOptions {
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            full_reference: self.full_reference,
        })
    }

    /// Runs `oras resolve`: prints the digest (or `<path>@<digest>` with
    /// `-l`) of the reference, of the platform's manifest with `--platform`.
    fn error_target(options: &ResolveOptions) -> Option<&Target> {
        Some(&options.target)
    }

    async fn run(options: &ResolveOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = connect::open_read_target(&options.target, ctx).await?;
        let opts = oras_copy::ResolveOptions {
            target_platform: options.platform.clone(),
            ..oras_copy::ResolveOptions::default()
        };
        // Go `runResolve`: "failed to resolve digest: %w".
        let resolved = oras_copy::resolve(&target, &options.target.reference, &opts)
            .await
            .map_err(|err| anyhow::Error::new(err).context("failed to resolve digest"))?;
        ctx.printer.println(&text::resolved(
            &options.target.path,
            &resolved.digest,
            options.full_reference,
        ))?;
        Ok(())
    }
}
