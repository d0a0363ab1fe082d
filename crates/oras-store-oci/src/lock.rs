//! Several processes writing one layout (`oras push` of different tags at
//! once): each rewrites `index.json` from its own view, so without care
//! the last writer drops the others' tags. Every rewrite therefore holds
//! an exclusive `flock` on the layout directory itself (no lock file is
//! added to the layout; the kernel releases the lock when a process dies,
//! even by `SIGKILL`), reads the index on disk again, and keeps what other
//! processes added since this store last read or wrote it.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;

use oras_spec::Descriptor;

use crate::error::{Error, Result};
use crate::layout::{INDEX_FILE, IndexFile, ref_name};

/// An exclusive lock on a layout directory, released on drop.
pub(crate) struct LayoutLock {
    _dir: File,
}

impl LayoutLock {
    /// Waits for the exclusive lock of the layout at `root`.
    pub(crate) fn acquire(root: &Path) -> Result<LayoutLock> {
        let context = || format!("locking {}", root.display());
        let dir = File::open(root).map_err(|e| Error::io(context(), e))?;
        rustix::fs::flock(&dir, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| Error::io(context(), e.into()))?;
        Ok(LayoutLock { _dir: dir })
    }
}

/// The entries of `index.json` as it is on disk now; none when it is
/// missing or unreadable (this store's view is then written as it is).
pub(crate) fn entries_on_disk(root: &Path) -> Vec<Descriptor> {
    std::fs::read(root.join(INDEX_FILE))
        .ok()
        .and_then(|bytes| IndexFile::parse(&bytes).ok())
        .map(|index| index.entries().to_vec())
        .unwrap_or_default()
}

/// The entries to write: this store's `local` view, plus what another
/// process added on `disk` that is not in `base` (this store's own view
/// when it last read or wrote the index; what it dropped since stays
/// dropped). Local wins on a tag both name; an untagged entry is kept only
/// when its digest is not listed locally. When nobody else wrote, the
/// result is `local` unchanged.
pub(crate) fn merge(
    base: &[Descriptor],
    local: Vec<Descriptor>,
    disk: Vec<Descriptor>,
) -> Vec<Descriptor> {
    let local_names: BTreeSet<String> = local
        .iter()
        .filter_map(|d| ref_name(d).map(str::to_owned))
        .collect();
    let local_digests: BTreeSet<String> = local.iter().map(|d| d.digest.to_string()).collect();
    let mut merged = local;
    for entry in disk {
        if base.contains(&entry) || merged.contains(&entry) {
            continue;
        }
        let taken = match ref_name(&entry) {
            Some(name) => local_names.contains(name),
            None => local_digests.contains(&entry.digest.to_string()),
        };
        if !taken {
            merged.push(entry);
        }
    }
    merged
}
