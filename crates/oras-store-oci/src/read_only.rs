//! [`ReadOnlyStore`]: an OCI image layout read from a directory or from an
//! uncompressed tar of one (oras-go `oci.NewFromFS` / `oci.NewFromTar`).

use std::path::Path;

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Fetcher, MAX_METADATA_BYTES, PredecessorFinder, ReadOnlyStorage,
    Resolver, TagLister,
};
use oras_spec::Descriptor;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::layout::{INDEX_FILE, IndexFile, LAYOUT_FILE, MAX_INDEX_BYTES, check_layout_marker};
use crate::source::Source;
use crate::store::resolve_blob;
use crate::tarfs::TarArchive;

/// A read-only OCI image layout, over a directory or a tar archive. It
/// resolves, fetches, lists tags and finds predecessors exactly as
/// [`Store`](crate::Store) does, and never writes.
#[derive(Debug)]
pub struct ReadOnlyStore {
    source: Source,
    catalog: Catalog,
}

impl ReadOnlyStore {
    /// Opens the layout at `path`: a directory, or else a tar archive.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        if meta.is_dir() {
            ReadOnlyStore::from_dir(path).await
        } else {
            ReadOnlyStore::from_tar(path).await
        }
    }

    /// Opens the layout directory at `root`, which must already be one.
    pub async fn from_dir(root: impl AsRef<Path>) -> Result<Self> {
        ReadOnlyStore::load(Source::Dir(root.as_ref().to_owned())).await
    }

    /// Opens an uncompressed tar archive of a layout. Entries may be named
    /// with or without a `./` prefix; only regular files are served, and
    /// names escaping the archive root are ignored. Blobs are read from the
    /// archive on demand, never held in memory.
    pub async fn from_tar(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let archive = tokio::task::spawn_blocking(move || TarArchive::index(&path))
            .await
            .map_err(|e| Error::io("indexing tar archive", std::io::Error::other(e)))??;
        ReadOnlyStore::load(Source::Tar(archive)).await
    }

    async fn load(source: Source) -> Result<Self> {
        let missing = |file: &str| Error::InvalidLayout {
            file: file.to_owned(),
            reason: "missing".to_owned(),
        };
        let marker = source
            .read_file(LAYOUT_FILE, MAX_METADATA_BYTES)
            .await?
            .ok_or_else(|| missing(LAYOUT_FILE))?;
        check_layout_marker(&marker)?;
        let index = source
            .read_file(INDEX_FILE, MAX_INDEX_BYTES)
            .await?
            .ok_or_else(|| missing(INDEX_FILE))?;
        let index = IndexFile::parse(&index)?;
        let catalog = Catalog::load(&source, index.entries()).await?;
        Ok(ReadOnlyStore { source, catalog })
    }
}

#[async_trait]
impl Fetcher for ReadOnlyStore {
    async fn fetch(&self, target: &Descriptor) -> oras_content::Result<BlobReader> {
        Ok(self.source.fetch(target).await?)
    }
}

#[async_trait]
impl ReadOnlyStorage for ReadOnlyStore {
    async fn exists(&self, target: &Descriptor) -> oras_content::Result<bool> {
        Ok(self.source.exists(&target.digest).await?)
    }
}

#[async_trait]
impl Resolver for ReadOnlyStore {
    async fn resolve(&self, reference: &str) -> oras_content::Result<Descriptor> {
        if reference.is_empty() {
            return Err(Error::MissingReference.into());
        }
        match self.catalog.resolve(reference) {
            Some(desc) => Ok(desc),
            None => Ok(resolve_blob(&self.source, reference).await?),
        }
    }
}

#[async_trait]
impl PredecessorFinder for ReadOnlyStore {
    async fn predecessors(&self, node: &Descriptor) -> oras_content::Result<Vec<Descriptor>> {
        Ok(self.catalog.graph.predecessors(node))
    }
}

#[async_trait]
impl TagLister for ReadOnlyStore {
    async fn tags(&self, last: Option<&str>) -> oras_content::Result<Vec<String>> {
        Ok(self.catalog.tags.tags(last))
    }
}

impl Capabilities for ReadOnlyStore {
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        Some(self)
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        Some(self)
    }
}
