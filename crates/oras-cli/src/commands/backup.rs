//! `oras backup` (experimental): copy tagged artifacts of a repository into
//! an OCI layout directory or tar (Go `root/backup.go`).

use std::path::PathBuf;

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{Common, DistributionSpecOption, RemoteOptions, RemoteSettings, Terminal};
use crate::parse::split_repository_tags;

/// Usage facts of `oras backup`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras backup",
    usage: "oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
};

const EXAMPLES: &str = "\
The output is a tar archive when the path ends in \".tar\", a directory otherwise.

Example - Back up one artifact into the directory 'hello':
  oras backup --output hello localhost:5000/hello:v1

Example - Back up one artifact into the tar archive 'hello.tar':
  oras backup --output hello.tar localhost:5000/hello:v1

Example - Back up an artifact with its referrers (signatures, SBOMs …):
  oras backup --output hello --include-referrers localhost:5000/hello:v1

Example - Back up several tags:
  oras backup --output hello localhost:5000/hello:v1,v2,v3

Example - Back up every tag of a repository:
  oras backup --output hello localhost:5000/hello

Example - Find referrers through the referrers API only:
  oras backup --output hello --include-referrers --distribution-spec v1.1-referrers-api localhost:5000/hello:v1

Example - Back up from a registry over plain HTTP:
  oras backup --output hello --plain-http localhost:5000/hello:v1

Example - Back up with 6 concurrent transfers:
  oras backup --output hello --concurrency 6 localhost:5000/hello:v1
";

/// Flags and arguments of `oras backup`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Back up artifacts from a registry into an OCI image layout",
    override_usage = "oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
    after_help = EXAMPLES
)]
pub struct BackupArgs {
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
    /// Output path (required).
    #[arg(
        short = 'o',
        long,
        value_name = "string",
        help = "path to the target output, either a tar archive (*.tar) or a directory"
    )]
    pub output: Option<PathBuf>,
    /// Also back up referrers.
    #[arg(
        long,
        help = "back up the artifact with its referrers (e.g., attestations, SBOMs)"
    )]
    pub include_referrers: bool,
    /// Parallel transfers.
    #[arg(
        long,
        value_name = "int",
        default_value_t = 3,
        help = "concurrency level"
    )]
    pub concurrency: usize,
    /// The repository and tags.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras backup` options.
#[derive(Clone, Debug)]
pub struct BackupOptions {
    /// Shared flags.
    pub common: Common,
    /// `registry/repository`.
    pub repository: String,
    /// Tags to back up; empty means every tag of the repository.
    pub tags: Vec<String>,
    /// Output path.
    pub output: PathBuf,
    /// Whether the output is a tar archive (`.tar` extension, any case).
    pub output_is_tar: bool,
    /// `--include-referrers`.
    pub include_referrers: bool,
    /// Connection settings.
    pub remote: RemoteSettings,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl BackupArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<BackupOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the artifacts to back up")?;
        let Some(output) = self.output.clone() else {
            return Err(CliError::new("required flag(s) \"output\" not set"));
        };
        let mut remote = self.remote.settings()?;
        remote.distribution_spec = self.spec.distribution_spec;
        let (repository, tags) = split_repository_tags(&self.args[0])?;
        let output_is_tar = output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tar"));
        Ok(BackupOptions {
            tty: self
                .terminal
                .use_tty(env.stderr_is_tty, self.common.debug, false),
            common: self.common,
            repository,
            tags,
            output,
            output_is_tar,
            include_referrers: self.include_referrers,
            remote,
            concurrency: self.concurrency,
        })
    }
}

/// Runs `oras backup` (not wired yet: needs oras-remote, oras-store-oci and oras-copy).
pub async fn run(_options: BackupOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("backup"))
}
