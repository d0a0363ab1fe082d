//! `oras restore` (experimental): push the tagged artifacts of an OCI
//! layout directory or tar to a repository (Go `root/restore.go`).

use std::path::PathBuf;

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{Common, DistributionSpecOption, RemoteOptions, RemoteSettings, Terminal};
use crate::parse::split_repository_tags;

/// Usage facts of `oras restore`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras restore",
    usage: "oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
};

const EXAMPLES: &str = "\
The input is an OCI image layout directory or a tar archive of one.

Example - Restore one artifact from the tar archive 'hello.tar':
  oras restore --input hello.tar localhost:5000/hello:v1

Example - Restore one artifact from the directory 'hello':
  oras restore --input hello localhost:5000/hello:v1

Example - Show what would be restored without pushing anything:
  oras restore --input hello --dry-run localhost:5000/hello:v1

Example - Restore several tags:
  oras restore --input hello localhost:5000/hello:v1,v2

Example - Restore every tag of the layout:
  oras restore --input hello localhost:5000/hello

Example - Restore without the referrers:
  oras restore --input hello --exclude-referrers localhost:5000/hello

Example - Write referrers through the tag schema only:
  oras restore --input hello --distribution-spec v1.1-referrers-tag localhost:5000/hello

Example - Restore to a registry over plain HTTP:
  oras restore --input hello --plain-http localhost:5000/hello:v1

Example - Restore with 6 concurrent transfers:
  oras restore --input hello --concurrency 6 localhost:5000/hello:v1
";

/// Flags and arguments of `oras restore`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Restore artifacts to a registry from an OCI image layout",
    override_usage = "oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
    after_help = EXAMPLES
)]
pub struct RestoreArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Remote flags.
    #[command(flatten)]
    pub remote: RemoteOptions,
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// The layout to restore (required).
    #[arg(
        long,
        value_name = "string",
        help = "path to the OCI layout, either a tar archive (*.tar) or a directory"
    )]
    pub input: Option<PathBuf>,
    /// Skip referrers.
    #[arg(long, help = "restore artifacts excluding their referrers")]
    pub exclude_referrers: bool,
    /// Push nothing.
    #[arg(
        long,
        help = "simulate the restore process without actually uploading any artifacts"
    )]
    pub dry_run: bool,
    /// Parallel transfers.
    #[arg(
        long,
        value_name = "int",
        default_value_t = 5,
        help = "concurrency level"
    )]
    pub concurrency: usize,
    /// The repository and tags.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras restore` options.
#[derive(Clone, Debug)]
pub struct RestoreOptions {
    /// Shared flags.
    pub common: Common,
    /// `registry/repository`.
    pub repository: String,
    /// Tags to restore; empty means every tag of the layout.
    pub tags: Vec<String>,
    /// The layout directory or tar (tar: `.tar` extension or `ustar` magic).
    pub input: PathBuf,
    /// `--exclude-referrers`.
    pub exclude_referrers: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// Connection settings.
    pub remote: RemoteSettings,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl RestoreArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<RestoreOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the targets to restore to",
        )?;
        let Some(input) = self.input.clone() else {
            return Err(CliError::new("required flag(s) \"input\" not set"));
        };
        let mut remote = self.remote.settings()?;
        remote.distribution_spec = self.spec.distribution_spec;
        let (repository, tags) = split_repository_tags(&self.args[0])?;
        Ok(RestoreOptions {
            tty: self
                .terminal
                .use_tty(env.stderr_is_tty, self.common.debug, false),
            common: self.common,
            repository,
            tags,
            input,
            exclude_referrers: self.exclude_referrers,
            dry_run: self.dry_run,
            remote,
            concurrency: self.concurrency,
        })
    }
}

/// Runs `oras restore` (not wired yet: needs oras-remote, oras-store-oci and oras-copy).
pub async fn run(_options: RestoreOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("restore"))
}
