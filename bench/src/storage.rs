//! Where the registry's storage and the pulled files go: a tmpfs when one
//! is mounted with room to spare (so disk speed does not blur the
//! clients' numbers), the target directory otherwise.
//!
//! `oras_testkit::real::RealRegistry` puts its storage in a
//! `tempfile::TempDir` under the default temporary directory and has no
//! parameter for it, so the harness points that default at its chosen
//! root with `tempfile::env::override_temp_dir` (process-wide, once,
//! before the first registry starts).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the registry and scratch files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// The root directory (created by the caller).
    pub(crate) root: PathBuf,
    /// True when it is on a tmpfs.
    pub(crate) tmpfs: bool,
    /// Why this place, for the report.
    pub(crate) reason: String,
}

/// Mount points of type tmpfs in /proc/mounts text.
pub(crate) fn tmpfs_mounts(proc_mounts: &str) -> Vec<PathBuf> {
    proc_mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            let mount_point = fields.next()?;
            let fs_type = fields.next()?;
            (fs_type == "tmpfs").then(|| PathBuf::from(mount_point.replace("\\040", " ")))
        })
        .collect()
}

/// Chooses the tmpfs `candidate` (with `tmpfs_free` bytes free) when
/// `needed` bytes fit in 70 % of both its free space and the available
/// memory (a tmpfs lives in RAM); `fallback` otherwise.
pub(crate) fn choose(
    candidate: Option<(&Path, u64)>,
    mem_available: u64,
    needed: u64,
    fallback: &Path,
) -> Placement {
    let Some((tmpfs, free)) = candidate else {
        return Placement {
            root: fallback.to_path_buf(),
            tmpfs: false,
            reason: "no tmpfs mounted".to_owned(),
        };
    };
    let room = free.min(mem_available) / 10 * 7;
    if needed <= room {
        Placement {
            root: tmpfs.join(format!("oras-bench-{}", std::process::id())),
            tmpfs: true,
            reason: format!(
                "tmpfs {} (needs about {} MiB of {} MiB usable)",
                tmpfs.display(),
                needed >> 20,
                room >> 20
            ),
        }
    } else {
        Placement {
            root: fallback.to_path_buf(),
            tmpfs: false,
            reason: format!(
                "disk {}: tmpfs {} has room for {} MiB, the run needs about {} MiB",
                fallback.display(),
                tmpfs.display(),
                room >> 20,
                needed >> 20
            ),
        }
    }
}

/// `/dev/shm` if it is a tmpfs, else the first other tmpfs that is not
/// a system directory, with its free bytes (from `df`).
pub(crate) fn find_tmpfs() -> Option<(PathBuf, u64)> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let all = tmpfs_mounts(&mounts);
    let preferred = all
        .iter()
        .find(|p| p.as_path() == Path::new("/dev/shm"))
        .or_else(|| all.iter().find(|p| p.as_path() == Path::new("/tmp")))?;
    let free = free_bytes(preferred)?;
    Some((preferred.clone(), free))
}

/// Free bytes on the file system of `path` (`df -B1 --output=avail`).
fn free_bytes(path: &Path) -> Option<u64> {
    let output = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .nth(1)?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tmpfs_mount_points() {
        let mounts = "/dev/vda / ext4 rw 0 0\n\
                      tmpfs /dev/shm tmpfs rw,relatime 0 0\n\
                      tmpfs /run/my\\040dir tmpfs rw 0 0\n\
                      devtmpfs /dev devtmpfs rw 0 0\n";
        assert_eq!(
            tmpfs_mounts(mounts),
            [PathBuf::from("/dev/shm"), PathBuf::from("/run/my dir")]
        );
    }

    #[test]
    fn tmpfs_only_when_the_run_fits() {
        let fallback = Path::new("/work/target/bench/run");
        let gib = 1u64 << 30;
        let fits = choose(
            Some((Path::new("/dev/shm"), 20 * gib)),
            16 * gib,
            5 * gib,
            fallback,
        );
        assert!(fits.tmpfs);
        assert!(fits.root.starts_with("/dev/shm"));
        let too_big = choose(
            Some((Path::new("/dev/shm"), 20 * gib)),
            16 * gib,
            30 * gib,
            fallback,
        );
        assert!(!too_big.tmpfs);
        assert_eq!(too_big.root, fallback);
        assert!(too_big.reason.contains("needs about"));
        let none = choose(None, 16 * gib, 1, fallback);
        assert!(!none.tmpfs);
    }
}
