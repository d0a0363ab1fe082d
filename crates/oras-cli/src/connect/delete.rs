//! What `oras blob delete` and `oras manifest delete` share (Go
//! `root/blob/delete.go`, `root/manifest/delete.go`): the options, the
//! `--descriptor` needs `--force` rule, the confirmation prompt, and the
//! flow resolve → missing? → confirm → delete → report.

use std::io::{BufRead, Read};

use clap::Args;
use oras_content::ErrorKind;
use oras_spec::Descriptor;

use crate::context::{Context, ValidateEnv};
use crate::error::{CliError, Result};
use crate::options::{Common, Confirmation, DescriptorOption, Pretty, Target, TargetOptions};
use crate::output::{Printer, summary, text};

/// The flags both delete commands have.
#[derive(Args, Clone, Debug, Default)]
pub struct DeleteFlags {
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
}

impl DeleteFlags {
    /// Checks that `--descriptor` comes with `--force` (the Go CLI's
    /// `PreRunE` of both delete commands), before the target is parsed.
    pub fn check(&self) -> Result<()> {
        if self.descriptor.descriptor && !self.confirmation.force {
            return Err(CliError::new(
                "must apply --force to confirm the deletion if the descriptor is outputted",
            ));
        }
        Ok(())
    }

    /// The options for the parsed `target`; the `--verbose` deprecation
    /// goes to `env`.
    pub fn options(self, target: Target, env: &mut ValidateEnv) -> DeleteOptions {
        self.common.report_to(env);
        DeleteOptions {
            common: self.common,
            target,
            force: self.confirmation.force,
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        }
    }
}

/// Validated options of a delete command.
#[derive(Clone, Debug)]
pub struct DeleteOptions {
    /// Shared flags.
    pub common: Common,
    /// What is deleted.
    pub target: Target,
    /// `--force`: no prompt; missing is not an error.
    pub force: bool,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
}

/// Asks `prompt` (already ending in `[y/N] `) on stdout and reads one line
/// of `input`; `y` or `yes` (any case) confirms, anything else prints
/// `Operation cancelled.` (Go `Confirmation.AskForConfirmation`). With
/// `force` nothing is asked.
pub fn confirm(
    force: bool,
    prompt: &str,
    input: &mut dyn BufRead,
    printer: &Printer,
) -> std::io::Result<bool> {
    if force {
        return Ok(true);
    }
    printer.write_out(prompt.as_bytes())?;
    let mut line = String::new();
    input.take(4096).read_line(&mut line)?;
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        return Ok(true);
    }
    printer.println("Operation cancelled.")?;
    Ok(false)
}

/// Runs a delete from the resolution of its target: a missing `what`
/// (`blob`, `manifest`) is an error, or with `--force` (and no
/// `--descriptor`) prints `Missing <ref>`; asks `prompt(digest)` unless
/// `--force`; runs `delete` on the descriptor; prints `Deleted [kind]
/// <ref>` or the descriptor.
pub async fn confirm_and_delete(
    options: &DeleteOptions,
    ctx: &Context,
    what: &str,
    prompt: fn(&str) -> String,
    resolved: oras_content::Result<Descriptor>,
    delete: impl AsyncFnOnce(&Descriptor) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let target = &options.target;
    let desc = match resolved {
        Ok(desc) => desc,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            if options.force && !options.descriptor {
                ctx.printer.println(&text::missing(&target.raw_reference))?;
                return Ok(());
            }
            return Err(CliError::new(format!(
                "{}: the specified {what} does not exist",
                target.raw_reference
            ))
            .into());
        }
        Err(err) => return Err(err.into()),
    };
    if !confirm(
        options.force,
        &prompt(&desc.digest.to_string()),
        &mut std::io::stdin().lock(),
        &ctx.printer,
    )? {
        return Ok(());
    }
    delete(&desc).await?;
    if options.descriptor {
        return summary::descriptor(&ctx.printer, &desc, options.pretty);
    }
    ctx.printer
        .println(&text::deleted(&target.display_reference()))?;
    Ok(())
}

/// The error of a failed delete: `failed to delete <ref>: <cause>`.
pub fn delete_failed(target: &Target, err: oras_content::Error) -> anyhow::Error {
    anyhow::Error::new(err).context(format!("failed to delete {}", target.raw_reference))
}
