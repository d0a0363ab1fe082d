//! `oras blob push`: upload a file or stdin as a blob (Go `root/blob/push.go`).

use clap::Args;
use oras_spec::media_type;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{Common, DescriptorOption, Pretty, Target, TargetOptions, Terminal};

/// Usage facts of `oras blob push`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras blob push",
    usage: "oras blob push [flags] <name>[@digest] <file>",
};

const EXAMPLES: &str = "\
Example - Push the blob 'hi.txt' to the repository 'hello':
  oras blob push localhost:5000/hello hi.txt

Example - Push a blob read from stdin; its size and digest are required:
  echo hello | oras blob push --size 6 localhost:5000/hello@sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 -

Example - Push a blob and print its descriptor:
  oras blob push --descriptor localhost:5000/hello hi.txt

Example - Push a blob and print its descriptor with the media type 'application/vnd.me.hi':
  oras blob push --media-type application/vnd.me.hi --descriptor localhost:5000/hello hi.txt

Example - Push a blob into the OCI image layout folder 'layout-dir':
  oras blob push --oci-layout layout-dir hi.txt
";

/// Flags and arguments of `oras blob push`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Push a blob to a registry or an OCI image layout",
    override_usage = "oras blob push [flags] <name>[@digest] <file>",
    after_help = EXAMPLES
)]
pub struct PushArgs {
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
    /// Size of the blob (required for stdin).
    #[arg(long, value_name = "int", help = "provide the blob size")]
    pub size: Option<u64>,
    /// Media type of the printed descriptor.
    #[arg(
        long,
        value_name = "string",
        default_value = media_type::IMAGE_LAYER,
        help = "specify the returned media type in the descriptor if --descriptor is used"
    )]
    pub media_type: String,
    /// Destination and file.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras blob push` options.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Shared flags.
    pub common: Common,
    /// The repository, with the expected digest if given.
    pub target: Target,
    /// The file; `-` is stdin.
    pub file: String,
    /// `--size`.
    pub size: Option<u64>,
    /// `--media-type`.
    pub media_type: String,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
}

impl PushArgs {
    /// Checks the flags and arguments: stdin needs `--size` and a digest.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<PushOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(2),
            "the destination to push to and the file to read blob content from",
        )?;
        let file = self.args[1].clone();
        if file == "-" {
            self.target.remote.check_stdin_conflict()?;
            if self.size.is_none() {
                return Err(CliError::new(
                    "`--size` must be provided if the blob is read from stdin",
                ));
            }
        }
        let target = self.target.parse(&self.args[0])?;
        if file == "-" && !target.reference_is_digest() {
            return Err(CliError::new(
                "`--size` and digest must be provided if the blob is read from stdin",
            )
            .with_usage(INFO.usage));
        }
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(PushOptions {
            tty: self
                .terminal
                .use_tty(env.stderr_is_tty, self.common.debug, false),
            common: self.common,
            target,
            file,
            size: self.size,
            media_type: self.media_type,
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        })
    }
}

/// Runs `oras blob push` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: PushOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("blob push"))
}
