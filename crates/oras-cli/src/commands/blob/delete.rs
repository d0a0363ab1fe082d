//! `oras blob delete` (aliases `remove`, `rm`) (Go `root/blob/delete.go`).

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::{CliError, Result};
use crate::options::{Common, Confirmation, DescriptorOption, Pretty, Target, TargetOptions};

/// Usage facts of `oras blob delete`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras blob delete",
    usage: "oras blob delete [flags] <name>@<digest>",
};

const EXAMPLES: &str = "\
Example - Delete a blob, after a confirmation prompt:
  oras blob delete localhost:5000/hello@sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71

Example - Delete a blob without prompting; a missing blob is not an error:
  oras blob delete --force localhost:5000/hello@sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71

Example - Delete a blob and print its descriptor:
  oras blob delete --descriptor --force localhost:5000/hello@sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71
";

/// Flags and arguments of `oras blob delete`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Delete a blob from a remote registry",
    override_usage = "oras blob delete [flags] <name>@<digest>",
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
    /// The blob.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras blob delete` options.
#[derive(Clone, Debug)]
pub struct DeleteOptions {
    /// Shared flags.
    pub common: Common,
    /// The blob (digest reference).
    pub target: Target,
    /// `--force`.
    pub force: bool,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
}

impl DeleteArgs {
    /// Checks the flags and arguments; `--descriptor` requires `--force`.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<DeleteOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target blob to delete",
        )?;
        if self.descriptor.descriptor && !self.confirmation.force {
            return Err(CliError::new(
                "must apply --force to confirm the deletion if the descriptor is outputted",
            ));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, false)?;
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

/// The confirmation prompt.
pub fn prompt(digest: &str) -> String {
    format!(
        "Are you sure you want to delete the blob {}? [y/N] ",
        crate::error::quote(digest)
    )
}

/// Runs `oras blob delete` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: DeleteOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("blob delete"))
}
