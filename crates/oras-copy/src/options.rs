//! Options of the copy functions and the hooks they call, after oras-go's
//! `CopyGraphOptions`, `CopyOptions` and `ExtendedCopyGraphOptions`.
//!
//! Hooks are shared closures so options can be cloned and composed (as
//! [`CopyOptions::with_target_platform`] wraps `map_root`). Each hook
//! returns an `oras_content::Result`; an error ends the copy and is passed
//! through as [`crate::Error::Content`], as oras-go passes hook errors
//! through unwrapped. The `with_*` methods accept plain closures.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use oras_content::{Fetcher, ReadOnlyGraphStorage, ReadOnlyStorage};
use oras_spec::Descriptor;

use crate::event::ProgressFn;

/// The default number of nodes copied at once (oras-go, dockerd, containerd).
pub const DEFAULT_CONCURRENCY: usize = 3;

/// Nodes of at most this many bytes are small by default (1 MiB): they
/// cost round trips more than bandwidth, and have a limit of their own.
pub const DEFAULT_SMALL_BLOB_SIZE: u64 = 1024 * 1024;

/// Small nodes copied at once, by default, per place of `concurrency`.
pub const SMALL_BLOB_CONCURRENCY_FACTOR: usize = 4;

/// What `pre_copy` decides for a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreCopyAction {
    /// Copy the node.
    Copy,
    /// Do not copy it, and do not call `post_copy` (oras-go `SkipNode`):
    /// the caller made it available another way.
    Skip,
}

/// A hook called with one node, answering `T`.
pub type HookOf<T> =
    Arc<dyn Fn(&Descriptor) -> BoxFuture<'static, oras_content::Result<T>> + Send + Sync>;
/// A hook called with one node.
pub type NodeHook = HookOf<()>;
/// The `pre_copy` hook.
pub type PreCopyHook = HookOf<PreCopyAction>;
/// The `mount_from` hook: candidate repositories to mount a blob from.
pub type MountFromHook = HookOf<Vec<String>>;
/// The `find_successors` hook. The fetcher caches manifests (up to
/// `max_metadata_bytes` each), so use it for manifests, not large blobs.
pub type FindSuccessorsHook = Arc<
    dyn for<'a> Fn(
            &'a dyn Fetcher,
            &'a Descriptor,
        ) -> BoxFuture<'a, oras_content::Result<Vec<Descriptor>>>
        + Send
        + Sync,
>;
/// The `find_predecessors` hook of extended copies.
pub type FindPredecessorsHook = Arc<
    dyn for<'a> Fn(
            &'a dyn ReadOnlyGraphStorage,
            &'a Descriptor,
        ) -> BoxFuture<'a, oras_content::Result<Vec<Descriptor>>>
        + Send
        + Sync,
>;
/// The `map_root` hook: maps the resolved root to the node actually copied.
pub type MapRootHook = Arc<
    dyn for<'a> Fn(
            &'a dyn ReadOnlyStorage,
            &'a Descriptor,
        ) -> BoxFuture<'a, oras_content::Result<Descriptor>>
        + Send
        + Sync,
>;

fn node_hook<F, Fut, T>(f: F) -> HookOf<T>
where
    F: Fn(Descriptor) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = oras_content::Result<T>> + Send + 'static,
    T: 'static,
{
    Arc::new(
        move |desc: &Descriptor| -> BoxFuture<'static, oras_content::Result<T>> {
            Box::pin(f(desc.clone()))
        },
    )
}

/// Options of [`crate::copy_graph`] (oras-go `CopyGraphOptions`).
#[derive(Clone, Default)]
pub struct CopyGraphOptions {
    /// Nodes copied at once; 0 means [`DEFAULT_CONCURRENCY`]. Small
    /// nodes (see `small_blob_size`) have a limit of their own.
    pub concurrency: usize,
    /// Nodes of at most this many bytes are small: they are limited by
    /// `small_blob_concurrency`, not `concurrency`. `None` means
    /// [`DEFAULT_SMALL_BLOB_SIZE`]; `Some(0)`: no node is small.
    pub small_blob_size: Option<u64>,
    /// Small nodes copied at once; 0 means
    /// [`SMALL_BLOB_CONCURRENCY_FACTOR`] × the effective `concurrency`.
    pub small_blob_concurrency: usize,
    /// Largest manifest kept in memory; 0 means 4 MiB
    /// ([`oras_content::MAX_METADATA_BYTES`]).
    pub max_metadata_bytes: u64,
    /// Check every manifest instead of skipping a sub-DAG whose root exists
    /// at the destination (the CLI's `--force`, `contentutil.TraversingTarget`):
    /// manifests are re-pushed and missing blobs under them are copied;
    /// blobs that exist are still not re-sent.
    pub force: bool,
    /// Called before a node is copied; may skip it.
    pub pre_copy: Option<PreCopyHook>,
    /// Called after a node is copied.
    pub post_copy: Option<NodeHook>,
    /// Called when a node exists at the destination and its sub-DAG is skipped.
    pub on_skipped: Option<NodeHook>,
    /// Candidate repositories of the destination's registry to mount a blob
    /// from; tried in turn, then a normal copy.
    pub mount_from: Option<MountFromHook>,
    /// Called when a blob was mounted.
    pub on_mounted: Option<NodeHook>,
    /// Replaces [`oras_content::successors`] to find a node's children.
    pub find_successors: Option<FindSuccessorsHook>,
    /// Receives a [`crate::CopyEvent`] for everything that happens.
    pub progress: Option<ProgressFn>,
}

impl CopyGraphOptions {
    /// Sets `concurrency`.
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Sets `pre_copy` from a closure.
    pub fn with_pre_copy<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Descriptor) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = oras_content::Result<PreCopyAction>> + Send + 'static,
    {
        self.pre_copy = Some(node_hook(f));
        self
    }

    /// Sets `post_copy` from a closure.
    pub fn with_post_copy<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Descriptor) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = oras_content::Result<()>> + Send + 'static,
    {
        self.post_copy = Some(node_hook(f));
        self
    }

    /// Sets `on_skipped` from a closure.
    pub fn with_on_skipped<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Descriptor) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = oras_content::Result<()>> + Send + 'static,
    {
        self.on_skipped = Some(node_hook(f));
        self
    }

    /// Sets `mount_from` from a closure.
    pub fn with_mount_from<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Descriptor) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = oras_content::Result<Vec<String>>> + Send + 'static,
    {
        self.mount_from = Some(node_hook(f));
        self
    }

    /// Sets `on_mounted` from a closure.
    pub fn with_on_mounted<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Descriptor) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = oras_content::Result<()>> + Send + 'static,
    {
        self.on_mounted = Some(node_hook(f));
        self
    }

    /// Sets `find_successors`; the closure returns a boxed future
    /// (`Box::pin(async move { … })`).
    pub fn with_find_successors<F>(mut self, f: F) -> Self
    where
        F: for<'a> Fn(
                &'a dyn Fetcher,
                &'a Descriptor,
            ) -> BoxFuture<'a, oras_content::Result<Vec<Descriptor>>>
            + Send
            + Sync
            + 'static,
    {
        self.find_successors = Some(Arc::new(f));
        self
    }

    /// Sets `progress` from a closure.
    pub fn with_progress<F>(mut self, f: F) -> Self
    where
        F: Fn(&crate::CopyEvent<'_>) + Send + Sync + 'static,
    {
        self.progress = Some(Arc::new(f));
        self
    }

    pub(crate) fn effective_concurrency(&self) -> usize {
        if self.concurrency == 0 {
            DEFAULT_CONCURRENCY
        } else {
            self.concurrency
        }
    }

    pub(crate) fn effective_small_blob_size(&self) -> u64 {
        self.small_blob_size.unwrap_or(DEFAULT_SMALL_BLOB_SIZE)
    }

    pub(crate) fn effective_small_blob_concurrency(&self) -> usize {
        if self.small_blob_concurrency == 0 {
            self.effective_concurrency()
                .saturating_mul(SMALL_BLOB_CONCURRENCY_FACTOR)
        } else {
            self.small_blob_concurrency
        }
    }

    pub(crate) fn effective_max_metadata_bytes(&self) -> u64 {
        if self.max_metadata_bytes == 0 {
            oras_content::MAX_METADATA_BYTES
        } else {
            self.max_metadata_bytes
        }
    }
}

impl fmt::Debug for CopyGraphOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CopyGraphOptions")
            .field("concurrency", &self.concurrency)
            .field("small_blob_size", &self.small_blob_size)
            .field("small_blob_concurrency", &self.small_blob_concurrency)
            .field("max_metadata_bytes", &self.max_metadata_bytes)
            .field("force", &self.force)
            .field("pre_copy", &self.pre_copy.is_some())
            .field("post_copy", &self.post_copy.is_some())
            .field("on_skipped", &self.on_skipped.is_some())
            .field("mount_from", &self.mount_from.is_some())
            .field("on_mounted", &self.on_mounted.is_some())
            .field("find_successors", &self.find_successors.is_some())
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Options of [`crate::copy`] (oras-go `CopyOptions`).
#[derive(Clone, Default)]
pub struct CopyOptions {
    /// The options of the graph copy.
    pub graph: CopyGraphOptions,
    /// Maps the resolved root to the node to copy (platform selection).
    pub map_root: Option<MapRootHook>,
}

impl CopyOptions {
    /// Copy options around `graph`.
    pub fn new(graph: CopyGraphOptions) -> Self {
        CopyOptions {
            graph,
            map_root: None,
        }
    }

    /// Sets `map_root`; the closure returns a boxed future.
    pub fn with_map_root<F>(mut self, f: F) -> Self
    where
        F: for<'a> Fn(
                &'a dyn ReadOnlyStorage,
                &'a Descriptor,
            ) -> BoxFuture<'a, oras_content::Result<Descriptor>>
            + Send
            + Sync
            + 'static,
    {
        self.map_root = Some(Arc::new(f));
        self
    }
}

impl fmt::Debug for CopyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CopyOptions")
            .field("graph", &self.graph)
            .field("map_root", &self.map_root.is_some())
            .finish()
    }
}

/// Options of [`crate::extended_copy_graph`] and [`crate::extended_copy`]
/// (oras-go `ExtendedCopyGraphOptions`).
#[derive(Clone)]
pub struct ExtendedCopyGraphOptions {
    /// The options of the graph copies.
    pub graph: CopyGraphOptions,
    /// How many levels of predecessors to follow; 0 means no limit.
    pub depth: usize,
    /// Finds the predecessors of a node; `None` means the source's
    /// [`oras_content::PredecessorFinder::predecessors`]. See
    /// [`crate::referrers_finder`] for the CLI's choice.
    pub find_predecessors: Option<FindPredecessorsHook>,
    /// When the start node is an index (or Docker manifest list), also copy
    /// the predecessors of its child manifests, as `oras cp -r` does
    /// (oras#1728). On by default; set to `false` for oras-go's library
    /// behaviour.
    pub index_child_referrers: bool,
}

/// The options of [`crate::extended_copy`]: the same as for the graph form.
pub type ExtendedCopyOptions = ExtendedCopyGraphOptions;

impl Default for ExtendedCopyGraphOptions {
    fn default() -> Self {
        ExtendedCopyGraphOptions {
            graph: CopyGraphOptions::default(),
            depth: 0,
            find_predecessors: None,
            index_child_referrers: true,
        }
    }
}

impl ExtendedCopyGraphOptions {
    /// Extended-copy options around `graph`.
    pub fn new(graph: CopyGraphOptions) -> Self {
        ExtendedCopyGraphOptions {
            graph,
            ..ExtendedCopyGraphOptions::default()
        }
    }

    /// Sets `find_predecessors`; the closure returns a boxed future.
    pub fn with_find_predecessors<F>(mut self, f: F) -> Self
    where
        F: for<'a> Fn(
                &'a dyn ReadOnlyGraphStorage,
                &'a Descriptor,
            ) -> BoxFuture<'a, oras_content::Result<Vec<Descriptor>>>
            + Send
            + Sync
            + 'static,
    {
        self.find_predecessors = Some(Arc::new(f));
        self
    }
}

impl fmt::Debug for ExtendedCopyGraphOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtendedCopyGraphOptions")
            .field("graph", &self.graph)
            .field("depth", &self.depth)
            .field("find_predecessors", &self.find_predecessors.is_some())
            .field("index_child_referrers", &self.index_child_referrers)
            .finish()
    }
}
