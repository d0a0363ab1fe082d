//! `oras blob delete` (aliases `remove`, `rm`) (Go `root/blob/delete.go`).

use clap::Args;
use oras_content::{Deleter, Resolver};
use oras_spec::{Descriptor, media_type};

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::blobs::{RemoteBlobs, parse_blob_digest};
use crate::connect::delete::{DeleteFlags, DeleteOptions, confirm_and_delete, delete_failed};
use crate::connect::{self, WriteTarget};
use crate::error::Result;
use crate::options::Target;

/// Usage facts of `oras blob delete`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras blob delete",
    usage: "oras blob delete [flags] <name>@<digest>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Delete a blob from a remote registry

Example - Delete a blob:
  oras blob delete localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Delete a blob without prompting confirmation:
  oras blob delete --force localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Delete a blob and print its descriptor:
  oras blob delete --descriptor --force localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5";

/// Flags and arguments of `oras blob delete`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Delete a blob from a remote registry",
    override_usage = "oras blob delete [flags] <name>@<digest>",
    after_help = LONG,
)]
pub struct DeleteArgs {
    /// The flags both delete commands have.
    #[command(flatten)]
    pub flags: DeleteFlags,
    /// The blob.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

impl Command for DeleteArgs {
    type Options = DeleteOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments; `--descriptor` requires `--force`.
    fn validate(self, env: &mut ValidateEnv) -> Result<DeleteOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target blob to delete",
        )?;
        self.flags.check()?;
        let target = self.flags.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, false)?;
        Ok(self.flags.options(target, env))
    }

    fn error_target(options: &DeleteOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras blob delete` (Go `root/blob/delete.go`): resolves the
    /// blob (`HEAD` on a registry); a missing blob is an error, or with
    /// `--force` (and no `--descriptor`) prints `Missing <ref>`; asks for
    /// confirmation unless `--force`; deletes; prints `Deleted [kind] <ref>`
    /// or the descriptor.
    async fn run(options: &DeleteOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let digest = parse_blob_digest(&target.reference)?;
        let (resolved, deleter): (oras_content::Result<Descriptor>, Box<dyn Deleter>) =
            if target.is_layout() {
                match connect::open_write_target(target, ctx).await? {
                    WriteTarget::Layout(store) => {
                        (store.resolve(&target.reference).await, Box::new(store))
                    }
                    WriteTarget::Registry(repo) => {
                        (repo.resolve(&target.reference).await, Box::new(repo))
                    }
                }
            } else {
                let blobs = RemoteBlobs::open(target, ctx)?;
                (blobs.resolve(&digest).await, Box::new(blobs.repository))
            };
        confirm_and_delete(options, ctx, "blob", prompt, resolved, async |desc| {
            // The blob endpoint whatever type the registry reported: stores
            // pick the endpoint by media type.
            let mut blob = desc.clone();
            if !target.is_layout() && media_type::is_manifest(&blob.media_type) {
                blob.media_type = media_type::OCTET_STREAM.to_owned();
            }
            deleter
                .delete(&blob)
                .await
                .map_err(|err| delete_failed(target, err))
        })
        .await
    }
}

/// The confirmation prompt.
pub fn prompt(digest: &str) -> String {
    format!(
        "Are you sure you want to delete the blob {}? [y/N] ",
        crate::error::quote(digest)
    )
}
