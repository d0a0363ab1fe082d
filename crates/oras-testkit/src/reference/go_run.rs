//! Running a Go program of a crate's test tree (`tests/go/`) with
//! `go run .`: the reference vectors of `encoding/json`, oras-go's
//! `PackManifest`, its file store and its OCI layout store.
//!
//! Every run shares the Go directories of the reference tools
//! (`GOPATH`, `GOMODCACHE`, `GOCACHE` under `<target>/reference-tools/`,
//! so oras-go is downloaded once for the CLI and the programs), with
//! `GOFLAGS=-mod=mod -modcacherw` (so `cargo clean` removes the module
//! cache), `GOTOOLCHAIN=local`, `CGO_ENABLED=0` and no `GOWORK`; it is
//! bounded by [`GO_RUN_TIMEOUT`].

use std::ffi::OsStr;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::real::go_tool::{find_go, tools_dir};
use crate::real::install::tail_lines;
use crate::real::{Error, Result};

/// The longest one `go run` may take (the first one downloads modules
/// through the proxy and compiles them).
pub const GO_RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Runs `go run . args…` in `dir` and returns its standard output.
///
/// # Errors
/// [`Error::GoTool`] when Go is missing, the program fails (with the tail
/// of its standard error) or runs longer than [`GO_RUN_TIMEOUT`]; I/O
/// errors.
pub fn go_run<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Result<String> {
    let tool = format!("go run in {}", dir.display());
    let go = find_go().ok_or_else(|| Error::GoTool {
        tool: tool.clone(),
        detail: "`go` is not on PATH nor at /usr/local/go/bin/go; install Go with access \
                 to the Go module proxy"
            .into(),
    })?;
    let tools = tools_dir()?;
    std::fs::create_dir_all(&tools)
        .map_err(|e| Error::io(format!("creating {}", tools.display()), e))?;
    let logs = tempfile::tempdir().map_err(|e| Error::io("creating a log directory", e))?;
    let (out_path, err_path) = (logs.path().join("out"), logs.path().join("err"));
    let create = |path: &Path| {
        File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))
    };
    let mut child = Command::new(&go)
        .args(["run", "."])
        .args(args)
        .current_dir(dir)
        .env("GOPATH", tools.join("gopath"))
        .env("GOMODCACHE", tools.join("gomodcache"))
        .env("GOCACHE", tools.join("gocache"))
        .env("GOFLAGS", "-mod=mod -modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env_remove("GOWORK")
        .stdin(Stdio::null())
        .stdout(create(&out_path)?)
        .stderr(create(&err_path)?)
        .spawn()
        .map_err(|e| Error::io(format!("starting {}", go.display()), e))?;
    let deadline = Instant::now() + GO_RUN_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::GoTool {
                    tool,
                    detail: format!("did not finish within {GO_RUN_TIMEOUT:?}"),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(Error::io(format!("waiting for {tool}"), e)),
        }
    };
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))
    };
    if !status.success() {
        return Err(Error::GoTool {
            tool,
            detail: format!(
                "exited with {status}; stderr tail:\n{}",
                tail_lines(&read(&err_path)?, 30)
            ),
        });
    }
    read(&out_path)
}
