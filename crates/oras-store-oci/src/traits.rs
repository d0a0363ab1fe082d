//! The `oras-content` storage traits for [`Store`], each a thin shell
//! over the store's own methods, mapping errors onto the shared kinds.

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Deleter, Fetcher, PredecessorFinder, Pusher, ReadOnlyStorage,
    Resolver, Result, TagLister, Tagger, Untagger,
};
use oras_spec::Descriptor;

use crate::store::Store;

#[async_trait]
impl Fetcher for Store {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        let _shared = self.sync.read().await;
        Ok(self.source.fetch(target).await?)
    }
}

#[async_trait]
impl Pusher for Store {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        Ok(self.push_inner(expected, content).await?)
    }
}

#[async_trait]
impl ReadOnlyStorage for Store {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        let _shared = self.sync.read().await;
        Ok(self.source.exists(&target.digest).await?)
    }
}

#[async_trait]
impl Resolver for Store {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        Ok(self.resolve_inner(reference).await?)
    }
}

#[async_trait]
impl Tagger for Store {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        Ok(self.tag_inner(desc, reference).await?)
    }
}

#[async_trait]
impl Untagger for Store {
    async fn untag(&self, reference: &str) -> Result<()> {
        Ok(self.untag_inner(reference).await?)
    }
}

#[async_trait]
impl Deleter for Store {
    async fn delete(&self, target: &Descriptor) -> Result<()> {
        Ok(self.delete_inner(target).await?)
    }
}

#[async_trait]
impl PredecessorFinder for Store {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        let _shared = self.sync.read().await;
        Ok(self.catalog().graph.predecessors(node))
    }
}

#[async_trait]
impl TagLister for Store {
    async fn tags(&self, last: Option<&str>) -> Result<Vec<String>> {
        let _shared = self.sync.read().await;
        Ok(self.catalog().tags.tags(last))
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
