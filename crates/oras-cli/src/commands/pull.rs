//! `oras pull`: download the titled files of an artifact (Go `root/pull.go`).
//!
//! Beyond the Go CLI: `-o -` writes a single-file artifact to stdout
//! (oras#346), `--preserve-permissions` restores the mode bits of
//! unpacked directories (oras#1776), and `--to-oci-layout` writes the
//! whole artifact into an OCI layout at `--output`, as
//! `oras cp --to-oci-layout` does (oras#1160).

use clap::Args;
use oras_spec::Platform;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result, check_mutually_exclusive};
use crate::options::{
    Common, FormatOptions, OutputFormat, PlatformOption, Target, TargetOptions, Terminal,
    parse_platform,
};
use crate::parse::parse_file_ref;

/// Usage facts of `oras pull`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras pull",
    usage: "oras pull [flags] <name>{:<tag>|@<digest>}",
};

const EXAMPLES: &str = "\
Example - Pull the files of artifact 'hello:v1' into the current directory:
  oras pull localhost:5000/hello:v1

Example - Pull the artifact and, recursively, its subject:
  oras pull --include-subject localhost:5000/hello:v1

Example - Pull from a registry with a self-signed certificate:
  oras pull --insecure localhost:5000/hello:v1

Example - Pull from a registry over plain HTTP:
  oras pull --plain-http localhost:5000/hello:v1

Example - Pull through a local cache:
  export ORAS_CACHE=~/.oras/cache
  oras pull localhost:5000/hello:v1

Example - Pull the variant of a multi-platform artifact for linux/arm/v5:
  oras pull --platform linux/arm/v5 localhost:5000/hello:v1

Example - Pull with 6 concurrent downloads:
  oras pull --concurrency 6 localhost:5000/hello:v1

Example - [Experimental] Pull and print the result as JSON:
  oras pull localhost:5000/hello:v1 --format json

Example - [Experimental] Pull and print the result with a Go template:
  oras pull localhost:5000/hello:v1 --format go-template=\"{{.reference}}\"

Example - Write the single file of an artifact to stdout:
  oras pull -o - localhost:5000/hello:v1 | tar xz

Example - Pull every layer into an OCI image layout folder 'layout-dir':
  oras pull --to-oci-layout -o layout-dir localhost:5000/hello:v1

Example - Pull from an OCI image layout folder 'layout-dir':
  oras pull --oci-layout layout-dir:v1

Example - Pull from an OCI layout archive 'layout.tar':
  oras pull --oci-layout layout.tar:v1

Example - Pull the artifact tagged 'example.com:v1' from the OCI image layout folder 'layout-dir':
  oras pull example.com:v1 --oci-layout-path layout-dir
";

/// Flags and arguments of `oras pull`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Pull files from a registry or an OCI image layout",
    override_usage = "oras pull [flags] <name>{:<tag>|@<digest>}",
    after_help = EXAMPLES
)]
pub struct PullArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Source target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: FormatOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// Fail instead of overwriting existing files.
    #[arg(
        short = 'k',
        long,
        help = "do not replace existing files when pulling, treat them as errors"
    )]
    pub keep_old_files: bool,
    /// Allow titles that write outside the output directory.
    #[arg(
        short = 'T',
        long,
        help = "allow storing files out of the output directory"
    )]
    pub allow_path_traversal: bool,
    /// Also pull the subject chain.
    #[arg(long, help = "recursively pull the subject of artifacts")]
    pub include_subject: bool,
    /// Output directory, or `-` for stdout.
    #[arg(
        short = 'o',
        long,
        value_name = "string",
        default_value = ".",
        help = "output directory, use - to write a single-file artifact to stdout"
    )]
    pub output: String,
    /// Write the config to `path`, optionally only if its type matches.
    #[arg(long, value_name = "string", help = "output manifest config file")]
    pub config: Option<String>,
    /// Restore the mode bits of unpacked directories.
    #[arg(long, help = "restore file permissions of directory content")]
    pub preserve_permissions: bool,
    /// Write into an OCI image layout at `--output` instead of files.
    #[arg(
        long,
        help = "pull all layers into an OCI image layout at the output path, like 'oras cp --to-oci-layout'"
    )]
    pub to_oci_layout: bool,
    /// Parallel downloads.
    #[arg(
        long,
        value_name = "int",
        default_value_t = 3,
        help = "concurrency level"
    )]
    pub concurrency: usize,
    /// The artifact reference.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras pull` options.
#[derive(Clone, Debug)]
pub struct PullOptions {
    /// Shared flags.
    pub common: Common,
    /// The source.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// Output format.
    pub format: OutputFormat,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// Output directory (`.` by default).
    pub output: String,
    /// Whether the single file goes to stdout (`-o -`).
    pub to_stdout: bool,
    /// `-k`.
    pub keep_old_files: bool,
    /// `-T`.
    pub allow_path_traversal: bool,
    /// `--include-subject`.
    pub include_subject: bool,
    /// `--config`: path and required media type (empty: any).
    pub config: Option<(String, String)>,
    /// `--preserve-permissions`.
    pub preserve_permissions: bool,
    /// `--to-oci-layout`.
    pub to_oci_layout: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl PullArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<PullOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the artifact reference you want to pull",
        )?;
        let format = self.format.parse()?;
        let to_stdout = self.output == "-";
        if to_stdout && format != OutputFormat::Text {
            return Err(CliError::new(format!(
                "`--output -` cannot be used with `--format {}` at the same time",
                self.format.format.as_deref().unwrap_or_default()
            )));
        }
        check_mutually_exclusive(&[
            ("to-oci-layout", self.to_oci_layout),
            ("config", self.config.is_some()),
        ])?;
        check_mutually_exclusive(&[
            ("to-oci-layout", self.to_oci_layout),
            ("preserve-permissions", self.preserve_permissions),
        ])?;
        if self.to_oci_layout && to_stdout {
            return Err(CliError::new(
                "`--output -` cannot be used with `--to-oci-layout` at the same time",
            ));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        let config = match &self.config {
            Some(raw) => Some(parse_file_ref(raw, "")?),
            None => None,
        };
        Ok(PullOptions {
            tty: self
                .terminal
                .use_tty(env.stderr_is_tty, self.common.debug, to_stdout),
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            format,
            output: self.output,
            to_stdout,
            keep_old_files: self.keep_old_files,
            allow_path_traversal: self.allow_path_traversal,
            include_subject: self.include_subject,
            config,
            preserve_permissions: self.preserve_permissions,
            to_oci_layout: self.to_oci_layout,
            concurrency: self.concurrency,
        })
    }
}

/// Runs `oras pull` (not wired yet: needs oras-store-file, oras-remote and oras-copy).
pub async fn run(_options: PullOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("pull"))
}
