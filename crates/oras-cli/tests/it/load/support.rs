//! `oras` runs measured under GNU time, and the bound on their memory.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use oras_testkit::measure::{TimeOutput, read_report, under_gnu_time};

use crate::crash::support::{Sandbox, wait_output};

/// The peak RSS every `oras` process must stay under.
pub(crate) const RSS_LIMIT_KIB: u64 = 64 * 1024;

/// What one measured run gave.
pub(crate) struct Measured {
    /// Its output.
    pub(crate) output: Output,
    /// GNU time's report.
    pub(crate) time: TimeOutput,
}

/// A run of `oras args…` under GNU time, started.
pub(crate) struct Running {
    child: std::process::Child,
    report: tempfile::NamedTempFile,
    args: Vec<String>,
}

/// Starts `oras args…` in `sandbox` under GNU time.
pub(crate) fn start(sandbox: &Sandbox, args: &[&str]) -> Running {
    let report = tempfile::NamedTempFile::new().unwrap();
    let child = under_gnu_time(&sandbox.command(args), report.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Running {
        child,
        report,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
    }
}

impl Running {
    /// Waits for the run (until `deadline`); succeeding or not, it must
    /// stay under [`RSS_LIMIT_KIB`].
    pub(crate) fn finish(self, deadline: Instant) -> Measured {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let output = wait_output(self.child, deadline, &args);
        let time = read_report(self.report.path()).unwrap();
        assert!(
            time.max_rss_kib < RSS_LIMIT_KIB,
            "oras {args:?}: peak RSS {} KiB, over {RSS_LIMIT_KIB} KiB",
            time.max_rss_kib
        );
        Measured { output, time }
    }
}

/// Runs `oras args…` under GNU time within `limit`: it must succeed and
/// stay under [`RSS_LIMIT_KIB`]; prints its peak RSS and times.
pub(crate) fn measured(sandbox: &Sandbox, args: &[&str], limit: Duration) -> Measured {
    let run = start(sandbox, args).finish(Instant::now() + limit);
    assert!(
        run.output.status.success(),
        "oras {args:?} failed ({:?})\nstderr:\n{}",
        run.output.status,
        String::from_utf8_lossy(&run.output.stderr)
    );
    eprintln!(
        "oras {}: peak RSS {} KiB, wall {:.2} s, user {:.2} s, sys {:.2} s",
        args.first().unwrap_or(&""),
        run.time.max_rss_kib,
        run.time.wall,
        run.time.user,
        run.time.sys
    );
    run
}

/// A runtime for filling the registry over HTTP.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
