//! `oras manifest delete` (aliases `remove`, `rm`) (Go
//! `root/manifest/delete.go`).

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{
    Common, Confirmation, DescriptorOption, DistributionSpecOption, Pretty, Target, TargetOptions,
};

/// Usage facts of `oras manifest delete`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest delete",
    usage: "oras manifest delete [flags] <name>{:<tag>|@<digest>}",
};

const EXAMPLES: &str = "\
Example - Delete the manifest tagged 'v1', after a confirmation prompt:
  oras manifest delete localhost:5000/hello:v1

Example - Delete without prompting; a missing manifest is not an error:
  oras manifest delete --force localhost:5000/hello:v1

Example - Delete without prompting and print the descriptor of the deleted manifest:
  oras manifest delete --descriptor --force localhost:5000/hello:v1

Example - Delete a manifest given by digest:
  oras manifest delete localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9

Example - Delete a manifest and maintain referrers through the tag schema:
  oras manifest delete --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1
";

/// Flags and arguments of `oras manifest delete`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Delete a manifest from remote registry",
    override_usage = "oras manifest delete [flags] <name>{:<tag>|@<digest>}",
    after_help = EXAMPLES,
)]
pub struct DeleteArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `-f/--force`.
    #[command(flatten)]
    pub confirmation: Confirmation,
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
    /// The manifest.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest delete` options.
#[derive(Clone, Debug)]
pub struct DeleteOptions {
    /// Shared flags.
    pub common: Common,
    /// The manifest.
    pub target: Target,
    /// `--force`: no prompt; missing is not an error.
    pub force: bool,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
}

impl DeleteArgs {
    /// Checks the flags and arguments; `--descriptor` requires `--force`.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<DeleteOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the manifest to delete")?;
        if self.descriptor.descriptor && !self.confirmation.force {
            return Err(CliError::new(
                "must apply --force to confirm the deletion if the descriptor is outputted",
            ));
        }
        let mut target = self.target.parse(&self.args[0])?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        target.ensure_reference(&INFO, true)?;
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(DeleteOptions {
            common: self.common,
            target,
            force: self.confirmation.force,
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        })
    }
}

/// The confirmation prompt (Go `root/manifest/delete.go` and
/// `Confirmation.AskForConfirmation`); answers other than `y`/`yes`
/// print `Operation cancelled.`.
pub fn prompt(digest: &str) -> String {
    format!(
        "Are you sure you want to delete the manifest {} and all tags associated with it? [y/N] ",
        crate::error::quote(digest)
    )
}

/// Runs `oras manifest delete` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: DeleteOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("manifest delete"))
}
