//! `oras blob fetch` (alias `get`): download a blob, verified against its
//! digest (Go `root/blob/fetch.go`).

use std::path::PathBuf;

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{Common, DescriptorOption, Pretty, Target, TargetOptions, Terminal};

/// Usage facts of `oras blob fetch`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras blob fetch",
    usage: "oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>",
};

const EXAMPLES: &str = "\
Example - Save a blob into the file 'blob.tar.gz':
  oras blob fetch --output blob.tar.gz localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Write a blob to stdout:
  oras blob fetch --output - localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Print only the descriptor of a blob:
  oras blob fetch --descriptor localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Save a blob and print its descriptor:
  oras blob fetch --output blob.tar.gz --descriptor localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Save a blob of the OCI image layout folder 'layout-dir':
  oras blob fetch --oci-layout --output blob.tar.gz layout-dir@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5
";

/// Flags and arguments of `oras blob fetch`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Fetch a blob from a registry or an OCI image layout",
    override_usage = "oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>",
    after_help = EXAMPLES,
)]
pub struct FetchArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--descriptor`.
    #[command(flatten)]
    pub descriptor: DescriptorOption,
    /// `--pretty`.
    #[command(flatten)]
    pub pretty: Pretty,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// Output file, or `-` for stdout.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "output file path, use - for stdout"
    )]
    pub output: Option<String>,
    /// The blob.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras blob fetch` options.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Shared flags.
    pub common: Common,
    /// The blob (digest reference).
    pub target: Target,
    /// Output file; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
}

impl FetchArgs {
    /// Checks the flags and arguments: `--output` and/or `--descriptor`;
    /// `-o -` excludes `--descriptor`.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<FetchOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the target blob to fetch")?;
        if self.output.is_none() && !self.descriptor.descriptor {
            return Err(CliError::new(
                "either `--output` or `--descriptor` must be provided",
            ));
        }
        let to_stdout = self.output.as_deref() == Some("-");
        if to_stdout && self.descriptor.descriptor {
            return Err(CliError::new(
                "`--output -` cannot be used with `--descriptor` at the same time",
            ));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, false)?;
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(FetchOptions {
            tty: self
                .terminal
                .use_tty(env.stderr_is_tty, self.common.debug, to_stdout),
            common: self.common,
            target,
            output: self.output.map(PathBuf::from),
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        })
    }
}

/// Runs `oras blob fetch` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: FetchOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("blob fetch"))
}
