//! Finding, and when allowed installing, the `docker-registry` binary.
//!
//! Order of precedence:
//! 1. `ORAS_TEST_REGISTRY_BIN` names the binary to run (no install attempt);
//! 2. `/usr/bin/docker-registry` from Debian's `docker-registry` package;
//! 3. when running as root, `apt-get update` and
//!    `apt-get install -y docker-registry`, once per process (a `OnceLock`)
//!    and once per machine (the install runs under `flock` on
//!    `/tmp/oras-testkit-apt.lock` and re-checks for the binary inside the
//!    lock, because cargo runs test binaries in parallel);
//! 4. otherwise an [`Error::NotInstalled`] that says how to install it.
//!
//! Debian's postinst may start a system registry on `:5000` (init script
//! or systemd unit) with `/etc/docker/registry/config.yml`. The harness never
//! uses that port, but after installing it stops and disables that service
//! so nothing is left listening.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::error::{Error, Result};

/// Environment variable naming another registry binary to run instead of
/// Debian's (it must accept `serve CONFIG` like `registry` from
/// distribution 2.x/3.x).
pub const REGISTRY_BIN_ENV: &str = "ORAS_TEST_REGISTRY_BIN";

/// Where Debian's `docker-registry` package puts the binary.
pub const DEBIAN_REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// The lock file that serialises installs across test processes.
const APT_LOCK_FILE: &str = "/tmp/oras-testkit-apt.lock";

/// Upper bound for the whole install (lock wait + update + install), in
/// seconds: apt on a slow mirror is slow, but never unbounded.
const INSTALL_TIMEOUT_SECS: u64 = 900;

/// How to install the binary by hand; part of every "not installed" error.
const HOW_TO_INSTALL: &str = "install CNCF Distribution from Debian as root: \
`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker-registry` \
(provides /usr/bin/docker-registry), or set ORAS_TEST_REGISTRY_BIN=/path/to/registry \
to use another distribution `registry` binary; set ORAS_SKIP_REAL_REGISTRY=1 to skip \
the real-registry tests instead";

/// Returns the path of the registry binary, installing Debian's
/// `docker-registry` package with apt-get first when it is missing and
/// this process runs as root.
///
/// Safe to call from many tests and many test processes at once: the
/// install happens at most once per process and, thanks to a file lock,
/// at most once per machine.
///
/// # Errors
/// [`Error::NotInstalled`] when the binary is missing and cannot be
/// installed here (not root, or `ORAS_TEST_REGISTRY_BIN` names a missing
/// file); [`Error::InstallFailed`] when apt-get failed.
pub fn ensure_installed() -> Result<PathBuf> {
    if let Some(path) = configured_binary() {
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(Error::NotInstalled {
                message: format!(
                    "{REGISTRY_BIN_ENV}={} is not an executable file; unset it or {HOW_TO_INSTALL}",
                    path.display()
                ),
            })
        };
    }
    let default = PathBuf::from(DEBIAN_REGISTRY_BIN);
    if is_executable(&default) {
        return Ok(default);
    }
    if !running_as_root() {
        return Err(Error::NotInstalled {
            message: format!(
                "{DEBIAN_REGISTRY_BIN} is missing and this process is not root, so it cannot \
                 install it; {HOW_TO_INSTALL}"
            ),
        });
    }
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| install_with_apt().map(|()| default.clone()))
        .clone()
        .map_err(|detail| Error::InstallFailed { detail })
        .and_then(|path| {
            if is_executable(&path) {
                Ok(path)
            } else {
                Err(Error::InstallFailed {
                    detail: format!("apt-get succeeded but {} is still missing", path.display()),
                })
            }
        })
}

/// The binary named by `ORAS_TEST_REGISTRY_BIN`, when set and not empty.
pub(crate) fn configured_binary() -> Option<PathBuf> {
    std::env::var_os(REGISTRY_BIN_ENV)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// Runs the install under the machine-wide lock, then stops any system
/// service the package started.
fn install_with_apt() -> Result<(), String> {
    eprintln!(
        "oras-testkit: {DEBIAN_REGISTRY_BIN} is missing; installing Debian's docker-registry with apt-get"
    );
    // Inside the lock, re-check: another test process may have installed it
    // while we waited. `DPkg::Lock::Timeout` makes apt wait for a dpkg lock
    // held by someone else instead of failing at once.
    let script = format!(
        "set -e; if [ -x {DEBIAN_REGISTRY_BIN} ]; then exit 0; fi; \
         apt-get update -q; \
         apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 docker-registry"
    );
    let mut command = Command::new("timeout");
    command.arg(INSTALL_TIMEOUT_SECS.to_string());
    if is_executable(Path::new("/usr/bin/flock")) {
        command.args(["/usr/bin/flock", "-w", "600", APT_LOCK_FILE]);
    }
    command
        .args(["sh", "-c", &script])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .env("NEEDRESTART_MODE", "a")
        .stdin(std::process::Stdio::null());
    let output = command
        .output()
        .map_err(|e| format!("could not run `timeout ... apt-get`: {e}"))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        return Err(format!(
            "apt-get exited with {}; output tail:\n{}",
            output.status,
            tail_lines(&text, 30)
        ));
    }
    stop_system_service();
    Ok(())
}

/// Stops and disables the system registry service the package may have
/// started (init script or systemd unit). Failures are ignored: on a
/// machine without an init system there is nothing to stop.
fn stop_system_service() {
    let quiet = |program: &str, args: &[&str]| {
        let _ = Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    };
    if Path::new("/run/systemd/system").is_dir() {
        quiet(
            "systemctl",
            &["disable", "--now", "docker-registry.service"],
        );
    }
    if Path::new("/var/run/docker-registry.pid").exists() {
        quiet("/etc/init.d/docker-registry", &["stop"]);
    }
    if Path::new("/etc/init.d/docker-registry").exists() {
        quiet("update-rc.d", &["docker-registry", "disable"]);
    }
}

/// True when `path` is a regular file with an execute bit.
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// True when the effective user id is 0, read from `/proc/self/status`
/// (`Uid: real effective saved fs`) so no `unsafe` libc call is needed.
fn running_as_root() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|effective| effective == "0")
}

/// The last `n` lines of `text`.
pub(crate) fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_lines_keeps_the_last_lines() {
        assert_eq!(tail_lines("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail_lines("a", 5), "a");
        assert_eq!(tail_lines("", 5), "");
    }

    #[test]
    fn executable_check_rejects_missing_and_plain_files() {
        assert!(!is_executable(Path::new("/nonexistent/registry")));
        let file = tempfile::NamedTempFile::new().unwrap();
        assert!(!is_executable(file.path()));
        assert!(is_executable(Path::new("/bin/sh")));
    }
}
