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
        after_help = "Generate the autocompletion script for the bash shell.\n\nThis script depends on the 'bash-completion' package.\nIf it is not installed already, you can install it via your OS's package manager.\n\nTo load completions in your current shell session:\n\n\tsource <(oras completion bash)\n\nTo load completions for every new session, execute once:\n\n#### Linux:\n\n\toras completion bash > /etc/bash_completion.d/oras\n\n#### macOS:\n\n\toras completion bash > $(brew --prefix)/etc/bash_completion.d/oras\n\nYou will need to start a new shell for this setup to take effect."
    )]
    Bash(NoArgs),
    /// Generate the autocompletion script for zsh
    #[command(
        about = "Generate the autocompletion script for zsh",
        override_usage = "oras completion zsh [flags]",
        after_help = "Generate the autocompletion script for the zsh shell.\n\nIf shell completion is not already enabled in your environment you will need\nto enable it.  You can execute the following once:\n\n\techo \"autoload -U compinit; compinit\" >> ~/.zshrc\n\nTo load completions in your current shell session:\n\n\tsource <(oras completion zsh)\n\nTo load completions for every new session, execute once:\n\n#### Linux:\n\n\toras completion zsh > \"${fpath[1]}/_oras\"\n\n#### macOS:\n\n\toras completion zsh > $(brew --prefix)/share/zsh/site-functions/_oras\n\nYou will need to start a new shell for this setup to take effect."
    )]
    Zsh(NoArgs),
    /// Generate the autocompletion script for fish
    #[command(
        about = "Generate the autocompletion script for fish",
        override_usage = "oras completion fish [flags]",
        after_help = "Generate the autocompletion script for the fish shell.\n\nTo load completions in your current shell session:\n\n\toras completion fish | source\n\nTo load completions for every new session, execute once:\n\n\toras completion fish > ~/.config/fish/completions/oras.fish\n\nYou will need to start a new shell for this setup to take effect."
    )]
    Fish(NoArgs),
    /// Generate the autocompletion script for powershell
    #[command(
        about = "Generate the autocompletion script for powershell",
        override_usage = "oras completion powershell [flags]",
        after_help = "Generate the autocompletion script for powershell.\n\nTo load completions in your current shell session:\n\n\toras completion powershell | Out-String | Invoke-Expression\n\nTo load completions for every new session, add the output of the above command\nto your powershell profile."
    )]
    Powershell(NoArgs),
}

/// The flags of a completion command.
#[derive(Args, Clone, Debug, Default)]
pub struct NoArgs {
    /// Accepted for the Go CLI's sake; the scripts clap writes are the
    /// same either way.
    #[arg(long, help = "disable completion descriptions")]
    pub no_descriptions: bool,
}

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
