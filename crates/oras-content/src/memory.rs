//! An in-memory store implementing the whole graph target (oras-go
//! `content/memory`): a content-addressed map, a tag map and a
//! predecessor index.

use std::collections::HashMap;
use std::sync::RwLock;

use async_trait::async_trait;
use bytes::Bytes;
use oras_spec::{Descriptor, DescriptorKey, Digest};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::reader::{BlobReader, bytes_reader, read_all};
use crate::storage::{
    Capabilities, Deleter, Fetcher, PredecessorFinder, Pusher, ReadOnlyStorage, Resolver,
    TagLister, Tagger, Untagger,
};
use crate::successors::successors_from_bytes;

/// An in-memory graph target. Cheap to share behind an `Arc`; every
/// method takes `&self`.
#[derive(Debug, Default)]
pub struct Store {
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    content: HashMap<DescriptorKey, (Descriptor, Bytes)>,
    tags: HashMap<String, Descriptor>,
    graph: Graph,
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Store::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A poisoned lock means a panic elsewhere; the map itself is intact.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `data` under `expected`, verifying it, without streaming.
    pub fn push_bytes(&self, expected: &Descriptor, data: Bytes) -> Result<()> {
        crate::reader::verify_bytes(&data, expected)?;
        let successors = successors_from_bytes(expected, &data)?;
        let mut state = self.write();
        let key = expected.key();
        if state.content.contains_key(&key) {
            return Err(Error::AlreadyExists(expected.digest.to_string()));
        }
        state.content.insert(key, (expected.clone(), data));
        if expected.is_manifest() {
            state.graph.index(expected, successors);
        }
        Ok(())
    }

    /// How many pieces of content the store holds.
    pub fn len(&self) -> usize {
        self.read().content.len()
    }

    /// Whether the store holds no content.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn find_by_digest(&self, digest: &Digest) -> Option<Descriptor> {
        self.read()
            .content
            .values()
            .find(|(desc, _)| &desc.digest == digest)
            .map(|(desc, _)| desc.clone())
    }
}

#[async_trait]
impl Fetcher for Store {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        let state = self.read();
        match state.content.get(&target.key()) {
            Some((_, data)) => Ok(bytes_reader(data.clone())),
            None => Err(Error::NotFound(target.digest.to_string())),
        }
    }
}

#[async_trait]
impl Pusher for Store {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        if self.read().content.contains_key(&expected.key()) {
            return Err(Error::AlreadyExists(expected.digest.to_string()));
        }
        let data = read_all(content, expected, u64::MAX).await?;
        self.push_bytes(expected, Bytes::from(data))
    }
}

#[async_trait]
impl ReadOnlyStorage for Store {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        Ok(self.read().content.contains_key(&target.key()))
    }
}

#[async_trait]
impl Resolver for Store {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        if let Some(desc) = self.read().tags.get(reference) {
            return Ok(desc.clone());
        }
        if let Ok(digest) = reference.parse::<Digest>()
            && let Some(desc) = self.find_by_digest(&digest)
        {
            return Ok(desc.plain());
        }
        Err(Error::NotFound(reference.to_owned()))
    }
}

#[async_trait]
impl Tagger for Store {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        if reference.is_empty() {
            return Err(Error::Spec(oras_spec::Error::InvalidReference(
                "missing tag".to_owned(),
            )));
        }
        let mut state = self.write();
        if !state.content.contains_key(&desc.key()) {
            return Err(Error::NotFound(desc.digest.to_string()));
        }
        state.tags.insert(reference.to_owned(), desc.clone());
        Ok(())
    }
}

#[async_trait]
impl Untagger for Store {
    async fn untag(&self, reference: &str) -> Result<()> {
        if reference.parse::<Digest>().is_ok() {
            return Err(Error::Unsupported(format!(
                "cannot untag a digest: {reference}"
            )));
        }
        match self.write().tags.remove(reference) {
            Some(_) => Ok(()),
            None => Err(Error::NotFound(reference.to_owned())),
        }
    }
}

#[async_trait]
impl Deleter for Store {
    async fn delete(&self, target: &Descriptor) -> Result<()> {
        let mut state = self.write();
        let key = target.key();
        if state.content.remove(&key).is_none() {
            return Err(Error::NotFound(target.digest.to_string()));
        }
        state.tags.retain(|_, desc| desc.key() != key);
        state.graph.remove(target);
        Ok(())
    }
}

#[async_trait]
impl PredecessorFinder for Store {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        Ok(self.read().graph.predecessors(node))
    }
}

#[async_trait]
impl TagLister for Store {
    async fn tags(&self, last: Option<&str>) -> Result<Vec<String>> {
        let mut tags: Vec<String> = self
            .read()
            .tags
            .keys()
            .filter(|t| last.is_none_or(|l| t.as_str() > l))
            .cloned()
            .collect();
        tags.sort();
        Ok(tags)
    }
}

impl Capabilities for Store {
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        Some(self)
    }
    fn as_untagger(&self) -> Option<&dyn Untagger> {
        Some(self)
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        Some(self)
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        Some(self)
    }
}
