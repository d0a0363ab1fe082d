//! End-to-end tests of what `oras` shows, through the built binary:
//!
//! * progress bars when stderr is a terminal (run under a pseudo-terminal
//!   made by util-linux `script`, whose output is replayed on a minimal
//!   terminal, `oras_testkit::reference::Screen`), and how `--no-tty`, `-d` and `-o -` turn
//!   them off ([`progress`]);
//! * the exact text and JSON output of non-terminal runs ([`parity`];
//!   the differential suite compares the same outputs with the Go CLI's);
//! * Ctrl-C during a download ([`cancel`]).
//!
//! Every test has its own `HOME` and `DOCKER_CONFIG`; every run is bounded
//! by [`support::COMMAND_TIMEOUT`].

// Test helpers fail loudly: a panic is the test's failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "e2e_tty/support.rs"]
mod support;

#[path = "e2e_tty/progress.rs"]
mod progress;

#[path = "e2e_tty/cancel.rs"]
mod cancel;

#[path = "e2e_tty/parity.rs"]
mod parity;
