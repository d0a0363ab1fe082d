//! Other OCI tools the interop tests run against our `oras`, installed on
//! demand:
//!
//! - [`oras_py`]: oras-py (PyPI `oras`, pinned to [`ORAS_PY_VERSION`]) in a
//!   Python virtual environment at `<target>/reference-tools/oras-py/`,
//!   made with `python3 -m venv` and `pip install`; when `python3` is
//!   missing or has no `ensurepip`/`venv` (Debian's split packages), root
//!   installs Debian's `python3-venv` with apt-get and uses
//!   `/usr/bin/python3`;
//! - [`skopeo`]: `/usr/bin/skopeo` from Debian's `skopeo` package,
//!   installed with apt-get when missing and running as root.
//!
//! Each install runs at most once per process (a `OnceLock`) and once per
//! machine: it runs under `flock` (on `<target>/reference-tools/oras-py.lock`
//! for the venv, on the test kit's apt lock file for apt-get) and re-checks
//! inside the lock, because cargo runs test binaries in parallel. Every
//! install is bounded by [`INSTALL_TIMEOUT_SECS`]. When a tool cannot be
//! had the error says how to install it by hand; tests may turn that into
//! a skip with [`SKIP_ENV`]`=1` (see [`skip_requested`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The oras-py release the tests run (the newest on PyPI when pinned).
pub const ORAS_PY_VERSION: &str = "0.2.43";

/// Where Debian's `skopeo` package puts the binary.
pub const SKOPEO_BIN: &str = "/usr/bin/skopeo";

/// Environment variable that turns "tool missing and not installable"
/// into a skip of the interop tests.
pub const SKIP_ENV: &str = "ORAS_SKIP_INTEROP";

/// Upper bound for one install (lock wait + downloads), in seconds.
pub const INSTALL_TIMEOUT_SECS: u64 = 600;

/// The lock file shared with the real-registry harness's apt-get installs.
const APT_LOCK_FILE: &str = "/tmp/oras-testkit-apt.lock";

/// What can go wrong while getting a tool.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The tool is missing and this process may not install it; the
    /// message says how to install it by hand.
    #[error("{tool} is not available: {message}")]
    NotInstalled {
        /// Which tool.
        tool: &'static str,
        /// Why, and how to install it.
        message: String,
    },
    /// The install ran and failed.
    #[error("installing {tool} failed: {detail}")]
    InstallFailed {
        /// Which tool.
        tool: &'static str,
        /// The failing command and the tail of its output.
        detail: String,
    },
}

/// The interop installers' result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// True when `ORAS_SKIP_INTEROP=1` (or `true`) is set.
pub fn skip_requested() -> bool {
    std::env::var(SKIP_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// How to get oras-py by hand; part of its errors.
const ORAS_PY_HOW: &str = "run as root with PyPI (and Debian's archive, for python3-venv) \
reachable, or create the venv by hand: `python3 -m venv target/reference-tools/oras-py && \
target/reference-tools/oras-py/bin/pip install oras==0.2.43 && \
touch target/reference-tools/oras-py/.oras-0.2.43`; set ORAS_SKIP_INTEROP=1 to skip";

/// How to get skopeo by hand; part of its errors.
const SKOPEO_HOW: &str = "install it as root: `apt-get update && \
DEBIAN_FRONTEND=noninteractive apt-get install -y skopeo` (provides /usr/bin/skopeo); \
set ORAS_SKIP_INTEROP=1 to skip";

/// Returns the path of the Python interpreter of a venv holding oras-py
/// [`ORAS_PY_VERSION`], creating the venv first when needed.
///
/// # Errors
/// [`Error::NotInstalled`] when the target directory cannot be found;
/// [`Error::InstallFailed`] when venv creation or pip failed (with the
/// output tail).
pub fn oras_py() -> Result<PathBuf> {
    static INSTALLED: OnceLock<Result<PathBuf>> = OnceLock::new();
    INSTALLED.get_or_init(install_oras_py).clone()
}

/// Returns `/usr/bin/skopeo`, installing Debian's `skopeo` package with
/// apt-get first when it is missing and this process runs as root.
///
/// # Errors
/// [`Error::NotInstalled`] when missing and not root;
/// [`Error::InstallFailed`] when apt-get failed.
pub fn skopeo() -> Result<PathBuf> {
    let path = PathBuf::from(SKOPEO_BIN);
    if is_executable(&path) {
        return Ok(path);
    }
    if !running_as_root() {
        return Err(Error::NotInstalled {
            tool: "skopeo",
            message: format!("{SKOPEO_BIN} is missing and this process is not root; {SKOPEO_HOW}"),
        });
    }
    static INSTALLED: OnceLock<Result<PathBuf>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let script = format!(
                "set -e; if [ -x {SKOPEO_BIN} ]; then exit 0; fi; \
                 flock -w {INSTALL_TIMEOUT_SECS} {APT_LOCK_FILE} sh -c \
                 'if [ -x {SKOPEO_BIN} ]; then exit 0; fi; apt-get update -q; \
                 apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 skopeo'"
            );
            eprintln!("oras-testkit: {SKOPEO_BIN} is missing; installing Debian's skopeo");
            run_bounded("skopeo", &script, &[])?;
            if is_executable(&path) {
                Ok(path.clone())
            } else {
                Err(Error::InstallFailed {
                    tool: "skopeo",
                    detail: format!("apt-get succeeded but {SKOPEO_BIN} is still missing"),
                })
            }
        })
        .clone()
}

/// Creates the venv under the tools lock unless its marker is there.
fn install_oras_py() -> Result<PathBuf> {
    let tools = crate::reference::tools_dir().map_err(|e| Error::NotInstalled {
        tool: "oras-py",
        message: format!("{e}; {ORAS_PY_HOW}"),
    })?;
    let venv = tools.join("oras-py");
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!(".oras-{ORAS_PY_VERSION}"));
    if is_executable(&python) && marker.is_file() {
        return Ok(python);
    }
    std::fs::create_dir_all(&tools).map_err(|e| Error::InstallFailed {
        tool: "oras-py",
        detail: format!("creating {}: {e}", tools.display()),
    })?;
    let can_apt = if running_as_root() { "1" } else { "0" };
    let script = venv_script();
    eprintln!(
        "oras-testkit: creating a venv with oras-py {ORAS_PY_VERSION} in {}",
        venv.display()
    );
    let lock = tools.join("oras-py.lock");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "flock".as_ref(),
        "-w".as_ref(),
        "300".as_ref(),
        lock.as_os_str(),
        "sh".as_ref(),
        "-c".as_ref(),
        script.as_ref(),
        "sh".as_ref(),
        venv.as_os_str(),
        ORAS_PY_VERSION.as_ref(),
        can_apt.as_ref(),
    ];
    if !is_executable(Path::new("/usr/bin/flock")) {
        args.drain(..4);
    }
    run_bounded_args("oras-py", &args)?;
    if is_executable(&python) && marker.is_file() {
        Ok(python)
    } else {
        Err(Error::InstallFailed {
            tool: "oras-py",
            detail: format!("the install succeeded but {} is missing", marker.display()),
        })
    }
}

/// The venv install, as a `sh -c` script: `$1` the venv, `$2` the oras-py
/// version, `$3` `1` when apt-get may install `python3-venv`. Inside the
/// lock it re-checks the marker: another test process may have made it.
fn venv_script() -> String {
    format!(
        "set -e; venv=\"$1\"; version=\"$2\"; \
         if [ -x \"$venv/bin/python\" ] && [ -f \"$venv/.oras-$version\" ]; then exit 0; fi; \
         python=$(command -v python3 || true); \
         if [ -z \"$python\" ] || ! \"$python\" -c 'import ensurepip, venv' 2>/dev/null; then \
           if [ \"$3\" != 1 ]; then echo \"python3 with ensurepip/venv is missing and not root\" >&2; exit 1; fi; \
           flock -w {INSTALL_TIMEOUT_SECS} {APT_LOCK_FILE} sh -c 'apt-get update -q && \
             apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 python3-venv'; \
           python=/usr/bin/python3; \
         fi; \
         rm -rf \"$venv\"; \
         \"$python\" -m venv \"$venv\"; \
         \"$venv/bin/python\" -m pip install -q --disable-pip-version-check --no-input \"oras==$version\"; \
         \"$venv/bin/python\" -c 'import oras.client, oras.provider'; \
         touch \"$venv/.oras-$version\""
    )
}

/// Runs `sh -c script args…` under `timeout`, as apt-get wants it.
fn run_bounded(tool: &'static str, script: &str, args: &[&str]) -> Result<()> {
    let mut all: Vec<&std::ffi::OsStr> = vec!["sh".as_ref(), "-c".as_ref(), script.as_ref()];
    all.push("sh".as_ref());
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    run_bounded_args(tool, &all)
}

/// Runs `timeout INSTALL_TIMEOUT_SECS args…` with stdin closed and a
/// non-interactive apt/pip environment; fails with the output tail.
fn run_bounded_args(tool: &'static str, args: &[&std::ffi::OsStr]) -> Result<()> {
    let output = Command::new("timeout")
        .arg(INSTALL_TIMEOUT_SECS.to_string())
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .env("NEEDRESTART_MODE", "a")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::InstallFailed {
            tool,
            detail: format!("could not run `timeout sh`: {e}"),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(30)..].join("\n");
    let how = if tool == "skopeo" {
        SKOPEO_HOW
    } else {
        ORAS_PY_HOW
    };
    Err(Error::InstallFailed {
        tool,
        detail: format!(
            "exited with {} (bounded by {INSTALL_TIMEOUT_SECS} s); output tail:\n{tail}\n{how}",
            output.status
        ),
    })
}

/// True when `path` is a regular file with an execute bit.
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// True when the effective user id is 0 (read from `/proc/self/status`).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .is_some_and(|effective| effective == "0")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_install_reports_its_output_tail_and_how_to_fix_it() {
        let err = run_bounded("skopeo", "echo first; echo last >&2; exit 3", &[]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("installing skopeo failed: exited with"),
            "{text}"
        );
        assert!(text.contains("first\nlast"), "{text}");
        assert!(text.contains("apt-get install -y skopeo"), "{text}");
    }

    #[test]
    fn a_python_without_venv_support_is_reported_when_apt_is_not_allowed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let fake = bin.join("python3");
        std::fs::write(&fake, "#!/bin/sh\nexit 1\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let venv = dir.path().join("venv");
        let out = Command::new("sh")
            .args(["-c", &venv_script(), "sh"])
            .arg(&venv)
            .args([ORAS_PY_VERSION, "0"])
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("ensurepip/venv is missing and not root"),
            "{out:?}"
        );
        assert!(!venv.exists());
    }

    #[test]
    fn script_arguments_are_positional() {
        run_bounded(
            "oras-py",
            "test \"$1\" = 'a b' && test \"$2\" = c",
            &["a b", "c"],
        )
        .unwrap();
    }
}
