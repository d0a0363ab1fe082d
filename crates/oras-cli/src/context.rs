//! What every command works with, below the commands themselves: the
//! run-time [`Context`] (output streams, whether stderr is a terminal),
//! the [`ValidateEnv`] of the validation step, and a command's usage facts
//! ([`CommandInfo`]). `options/` and `connect/` use these without reaching
//! up into `commands/`.

use std::io::IsTerminal;

use crate::error::CliError;
use crate::output::Printer;

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
/// (for the progress decision), notices to print on stderr, and whether
/// `-d/--debug` was given.
#[derive(Clone, Debug, Default)]
pub struct ValidateEnv {
    /// Whether stderr is a terminal.
    pub stderr_is_tty: bool,
    /// Deprecation notices and warnings, printed before the command runs.
    pub notes: Vec<String>,
    /// Whether `-d/--debug` was given: the dispatcher installs the debug
    /// logger before the command runs.
    pub debug: bool,
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
