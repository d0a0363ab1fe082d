//! `oras completion bash|zsh|fish|powershell`: shell completion scripts
//! (cobra's built-in `completion` command, here from clap_complete).

use clap::{Args, Subcommand};
use clap_complete::Shell;

use crate::commands::Context;

/// The shells.
#[derive(Subcommand, Clone, Debug)]
pub enum CompletionCommand {
    /// Generate the autocompletion script for bash
    #[command(
        about = "Generate the autocompletion script for bash",
        override_usage = "oras completion bash",
        after_help = "To load completions in your current shell session:\n\n  source <(oras completion bash)\n\nTo load completions for every new session, save the output to\n/etc/bash_completion.d/oras (Linux) or $(brew --prefix)/etc/bash_completion.d/oras (macOS).\n"
    )]
    Bash(NoArgs),
    /// Generate the autocompletion script for zsh
    #[command(
        about = "Generate the autocompletion script for zsh",
        override_usage = "oras completion zsh",
        after_help = "To load completions for every new session, save the output into a directory of your $fpath:\n\n  oras completion zsh > \"${fpath[1]}/_oras\"\n"
    )]
    Zsh(NoArgs),
    /// Generate the autocompletion script for fish
    #[command(
        about = "Generate the autocompletion script for fish",
        override_usage = "oras completion fish",
        after_help = "To load completions in your current shell session:\n\n  oras completion fish | source\n\nTo load completions for every new session:\n\n  oras completion fish > ~/.config/fish/completions/oras.fish\n"
    )]
    Fish(NoArgs),
    /// Generate the autocompletion script for powershell
    #[command(
        about = "Generate the autocompletion script for powershell",
        override_usage = "oras completion powershell",
        after_help = "To load completions in your current shell session:\n\n  oras completion powershell | Out-String | Invoke-Expression\n"
    )]
    Powershell(NoArgs),
}

/// A command without flags or arguments.
#[derive(Args, Clone, Debug, Default)]
pub struct NoArgs {}

impl CompletionCommand {
    /// The shell of this command.
    pub fn shell(&self) -> Shell {
        match self {
            CompletionCommand::Bash(_) => Shell::Bash,
            CompletionCommand::Zsh(_) => Shell::Zsh,
            CompletionCommand::Fish(_) => Shell::Fish,
            CompletionCommand::Powershell(_) => Shell::PowerShell,
        }
    }
}

/// Writes the completion script of `command` (the whole `oras` tree) to stdout.
pub fn run(shell: Shell, command: &mut clap::Command, ctx: &Context) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, "oras", &mut script);
    ctx.printer.write_out(&script)?;
    Ok(())
}
