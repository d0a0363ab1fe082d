//! Stores that wrap stores, like tower layers: a read-only view and a
//! size-limited store. Each implements the same traits as what it wraps.

use async_trait::async_trait;
use oras_spec::Descriptor;

use crate::error::{Error, Result};
use crate::reader::BlobReader;
use crate::storage::{
    Capabilities, Fetcher, PredecessorFinder, Pusher, ReadOnlyStorage, ReferenceFetcher,
    ReferrerLister, Resolver, TagLister, Tagger,
};

/// A read-only view of a store: it offers only the reading traits, so the
/// type system refuses it as a copy destination.
#[derive(Debug, Clone)]
pub struct ReadOnly<S> {
    inner: S,
}

impl<S> ReadOnly<S> {
    /// A read-only view of `inner`.
    pub fn new(inner: S) -> Self {
        ReadOnly { inner }
    }
    /// The wrapped store.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
    /// Unwraps the store.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

#[async_trait]
impl<S: Fetcher> Fetcher for ReadOnly<S> {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.inner.fetch(target).await
    }
}

#[async_trait]
impl<S: ReadOnlyStorage> ReadOnlyStorage for ReadOnly<S> {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.inner.exists(target).await
    }
}

#[async_trait]
impl<S: Resolver> Resolver for ReadOnly<S> {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.inner.resolve(reference).await
    }
}

#[async_trait]
impl<S: PredecessorFinder> PredecessorFinder for ReadOnly<S> {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.inner.predecessors(node).await
    }
}

impl<S: Capabilities> Capabilities for ReadOnly<S> {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        self.inner.as_reference_fetcher()
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        self.inner.as_tag_lister()
    }
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        self.inner.as_referrer_lister()
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        self.inner.as_predecessor_finder()
    }
}

/// A store that refuses pushes larger than a limit (oras-go
/// `content.LimitedStorage`).
#[derive(Debug, Clone)]
pub struct Limited<S> {
    inner: S,
    push_limit: u64,
}

impl<S> Limited<S> {
    /// `inner`, refusing pushes of more than `push_limit` bytes.
    pub fn new(inner: S, push_limit: u64) -> Self {
        Limited { inner, push_limit }
    }
    /// The wrapped store.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
    /// Unwraps the store.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

#[async_trait]
impl<S: Fetcher> Fetcher for Limited<S> {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.inner.fetch(target).await
    }
}

#[async_trait]
impl<S: Pusher> Pusher for Limited<S> {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        if expected.size > self.push_limit {
            return Err(Error::SizeExceedsLimit {
                size: expected.size,
                limit: self.push_limit,
            });
        }
        self.inner.push(expected, content).await
    }
}

#[async_trait]
impl<S: ReadOnlyStorage> ReadOnlyStorage for Limited<S> {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.inner.exists(target).await
    }
}

#[async_trait]
impl<S: Resolver> Resolver for Limited<S> {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.inner.resolve(reference).await
    }
}

#[async_trait]
impl<S: Tagger> Tagger for Limited<S> {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        self.inner.tag(desc, reference).await
    }
}

#[async_trait]
impl<S: PredecessorFinder> PredecessorFinder for Limited<S> {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.inner.predecessors(node).await
    }
}

impl<S: Capabilities> Capabilities for Limited<S> {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        self.inner.as_reference_fetcher()
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        self.inner.as_tag_lister()
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        self.inner.as_predecessor_finder()
    }
}
