//! Writing pushed content (oras-go `Store.Push`): titled blobs become
//! files written through a temp file and a rename, directory blobs are
//! unpacked, untitled content goes to the in-memory fallback; after a
//! manifest, titled successors already present under another name are
//! restored by copy, and the manifest's edges are indexed.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use oras_content::{
    BlobReader, ErrorKind, Fetcher, MAX_METADATA_BYTES, fetch_all, read_all, successors_from_bytes,
};
use oras_spec::{Descriptor, annotation};

use crate::error::{Error, Result};
use crate::extract::{self, Unpack};
use crate::paths::{self, within};
use crate::store::Store;

impl Store {
    /// Pushes `content` as `expected`, then restores duplicates and
    /// indexes the edges of a manifest.
    pub(crate) async fn push_content(
        &self,
        expected: &Descriptor,
        content: BlobReader,
    ) -> Result<()> {
        self.ensure_open()?;
        match crate::store::title(expected) {
            Some(name) => self.push_named(expected, name, content).await?,
            // oras-go drops untitled content unread with `IgnoreNoName`.
            None if self.options.ignore_no_name => return Ok(()),
            None => self.fallback.push(expected, content).await?,
        }
        if !expected.is_manifest() {
            return Ok(());
        }
        let bytes = fetch_all(self, expected, MAX_METADATA_BYTES).await?;
        let successors = successors_from_bytes(expected, &bytes)?;
        if !self.options.force_cas {
            self.restore_duplicates(&successors).await?;
        }
        // The layers of this manifest are all written: no link they made
        // may lead out of the working directory.
        self.verify_links()?;
        self.lock().graph.index(expected, successors);
        Ok(())
    }

    /// Writes titled content under its name. A second push of the same
    /// content under the same name is `AlreadyExists`; other content under
    /// a name in use is [`Error::DuplicateName`].
    async fn push_named(
        &self,
        expected: &Descriptor,
        name: &str,
        content: BlobReader,
    ) -> Result<()> {
        let slot = self.name_slot(name);
        let mut status = slot.write().await;
        if let Some(existing) = status.as_ref() {
            if existing.digest == expected.digest && existing.size == expected.size {
                return Err(oras_content::Error::AlreadyExists(name.to_owned()).into());
            }
            return Err(Error::DuplicateName(name.to_owned()));
        }
        let unpack = expected
            .annotations
            .get(annotation::CONTENT_UNPACK)
            .is_some_and(|v| v == "true")
            && !self.options.skip_unpack;
        let target = self
            .resolve_write_path(name, unpack)
            .map_err(|e| Error::ResolveWritePath(Box::new(e)))?;
        if unpack {
            self.push_dir(name, &target, expected, content).await?;
        } else {
            self.push_file(&target, expected, content).await?;
        }
        *status = Some(expected.clone());
        Ok(())
    }

    /// Where `name` may be written (oras-go `resolveWritePath`): inside the
    /// working directory, lexically and after resolving symbolic links in
    /// the deepest existing ancestor (GHSA-8xwf-rjm4-xvhv), unless path
    /// traversal is allowed. A directory to unpack into is resolved itself
    /// too, as it is written through. With `disable_overwrite`, an existing
    /// path (a dangling link included) is refused.
    fn resolve_write_path(&self, name: &str, whole: bool) -> Result<PathBuf> {
        let path = self.absolute(Path::new(name));
        if !self.options.allow_path_traversal_on_write {
            if !within(&self.working_dir, &path) {
                return Err(Error::traversal(path, "outside the working directory"));
            }
            paths::check_symlink_escape(&self.working_dir, &path, whole)?;
        }
        if self.options.disable_overwrite && std::fs::symlink_metadata(&path).is_ok() {
            return Err(Error::OverwriteDisallowed(path));
        }
        Ok(path)
    }

    /// Streams verified content into a temp file beside `target` and
    /// renames it into place: a failed push leaves nothing under `target`,
    /// and a link at `target` is replaced, never written through.
    async fn push_file(
        &self,
        target: &Path,
        expected: &Descriptor,
        content: BlobReader,
    ) -> Result<()> {
        let (Some(parent), Some(_)) = (target.parent(), target.file_name()) else {
            return Err(Error::io(
                format!("writing {}", target.display()),
                io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
            ));
        };
        if target == self.working_dir {
            return Err(Error::io(
                format!("writing {}", target.display()),
                io::Error::new(io::ErrorKind::InvalidInput, "the working directory itself"),
            ));
        }
        let parent = parent.to_path_buf();
        let target_path = target.to_path_buf();
        let no_clobber = self.options.disable_overwrite;
        let root = self.root()?;
        // The working directory exists once the root is open (confined).
        let is_base = root.is_confined() && parent == root.base();
        // Created, written and renamed through the root: a link planted
        // under the title after it was checked (by another layer, while
        // this one downloaded) is not followed out of the working
        // directory. The temp file is made here and owned by this future, not by a
        // blocking task: a push dropped mid-way (a copy that failed on
        // another layer) removes it at once, whatever a blocking write
        // into its handle still does.
        if !is_base {
            root.create_dir_all(&parent)?;
        }
        let temp = root.temp_file(&parent, 0o666)?;
        if expected.size <= SMALL_FILE {
            // Read (and verified) whole, then written in one trip to a
            // blocking thread: many small files pull fast.
            let data = read_all(content, expected, SMALL_FILE).await?;
            let mut file = temp
                .file
                .try_clone()
                .map_err(|e| Error::io(format!("writing {}", target_path.display()), e))?;
            let written = target_path.clone();
            blocking(move || {
                file.write_all(&data)
                    .map_err(|e| Error::io(format!("writing {}", written.display()), e))
            })
            .await?;
        } else {
            write_verified(&temp.file, expected, content, &target_path).await?;
        }
        temp.persist(&target_path, no_clobber)?;
        // The rename and this record happen in one poll, with no await
        // between them or after them up to the name's status: a push
        // dropped mid-way (a copy that failed on another layer) leaves
        // either nothing under the name or a file the store knows.
        self.lock().paths.insert(
            expected.digest.clone(),
            (expected.plain(), target.to_path_buf()),
        );
        Ok(())
    }

    /// Saves the verified gzip to a temp file, then unpacks it under
    /// `target` (oras-go `pushDir`). The temp file is kept until close, as
    /// where the blob can be fetched from.
    async fn push_dir(
        &self,
        name: &str,
        target: &Path,
        expected: &Descriptor,
        content: BlobReader,
    ) -> Result<()> {
        let temp = self.new_temp_file()?;
        write_verified(temp.as_file(), expected, content, target).await?;
        let temp = temp.into_temp_path();
        let gzip = temp.to_path_buf();
        let target = target.to_path_buf();
        let name = PathBuf::from(name);
        let content_digest = expected
            .annotations
            .get(annotation::CONTENT_DIGEST)
            .cloned();
        let preserve_permissions = self.options.preserve_permissions;
        let limits = self.options.unpack_limits;
        let root = self.root()?;
        // Dropping this future (a cancelled pull) sets the flag: the
        // blocking unpacking stops at its next read and rolls back.
        let cancel = CancelOnDrop(Arc::new(AtomicBool::new(false)));
        let flag = Arc::clone(&cancel.0);
        let links = tokio::task::spawn_blocking(move || {
            extract::extract_tar_gzip(&Unpack {
                root: &root,
                target: &target,
                name: &name,
                gzip: &gzip,
                content_digest: content_digest.as_deref(),
                preserve_permissions,
                limits,
                cancel: &flag,
            })
        })
        .await
        .map_err(|e| Error::io("unpacking a directory", io::Error::other(e)))??;
        drop(cancel);
        self.lock().links.extend(links);
        self.keep_temp(expected, temp);
        Ok(())
    }

    /// Restores titled successors whose content exists under another name
    /// (oras-go `restoreDuplicates`). Content not here yet (a manifest
    /// pushed before its blobs) and names taken meanwhile are skipped.
    async fn restore_duplicates(&self, successors: &[Descriptor]) -> Result<()> {
        for successor in successors {
            let Some(name) = crate::store::title(successor) else {
                continue;
            };
            if self.name_exists(name).await {
                continue;
            }
            let content = match self.fetch(&successor.plain()).await {
                Ok(content) => content,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            match self.push_named(successor, name, content).await {
                Ok(()) => self.lock().restored.push(successor.clone()),
                Err(Error::DuplicateName(_)) => {}
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Content up to this size is written to its file in one piece.
const SMALL_FILE: u64 = oras_content::FILE_BUFFER as u64;

/// Runs `work` on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::io("writing pushed content", io::Error::other(e)))?
}

/// Sets its flag when dropped: the push future is gone, whatever it
/// waited for stops.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Writes `content`, verified against `expected`, into `file` (a stream a
/// registry fetch already verified is not hashed again). Not synced: like
/// oras-go's file store, the temp file and rename keep a failed or
/// interrupted pull from leaving a partial file under the final name,
/// without an fsync per file.
///
/// A write refused because the disk (or the quota, or the file size
/// limit) is full names `target`, the file being pulled, in oras-go's
/// words (file store `pushFile` wrapping `ioutil.CopyBuffer` wrapping the
/// `*os.PathError` of the write).
async fn write_verified(
    file: &std::fs::File,
    expected: &Descriptor,
    content: BlobReader,
    target: &Path,
) -> Result<()> {
    match oras_content::write_to_file(content, expected, file).await {
        Ok(()) => Ok(()),
        Err(oras_content::Error::Io { source, .. })
            if matches!(
                source.kind(),
                io::ErrorKind::StorageFull
                    | io::ErrorKind::FileTooLarge
                    | io::ErrorKind::QuotaExceeded
            ) =>
        {
            let path = target.display();
            Err(Error::io(
                format!("failed to copy content to {path}: copy failed: write {path}"),
                source,
            ))
        }
        Err(other) => Err(other.into()),
    }
}
