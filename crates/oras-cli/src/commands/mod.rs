//! One module per command. Each has:
//!
//! * `…Args`: the clap flags and positional arguments, as typed;
//! * `…Args::validate(self, notes) -> Result<…Options, CliError>`: every
//!   usage check of the Go CLI that needs no network, producing the parsed
//!   `…Options` (targets, annotations, platform, format …); deprecation
//!   notices go to `notes` and are printed on stderr;
//! * `run(options, &Context) -> anyhow::Result<()>`: the execution, on
//!   the libraries through [`crate::connect`].

use std::io::{BufRead, IsTerminal, Read};

use crate::error::CliError;
use crate::output::Printer;

pub mod attach;
pub mod backup;
pub mod blob;
pub mod completion;
pub mod copy;
pub mod discover;
pub mod login;
pub mod logout;
pub mod manifest;
pub mod pull;
pub mod push;
pub mod repo;
pub mod resolve;
pub mod restore;
pub mod tag;
pub mod version;

/// Names a command in usage errors (Go `cmd.CommandPath()` and `cmd.Use`).
#[derive(Clone, Copy, Debug)]
pub struct CommandInfo {
    /// The command path, e.g. `oras pull`.
    pub path: &'static str,
    /// The usage line, e.g. `oras pull [flags] <name>{:<tag>|@<digest>}`.
    pub usage: &'static str,
}

/// How many positional arguments a command takes.
#[derive(Clone, Copy, Debug)]
pub enum ArgCount {
    /// Exactly this many.
    Exactly(usize),
    /// At least this many.
    AtLeast(usize),
}

impl CommandInfo {
    /// Checks the number of positional arguments (Go `oerrors.CheckArgs`).
    pub fn check_args(&self, args: &[String], count: ArgCount, what: &str) -> Result<(), CliError> {
        // Go `argument.noun`: "argument" for one, "arguments" otherwise.
        let noun = |n: usize| if n == 1 { "argument" } else { "arguments" };
        let (ok, text) = match count {
            ArgCount::Exactly(n) => (args.len() == n, format!("exactly {n} {}", noun(n))),
            ArgCount::AtLeast(n) => (args.len() >= n, format!("at least {n} {}", noun(n))),
        };
        if ok {
            return Ok(());
        }
        Err(CliError::new(format!(
            "\"{}\" requires {text} but got {}",
            self.path,
            args.len()
        ))
        .with_usage(self.usage)
        .with_recommendation(format!(
            "Please specify {text} as {what}. Run \"{} -h\" for more options and examples",
            self.path
        )))
    }
}

/// What validation may consult and report: whether stderr is a terminal
/// (for the progress decision) and notices to print on stderr.
#[derive(Clone, Debug, Default)]
pub struct ValidateEnv {
    /// Whether stderr is a terminal.
    pub stderr_is_tty: bool,
    /// Deprecation notices and warnings, printed before the command runs.
    pub notes: Vec<String>,
}

/// What every command's `run` gets besides its options.
#[derive(Clone, Debug)]
pub struct Context {
    /// Output streams.
    pub printer: Printer,
    /// Whether stderr is a terminal (progress bars go there).
    pub stderr_is_tty: bool,
}

impl Context {
    /// The context of the running process.
    pub fn from_process() -> Self {
        Context {
            printer: Printer::stdio(),
            stderr_is_tty: std::io::stderr().is_terminal(),
        }
    }
}

/// Asks `prompt` (already ending in `[y/N] `) on stdout and reads one line
/// of `input`; `y` or `yes` (any case) confirms, anything else prints
/// `Operation cancelled.` (Go `Confirmation.AskForConfirmation`). With
/// `force` nothing is asked.
pub fn confirm(
    force: bool,
    prompt: &str,
    input: &mut dyn std::io::BufRead,
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

#[cfg(test)]
mod validation_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_count_errors_read_like_go() {
        let info = CommandInfo {
            path: "oras pull",
            usage: "oras pull [flags] <name>{:<tag>|@<digest>}",
        };
        assert!(
            info.check_args(&["a".into()], ArgCount::Exactly(1), "x")
                .is_ok()
        );
        let err = info
            .check_args(
                &[],
                ArgCount::Exactly(1),
                "the artifact reference you want to pull",
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"oras pull\" requires exactly 1 argument but got 0\nUsage: oras pull [flags] <name>{:<tag>|@<digest>}\nPlease specify exactly 1 argument as the artifact reference you want to pull. Run \"oras pull -h\" for more options and examples"
        );
        assert!(info.check_args(&[], ArgCount::AtLeast(1), "x").is_err());
    }

    #[test]
    fn confirmation() {
        let (printer, out, _) = Printer::captured();
        let prompt = manifest::delete::prompt("sha256:abc");
        assert!(confirm(false, &prompt, &mut "YES\n".as_bytes(), &printer).unwrap());
        assert!(!confirm(false, &prompt, &mut "n\n".as_bytes(), &printer).unwrap());
        assert!(confirm(true, &prompt, &mut "".as_bytes(), &printer).unwrap());
        assert_eq!(
            out.text(),
            format!("{prompt}{prompt}Operation cancelled.\n")
        );
        assert_eq!(
            prompt,
            "Are you sure you want to delete the manifest \"sha256:abc\" and all tags associated with it? [y/N] "
        );
    }
}
