//! The storage traits of `oras-content` for [`Store`] (oras-go's
//! `Fetch`, `Push`, `Exists`, `Resolve`, `Tag`, `Predecessors`).

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Fetcher, PredecessorFinder, Pusher, ReadOnlyStorage, Resolver,
    Result, Tagger,
};
use oras_spec::{Descriptor, Digest};

use crate::error::Error;
use crate::store::Store;

#[async_trait]
impl Fetcher for Store {
    /// The file of titled content (or the temp file of an added or pushed
    /// directory), else the in-memory fallback. A title that names
    /// nothing in this store is not found, whatever the digest.
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.ensure_open()?;
        if let Some(name) = crate::store::title(target)
            && !self.name_exists(name).await
        {
            return Err(oras_content::Error::NotFound(format!(
                "{name}: {}",
                target.media_type
            )));
        }
        let path = self
            .lock()
            .paths
            .get(&target.digest)
            .map(|(_, path)| path.clone());
        let Some(path) = path else {
            return self.fallback.fetch(target).await;
        };
        match tokio::fs::File::open(&path).await {
            Ok(file) => Ok(BlobReader::from_file(file.into_std().await)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
                oras_content::Error::NotFound(format!("{}: {}", target.digest, target.media_type)),
            ),
            Err(e) => Err(Error::io(format!("opening {}", path.display()), e).into()),
        }
    }
}

#[async_trait]
impl Pusher for Store {
    /// See [`Store`]: titled content is written under its name, a
    /// directory blob unpacked, untitled content kept in memory.
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        Ok(self.push_content(expected, content).await?)
    }
}

#[async_trait]
impl ReadOnlyStorage for Store {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.ensure_open()?;
        if let Some(name) = crate::store::title(target)
            && !self.name_exists(name).await
        {
            return Ok(false);
        }
        if self.lock().paths.contains_key(&target.digest) {
            return Ok(true);
        }
        self.fallback.exists(target).await
    }
}

#[async_trait]
impl Resolver for Store {
    /// A tag, or (beyond oras-go, whose file store resolves tags only) the
    /// digest of content held here.
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.ensure_open()?;
        if reference.is_empty() {
            return Err(Error::MissingReference.into());
        }
        if let Some(desc) = self.lock().tags.get(reference) {
            return Ok(desc.clone());
        }
        if let Ok(digest) = reference.parse::<Digest>() {
            if let Ok(desc) = self.fallback.resolve(reference).await {
                return Ok(desc);
            }
            if let Some((desc, _)) = self.lock().paths.get(&digest) {
                return Ok(desc.clone());
            }
        }
        Err(oras_content::Error::NotFound(reference.to_owned()))
    }
}

#[async_trait]
impl Tagger for Store {
    /// Points `reference` at `desc`, which must exist here.
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        self.ensure_open()?;
        if reference.is_empty() {
            return Err(Error::MissingReference.into());
        }
        if !self.exists(desc).await? {
            return Err(oras_content::Error::NotFound(format!(
                "{}: {}",
                desc.digest, desc.media_type
            )));
        }
        self.lock().tags.insert(reference.to_owned(), desc.clone());
        Ok(())
    }
}

#[async_trait]
impl PredecessorFinder for Store {
    /// The manifests pushed here that point at `node`.
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.ensure_open()?;
        Ok(self.lock().graph.predecessors(node))
    }
}

impl Capabilities for Store {
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        Some(self)
    }
}
