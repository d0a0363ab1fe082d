//! `oras cp` / `oras copy`: copy an artifact between registries and OCI
//! layouts (Go `root/cp.go`).

use clap::Args;
use oras_spec::Platform;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::Result;
use crate::options::target::empty_tag_or_digest;
use crate::options::{
    BinaryTargetOptions, Common, PlatformOption, Target, Terminal, parse_platform,
};
use crate::parse::split_multi_tag;

/// Usage facts of `oras cp`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras cp",
    usage: "oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]",
};

const EXAMPLES: &str = "\
When copying an image index, all of its manifests are copied too.

Example - Copy an artifact from one registry to another:
  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Download an artifact into the OCI image layout folder './downloaded':
  oras cp --to-oci-layout localhost:5000/net-monitor:v1 ./downloaded:v1

Example - Upload an artifact from the OCI image layout folder './to-upload':
  oras cp --from-oci-layout ./to-upload:v1 localhost:5000/net-monitor:v1

Example - Upload an artifact from the OCI layout archive './to-upload.tar':
  oras cp --from-oci-layout ./to-upload.tar:v1 localhost:5000/net-monitor:v1

Example - Copy an artifact together with its referrers:
  oras cp -r localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy with referrers, reading them by API and writing them by tag schema:
  oras cp -r --from-distribution-spec v1.1-referrers-api --to-distribution-spec v1.1-referrers-tag \\
    localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy only the linux/arm/v5 manifest of a multi-platform artifact:
  oras cp --platform linux/arm/v5 localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy and tag the copy three times:
  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:tag1,tag2,tag3

Example - Copy with 10 concurrent transfers:
  oras cp --concurrency 10 localhost:5000/net-monitor:v1 localhost:5000/net-monitor-copy:tag1,tag2,tag3

Example - Copy into a destination that may be partially populated (e.g. a registry cache):
  oras cp --force localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1
";

/// Flags and arguments of `oras cp`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Copy artifacts from one target to another",
    override_usage = "oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]",
    after_help = EXAMPLES,
)]
pub struct CopyArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// `--from-*`, `--to-*`, `--resolve`.
    #[command(flatten)]
    pub targets: BinaryTargetOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// Also copy referrers.
    #[arg(
        short = 'r',
        long,
        help = "[Preview] recursively copy the artifact and its referrer artifacts"
    )]
    pub recursive: bool,
    /// Re-copy content under manifests that already exist.
    #[arg(
        long,
        help = "force a deep traversal of the destination graph before tagging the root; useful when the destination is partially populated (e.g. by a registry cache)"
    )]
    pub force: bool,
    /// Parallel transfers.
    #[arg(
        long,
        value_name = "int",
        default_value_t = 3,
        help = "concurrency level"
    )]
    pub concurrency: usize,
    /// Source and destination.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras cp` options.
#[derive(Clone, Debug)]
pub struct CopyOptions {
    /// Shared flags.
    pub common: Common,
    /// The source (tag or digest required).
    pub from: Target,
    /// The destination (first tag, if any, in `reference`).
    pub to: Target,
    /// Destination tags after the first.
    pub extra_tags: Vec<String>,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// `-r`.
    pub recursive: bool,
    /// `--force`.
    pub force: bool,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl CopyArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<CopyOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(2),
            "the source and destination for copying",
        )?;
        let (to_raw, extra_tags) = split_multi_tag(&self.args[1]);
        let (from, to) = self.targets.parse(&self.args[0], &to_raw)?;
        if from.reference.is_empty() {
            return Err(empty_tag_or_digest(&from.raw_reference, &INFO, true));
        }
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(CopyOptions {
            tty: self
                .terminal
                .use_tty(env.stderr_is_tty, self.common.debug, false),
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            from,
            to,
            extra_tags,
            recursive: self.recursive,
            force: self.force,
            concurrency: self.concurrency,
        })
    }
}

/// Runs `oras cp` (not wired yet: needs oras-remote, oras-store-oci and oras-copy).
pub async fn run(_options: CopyOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("cp"))
}
