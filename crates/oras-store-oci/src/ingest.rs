//! Pushing a blob into a layout (oras-go `content/oci/storage.go`): the
//! content streams through a verifying reader into a temp file under
//! `ingest/`, then the file is made read-only (0444) and moved to
//! `blobs/<alg>/<hex>` without replacing anything already there.
//!
//! What can go wrong, and what is left behind:
//! - wrong digest, short or long content, a reader that fails: the error
//!   surfaces before the move, and the temp file is removed;
//! - the future is dropped mid-push: the temp file's guard removes it;
//! - two pushes of the same blob race: the move refuses to replace, so
//!   one wins and the other gets `AlreadyExists`;
//! - the process is killed mid-push: its temp file stays. Each temp file
//!   is `flock`ed by its writer, so the next store opened on the layout
//!   removes those no live writer holds ([`remove_stale`]).
//!
//! Nothing but verified content ever appears under a final name, and
//! memory stays constant: bytes pass through a fixed buffer.

use std::path::Path;

use oras_content::{BlobReader, MAX_METADATA_BYTES, successors_from_bytes};
use oras_spec::Descriptor;

use crate::error::{Error, Result};
use crate::layout::{INGEST_DIR, blob_path, set_mode};
use crate::source::dir_inside;

/// Stores `content` as `expected` under `root`, returning the successors
/// of a manifest (empty for other blobs). Manifests are limited to 4 MiB
/// and must parse, so the graph can index them; a manifest that does not
/// is refused before it is stored.
pub(crate) async fn push(
    root: &Path,
    expected: &Descriptor,
    content: BlobReader,
) -> Result<Vec<Descriptor>> {
    let target = root.join(blob_path(&expected.digest));
    let already_exists =
        || Error::AlreadyExists(format!("{}: {}", expected.digest, expected.media_type));
    if tokio::fs::symlink_metadata(&target).await.is_ok() {
        return Err(already_exists());
    }
    if expected.is_manifest() && expected.size > MAX_METADATA_BYTES {
        return Err(oras_content::Error::SizeExceedsLimit {
            size: expected.size,
            limit: MAX_METADATA_BYTES,
        }
        .into());
    }
    let ingest_dir = root.join(INGEST_DIR);
    for dir in [target.parent().unwrap_or(root), ingest_dir.as_path()] {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        // Never write through a directory linked out of the layout.
        let (root, dir) = (root.to_owned(), dir.to_owned());
        tokio::task::spawn_blocking(move || dir_inside(&root, &dir))
            .await
            .map_err(|e| Error::io("checking the layout", std::io::Error::other(e)))??;
    }

    // The temp name starts with the digest's hex, as oras-go's does.
    let prefix = format!("{}_", expected.digest.encoded());
    // Made here, not on a blocking thread: a push dropped mid-way (a copy
    // that failed on another blob) removes its file at once, instead of
    // when a detached task gets to it.
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .tempfile_in(&ingest_dir)
        .map_err(|e| {
            Error::io(
                format!("creating ingest file in {}", ingest_dir.display()),
                e,
            )
        })?;
    // Held while this push writes (the kernel drops it with the file, or
    // the process): what no one holds is stale (see `remove_stale`).
    rustix::fs::flock(temp.as_file(), rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| Error::io("locking ingest file", e.into()))?;
    // From here on, `temp_path` removes the file when dropped, whether the
    // push fails or its future is dropped.
    let (file, temp_path) = temp.into_parts();
    let context = || format!("ingesting {}", expected.digest);

    // The verifying stream ends only once size and digest matched, so the
    // write finishing means the content is right.
    oras_content::write_to_file(content, expected, &file).await?;
    tokio::task::spawn_blocking(move || file.sync_all())
        .await
        .map_err(|e| Error::io(context(), std::io::Error::other(e)))?
        .map_err(|e| Error::io(context(), e))?;

    let successors = if expected.is_manifest() {
        let bytes = tokio::fs::read(&temp_path)
            .await
            .map_err(|e| Error::io(context(), e))?;
        successors_from_bytes(expected, &bytes)?
    } else {
        Vec::new()
    };

    set_mode(&temp_path, 0o444).map_err(|e| Error::io(context(), e))?;
    // Never replaces: renameat2(NOREPLACE), or link + unlink.
    match temp_path.persist_noclobber(&target) {
        Ok(()) => Ok(successors),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(already_exists()),
        Err(e) => Err(Error::io(
            format!("moving {} into place", expected.digest),
            e.error,
        )),
    }
}

/// Temp files younger than this are left alone: a writer may have made
/// one and not locked it yet.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the files under `root`'s `ingest/` that are older than
/// [`STALE_AFTER`] and that no live writer holds locked: what pushes
/// killed mid-way left. A file in use, or one that cannot be looked at, is
/// left alone. Returns how many were removed.
pub(crate) fn remove_stale(root: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(root.join(INGEST_DIR)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let old_enough = entry
            .metadata()
            .ok()
            .filter(|meta| meta.is_file())
            .and_then(|meta| meta.modified().ok())
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !old_enough {
            continue;
        }
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        let unheld =
            rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok();
        if unheld && std::fs::remove_file(&path).is_ok() {
            tracing::debug!(path = %path.display(), "removed a stale ingest file");
            removed += 1;
        }
    }
    removed
}
