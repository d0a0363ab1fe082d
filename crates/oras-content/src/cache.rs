//! A read-through cache in front of a read-only source (the Go CLI's
//! `internal/cache` target behind `ORAS_CACHE`): content fetched from the
//! source is kept in a local [`Storage`] (an OCI layout, a memory store)
//! and served from there afterwards.
//!
//! * Content already in the cache is served from it, without asking the
//!   source.
//! * Content fetched from the source is pushed to the cache first (a
//!   store verifies size and digest while it writes, and keeps nothing on
//!   a mismatch), then served from the cache. The Go CLI tees the stream
//!   into the cache as the caller reads; storing first is simpler and
//!   never keeps unverified bytes, at the cost of the caller's progress
//!   starting only once the blob is in the cache.
//! * Tags are resolved by the source (the cache holds content, not tags);
//!   a reference fetch asks the source, then serves the cached copy when
//!   there is one.
//!
//! ```
//! use oras_content::{Cached, Pusher, ReadOnlyStorage, bytes_reader, fetch_all, memory};
//! use oras_spec::{Descriptor, media_type};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let source = memory::Store::new();
//! let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"hello");
//! source.push(&desc, bytes_reader(&b"hello"[..])).await?;
//!
//! let cached = Cached::new(source, Some(memory::Store::new()));
//! assert_eq!(fetch_all(&cached, &desc, 1024).await?, b"hello");
//! assert!(cached.cache().unwrap().exists(&desc).await?);
//! # Ok::<(), oras_content::Error>(())
//! # }).unwrap();
//! ```

use async_trait::async_trait;
use oras_spec::Descriptor;

use crate::error::{ErrorKind, Result};
use crate::reader::BlobReader;
use crate::storage::{
    Capabilities, Fetcher, PredecessorFinder, ReadOnlyGraphStorage, ReadOnlyStorage,
    ReferenceFetcher, ReferrerLister, Resolver, Storage, TagLister,
};

/// `source` with an optional cache in front (no cache: `source` as it
/// is, so a caller that caches only when configured keeps one type).
#[derive(Debug)]
pub struct Cached<S, C> {
    source: S,
    cache: Option<C>,
}

impl<S, C> Cached<S, C> {
    /// `source` behind `cache`.
    pub fn new(source: S, cache: Option<C>) -> Self {
        Cached { source, cache }
    }

    /// The source behind the cache.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The cache, if any.
    pub fn cache(&self) -> Option<&C> {
        self.cache.as_ref()
    }
}

/// Serves `desc` from `cache`, storing `fresh` (the source's stream) there
/// first unless it is already cached.
async fn through_cache<C: Storage + ?Sized>(
    cache: &C,
    desc: &Descriptor,
    fresh: BlobReader,
) -> Result<BlobReader> {
    match cache.push(desc, fresh).await {
        Ok(()) => {}
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
        Err(err) => return Err(err),
    }
    cache.fetch(desc).await
}

#[async_trait]
impl<S: Fetcher, C: Storage> Fetcher for Cached<S, C> {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        let Some(cache) = &self.cache else {
            return self.source.fetch(target).await;
        };
        if cache.exists(target).await? {
            return cache.fetch(target).await;
        }
        let fresh = self.source.fetch(target).await?;
        through_cache(cache, target, fresh).await
    }
}

#[async_trait]
impl<S, C> ReferenceFetcher for Cached<S, C>
where
    S: Fetcher + Resolver + Capabilities,
    C: Storage,
{
    async fn fetch_reference(&self, reference: &str) -> Result<(Descriptor, BlobReader)> {
        let Some(cache) = &self.cache else {
            return match self.source.as_reference_fetcher() {
                Some(fetcher) => fetcher.fetch_reference(reference).await,
                None => {
                    let desc = self.source.resolve(reference).await?;
                    let reader = self.source.fetch(&desc).await?;
                    Ok((desc, reader))
                }
            };
        };
        let (desc, fresh) = match self.source.as_reference_fetcher() {
            Some(fetcher) => fetcher.fetch_reference(reference).await?,
            None => {
                let desc = self.source.resolve(reference).await?;
                if cache.exists(&desc).await? {
                    let reader = cache.fetch(&desc).await?;
                    return Ok((desc, reader));
                }
                let reader = self.source.fetch(&desc).await?;
                (desc, reader)
            }
        };
        if cache.exists(&desc).await? {
            drop(fresh);
            let reader = cache.fetch(&desc).await?;
            return Ok((desc, reader));
        }
        let reader = through_cache(cache, &desc, fresh).await?;
        Ok((desc, reader))
    }
}

/// Existence is the source's: the cache may hold content the source lost.
#[async_trait]
impl<S, C> ReadOnlyStorage for Cached<S, C>
where
    S: ReadOnlyGraphStorage + Resolver,
    C: Storage,
{
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.source.exists(target).await
    }
}

#[async_trait]
impl<S: Resolver, C: Send + Sync> Resolver for Cached<S, C> {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.source.resolve(reference).await
    }
}

#[async_trait]
impl<S: PredecessorFinder, C: Send + Sync> PredecessorFinder for Cached<S, C> {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.source.predecessors(node).await
    }
}

impl<S, C> Capabilities for Cached<S, C>
where
    S: ReadOnlyGraphStorage + Resolver,
    C: Storage,
{
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        Some(self)
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        self.source.as_tag_lister()
    }
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        self.source.as_referrer_lister()
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Deleter, Pusher, Tagger};
    use crate::{bytes_reader, fetch_all, memory, read_all};
    use oras_spec::media_type;

    async fn source_with(data: &'static [u8]) -> (memory::Store, Descriptor) {
        let store = memory::Store::new();
        let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, data);
        store.push(&desc, bytes_reader(data)).await.unwrap();
        (store, desc)
    }

    #[tokio::test]
    async fn fetched_content_lands_in_the_cache_and_is_served_from_it() {
        let (source, desc) = source_with(b"hello").await;
        let cached = Cached::new(source, Some(memory::Store::new()));
        assert_eq!(fetch_all(&cached, &desc, 1024).await.unwrap(), b"hello");
        assert!(cached.cache().unwrap().exists(&desc).await.unwrap());

        // Gone from the source, still served from the cache; existence is
        // the source's.
        cached.source().delete(&desc).await.unwrap();
        assert_eq!(fetch_all(&cached, &desc, 1024).await.unwrap(), b"hello");
        assert!(!cached.exists(&desc).await.unwrap());
    }

    #[tokio::test]
    async fn a_failed_fetch_caches_nothing() {
        let (source, _) = source_with(b"hello").await;
        // The source does not have it: the error is the source's, and
        // the cache keeps nothing.
        let wrong = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"other");
        let cached = Cached::new(source, Some(memory::Store::new()));
        assert!(fetch_all(&cached, &wrong, 1024).await.is_err());
        assert!(!cached.cache().unwrap().exists(&wrong).await.unwrap());
    }

    #[tokio::test]
    async fn reference_fetch_resolves_at_the_source() {
        let source = memory::Store::new();
        let body: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        let desc = Descriptor::from_bytes(media_type::IMAGE_INDEX, body);
        source.push(&desc, bytes_reader(body)).await.unwrap();
        source.tag(&desc, "v1").await.unwrap();
        let cached = Cached::new(source, Some(memory::Store::new()));
        let (got, reader) = cached.fetch_reference("v1").await.unwrap();
        assert_eq!(got.digest, desc.digest);
        assert_eq!(read_all(reader, &got, 1 << 20).await.unwrap(), body);
        assert!(cached.cache().unwrap().exists(&desc).await.unwrap());
        // A second time it is served from the cache.
        let (_, reader) = cached.fetch_reference("v1").await.unwrap();
        assert_eq!(read_all(reader, &got, 1 << 20).await.unwrap(), body);
        assert!(cached.as_reference_fetcher().is_some());
        assert!(cached.as_predecessor_finder().is_some());
    }

    #[tokio::test]
    async fn without_a_cache_the_source_answers() {
        let (source, desc) = source_with(b"plain").await;
        let cached: Cached<memory::Store, memory::Store> = Cached::new(source, None);
        assert_eq!(fetch_all(&cached, &desc, 1024).await.unwrap(), b"plain");
        assert!(cached.cache().is_none());
    }
}
