//! One module per command, one flat floor: a command imports helpers from
//! [`crate::connect`], [`crate::options`] and [`crate::output`], never
//! from a sibling command. Each module has:
//!
//! * `…Args`: the clap flags and positional arguments, as typed;
//! * `…Options`: what validation makes of them (targets, annotations,
//!   platform, format …);
//! * an implementation of [`Command`] for `…Args`: its usage facts,
//!   `validate` (every usage check of the Go CLI that needs no network;
//!   deprecation notices go to the [`ValidateEnv`] and are printed on
//!   stderr) and `run`, the execution on the libraries through
//!   [`crate::connect`].
//!
//! The dispatcher ([`crate::app`]) does what every command shares: it
//! prints the validation notes, installs the `--debug` logger and gives a
//! failure on the command's target the Go CLI's prefix
//! ([`connect::target_error`]).

use crate::connect;
use crate::error::CliError;
#[cfg(doc)]
use crate::options::Common;
use crate::options::Target;

pub use crate::context::{ArgCount, CommandInfo, Context, ValidateEnv};

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

/// One `oras` command: validate → options → run, checked by the compiler.
///
/// The Go CLI runs the same prologue and epilogue around every command
/// (`command.GetLogger` for `--debug`, `Target.ModifyError` on a failure);
/// validation reports `--debug` to the [`ValidateEnv`] and
/// [`Command::error_target`] tells the dispatcher where failures are
/// mapped, so a command's `run` holds only its own work.
pub trait Command: Sized {
    /// The validated options `run` works from.
    type Options;

    /// The command path and usage line (Go `cmd.CommandPath()`, `cmd.Use`).
    const INFO: CommandInfo;

    /// Every usage check that needs no network, producing the options;
    /// the shared flags are reported to `env` ([`Common::report_to`]).
    fn validate(self, env: &mut ValidateEnv) -> Result<Self::Options, CliError>;

    /// The target whose failures get the Go CLI's registry prefix and
    /// hints ([`connect::target_error`]), when a failure anywhere in `run`
    /// is one on that target. `None` when `run` maps its errors itself.
    fn error_target(options: &Self::Options) -> Option<&Target> {
        let _ = options;
        None
    }

    /// Runs the command on the libraries.
    fn run(
        options: &Self::Options,
        ctx: &Context,
    ) -> impl std::future::Future<Output = anyhow::Result<()>>;
}

/// Runs a validated command as every `oras` command runs: the debug
/// logger first (when validation reported `--debug`), then `run`, its failure mapped on the command's target.
pub async fn execute<C: Command>(
    options: C::Options,
    debug: bool,
    ctx: &Context,
) -> anyhow::Result<()> {
    connect::init_debug(debug);
    let result = C::run(&options, ctx).await;
    match C::error_target(&options) {
        Some(target) => result.map_err(|err| connect::target_error(err, target, C::INFO.path)),
        None => result,
    }
}

#[cfg(test)]
mod validation_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::delete::confirm;
    use crate::output::Printer;

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
