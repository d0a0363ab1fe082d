//! Small flag groups shared by many commands (Go `option/common.go`,
//! `terminal.go`, `descriptor.go`, `pretty.go`, `confirmation.go`).

use clap::{ArgAction, Args};

use crate::context::ValidateEnv;

/// `-d/--debug` and the hidden, deprecated `-v/--verbose`.
#[derive(Args, Clone, Debug, Default)]
pub struct Common {
    /// Debug logs on stderr, with request tracing; implies `--no-tty`.
    #[arg(short = 'd', long, help = "output debug logs (implies --no-tty)")]
    pub debug: bool,
    /// Deprecated: status lines for unnamed blobs are printed by default.
    #[arg(
        short = 'v',
        long,
        hide = true,
        value_name = "bool",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true", hide_possible_values = true,
        action = ArgAction::Set
    )]
    pub verbose: Option<bool>,
}

impl Common {
    /// The deprecation notice cobra prints when `--verbose` is used.
    pub fn deprecation_warning(&self) -> Option<&'static str> {
        self.verbose
            .map(|_| "Flag --verbose has been deprecated, and will be removed in a future release.")
    }

    /// Reports the shared flags to the dispatcher: whether `--debug` was
    /// given, and the `--verbose` deprecation notice when it applies.
    pub fn report_to(&self, env: &mut ValidateEnv) {
        env.debug = self.debug;
        if let Some(note) = self.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
    }

    /// Whether status lines of unnamed blobs are printed (`--verbose=false` hides them).
    pub fn print_unnamed(&self) -> bool {
        self.verbose.unwrap_or(true)
    }
}

/// `--no-tty`.
#[derive(Args, Clone, Debug, Default)]
pub struct Terminal {
    /// Disable progress bars; `--no-tty=false` forces them even when the
    /// output goes to stdout.
    #[arg(
        long,
        value_name = "bool",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true", hide_possible_values = true,
        help = "[Preview] disable progress bars"
    )]
    pub no_tty: Option<bool>,
}

impl Terminal {
    /// Whether to draw progress on stderr (Go `Terminal.DisableTTY`): only
    /// when stderr is a terminal, `--no-tty` and `--debug` are not given,
    /// and the content does not go to stdout unless `--no-tty=false` was
    /// given explicitly.
    pub fn use_tty(&self, stderr_is_tty: bool, debug: bool, output_to_stdout: bool) -> bool {
        let enforced = self.no_tty == Some(false);
        let disabled = self.no_tty == Some(true);
        stderr_is_tty && !debug && !disabled && (!output_to_stdout || enforced)
    }

    /// [`Terminal::use_tty`] for a command being validated in `env` with
    /// the shared flags `common`.
    pub fn use_tty_for(&self, env: &ValidateEnv, common: &Common, output_to_stdout: bool) -> bool {
        self.use_tty(env.stderr_is_tty, common.debug, output_to_stdout)
    }
}

/// Declares a `--concurrency` flag group with one default. Each Go
/// command registers the flag with its own default; one group per default
/// (clap works a `default_value_t` out once per flag definition, so a
/// const-generic group would show every command the first default).
macro_rules! concurrency_flag {
    ($(#[$doc:meta])* $name:ident = $default:literal) => {
        $(#[$doc])*
        #[derive(Args, Clone, Debug)]
        pub struct $name {
            /// Parallel transfers or requests.
            #[arg(
                long,
                value_name = "int",
                default_value_t = $default,
                help = "concurrency level"
            )]
            pub concurrency: usize,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    concurrency: $default,
                }
            }
        }
    };
}

concurrency_flag!(
    /// `--concurrency` of pull, cp and backup (default 3).
    Concurrency3 = 3
);
concurrency_flag!(
    /// `--concurrency` of push, attach, tag, manifest push and restore
    /// (default 5).
    Concurrency5 = 5
);

/// `--descriptor`.
#[derive(Args, Clone, Debug, Default)]
pub struct DescriptorOption {
    /// Print the descriptor instead of the content.
    #[arg(long, help = "output the descriptor")]
    pub descriptor: bool,
}

/// `--pretty`.
#[derive(Args, Clone, Debug, Default)]
pub struct Pretty {
    /// Indent JSON written to stdout.
    #[arg(long, help = "prettify JSON objects printed to stdout")]
    pub pretty: bool,
}

/// `-f/--force` of the delete commands.
#[derive(Args, Clone, Debug, Default)]
pub struct Confirmation {
    /// Do not prompt; a missing reference is not an error.
    #[arg(
        short = 'f',
        long,
        help = "ignore nonexistent references, never prompt"
    )]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tty_rules() {
        let t = Terminal::default();
        assert!(t.use_tty(true, false, false));
        assert!(!t.use_tty(false, false, false));
        assert!(!t.use_tty(true, true, false));
        assert!(!t.use_tty(true, false, true));
        let forced = Terminal {
            no_tty: Some(false),
        };
        assert!(forced.use_tty(true, false, true));
        let off = Terminal { no_tty: Some(true) };
        assert!(!off.use_tty(true, false, false));
    }

    #[test]
    fn verbose_is_deprecated() {
        let c = Common {
            debug: false,
            verbose: Some(false),
        };
        assert!(c.deprecation_warning().is_some());
        assert!(!c.print_unnamed());
        assert!(Common::default().print_unnamed());
    }
}
