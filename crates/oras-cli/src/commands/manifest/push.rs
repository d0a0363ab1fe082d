//! `oras manifest push`: push a manifest file or stdin (Go
//! `root/manifest/push.go`).

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{
    Common, DescriptorOption, DistributionSpecOption, Pretty, Target, TargetOptions,
};
use crate::parse::split_multi_tag;

/// Usage facts of `oras manifest push`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest push",
    usage: "oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>",
};

const EXAMPLES: &str = "\
Example - Push the manifest 'manifest.json' to 'hello:v1':
  oras manifest push localhost:5000/hello:v1 manifest.json

Example - Push a manifest read from stdin:
  oras manifest push localhost:5000/hello:v1 -

Example - Push a manifest by digest only, without a tag:
  oras manifest push localhost:5000/hello manifest.json

Example - Push a manifest and check it against a digest:
  oras manifest push localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5 manifest.json

Example - Push a manifest of a type given explicitly:
  oras manifest push --media-type application/vnd.cncf.oras.artifact.manifest.v1+json localhost:5000/hello:v1 manifest.json

Example - Push a manifest and print its descriptor:
  oras manifest push --descriptor localhost:5000/hello:v1 manifest.json

Example - Push a manifest with three tags:
  oras manifest push localhost:5000/hello:tag1,tag2,tag3 manifest.json

Example - Push a manifest into the OCI image layout folder 'layout-dir' with the tag 'v1':
  oras manifest push --oci-layout layout-dir:v1 manifest.json
";

/// Flags and arguments of `oras manifest push`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Push a manifest to a registry or an OCI image layout",
    override_usage = "oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>",
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
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// The manifest's media type; otherwise read from its `mediaType` field.
    #[arg(long, value_name = "string", help = "media type of manifest")]
    pub media_type: Option<String>,
    /// Parallel tag requests.
    #[arg(
        long,
        value_name = "int",
        default_value_t = 5,
        help = "concurrency level"
    )]
    pub concurrency: usize,
    /// Destination and file.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest push` options.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Shared flags.
    pub common: Common,
    /// The destination (first tag or a digest to check against).
    pub target: Target,
    /// Tags after the first.
    pub extra_tags: Vec<String>,
    /// The manifest file; `-` is stdin.
    pub file: String,
    /// `--media-type`.
    pub media_type: Option<String>,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl PushArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<PushOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(2),
            "the destination to push to and the file to read manifest content from",
        )?;
        let file = self.args[1].clone();
        if file == "-" {
            self.target.remote.check_stdin_conflict()?;
        }
        let (raw, extra_tags) = split_multi_tag(&self.args[0]);
        let mut target = self.target.parse(&raw)?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        if let Some(media_type) = &self.media_type {
            oras_spec::media_type::validate(media_type)
                .map_err(|err| CliError::new(err.to_string()))?;
        }
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(PushOptions {
            common: self.common,
            target,
            extra_tags,
            file,
            media_type: self.media_type,
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
            concurrency: self.concurrency,
        })
    }
}

/// Runs `oras manifest push` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: PushOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("manifest push"))
}
