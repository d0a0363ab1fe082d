//! A caching view of the source (oras-go `internal/cas.Proxy` with a push
//! limit): manifests fetched to find successors are kept in memory, each
//! at most the metadata limit, so each is fetched once and pushed from
//! memory. Blobs pass through as streams and are never cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use oras_content::{
    BlobReader, Capabilities, Deleter, Fetcher, Mounter, PredecessorFinder, ReadOnlyStorage,
    ReferenceFetcher, ReferencePusher, ReferrerLister, TagLister, Untagger, bytes_reader, read_all,
};
use oras_spec::{Descriptor, DescriptorKey};

/// A caching view of `src`.
pub(crate) struct Proxy<'a, S: ?Sized> {
    src: &'a S,
    cache: Mutex<HashMap<DescriptorKey, Bytes>>,
    limit: u64,
    caching: AtomicBool,
}

impl<'a, S: ?Sized> Proxy<'a, S> {
    /// A view of `src` caching content of at most `limit` bytes.
    pub(crate) fn new(src: &'a S, limit: u64) -> Self {
        Proxy {
            src,
            cache: Mutex::new(HashMap::new()),
            limit,
            caching: AtomicBool::new(true),
        }
    }

    /// The wrapped source.
    pub(crate) fn source(&self) -> &'a S {
        self.src
    }

    /// Whether fetches through this view add to the cache (oras-go
    /// `StopCaching`, set while `MapRoot` runs).
    pub(crate) fn set_caching(&self, caching: bool) {
        self.caching.store(caching, Ordering::SeqCst);
    }

    /// The cached content of `desc`, if any.
    pub(crate) fn cached(&self, desc: &Descriptor) -> Option<Bytes> {
        self.lock().get(&desc.key()).cloned()
    }

    /// Keeps verified `content` of `desc` if it is within the limit.
    pub(crate) fn insert(&self, desc: &Descriptor, content: Bytes) {
        if content.len() as u64 <= self.limit {
            self.lock().insert(desc.key(), content);
        }
    }

    /// Drops `desc` from the cache once it has been copied.
    pub(crate) fn evict(&self, desc: &Descriptor) {
        self.lock().remove(&desc.key());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DescriptorKey, Bytes>> {
        // The map is valid even if a panic poisoned the lock.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<S: Fetcher + ?Sized> Proxy<'_, S> {
    /// Content from the cache if there, else a stream from the source,
    /// without caching (oras-go `FetchCached`).
    pub(crate) async fn fetch_cached(&self, desc: &Descriptor) -> oras_content::Result<BlobReader> {
        match self.cached(desc) {
            Some(content) => Ok(bytes_reader(content)),
            None => self.src.fetch(desc).await,
        }
    }
}

#[async_trait]
impl<S: Fetcher + ?Sized> Fetcher for Proxy<'_, S> {
    async fn fetch(&self, target: &Descriptor) -> oras_content::Result<BlobReader> {
        if let Some(content) = self.cached(target) {
            return Ok(bytes_reader(content));
        }
        let reader = self.src.fetch(target).await?;
        if !self.caching.load(Ordering::SeqCst) || target.size > self.limit {
            return Ok(reader);
        }
        let content = Bytes::from(read_all(reader, target, self.limit).await?);
        self.insert(target, content.clone());
        Ok(bytes_reader(content))
    }
}

#[async_trait]
impl<S: ReadOnlyStorage + ?Sized> ReadOnlyStorage for Proxy<'_, S> {
    async fn exists(&self, target: &Descriptor) -> oras_content::Result<bool> {
        if self.cached(target).is_some() {
            return Ok(true);
        }
        self.src.exists(target).await
    }
}

#[async_trait]
impl<S: PredecessorFinder + ?Sized> PredecessorFinder for Proxy<'_, S> {
    async fn predecessors(&self, node: &Descriptor) -> oras_content::Result<Vec<Descriptor>> {
        self.src.predecessors(node).await
    }
}

impl<S: ReadOnlyStorage + ?Sized> Capabilities for Proxy<'_, S> {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        self.src.as_reference_fetcher()
    }
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        self.src.as_reference_pusher()
    }
    fn as_mounter(&self) -> Option<&dyn Mounter> {
        self.src.as_mounter()
    }
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        self.src.as_deleter()
    }
    fn as_untagger(&self) -> Option<&dyn Untagger> {
        self.src.as_untagger()
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        self.src.as_tag_lister()
    }
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        self.src.as_referrer_lister()
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        self.src.as_predecessor_finder()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_content::{Pusher, fetch_all, memory};
    use oras_spec::media_type;

    #[tokio::test]
    async fn caches_within_limit_and_passes_larger_content_through() {
        let store = memory::Store::new();
        let small = Descriptor::from_bytes(media_type::IMAGE_CONFIG, b"{}");
        let large = Descriptor::from_bytes(media_type::IMAGE_LAYER, &[1u8; 64]);
        store.push(&small, bytes_reader(&b"{}"[..])).await.unwrap();
        store
            .push(&large, bytes_reader(vec![1u8; 64]))
            .await
            .unwrap();
        let proxy = Proxy::new(&store, 16);
        assert_eq!(fetch_all(&proxy, &small, 16).await.unwrap(), b"{}");
        assert!(proxy.cached(&small).is_some());
        assert_eq!(fetch_all(&proxy, &large, 64).await.unwrap().len(), 64);
        assert!(proxy.cached(&large).is_none());
        proxy.evict(&small);
        assert!(proxy.cached(&small).is_none());
        proxy.set_caching(false);
        fetch_all(&proxy, &small, 16).await.unwrap();
        assert!(proxy.cached(&small).is_none());
    }
}
