//! `oras manifest index update` (experimental): add, merge or remove
//! entries of an index (Go `root/manifest/index/update.go`). Order of
//! operations: remove, then add, then merge.

use std::path::PathBuf;

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result, check_mutually_exclusive};
use crate::options::{Common, Pretty, Target, TargetOptions};
use crate::parse::is_digest;

/// Usage facts of `oras manifest index update`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest index update",
    usage: "oras manifest index update <index>{:<tag>|@<digest>} [{--add|--merge|--remove} <manifest>{<tag>|<digest>}] [...]",
};

const EXAMPLES: &str = "\
All manifests must be in the same repository.

Example - Remove a manifest from the index 'v1' and add another one:
  oras manifest index update localhost:5000/hello:v1 --add linux-amd64 --remove sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9

Example - Add a manifest and merge the entries of another index:
  oras manifest index update localhost:5000/hello:v1 --add linux-arm64 --merge v2-index

Example - Update an index and tag the result 'v2' as well:
  oras manifest index update localhost:5000/hello:v1 --add linux-arm64 --tag v2

Example - Write the updated index to stdout, indented, instead of pushing it:
  oras manifest index update localhost:5000/hello:v1 --add linux-arm64 --output - --pretty

Example - Update an index in the OCI image layout folder 'layout-dir':
  oras manifest index update --oci-layout layout-dir:v1 --add linux-amd64
";

/// Flags and arguments of `oras manifest index update`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Update and push an image index",
    override_usage = "oras manifest index update <index>{:<tag>|@<digest>} [{--add|--merge|--remove} <manifest>{<tag>|<digest>}] [...]",
    after_help = EXAMPLES
)]
pub struct UpdateArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--pretty`.
    #[command(flatten)]
    pub pretty: Pretty,
    /// New artifact type; `""` clears it.
    #[arg(
        long,
        value_name = "string",
        help = "new artifact type for overall index"
    )]
    pub artifact_type: Option<String>,
    /// Manifests to add.
    #[arg(
        long,
        value_name = "stringArray",
        help = "manifests to add to the index"
    )]
    pub add: Vec<String>,
    /// Indexes whose entries are merged in.
    #[arg(
        long,
        value_name = "stringArray",
        help = "indexes to be merged into the index"
    )]
    pub merge: Vec<String>,
    /// Digests to remove.
    #[arg(
        long,
        value_name = "stringArray",
        help = "manifests to remove from the index, must be digests"
    )]
    pub remove: Vec<String>,
    /// Extra tags for the result.
    #[arg(
        long,
        value_name = "stringArray",
        help = "extra tags for the updated index"
    )]
    pub tag: Vec<String>,
    /// Write the index to a file or stdout instead of pushing it.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "file path to write the created index to, use - for stdout"
    )]
    pub output: Option<String>,
    /// The index.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest index update` options.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    /// Shared flags.
    pub common: Common,
    /// The index to update.
    pub target: Target,
    /// `--artifact-type`: `None` keeps it, `Some("")` clears it.
    pub artifact_type: Option<String>,
    /// `--add`.
    pub add: Vec<String>,
    /// `--merge`.
    pub merge: Vec<String>,
    /// `--remove` (digests).
    pub remove: Vec<String>,
    /// `--tag`.
    pub tags: Vec<String>,
    /// `--output`; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--pretty`.
    pub pretty: bool,
}

impl UpdateOptions {
    /// Whether no change was requested ("Nothing to update as no change is requested").
    pub fn is_noop(&self) -> bool {
        self.add.is_empty()
            && self.merge.is_empty()
            && self.remove.is_empty()
            && self.artifact_type.is_none()
    }
}

impl UpdateArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, _env: &mut ValidateEnv) -> Result<UpdateOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target index to update",
        )?;
        check_mutually_exclusive(&[
            ("tag", !self.tag.is_empty()),
            ("output", self.output.is_some()),
        ])?;
        if let Some(bad) = self.remove.iter().find(|r| !is_digest(r)) {
            return Err(CliError::new(format!("remove: {bad} is not a digest")));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        Ok(UpdateOptions {
            common: self.common,
            target,
            artifact_type: self.artifact_type,
            add: self.add,
            merge: self.merge,
            remove: self.remove,
            tags: self.tag,
            output: self.output.map(PathBuf::from),
            pretty: self.pretty.pretty,
        })
    }
}

/// Runs `oras manifest index update` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: UpdateOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("manifest index update"))
}
