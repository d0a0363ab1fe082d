//! Building Go programs the test kit runs (the referrers registry, the
//! official conformance suite) into the workspace's target directory.
//!
//! Every build runs once per process (callers keep the result in a
//! `OnceLock`) and once per machine: the `go` command runs under `flock`
//! on `<target>/reference-tools/<name>.lock` and first re-checks for the
//! output, because cargo runs test binaries in parallel. Every Go
//! directory (`GOPATH`, `GOMODCACHE`, `GOCACHE`, `HOME`) lives under
//! `<target>/reference-tools/`, with `GOFLAGS=-modcacherw` (so `cargo clean`
//! removes the module cache), `GOTOOLCHAIN=local` and `CGO_ENABLED=0`. A
//! build is bounded by [`BUILD_TIMEOUT_SECS`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::error::{Error, Result};
use super::install::tail_lines;

/// Upper bound for one build (lock wait + downloads + compile), in seconds.
pub(crate) const BUILD_TIMEOUT_SECS: u64 = 900;

/// Where Go is looked for when it is not on `PATH`.
const GO_FALLBACK: &str = "/usr/local/go/bin/go";

/// One build: a shell script run under the lock, with the Go environment.
pub(crate) struct GoBuild {
    /// Short name for messages and the lock file (`referrers-registry`).
    pub(crate) name: &'static str,
    /// The file the build must leave behind.
    pub(crate) output: PathBuf,
    /// A `sh -c` script; `$1` is the output path, `$2` the `go` binary,
    /// and the rest are [`GoBuild::args`]. It runs only when the output is
    /// missing once the lock is held.
    pub(crate) script: &'static str,
    /// Extra positional arguments of the script (`$3`, ...).
    pub(crate) args: Vec<OsString>,
    /// `GOFLAGS` (always with `-modcacherw` added).
    pub(crate) goflags: &'static str,
}

/// A tool we build from Go source, once per process: the executable named
/// by `env` when that is set, else what `build` makes (its error kept for
/// every later call).
pub(crate) fn built_once(
    env: &str,
    tool: &str,
    cell: &OnceLock<std::result::Result<PathBuf, String>>,
    build: fn() -> Result<PathBuf>,
) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(Error::GoTool {
                tool: tool.into(),
                detail: format!("{env}={} is not an executable file", path.display()),
            })
        };
    }
    cell.get_or_init(|| build().map_err(|e| e.to_string()))
        .clone()
        .map_err(|detail| Error::GoTool {
            tool: tool.into(),
            detail,
        })
}

/// The directory holding every built tool: `<target>/reference-tools`.
pub(crate) fn tools_dir() -> Result<PathBuf> {
    crate::reference::tools_dir()
}

/// `go` on `PATH`, else `/usr/local/go/bin/go`.
pub(crate) fn find_go() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("go"))
            .find(|candidate| is_executable(candidate))
    });
    on_path.or_else(|| Some(PathBuf::from(GO_FALLBACK)).filter(|p| is_executable(p)))
}

impl GoBuild {
    /// Runs the build unless its output exists; returns the output path.
    ///
    /// # Errors
    /// [`Error::GoTool`] when Go is missing, the build fails (with its
    /// output tail) or leaves no output.
    pub(crate) fn run(&self) -> Result<PathBuf> {
        if is_executable(&self.output) {
            return Ok(self.output.clone());
        }
        let go = find_go().ok_or_else(|| Error::GoTool {
            tool: self.name.to_string(),
            detail: format!(
                "`go` (1.21 or newer) is not on PATH nor at {GO_FALLBACK}; install Go with \
                 access to the Go module proxy"
            ),
        })?;
        let tools = tools_dir()?;
        std::fs::create_dir_all(&tools)
            .map_err(|e| Error::io(format!("creating {}", tools.display()), e))?;
        eprintln!(
            "oras-testkit: building {} into {}",
            self.name,
            self.output.display()
        );
        let guarded = format!("if [ -x \"$1\" ]; then exit 0; fi; set -e; {}", self.script);
        let mut command = Command::new("timeout");
        command.arg(BUILD_TIMEOUT_SECS.to_string());
        if is_executable(Path::new("/usr/bin/flock")) {
            command
                .args(["/usr/bin/flock", "-w", "600"])
                .arg(tools.join(format!("{}.lock", self.name)));
        }
        command
            .args(["sh", "-c", &guarded, "sh"])
            .arg(&self.output)
            .arg(&go)
            .args(&self.args)
            .env("GOPATH", tools.join("gopath"))
            .env("GOMODCACHE", tools.join("gomodcache"))
            .env("GOCACHE", tools.join("gocache"))
            .env("GOFLAGS", format!("{} -modcacherw", self.goflags))
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "0")
            .env("HOME", &tools)
            .env("XDG_CONFIG_HOME", tools.join("config"))
            .env("XDG_CACHE_HOME", tools.join("cache"))
            .env_remove("GOWORK")
            .stdin(Stdio::null());
        let output = command
            .output()
            .map_err(|e| Error::io(format!("running `timeout ... go` for {}", self.name), e))?;
        if !output.status.success() {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            return Err(Error::GoTool {
                tool: self.name.to_string(),
                detail: format!(
                    "the build exited with {} (bounded by {BUILD_TIMEOUT_SECS} s); output tail:\n{}",
                    output.status,
                    tail_lines(&text, 30)
                ),
            });
        }
        if is_executable(&self.output) {
            Ok(self.output.clone())
        } else {
            Err(Error::GoTool {
                tool: self.name.to_string(),
                detail: format!(
                    "the build succeeded but {} is missing",
                    self.output.display()
                ),
            })
        }
    }
}

/// The first 16 hex digits of the SHA-256 of `files`' contents, in order:
/// a build whose sources change gets a new output path.
pub(crate) fn sources_hash(files: &[PathBuf]) -> Result<String> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for file in files {
        let bytes =
            std::fs::read(file).map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
        context.update(&(bytes.len() as u64).to_be_bytes());
        context.update(&bytes);
    }
    let digest = context.finish();
    Ok(digest
        .as_ref()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect())
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
    fn the_sources_hash_follows_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, "one").unwrap();
        let first = sources_hash(std::slice::from_ref(&a)).unwrap();
        assert_eq!(first.len(), 16);
        std::fs::write(&a, "two").unwrap();
        assert_ne!(sources_hash(std::slice::from_ref(&a)).unwrap(), first);
        assert!(sources_hash(&[dir.path().join("missing")]).is_err());
    }
}
