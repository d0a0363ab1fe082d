//! The storage traits, with oras-go's names (`content` package for the
//! storage capabilities, the root package for targets, `registry` for the
//! registry-level capabilities), so a reader can look across both code bases.
//!
//! Every trait is object safe: the CLI picks a store at run time and holds
//! it as `Arc<dyn GraphTarget>`. Where Go code asks "is this store also a
//! `Mounter`?" with a type assertion, Rust code asks
//! [`Capabilities::as_mounter`] and friends, which stores override to
//! return themselves.

use async_trait::async_trait;
use oras_spec::Descriptor;

use crate::error::Result;
use crate::reader::BlobReader;

/// Fetches content by descriptor.
#[async_trait]
pub trait Fetcher: Send + Sync {
    /// A stream of the content `target` describes. The stream is not
    /// verified; wrap it in [`crate::VerifyReader`] or use
    /// [`crate::fetch_all`] when the caller needs that.
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader>;
}

/// Pushes content by descriptor.
#[async_trait]
pub trait Pusher: Send + Sync {
    /// Stores `content`, which must match `expected` in size and digest;
    /// content that does not is refused and nothing is kept. Content that
    /// already exists gives [`crate::ErrorKind::AlreadyExists`].
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()>;
}

/// Optional capabilities a store may also have: the Rust form of Go's
/// type assertions. Each default answers `None`.
pub trait Capabilities {
    /// This store as a [`ReferenceFetcher`], if it is one.
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        None
    }
    /// This store as a [`ReferencePusher`], if it is one.
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        None
    }
    /// This store as a [`Mounter`], if it is one.
    fn as_mounter(&self) -> Option<&dyn Mounter> {
        None
    }
    /// This store as a [`Deleter`], if it is one.
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        None
    }
    /// This store as an [`Untagger`], if it is one.
    fn as_untagger(&self) -> Option<&dyn Untagger> {
        None
    }
    /// This store as a [`TagLister`], if it is one.
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        None
    }
    /// This store as a [`ReferrerLister`], if it is one.
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        None
    }
    /// This store as a [`PredecessorFinder`], if it is one.
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        None
    }
}

/// Reads content and tells whether it exists.
#[async_trait]
pub trait ReadOnlyStorage: Fetcher + Capabilities {
    /// Whether content matching `target` exists.
    async fn exists(&self, target: &Descriptor) -> Result<bool>;
}

/// Reads and writes content (oras-go `content.Storage`).
pub trait Storage: ReadOnlyStorage + Pusher {}
impl<T: ReadOnlyStorage + Pusher + ?Sized> Storage for T {}

/// Resolves a reference (a tag, or a digest) to a descriptor.
#[async_trait]
pub trait Resolver: Send + Sync {
    /// The descriptor `reference` names.
    async fn resolve(&self, reference: &str) -> Result<Descriptor>;
}

/// Tags existing content with a reference.
#[async_trait]
pub trait Tagger: Send + Sync {
    /// Points `reference` at `desc`, which must exist.
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()>;
}

/// Both [`Tagger`] and [`Resolver`].
pub trait TagResolver: Tagger + Resolver {}
impl<T: Tagger + Resolver + ?Sized> TagResolver for T {}

/// Removes a tag, leaving the content.
#[async_trait]
pub trait Untagger: Send + Sync {
    /// Removes `reference`, which must be a tag, not a digest.
    async fn untag(&self, reference: &str) -> Result<()>;
}

/// Deletes content.
#[async_trait]
pub trait Deleter: Send + Sync {
    /// Deletes the content `target` describes.
    async fn delete(&self, target: &Descriptor) -> Result<()>;
}

/// Finds the nodes that point at a node (its predecessors, e.g. the
/// manifests that list a blob, or the referrers of a subject).
#[async_trait]
pub trait PredecessorFinder: Send + Sync {
    /// The nodes that directly point at `node`.
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>>;
}

/// Reads content and knows predecessors.
pub trait ReadOnlyGraphStorage: ReadOnlyStorage + PredecessorFinder {}
impl<T: ReadOnlyStorage + PredecessorFinder + ?Sized> ReadOnlyGraphStorage for T {}

/// Reads and writes content and knows predecessors.
pub trait GraphStorage: Storage + PredecessorFinder {}
impl<T: Storage + PredecessorFinder + ?Sized> GraphStorage for T {}

/// Something a copy can read from (oras-go `oras.ReadOnlyTarget`).
pub trait ReadOnlyTarget: ReadOnlyStorage + Resolver {}
impl<T: ReadOnlyStorage + Resolver + ?Sized> ReadOnlyTarget for T {}

/// Something a copy can read from, with predecessors (`oras.ReadOnlyGraphTarget`).
pub trait ReadOnlyGraphTarget: ReadOnlyGraphStorage + Resolver {}
impl<T: ReadOnlyGraphStorage + Resolver + ?Sized> ReadOnlyGraphTarget for T {}

/// Something a copy can write to (oras-go `oras.Target`).
pub trait Target: Storage + TagResolver {}
impl<T: Storage + TagResolver + ?Sized> Target for T {}

/// Something a copy can write to, with predecessors (`oras.GraphTarget`).
pub trait GraphTarget: GraphStorage + TagResolver {}
impl<T: GraphStorage + TagResolver + ?Sized> GraphTarget for T {}

/// Fetches a manifest by reference in one step (a registry's `GET
/// /manifests/<ref>`), instead of resolve-then-fetch.
#[async_trait]
pub trait ReferenceFetcher: Send + Sync {
    /// The descriptor `reference` names and its content.
    async fn fetch_reference(&self, reference: &str) -> Result<(Descriptor, BlobReader)>;
}

/// Pushes a manifest and tags it in one step (a registry's `PUT
/// /manifests/<tag>`).
#[async_trait]
pub trait ReferencePusher: Send + Sync {
    /// Stores `content` as `expected` under `reference`.
    async fn push_reference(
        &self,
        expected: &Descriptor,
        content: BlobReader,
        reference: &str,
    ) -> Result<()>;
}

/// Lists tags.
#[async_trait]
pub trait TagLister: Send + Sync {
    /// Every tag sorted as the store keeps them, starting after `last`
    /// when given (pagination as in the distribution spec's `last`).
    async fn tags(&self, last: Option<&str>) -> Result<Vec<String>>;
}

/// Lists the referrers of a subject (the distribution spec's referrers API
/// or an equivalent).
#[async_trait]
pub trait ReferrerLister: Send + Sync {
    /// The manifests whose `subject` is `subject`, filtered by
    /// `artifact_type` when given.
    async fn referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>>;
}

/// Mounts a blob from another repository of the same registry.
#[async_trait]
pub trait Mounter: Send + Sync {
    /// Asks the registry to make `desc` from `from_repository` available
    /// here. `Ok(true)` when it did; `Ok(false)` when the registry declined
    /// (it answered with a new upload instead), so the caller copies the
    /// blob normally.
    async fn mount(&self, desc: &Descriptor, from_repository: &str) -> Result<bool>;
}
