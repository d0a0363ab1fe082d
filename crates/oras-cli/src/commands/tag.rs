//! `oras tag`: add tags to a manifest (Go `root/tag.go`).
//!
//! Beyond the Go CLI: `--delete` removes tags where the registry or layout
//! supports it (oras#1752): `oras tag --delete <name>:<tag> [<tag>…]`
//! removes the tag of the reference and the listed ones; with
//! `<name>@<digest>` at least one tag must be listed, and each must point
//! to that digest.

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{Common, Target, TargetOptions};

/// Usage facts of `oras tag`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras tag",
    usage: "oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]",
};

const EXAMPLES: &str = "\
Example - Add the tag 'v1.0.2' to the manifest tagged 'v1.0.1' in 'localhost:5000/hello':
  oras tag localhost:5000/hello:v1.0.1 v1.0.2

Example - Add the tag 'v1.0.2' to a manifest given by digest:
  oras tag localhost:5000/hello@sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71 v1.0.2

Example - Add the tags 'v1.0.2' and 'latest':
  oras tag localhost:5000/hello:v1.0.1 v1.0.2 latest

Example - Add tags one at a time:
  oras tag --concurrency 1 localhost:5000/hello:v1.0.1 v1.0.2 latest

Example - Tag a manifest in the OCI image layout folder 'layout-dir':
  oras tag --oci-layout layout-dir:v1.0.1 v1.0.2

Example - Remove the tags 'v1.0.1' and 'latest':
  oras tag --delete localhost:5000/hello:v1.0.1 latest
";

/// Flags and arguments of `oras tag`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Tag a manifest in a registry or an OCI image layout",
    override_usage = "oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]",
    after_help = EXAMPLES
)]
pub struct TagArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// Remove tags instead of adding them.
    #[arg(
        long,
        help = "delete the tag of the reference and the listed tags instead of adding them"
    )]
    pub delete: bool,
    /// Parallel tag requests.
    #[arg(
        long,
        value_name = "int",
        default_value_t = 5,
        help = "concurrency level"
    )]
    pub concurrency: usize,
    /// The manifest and the tags.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras tag` options.
#[derive(Clone, Debug)]
pub struct TagOptions {
    /// Shared flags.
    pub common: Common,
    /// The manifest to tag (or whose tags to delete).
    pub target: Target,
    /// Tags to add, or with `delete`, the tags to remove (including the
    /// reference's own tag).
    pub tags: Vec<String>,
    /// `--delete`.
    pub delete: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl TagArgs {
    /// Checks the flags and arguments; `oras tag list` is refused with a
    /// hint to use `oras repo tags`.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<TagOptions> {
        if matches!(self.args.first().map(String::as_str), Some("list" | "ls")) {
            let container = if self.target.oci_layout {
                "an OCI image layout"
            } else {
                "a repository"
            };
            return Err(
                CliError::new("there is no \"list\" sub-command for \"oras tag\" command")
                    .with_usage(INFO.usage)
                    .with_recommendation(format!(
                        "If you want to list available tags in {container}, use \"oras repo tags\""
                    )),
            );
        }
        INFO.check_args(
            &self.args,
            ArgCount::AtLeast(1),
            "the artifact to be retagged and the tags to be added",
        )?;
        let target = self.target.parse(&self.args[0]).map_err(|mut err| {
            if err.message.contains("invalid reference") {
                err.message = format!("unable to add tag for '{}': {}", self.args[0], err.message);
            }
            err
        })?;
        target.ensure_reference(&INFO, true)?;
        let mut tags: Vec<String> = self.args[1..].to_vec();
        if self.delete && !target.reference_is_digest() {
            tags.insert(0, target.reference.clone());
        }
        if self.delete && tags.is_empty() {
            return Err(
                CliError::new("no tag to delete: list the tags after a digest reference")
                    .with_usage(INFO.usage),
            );
        }
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(TagOptions {
            common: self.common,
            target,
            tags,
            delete: self.delete,
            concurrency: self.concurrency,
        })
    }
}

/// Runs `oras tag` (not wired yet: needs oras-remote, oras-store-oci and oras-copy).
pub async fn run(_options: TagOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("tag"))
}
