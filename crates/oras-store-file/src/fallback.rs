//! Where a file store keeps untitled content (manifests, configs): its
//! own size-limited memory store (oras-go `file.New`,
//! `NewWithFallbackLimit`), or a storage the caller gives (oras-go
//! `file.NewWithFallbackStorage`).

use std::sync::Arc;

use oras_content::{BlobReader, Fetcher, Limited, Pusher, ReadOnlyStorage, Resolver, memory};
use oras_spec::Descriptor;

/// The storage of untitled content.
pub(crate) enum Fallback {
    /// The store's own memory store, refusing pushes over its limit.
    Memory(Limited<memory::Store>),
    /// The caller's storage.
    Given(Arc<dyn oras_content::Storage>),
}

impl Fallback {
    pub(crate) async fn fetch(&self, target: &Descriptor) -> oras_content::Result<BlobReader> {
        match self {
            Fallback::Memory(store) => store.fetch(target).await,
            Fallback::Given(storage) => storage.fetch(target).await,
        }
    }

    pub(crate) async fn push(
        &self,
        expected: &Descriptor,
        content: BlobReader,
    ) -> oras_content::Result<()> {
        match self {
            Fallback::Memory(store) => store.push(expected, content).await,
            Fallback::Given(storage) => storage.push(expected, content).await,
        }
    }

    pub(crate) async fn exists(&self, target: &Descriptor) -> oras_content::Result<bool> {
        match self {
            Fallback::Memory(store) => store.exists(target).await,
            Fallback::Given(storage) => storage.exists(target).await,
        }
    }

    /// The descriptor of a digest reference the memory store holds; a
    /// given storage cannot resolve (it has descriptors, not references).
    pub(crate) async fn resolve(&self, reference: &str) -> oras_content::Result<Descriptor> {
        match self {
            Fallback::Memory(store) => store.resolve(reference).await,
            Fallback::Given(_) => Err(oras_content::Error::NotFound(reference.to_owned())),
        }
    }
}
