//! The `oras` command-line tool: a drop-in for the Go ORAS CLI 1.3, with
//! the same commands, aliases, flags, defaults, exit codes, text and JSON
//! output.
//!
//! The crate is a library plus a thin `main`, so every piece is testable:
//!
//! * [`app`]: the clap command tree with cobra-style help, parsing, error
//!   reporting (`Error: <message>`, exit code 1) and dispatch;
//! * [`commands`]: one module per command, each implementing
//!   [`commands::Command`]: clap `…Args`, a `validate` step holding the Go
//!   CLI's usage rules and producing parsed `…Options`, and `run`;
//! * [`context`]: what every command works with (the run-time
//!   [`context::Context`], usage facts, the validation environment);
//! * [`connect`]: options to library objects (registry clients, layouts,
//!   the `ORAS_CACHE` decorator) and the Go CLI's error shapes;
//! * [`options`]: the shared flag groups (remote, target, `--from-*`/`--to-*`,
//!   format, platform, packer …);
//! * [`parse`]: pure parsers (file references, multi-tags, OCI layout
//!   references, annotations, `--resolve`, headers);
//! * [`output`]: printer, status lines, progress bars, summaries, JSON models;
//! * [`template`]: a Go `text/template` engine with the common sprig
//!   functions, so existing `--format go-template=…` strings work.
//!
//! ```
//! use oras_cli::commands::Context;
//! use oras_cli::output::Printer;
//!
//! let (printer, out, _err) = Printer::captured();
//! let ctx = Context { printer, stderr_is_tty: false };
//! let code = oras_cli::app::main_with_args(["oras", "version"], &ctx);
//! assert_eq!(code, 0);
//! assert!(out.text().starts_with("Version:"));
//! ```

pub mod app;
pub mod commands;
pub mod connect;
pub mod context;
pub mod error;
pub mod options;
pub mod output;
pub mod parse;
pub mod template;
