//! [`TagListener`]: a write target that reports every tag it sets (Go
//! `internal/listener.NewTagListener`), so `push`, `tag`, `cp` and
//! `manifest push` print `Tagged <tag>` as each tag lands.

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Fetcher, Pusher, ReadOnlyStorage, ReferenceFetcher, ReferencePusher,
    Resolver, Result, Tagger, Target,
};
use oras_spec::Descriptor;

/// What to call for each tag: the node and the tag.
pub type OnTagged<'a> = Box<dyn Fn(&Descriptor, &str) + Send + Sync + 'a>;

/// Wraps a target; each successful [`Tagger::tag`] and
/// [`ReferencePusher::push_reference`] calls the callback.
pub struct TagListener<'a, T: ?Sized> {
    inner: &'a T,
    on_tagging: Option<OnTagged<'a>>,
    on_tagged: OnTagged<'a>,
}

impl<'a, T: Target + ?Sized> TagListener<'a, T> {
    /// `inner`, reporting tags to `on_tagged`.
    pub fn new(inner: &'a T, on_tagged: impl Fn(&Descriptor, &str) + Send + Sync + 'a) -> Self {
        TagListener {
            inner,
            on_tagging: None,
            on_tagged: Box::new(on_tagged),
        }
    }

    /// Also calls `on_tagging` before each tag is attempted (Go's
    /// `onTagging`, run before `PushReference`/`Tag`, so it shows even
    /// when the tag is then refused).
    pub fn with_on_tagging(
        mut self,
        on_tagging: impl Fn(&Descriptor, &str) + Send + Sync + 'a,
    ) -> Self {
        self.on_tagging = Some(Box::new(on_tagging));
        self
    }

    fn tagging(&self, desc: &Descriptor, reference: &str) {
        if let Some(on_tagging) = &self.on_tagging {
            on_tagging(desc, reference);
        }
    }
}

#[async_trait]
impl<T: Target + ?Sized> Fetcher for TagListener<'_, T> {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.inner.fetch(target).await
    }
}

#[async_trait]
impl<T: Target + ?Sized> Pusher for TagListener<'_, T> {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        self.inner.push(expected, content).await
    }
}

#[async_trait]
impl<T: Target + ?Sized> ReadOnlyStorage for TagListener<'_, T> {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.inner.exists(target).await
    }
}

#[async_trait]
impl<T: Target + ?Sized> Resolver for TagListener<'_, T> {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.inner.resolve(reference).await
    }
}

#[async_trait]
impl<T: Target + ?Sized> Tagger for TagListener<'_, T> {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        self.tagging(desc, reference);
        self.inner.tag(desc, reference).await?;
        (self.on_tagged)(desc, reference);
        Ok(())
    }
}

#[async_trait]
impl<T: Target + ?Sized> ReferencePusher for TagListener<'_, T> {
    async fn push_reference(
        &self,
        expected: &Descriptor,
        content: BlobReader,
        reference: &str,
    ) -> Result<()> {
        let Some(pusher) = self.inner.as_reference_pusher() else {
            return Err(oras_content::Error::Unsupported("push by reference".into()));
        };
        self.tagging(expected, reference);
        pusher.push_reference(expected, content, reference).await?;
        (self.on_tagged)(expected, reference);
        Ok(())
    }
}

impl<T: Target + ?Sized> Capabilities for TagListener<'_, T> {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        self.inner.as_reference_fetcher()
    }
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        self.inner
            .as_reference_pusher()
            .map(|_| self as &dyn ReferencePusher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_content::memory;
    use std::sync::Mutex;

    #[tokio::test]
    async fn reports_each_tag() {
        let store = memory::Store::new();
        let body: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        let desc = oras_copy::push_bytes(
            &store,
            oras_spec::media_type::IMAGE_INDEX,
            bytes::Bytes::from_static(body),
        )
        .await
        .unwrap();
        let seen = Mutex::new(Vec::new());
        let listener = TagListener::new(&store, |_, tag| seen.lock().unwrap().push(tag.to_owned()));
        oras_copy::tag_n(
            &listener,
            &desc.digest.to_string(),
            &["a", "b"],
            &oras_copy::TagNOptions::default(),
        )
        .await
        .unwrap();
        drop(listener);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, ["a", "b"]);
    }
}
