//! `ORAS_CACHE=<dir>`: an OCI layout in front of a read target (Go
//! `internal/cache/target.go`), used by pull, blob fetch, manifest fetch
//! and fetch-config.
//!
//! * Content already in the cache is served from it, without asking the
//!   source.
//! * Content fetched from the source is stored in the cache first (the
//!   layout store verifies size and digest while it writes, and keeps
//!   nothing on a mismatch), then served from the cache. The Go CLI tees
//!   the stream into the cache as the caller reads; storing first is
//!   simpler and never keeps unverified bytes, at the cost of the caller's
//!   progress starting only once the blob is in the cache.
//! * Tags are resolved by the source (the cache holds content, not tags);
//!   a reference fetch asks the source, then serves the cached copy when
//!   there is one.

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, ErrorKind, Fetcher, PredecessorFinder, Pusher, ReadOnlyStorage,
    ReferenceFetcher, ReferrerLister, Resolver, Result, TagLister,
};
use oras_spec::Descriptor;

use super::target::{ReadTarget, open_read_target};
use crate::context::Context;
use crate::error::{CliError, quote};
use crate::options::Target;

/// The environment variable naming the cache directory.
pub const CACHE_ENV: &str = "ORAS_CACHE";

/// A read target, with the `ORAS_CACHE` layout in front when set.
#[derive(Debug)]
pub struct CachedTarget {
    source: ReadTarget,
    cache: Option<oras_store_oci::Store>,
}

/// Opens `target` for reading, behind the cache `ORAS_CACHE` names (none
/// when unset or empty). The cache directory is created when missing.
pub async fn open_cached_read_target(
    target: &Target,
    ctx: &Context,
) -> anyhow::Result<CachedTarget> {
    let source = open_read_target(target, ctx).await?;
    Ok(CachedTarget::new(source, open_cache().await?))
}

impl CachedTarget {
    /// `source` behind `cache` (no cache: `source` as it is).
    pub fn new(source: ReadTarget, cache: Option<oras_store_oci::Store>) -> Self {
        CachedTarget { source, cache }
    }

    /// The target behind the cache.
    pub fn source(&self) -> &ReadTarget {
        &self.source
    }

    /// The cache, when `ORAS_CACHE` is set.
    pub fn cache(&self) -> Option<&oras_store_oci::Store> {
        self.cache.as_ref()
    }

    /// Serves `desc` from `cache`, storing `fresh` (the source's stream)
    /// there first unless it is already cached.
    async fn through_cache(
        cache: &oras_store_oci::Store,
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
}

#[async_trait]
impl Fetcher for CachedTarget {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        let Some(cache) = &self.cache else {
            return self.source.fetch(target).await;
        };
        if cache.exists(target).await? {
            return cache.fetch(target).await;
        }
        let fresh = self.source.fetch(target).await?;
        Self::through_cache(cache, target, fresh).await
    }
}

#[async_trait]
impl ReferenceFetcher for CachedTarget {
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
        let reader = Self::through_cache(cache, &desc, fresh).await?;
        Ok((desc, reader))
    }
}

#[async_trait]
impl ReadOnlyStorage for CachedTarget {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.source.exists(target).await
    }
}

#[async_trait]
impl Resolver for CachedTarget {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.source.resolve(reference).await
    }
}

#[async_trait]
impl PredecessorFinder for CachedTarget {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.source.predecessors(node).await
    }
}

impl Capabilities for CachedTarget {
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

/// The `ORAS_CACHE` layout, when set. ([`open_cached_read_target`] opens
/// it together with the source; blob commands open their registry source
/// themselves, to keep the registry for the blob `HEAD`.)
pub async fn open_cache() -> anyhow::Result<Option<oras_store_oci::Store>> {
    match std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(Some(oras_store_oci::Store::open(&dir).await.map_err(
            |err| {
                CliError::new(format!(
                    "failed to open the cache {}: {err}",
                    quote(&dir.to_string_lossy())
                ))
            },
        )?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_content::{Tagger, bytes_reader, fetch_all};
    use oras_spec::media_type;

    async fn layout_with(dir: &std::path::Path, data: &'static [u8]) -> Descriptor {
        let store = oras_store_oci::Store::open(dir).await.unwrap();
        let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, data);
        store.push(&desc, bytes_reader(data)).await.unwrap();
        desc
    }

    #[tokio::test]
    async fn fetched_content_lands_in_the_cache_and_is_served_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let source_dir = dir.path().join("source");
        let desc = layout_with(&source_dir, b"hello").await;
        let source = ReadTarget::Layout(
            oras_store_oci::ReadOnlyStore::open(&source_dir)
                .await
                .unwrap(),
        );
        let cache = oras_store_oci::Store::open(dir.path().join("cache"))
            .await
            .unwrap();
        let cached = CachedTarget::new(source, Some(cache));
        assert_eq!(fetch_all(&cached, &desc, 1024).await.unwrap(), b"hello");
        let cache = cached.cache().unwrap();
        assert!(cache.exists(&desc).await.unwrap());

        // Gone from the source, still served from the cache.
        std::fs::remove_file(source_dir.join("blobs/sha256").join(desc.digest.encoded())).unwrap();
        assert_eq!(fetch_all(&cached, &desc, 1024).await.unwrap(), b"hello");
    }

    #[tokio::test]
    async fn reference_fetch_resolves_at_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let source_dir = dir.path().join("source");
        let store = oras_store_oci::Store::open(&source_dir).await.unwrap();
        let body: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        let desc = Descriptor::from_bytes(media_type::IMAGE_INDEX, body);
        store.push(&desc, bytes_reader(body)).await.unwrap();
        store.tag(&desc, "v1").await.unwrap();
        drop(store);
        let source = ReadTarget::Layout(
            oras_store_oci::ReadOnlyStore::open(&source_dir)
                .await
                .unwrap(),
        );
        let cache = oras_store_oci::Store::open(dir.path().join("cache"))
            .await
            .unwrap();
        let cached = CachedTarget::new(source, Some(cache));
        let (got, reader) = cached.fetch_reference("v1").await.unwrap();
        assert_eq!(got.digest, desc.digest);
        assert_eq!(
            oras_content::read_all(reader, &got, 1 << 20).await.unwrap(),
            body
        );
        assert!(cached.cache().unwrap().exists(&desc).await.unwrap());
    }
}
