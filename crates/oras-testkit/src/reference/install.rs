//! Finding, and when missing building, the reference Go `oras` CLI.
//!
//! Order of precedence:
//! 1. `ORAS_TEST_GO_ORAS` names the binary to run (no build attempt);
//! 2. `<target>/reference-tools/oras-<version>/bin/oras` from an earlier
//!    build;
//! 3. `go install oras.land/oras/cmd/oras@v<version>` with every Go
//!    directory (`GOPATH`, `GOMODCACHE`, `GOCACHE`, `HOME`) under
//!    `<target>/reference-tools/`, `GOFLAGS=-mod=mod -modcacherw` (so
//!    `cargo clean` can remove the module cache), `GOTOOLCHAIN=local` and
//!    `CGO_ENABLED=0`; once per process (a `OnceLock`) and once per machine
//!    (under `flock` on `<target>/reference-tools/install.lock`, re-checking
//!    for the binary inside the lock), bounded in time;
//! 4. otherwise [`Error::ReferenceTool`] saying how to get it: the suite
//!    never skips silently.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::real::{Error, Result};

/// Environment variable naming a Go `oras` binary to use instead of
/// building one.
pub const GO_ORAS_ENV: &str = "ORAS_TEST_GO_ORAS";

/// The Go CLI version the suite compares against.
pub const GO_ORAS_VERSION: &str = "1.3.6";

/// The module path `go install` builds.
const GO_ORAS_MODULE: &str = "oras.land/oras/cmd/oras";

/// Where Go is looked for when it is not on `PATH`.
const GO_FALLBACK: &str = "/usr/local/go/bin/go";

/// Upper bound for the whole build (lock wait + download + compile), in
/// seconds.
const INSTALL_TIMEOUT_SECS: u64 = 900;

/// How to get the binary by hand; part of every error.
const HOW_TO_GET: &str = "install Go 1.22 or newer (on PATH or at /usr/local/go/bin/go) with \
access to the Go module proxy, or build the CLI elsewhere with \
`go install oras.land/oras/cmd/oras@v1.3.6` and set ORAS_TEST_GO_ORAS=/path/to/oras";

/// Returns the path of the reference Go `oras` CLI, building it with
/// `go install` into the workspace's `target/reference-tools/` first when
/// it is missing.
///
/// Safe to call from many threads and test processes at once.
///
/// # Errors
/// [`Error::ReferenceTool`] when `ORAS_TEST_GO_ORAS` names no executable,
/// when Go is missing, or when the build fails (with its output tail).
pub fn go_oras() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(GO_ORAS_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(Error::ReferenceTool {
                detail: format!(
                    "{GO_ORAS_ENV}={} is not an executable file; unset it or {HOW_TO_GET}",
                    path.display()
                ),
            })
        };
    }
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| build().map_err(|e| e.to_string()))
        .clone()
        .map_err(|detail| Error::ReferenceTool { detail })
}

/// The directory every reference tool lives in: `<target>/reference-tools`.
///
/// # Errors
/// [`Error::ReferenceTool`] when no workspace target directory is found.
pub fn tools_dir() -> Result<PathBuf> {
    Ok(target_dir()?.join("reference-tools"))
}

/// The workspace's target directory: `$CARGO_TARGET_DIR`, else `target/`
/// beside the `Cargo.lock` found walking up from this crate's manifest
/// directory.
fn target_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return Ok(if dir.is_absolute() {
            dir
        } else {
            workspace_root()?.join(dir)
        });
    }
    Ok(workspace_root()?.join("target"))
}

/// The directory holding `Cargo.lock`, walking up from this crate.
fn workspace_root() -> Result<PathBuf> {
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::ReferenceTool {
            detail: format!(
                "no Cargo.lock above {}; set CARGO_TARGET_DIR",
                start.display()
            ),
        })
}

/// Builds the CLI unless an earlier build left it in place.
fn build() -> Result<PathBuf> {
    let tools = tools_dir()?;
    let install_dir = tools.join(format!("oras-{GO_ORAS_VERSION}"));
    let binary = install_dir.join("bin").join("oras");
    if is_executable(&binary) {
        return Ok(binary);
    }
    let go = find_go().ok_or_else(|| Error::ReferenceTool {
        detail: format!("`go` is not on PATH nor at {GO_FALLBACK}; {HOW_TO_GET}"),
    })?;
    std::fs::create_dir_all(&tools)
        .map_err(|e| Error::io(format!("creating {}", tools.display()), e))?;
    eprintln!(
        "oras-testkit: building the reference Go oras {GO_ORAS_VERSION} into {}",
        binary.display()
    );
    // Inside the lock, re-check: another test process may have built it
    // while this one waited.
    let script = "if [ -x \"$1\" ]; then exit 0; fi; exec \"$2\" install \"$3\"";
    let mut command = Command::new("timeout");
    command.arg(INSTALL_TIMEOUT_SECS.to_string());
    if is_executable(Path::new("/usr/bin/flock")) {
        command
            .args(["/usr/bin/flock", "-w", "600"])
            .arg(tools.join("install.lock"));
    }
    command
        .args(["sh", "-c", script, "sh"])
        .arg(&binary)
        .arg(&go)
        .arg(format!("{GO_ORAS_MODULE}@v{GO_ORAS_VERSION}"))
        .env("GOPATH", tools.join("gopath"))
        .env("GOMODCACHE", tools.join("gomodcache"))
        .env("GOCACHE", tools.join("gocache"))
        .env("GOBIN", install_dir.join("bin"))
        .env("GOFLAGS", "-mod=mod -modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env("HOME", &tools)
        .env("XDG_CONFIG_HOME", tools.join("config"))
        .env("XDG_CACHE_HOME", tools.join("cache"))
        .stdin(Stdio::null());
    let output = command
        .output()
        .map_err(|e| Error::io("running `timeout ... go install`", e))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        return Err(Error::ReferenceTool {
            detail: format!(
                "`{} install {GO_ORAS_MODULE}@v{GO_ORAS_VERSION}` exited with {}; output tail:\n{tail}\n{HOW_TO_GET}",
                go.display(),
                output.status
            ),
        });
    }
    if is_executable(&binary) {
        Ok(binary)
    } else {
        Err(Error::ReferenceTool {
            detail: format!("go install succeeded but {} is missing", binary.display()),
        })
    }
}

/// `go` on `PATH`, else the usual tarball location.
fn find_go() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("go"))
            .find(|candidate| is_executable(candidate))
    });
    on_path.or_else(|| Some(PathBuf::from(GO_FALLBACK)).filter(|p| is_executable(p)))
}

/// True when `path` is a regular file with an execute bit.
pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tools_live_under_the_workspace_target_dir() {
        let dir = tools_dir().unwrap();
        assert!(dir.ends_with("reference-tools"), "{}", dir.display());
    }
}
