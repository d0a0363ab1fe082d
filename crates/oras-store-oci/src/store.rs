//! [`Store`]: a read-write OCI image layout directory (oras-go `oci.Store`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard};

use oras_content::MAX_METADATA_BYTES;
use oras_spec::{Descriptor, Digest, media_type};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::ingest;
use crate::layout::{
    BLOBS_DIR, INDEX_FILE, IndexFile, LAYOUT_FILE, MAX_INDEX_BYTES, check_layout_marker,
    layout_marker_bytes, write_atomically,
};
use crate::lock::{self, LayoutLock};
use crate::source::Source;

/// How a [`Store`] maintains its layout; both default to on, as in oras-go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Rewrite `index.json` after every tag, untag, delete and manifest
    /// push (oras-go `AutoSaveIndex`). When off, call [`Store::save_index`].
    pub auto_save_index: bool,
    /// On delete, also delete the referrers of deleted manifests and the
    /// content left unreferenced, keeping tagged manifests (oras-go `AutoGC`).
    pub auto_gc: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            auto_save_index: true,
            auto_gc: true,
        }
    }
}

impl Options {
    /// These options with `auto_save_index` set to `on`.
    pub fn auto_save_index(mut self, on: bool) -> Self {
        self.auto_save_index = on;
        self
    }

    /// These options with `auto_gc` set to `on`.
    pub fn auto_gc(mut self, on: bool) -> Self {
        self.auto_gc = on;
        self
    }
}

/// A read-write OCI image layout in a directory: blobs under
/// `blobs/<alg>/<hex>`, tags in `index.json`.
///
/// Safe to share between tasks (`Arc<Store>`): reads, pushes and tags run
/// concurrently, [`Deleter::delete`](oras_content::Deleter::delete) and
/// [`Store::gc`] run alone, and `index.json` writes are serialised.
#[derive(Debug)]
pub struct Store {
    pub(crate) root: PathBuf,
    pub(crate) source: Source,
    pub(crate) options: Options,
    /// Delete and gc hold it exclusively; every other operation shares it.
    pub(crate) sync: tokio::sync::RwLock<()>,
    /// References and graph. Held only briefly, never across an await.
    catalog: std::sync::Mutex<Catalog>,
    /// `index.json` as read (its fields other than `manifests`); holding
    /// it serialises index writes.
    index: Arc<tokio::sync::Mutex<IndexFile>>,
    /// This store's own entries as last read or written; what differs on
    /// disk from them another process wrote (see `lock::merge`).
    own_entries: Arc<std::sync::Mutex<Vec<Descriptor>>>,
}

impl Store {
    /// Opens the layout at `root`, creating it (and the directory) when
    /// absent (oras-go `oci.New`), with default [`Options`].
    pub async fn open(root: impl AsRef<Path>) -> Result<Self> {
        Store::open_with(root, Options::default()).await
    }

    /// Opens or creates the layout at `root` with `options`.
    ///
    /// An existing `oci-layout` must declare version 1.0.0
    /// ([`Error::UnsupportedVersion`] otherwise). Every manifest listed in
    /// `index.json` is known by digest and, with a `ref.name` annotation,
    /// by that tag; the graph is indexed from each of them recursively.
    pub async fn open_with(root: impl AsRef<Path>, options: Options) -> Result<Self> {
        let root = std::path::absolute(root.as_ref())
            .map_err(|e| Error::io(format!("resolving {}", root.as_ref().display()), e))?;
        let blobs = root.join(BLOBS_DIR);
        tokio::fs::create_dir_all(&blobs)
            .await
            .map_err(|e| Error::io(format!("creating {}", blobs.display()), e))?;
        let source = Source::Dir(root.clone());

        match source.read_file(LAYOUT_FILE, MAX_METADATA_BYTES).await? {
            Some(bytes) => check_layout_marker(&bytes)?,
            None => write_file(&root, LAYOUT_FILE, layout_marker_bytes()).await?,
        }
        let (index, catalog) = match source.read_file(INDEX_FILE, MAX_INDEX_BYTES).await? {
            Some(bytes) => {
                let index = IndexFile::parse(&bytes)?;
                let catalog = Catalog::load(&source, index.entries()).await?;
                (index, catalog)
            }
            None => {
                let index = IndexFile::empty();
                if create_index(&root, index.to_json()?).await? {
                    (index, Catalog::default())
                } else {
                    // Another process created it meanwhile: read theirs.
                    let bytes = source
                        .read_file(INDEX_FILE, MAX_INDEX_BYTES)
                        .await?
                        .unwrap_or_default();
                    let index = IndexFile::parse(&bytes)?;
                    let catalog = Catalog::load(&source, index.entries()).await?;
                    (index, catalog)
                }
            }
        };
        // What pushes killed mid-way left in `ingest/` (none is live).
        let swept = root.clone();
        let _ = tokio::task::spawn_blocking(move || ingest::remove_stale(&swept)).await;
        Ok(Store {
            root,
            source,
            options,
            sync: tokio::sync::RwLock::new(()),
            catalog: std::sync::Mutex::new(catalog),
            own_entries: Arc::new(std::sync::Mutex::new(index.entries().to_vec())),
            index: Arc::new(tokio::sync::Mutex::new(index)),
        })
    }

    /// The layout's root directory (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The options the store was opened with.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Writes `index.json` now (oras-go `SaveIndex`); needed only when
    /// [`Options::auto_save_index`] is off.
    pub async fn save_index(&self) -> Result<()> {
        let _shared = self.sync.read().await;
        self.write_index().await
    }

    pub(crate) fn catalog(&self) -> MutexGuard<'_, Catalog> {
        // A poisoned lock means a panic elsewhere; the maps are intact.
        self.catalog.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Rewrites `index.json` from the current references, atomically. The
    /// snapshot is taken after the index lock is held, so the last write
    /// always carries the latest state; the lock travels into the blocking
    /// write, so even a dropped caller cannot let two writes overlap.
    pub(crate) async fn write_index(&self) -> Result<()> {
        let mut index = Arc::clone(&self.index).lock_owned().await;
        let entries = self.catalog().tags.index_manifests();
        let root = self.root.clone();
        let own_entries = Arc::clone(&self.own_entries);
        tokio::task::spawn_blocking(move || {
            // Another process may have written the layout since: merged
            // under the layout's lock (see `lock`).
            let _lock = LayoutLock::acquire(&root)?;
            let mut own = own_entries.lock().unwrap_or_else(|e| e.into_inner());
            let merged = lock::merge(&own, entries.clone(), lock::entries_on_disk(&root));
            *own = entries;
            index.set_entries(merged);
            let bytes = index.to_json()?;
            write_atomically(&root, INDEX_FILE, &bytes)
        })
        .await
        .map_err(|e| Error::io("writing index.json", std::io::Error::other(e)))?
    }

    /// Writes the auto-saved index when that option is on.
    pub(crate) async fn auto_save(&self) -> Result<()> {
        if self.options.auto_save_index {
            self.write_index().await
        } else {
            Ok(())
        }
    }

    pub(crate) async fn push_inner(
        &self,
        expected: &Descriptor,
        content: oras_content::BlobReader,
    ) -> Result<()> {
        let _shared = self.sync.read().await;
        let successors = ingest::push(&self.root, expected, content).await?;
        if expected.is_manifest() {
            {
                let mut catalog = self.catalog();
                catalog.graph.index(expected, successors);
                // Every pushed manifest is listed by digest (oras-go `Push`).
                catalog.tags.tag(expected, &expected.digest.to_string());
            }
            self.auto_save().await?;
        }
        Ok(())
    }

    pub(crate) async fn tag_inner(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        // oras-go checks only that a reference was given; any non-empty
        // string is a valid layout tag (`validateReference`).
        if reference.is_empty() {
            return Err(Error::MissingReference);
        }
        let _shared = self.sync.read().await;
        if !self.source.exists(&desc.digest).await? {
            return Err(Error::NotFound(format!(
                "{}: {}",
                desc.digest, desc.media_type
            )));
        }
        {
            let mut catalog = self.catalog();
            let digest = desc.digest.to_string();
            if reference != digest {
                catalog.tags.tag(desc, &digest);
            }
            catalog.tags.tag(desc, reference);
        }
        self.auto_save().await
    }

    pub(crate) async fn untag_inner(&self, reference: &str) -> Result<()> {
        if reference.is_empty() {
            return Err(Error::MissingReference);
        }
        let _shared = self.sync.read().await;
        {
            let mut catalog = self.catalog();
            let desc = catalog
                .tags
                .get(reference)
                .ok_or_else(|| Error::NotFound(reference.to_owned()))?;
            if desc.digest.to_string() == reference {
                return Err(Error::InvalidReference(format!(
                    "{reference:?} is a digest, not a tag"
                )));
            }
            catalog.tags.remove(reference);
        }
        self.auto_save().await
    }

    pub(crate) async fn resolve_inner(&self, reference: &str) -> Result<Descriptor> {
        if reference.is_empty() {
            return Err(Error::MissingReference);
        }
        let _shared = self.sync.read().await;
        let indexed = self.catalog().resolve(reference);
        match indexed {
            Some(desc) => Ok(desc),
            None => resolve_blob(&self.source, reference).await,
        }
    }
}

/// Resolves a digest that is not in the index by the blob file alone: its
/// type is unknown, so `application/octet-stream` (oras-go `resolveBlob`,
/// whose miss is a bare `not found`).
pub(crate) async fn resolve_blob(source: &Source, reference: &str) -> Result<Descriptor> {
    let not_found = || Error::NotFound(String::new());
    let Ok(digest) = reference.parse::<Digest>() else {
        return Err(not_found());
    };
    match source.blob_size(&digest).await? {
        Some(size) => Ok(Descriptor::new(media_type::OCTET_STREAM, digest, size)),
        None => Err(not_found()),
    }
}

/// [`write_atomically`] off the async runtime.
async fn write_file(root: &Path, name: &'static str, bytes: Vec<u8>) -> Result<()> {
    let root = root.to_owned();
    tokio::task::spawn_blocking(move || write_atomically(&root, name, &bytes))
        .await
        .map_err(|e| Error::io(format!("writing {name}"), std::io::Error::other(e)))?
}

/// Creates `index.json` with `bytes` unless another process made it
/// first (checked under the layout's lock); true when this one did.
async fn create_index(root: &Path, bytes: Vec<u8>) -> Result<bool> {
    let root = root.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let _lock = LayoutLock::acquire(&root)?;
        if root.join(INDEX_FILE).exists() {
            return Ok(false);
        }
        write_atomically(&root, INDEX_FILE, &bytes)?;
        Ok(true)
    })
    .await
    .map_err(|e| Error::io("creating index.json", std::io::Error::other(e)))?
}
