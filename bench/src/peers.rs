//! The other programs the harness runs: finding them, their versions,
//! how to install them, and installing them (`--install-peers`, as root).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};
use oras_testkit::reference::GoClient;

use super::measure::GNU_TIME;
use super::plan::{SKOPEO_SYSTEM_CACHE, SkopeoCache};
use super::tool::Tool;

/// Upper bound for one install command, in seconds.
const INSTALL_TIMEOUT_SECS: &str = "900";

/// How to install `tool` by hand.
pub(crate) fn how_to_install(tool: Tool) -> &'static str {
    match tool {
        Tool::Oras => "built by the harness: cargo build --release -p oras-cli",
        Tool::GoOras | Tool::Crane | Tool::Regctl => {
            "cargo xtask bench --install-peers (go install under target/reference-tools)"
        }
        Tool::OrasPy => "python3 -m pip install oras   (or: cargo xtask bench --install-peers)",
        Tool::Skopeo => "apt-get install -y skopeo   (or: cargo xtask bench --install-peers)",
        Tool::Openssl => "apt-get install -y openssl",
        Tool::Curl => "apt-get install -y curl",
    }
}

/// The version line of an installed peer or reference, or why it is
/// missing.
pub(crate) fn detect(tool: Tool) -> Result<String, String> {
    let (program, args): (&str, &[&str]) = match tool {
        Tool::Oras => return Err("detected from the built binary".to_owned()),
        Tool::GoOras | Tool::Crane | Tool::Regctl => {
            return Err("found by `go_peers`".to_owned());
        }
        Tool::OrasPy => (
            "python3",
            &[
                "-c",
                "import oras.version as v; print('oras-py', v.__version__)",
            ],
        ),
        Tool::Skopeo => ("skopeo", &["--version"]),
        Tool::Openssl => ("openssl", &["version"]),
        Tool::Curl => ("curl", &["--version"]),
    };
    version_line(program, args).ok_or_else(|| {
        format!(
            "{} is not installed; install it with: {}",
            tool.name(),
            how_to_install(tool)
        )
    })
}

/// The first line `program args` prints, when it runs and succeeds
/// (curl's line is cut after its version).
pub(crate) fn version_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    Some(short_version(line))
}

/// `curl 7.88.1 (x86_64...) libcurl/...` → `curl 7.88.1`; `OpenSSL 3.0.19
/// 27 Jan 2026 (Library: ...)` → `OpenSSL 3.0.19`; others unchanged.
pub(crate) fn short_version(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [first, version, ..] if matches!(*first, "curl" | "OpenSSL") => {
            format!("{first} {version}")
        }
        _ => line.to_owned(),
    }
}

/// The Go client behind a peer.
fn go_client(tool: Tool) -> Option<GoClient> {
    match tool {
        Tool::GoOras => Some(GoClient::Oras),
        Tool::Crane => Some(GoClient::Crane),
        Tool::Regctl => Some(GoClient::Regctl),
        _ => None,
    }
}

/// The Go peers (Go `oras`, crane, regctl): each one's binary with its
/// version line, or why it is missing. With `install`, a missing one is
/// built first with the test kit's installer (`go install` under
/// `target/reference-tools`, minutes); without, only an earlier build
/// counts.
pub(crate) fn go_peers(install: bool) -> BTreeMap<Tool, Result<(PathBuf, String), String>> {
    [Tool::GoOras, Tool::Crane, Tool::Regctl]
        .into_iter()
        .filter_map(|tool| go_client(tool).map(|client| (tool, client)))
        .map(|(tool, client)| {
            let found = if install {
                eprintln!(
                    "bench: installing {} {} (go install {})",
                    client.name(),
                    client.version(),
                    client.module()
                );
                client.install().map_err(|e| format!("{e}"))
            } else {
                client.installed().ok_or_else(|| {
                    format!(
                        "{} is not installed; install it with: {}",
                        tool.name(),
                        how_to_install(tool)
                    )
                })
            };
            let described = found.map(|path| {
                let line = format!(
                    "{} {} ({}, {})",
                    client.name(),
                    client.version(),
                    client.module(),
                    path.display()
                );
                (path, line)
            });
            (tool, described)
        })
        .collect()
}

/// True when the effective user id is 0 (from /proc, so no `unsafe`).
pub(crate) fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1))
                .map(|effective| effective == "0")
        })
        .unwrap_or(false)
}

/// How skopeo runs can get a blob-info cache of their own here (see
/// [`SkopeoCache`]); `probe` is an empty directory to try the bind mount
/// with. A shared cache comes with a note for the report.
pub(crate) fn skopeo_cache_isolation(probe: &Path) -> (SkopeoCache, Option<String>) {
    if !running_as_root() {
        return (SkopeoCache::XdgDataHome, None);
    }
    let works = std::fs::create_dir_all(SKOPEO_SYSTEM_CACHE).is_ok()
        && std::fs::create_dir_all(probe).is_ok()
        && Command::new("unshare")
            .args(["-m", "sh", "-c"])
            .arg(format!("mount --bind \"$1\" {SKOPEO_SYSTEM_CACHE}"))
            .arg("sh")
            .arg(probe)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if works {
        (SkopeoCache::BindMount, None)
    } else {
        (
            SkopeoCache::Shared,
            Some(format!(
                "skopeo's blob-info cache ({SKOPEO_SYSTEM_CACHE}) could not be isolated \
                 (`unshare -m` + bind mount failed), so skopeo runs share it and may mount \
                 blobs seen in earlier runs instead of uploading them"
            )),
        )
    }
}

/// Makes sure GNU time is at `/usr/bin/time`, installing Debian's `time`
/// with apt-get when missing and root.
pub(crate) fn ensure_gnu_time() -> Result<()> {
    if gnu_time_works() {
        return Ok(());
    }
    if !running_as_root() {
        bail!(
            "GNU time ({GNU_TIME}) is missing and this is not root: run \
             `apt-get install -y time` first; the harness measures CPU and peak RSS with it"
        );
    }
    apt_install(&["time"])?;
    if !gnu_time_works() {
        bail!("apt-get installed `time` but {GNU_TIME} still does not run");
    }
    Ok(())
}

fn gnu_time_works() -> bool {
    Command::new(GNU_TIME)
        .args(["-f", "%M", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs the missing peers (`--install-peers`): oras-py with pip and
/// skopeo with apt-get. Returns a note per peer that could not be
/// installed; nothing is fatal.
pub(crate) fn install_missing() -> Vec<String> {
    let mut notes = Vec::new();
    if !running_as_root() {
        notes.push("--install-peers needs root; installing nothing".to_owned());
        return notes;
    }
    if detect(Tool::OrasPy).is_err() {
        eprintln!("bench: installing oras-py: python3 -m pip install oras");
        let ok = Command::new("timeout")
            .args([
                INSTALL_TIMEOUT_SECS,
                "python3",
                "-m",
                "pip",
                "install",
                "-q",
                "oras",
            ])
            .stdin(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            notes.push("pip install oras failed".to_owned());
        }
    }
    let mut apt = Vec::new();
    for (tool, package) in [
        (Tool::Skopeo, "skopeo"),
        (Tool::Openssl, "openssl"),
        (Tool::Curl, "curl"),
    ] {
        if detect(tool).is_err() {
            apt.push(package);
        }
    }
    if let Err(e) = apt_install(&apt) {
        notes.push(format!("{e:#}"));
    }
    notes
}

/// `apt-get update` and `apt-get install -y PACKAGES`, bounded in time.
fn apt_install(packages: &[&str]) -> Result<()> {
    if packages.is_empty() {
        return Ok(());
    }
    eprintln!("bench: apt-get install -y {}", packages.join(" "));
    let script = format!(
        "apt-get update -q && apt-get install -y -q --no-install-recommends \
         -o DPkg::Lock::Timeout=300 {}",
        packages.join(" ")
    );
    let status = Command::new("timeout")
        .args([INSTALL_TIMEOUT_SECS, "sh", "-c", &script])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("apt-get install {} failed: {status}", packages.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_shortened_for_the_table() {
        assert_eq!(
            short_version("curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1"),
            "curl 7.88.1"
        );
        assert_eq!(
            short_version("OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19)"),
            "OpenSSL 3.0.19"
        );
        assert_eq!(
            short_version("skopeo version 1.9.3"),
            "skopeo version 1.9.3"
        );
    }

    #[test]
    fn a_missing_program_is_reported_with_install_instructions() {
        assert_eq!(version_line("/nonexistent/program", &[]), None);
        assert!(version_line("echo", &["x y"]).is_some_and(|v| v == "x y"));
        for tool in [
            Tool::OrasPy,
            Tool::Skopeo,
            Tool::GoOras,
            Tool::Crane,
            Tool::Regctl,
        ] {
            assert!(how_to_install(tool).contains("--install-peers"));
        }
    }
}
