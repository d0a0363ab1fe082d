//! Where a layout's files are read from: a directory, or an uncompressed
//! tar of one. Both stores read through this, so the read-only store over
//! a tar behaves exactly as the store over a directory.

use std::path::PathBuf;

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
    /// the layout root), or `None` when there is none.
    pub(crate) async fn open(&self, rel: &str) -> Result<Option<BlobReader>> {
        match self {
            Source::Dir(root) => {
                let path = root.join(rel);
                let context = || format!("opening {}", path.display());
                let file = match tokio::fs::File::open(&path).await {
                    Ok(file) => file,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(Error::io(context(), e)),
                };
                let meta = file.metadata().await.map_err(|e| Error::io(context(), e))?;
                if !meta.is_file() {
                    return Ok(None);
                }
                Ok(Some(BlobReader::from_file(file.into_std().await)))
            }
            Source::Tar(archive) => archive.open(rel).await,
        }
    }

    /// The size of the regular file at `rel`, or `None` when there is none.
    pub(crate) async fn size(&self, rel: &str) -> Result<Option<u64>> {
        match self {
            Source::Dir(root) => {
                let path = root.join(rel);
                match tokio::fs::metadata(&path).await {
                    Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
                    Ok(_) => Ok(None),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
                }
            }
            Source::Tar(archive) => Ok(archive.size(rel)),
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
