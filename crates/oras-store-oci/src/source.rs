//! Where a layout's files are read from: a directory, or an uncompressed
//! tar of one. Both stores read through this, so the read-only store over
//! a tar behaves exactly as the store over a directory.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use oras_content::{BlobReader, MAX_METADATA_BYTES, read_all};
use oras_spec::{Descriptor, Digest};
use tokio::io::AsyncReadExt as _;

use crate::error::{Error, Result};
use crate::layout::blob_path;
use crate::tarfs::TarArchive;

/// The files of a layout.
#[derive(Debug)]
pub(crate) enum Source {
    /// A layout directory.
    Dir(PathBuf),
    /// An uncompressed tar archive of a layout.
    Tar(TarArchive),
}

impl Source {
    /// A reader over the regular file at `rel` (a `/`-separated path from
    /// the layout root), or `None` when there is none. Symbolic links and
    /// other non-regular files are refused (see [`regular_file`]).
    pub(crate) async fn open(&self, rel: &str) -> Result<Option<BlobReader>> {
        match self {
            Source::Dir(root) => {
                let (root, rel_owned) = (root.clone(), rel.to_owned());
                let opened = tokio::task::spawn_blocking(move || open_regular(&root, &rel_owned))
                    .await
                    .map_err(|e| Error::io(format!("opening {rel}"), std::io::Error::other(e)))??;
                Ok(opened.map(BlobReader::from_file))
            }
            Source::Tar(archive) => archive.open(rel).await,
        }
    }

    /// The size of the regular file at `rel`, or `None` when there is none.
    pub(crate) async fn size(&self, rel: &str) -> Result<Option<u64>> {
        match self {
            Source::Dir(root) => {
                let (root, rel_owned) = (root.clone(), rel.to_owned());
                let meta = tokio::task::spawn_blocking(move || regular_file(&root, &rel_owned))
                    .await
                    .map_err(|e| Error::io(format!("reading {rel}"), std::io::Error::other(e)))??;
                Ok(meta.map(|m| m.len()))
            }
            Source::Tar(archive) => archive.size(rel),
        }
    }

    /// The whole file at `rel`, refusing more than `limit` bytes, or
    /// `None` when there is none. For the layout's own small files.
    pub(crate) async fn read_file(&self, rel: &str, limit: u64) -> Result<Option<Vec<u8>>> {
        let Some(reader) = self.open(rel).await? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        reader
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .await
            .map_err(|e| Error::io(format!("reading {rel}"), e))?;
        if out.len() as u64 > limit {
            return Err(oras_content::Error::SizeExceedsLimit {
                size: out.len() as u64,
                limit,
            }
            .into());
        }
        Ok(Some(out))
    }

    /// The content of the blob `target` names (unverified, as oras-go's
    /// `Fetch`); [`Error::NotFound`] when it is missing.
    pub(crate) async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.open(&blob_path(&target.digest))
            .await?
            .ok_or_else(|| Error::NotFound(format!("{}: {}", target.digest, target.media_type)))
    }

    /// Whether the blob with `digest` is present.
    pub(crate) async fn exists(&self, digest: &Digest) -> Result<bool> {
        Ok(self.size(&blob_path(digest)).await?.is_some())
    }

    /// The size of the blob with `digest`, if present.
    pub(crate) async fn blob_size(&self, digest: &Digest) -> Result<Option<u64>> {
        self.size(&blob_path(digest)).await
    }

    /// The verified content of a manifest, at most 4 MiB, or `None` when
    /// it is not in the layout.
    pub(crate) async fn manifest(&self, desc: &Descriptor) -> Result<Option<Vec<u8>>> {
        if desc.size > MAX_METADATA_BYTES {
            return Err(oras_content::Error::SizeExceedsLimit {
                size: desc.size,
                limit: MAX_METADATA_BYTES,
            }
            .into());
        }
        let Some(reader) = self.open(&blob_path(&desc.digest)).await? else {
            return Ok(None);
        };
        Ok(Some(read_all(reader, desc, MAX_METADATA_BYTES).await?))
    }
}

/// A file of the layout that is not a plain file inside it.
fn refused(rel: &str, reason: &str) -> Error {
    Error::InvalidLayout {
        file: rel.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Checks that the existing directory `dir` lies inside `root` once every
/// symbolic link on the way is resolved, so a layout cannot point
/// `blobs/` or `blobs/<alg>/` (or `ingest/`) at another part of the
/// file system. `Ok(false)` when `dir` does not exist.
pub(crate) fn dir_inside(root: &Path, dir: &Path) -> Result<bool> {
    let real_dir = match std::fs::canonicalize(dir) {
        Ok(path) => path,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(format!("resolving {}", dir.display()), e)),
    };
    let real_root = std::fs::canonicalize(root)
        .map_err(|e| Error::io(format!("resolving {}", root.display()), e))?;
    if !real_dir.starts_with(&real_root) {
        let rel = dir.strip_prefix(root).unwrap_or(dir);
        return Err(refused(
            &rel.display().to_string(),
            &format!(
                "resolves to {}, outside the layout {}",
                real_dir.display(),
                real_root.display()
            ),
        ));
    }
    Ok(true)
}

/// The metadata of the regular file at `root/rel`, or `None` when there is
/// none. Unlike oras-go, which reads a layout through `os.DirFS` and so
/// follows symbolic links, a layout file must be a regular file and its
/// directories must resolve inside the layout: otherwise a layout made by
/// someone else (`blobs/sha256/<hex>` linked to `/etc/passwd`) would have
/// any readable file streamed out as a blob, to a terminal or a registry,
/// before its digest is ever checked.
fn regular_file(root: &Path, rel: &str) -> Result<Option<Metadata>> {
    let path = root.join(rel);
    if let Some(parent) = path.parent()
        && !dir_inside(root, parent)?
    {
        return Ok(None);
    }
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    if meta.file_type().is_symlink() {
        return Err(refused(
            rel,
            "is a symbolic link; layout files must be regular files",
        ));
    }
    if !meta.is_file() {
        return Err(refused(rel, "is not a regular file"));
    }
    Ok(Some(meta))
}

/// Opens the regular file at `root/rel` as [`regular_file`] checks it,
/// without following a symbolic link swapped in after the check
/// (`O_NOFOLLOW`), and checks again that what was opened is that file.
fn open_regular(root: &Path, rel: &str) -> Result<Option<std::fs::File>> {
    let Some(checked) = regular_file(root, rel)? else {
        return Ok(None);
    };
    let path = root.join(rel);
    let context = || format!("opening {}", path.display());
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = match options.open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(context(), e)),
    };
    let opened = file.metadata().map_err(|e| Error::io(context(), e))?;
    if !opened.is_file() || !same_file(&checked, &opened) {
        return Err(refused(rel, "changed while it was being opened"));
    }
    Ok(Some(file))
}

/// Whether two metadata describe the same file (device and inode on Unix).
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Whether two metadata describe the same file (only the size off Unix).
#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.len() == b.len()
}
