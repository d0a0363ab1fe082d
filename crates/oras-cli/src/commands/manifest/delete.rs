//! `oras manifest delete` (aliases `remove`, `rm`) (Go
//! `root/manifest/delete.go`).

use clap::Args;
use oras_content::Resolver;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::connect::delete::{DeleteFlags, DeleteOptions, confirm_and_delete, delete_failed};
use crate::error::{CliError, Result};
use crate::options::{DistributionSpecOption, Target};

/// Usage facts of `oras manifest delete`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest delete",
    usage: "oras manifest delete [flags] <name>{:<tag>|@<digest>}",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Delete a manifest from remote registry

Example - Delete a manifest tagged with 'v1' from repository 'localhost:5000/hello':
  oras manifest delete localhost:5000/hello:v1

Example - Delete a manifest without prompting confirmation:
  oras manifest delete --force localhost:5000/hello:v1

Example - Delete a manifest and print its descriptor:
  oras manifest delete --descriptor localhost:5000/hello:v1

Example - Delete a manifest by digest 'sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9' from repository 'localhost:5000/hello':
  oras manifest delete localhost:5000/hello@sha:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9";

/// Flags and arguments of `oras manifest delete`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Delete a manifest from remote registry",
    override_usage = "oras manifest delete [flags] <name>{:<tag>|@<digest>}",
    after_help = LONG,
)]
pub struct DeleteArgs {
    /// The flags both delete commands have.
    #[command(flatten)]
    pub flags: DeleteFlags,
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// The manifest.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

impl Command for DeleteArgs {
    type Options = DeleteOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments; `--descriptor` requires `--force`.
    fn validate(self, env: &mut ValidateEnv) -> Result<DeleteOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the manifest to delete")?;
        self.flags.check()?;
        let mut target = self.flags.target.parse(&self.args[0])?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        target.ensure_reference(&INFO, true)?;
        Ok(self.flags.options(target, env))
    }

    fn error_target(options: &DeleteOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras manifest delete` (Go `root/manifest/delete.go`): resolves
    /// the manifest; a missing one is an error, or with `--force` (and no
    /// `--descriptor`) prints `Missing <ref>`; asks for confirmation unless
    /// `--force` (an answer other than `y`/`yes`, or none, cancels); deletes
    /// it, maintaining the referrers tag schema where the registry needs it;
    /// prints `Deleted [kind] <ref>` or the descriptor.
    async fn run(options: &DeleteOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let store = connect::open_write_target(target, ctx).await?;
        let resolved = store.resolve(&target.reference).await;
        confirm_and_delete(options, ctx, "manifest", prompt, resolved, async |desc| {
            let Some(deleter) = oras_content::Capabilities::as_deleter(&store) else {
                return Err(CliError::new(format!(
                    "{}: deleting is not supported by this target",
                    target.raw_reference
                ))
                .into());
            };
            deleter
                .delete(desc)
                .await
                .map_err(|err| delete_failed(target, err))
        })
        .await
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
