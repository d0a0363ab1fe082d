//! [`Storage`]: the blobs of an OCI image layout directory and nothing
//! else (oras-go `oci.NewStorage`): no `oci-layout` file, no
//! `index.json`, no tags, no graph; content-addressed files under
//! `blobs/<alg>/<hex>`, written and read as the [`Store`](crate::Store)
//! writes and reads them.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use oras_content::{BlobReader, Capabilities, Deleter, Fetcher, Pusher, ReadOnlyStorage};
use oras_spec::Descriptor;

use crate::error::{Error, Result};
use crate::ingest;
use crate::layout::blob_path;
use crate::source::{Source, dir_inside};

/// A content store of blobs in a directory, laid out as an OCI image
/// layout's `blobs/` (oras-go `oci.Storage`). Pushes verify and move into
/// place atomically, never replacing a blob (`AlreadyExists`); fetches
/// are not verified (as oras-go's), and refuse links.
///
/// ```
/// use oras_content::{Pusher, ReadOnlyStorage, bytes_reader, fetch_all};
/// use oras_spec::Descriptor;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let storage = oras_store_oci::Storage::new(dir.path());
/// let desc = Descriptor::from_bytes("application/octet-stream", b"hello");
/// storage.push(&desc, bytes_reader(&b"hello"[..])).await?;
/// assert!(storage.exists(&desc).await?);
/// assert_eq!(fetch_all(&storage, &desc, 1024).await?, &b"hello"[..]);
/// assert!(!dir.path().join("index.json").exists());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Storage {
    root: PathBuf,
    source: Source,
}

impl Storage {
    /// The storage under `root` (created on the first push).
    pub fn new(root: impl AsRef<Path>) -> Storage {
        let root = root.as_ref().to_owned();
        Storage {
            source: Source::Dir(root.clone()),
            root,
        }
    }

    /// The directory the blobs live under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Removes the blob `target` names; `NotFound` when it is not there.
    async fn remove(&self, target: &Descriptor) -> Result<()> {
        let path = self.root.join(blob_path(&target.digest));
        // Never delete through a blob directory linked out of the root.
        if let Some(dir) = path.parent() {
            let (root, dir) = (self.root.clone(), dir.to_owned());
            let inside = tokio::task::spawn_blocking(move || dir_inside(&root, &dir))
                .await
                .map_err(|e| Error::io("checking the storage", std::io::Error::other(e)))??;
            if !inside {
                return Err(not_found(target));
            }
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(not_found(target)),
            Err(e) => Err(Error::io(format!("deleting {}", path.display()), e)),
        }
    }
}

/// oras-go's `errdef.ErrNotFound` for a descriptor.
fn not_found(target: &Descriptor) -> Error {
    Error::NotFound(format!("{}: {}", target.digest, target.media_type))
}

#[async_trait]
impl Fetcher for Storage {
    async fn fetch(&self, target: &Descriptor) -> oras_content::Result<BlobReader> {
        Ok(self.source.fetch(target).await?)
    }
}

#[async_trait]
impl Pusher for Storage {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> oras_content::Result<()> {
        ingest::push(&self.root, expected, content).await?;
        Ok(())
    }
}

#[async_trait]
impl ReadOnlyStorage for Storage {
    async fn exists(&self, target: &Descriptor) -> oras_content::Result<bool> {
        Ok(self.source.exists(&target.digest).await?)
    }
}

#[async_trait]
impl Deleter for Storage {
    async fn delete(&self, target: &Descriptor) -> oras_content::Result<()> {
        Ok(self.remove(target).await?)
    }
}

impl Capabilities for Storage {
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        Some(self)
    }
}
