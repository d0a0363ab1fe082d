//! [`Union`]: several read targets seen as one (Go
//! `contentutil.MultiReadOnlyTarget`), e.g. push's in-memory manifest
//! store in front of the file store, so a copy reads the packed manifest
//! and the files as one source.

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, ErrorKind, Fetcher, ReadOnlyStorage, ReadOnlyTarget, Resolver, Result,
};
use oras_spec::Descriptor;

/// Targets read in order: the first that has the content serves it.
pub struct Union<'a> {
    targets: Vec<&'a dyn ReadOnlyTarget>,
}

impl<'a> Union<'a> {
    /// The union of `targets`, asked in this order.
    pub fn new(targets: Vec<&'a dyn ReadOnlyTarget>) -> Self {
        Union { targets }
    }
}

#[async_trait]
impl Fetcher for Union<'_> {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        let mut last = None;
        for store in &self.targets {
            match store.fetch(target).await {
                Ok(reader) => return Ok(reader),
                Err(err) if err.kind() == ErrorKind::NotFound => last = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last.unwrap_or_else(|| oras_content::Error::NotFound(target.digest.to_string())))
    }
}

#[async_trait]
impl ReadOnlyStorage for Union<'_> {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        for store in &self.targets {
            if store.exists(target).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[async_trait]
impl Resolver for Union<'_> {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        let mut last = None;
        for store in &self.targets {
            match store.resolve(reference).await {
                Ok(desc) => return Ok(desc),
                Err(err) if err.kind() == ErrorKind::NotFound => last = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last.unwrap_or_else(|| oras_content::Error::NotFound(reference.to_owned())))
    }
}

impl Capabilities for Union<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_content::{Tagger, fetch_all, memory};

    #[tokio::test]
    async fn first_store_with_the_content_serves_it() {
        let a = memory::Store::new();
        let b = memory::Store::new();
        let only_b = oras_copy::push_bytes(&b, "text/plain", bytes::Bytes::from_static(b"b"))
            .await
            .unwrap();
        b.tag(&only_b, "t").await.unwrap();
        let union = Union::new(vec![&a, &b]);
        assert_eq!(fetch_all(&union, &only_b, 10).await.unwrap(), b"b");
        assert!(union.exists(&only_b).await.unwrap());
        assert_eq!(union.resolve("t").await.unwrap().digest, only_b.digest);
        let missing = Descriptor::from_bytes("text/plain", b"zz");
        assert!(!union.exists(&missing).await.unwrap());
        assert_eq!(
            union.fetch(&missing).await.err().unwrap().kind(),
            ErrorKind::NotFound
        );
    }
}
