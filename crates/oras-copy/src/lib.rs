//! Copy, extended copy, pack and tag for ORAS: the high-level operations of
//! oras-go's root package, generic over the storage traits of
//! [`oras_content`], so they work between any two stores (memory, OCI
//! layout, file store, registry) without knowing which.
//!
//! # Design
//!
//! - [`copy_graph`] walks the graph from a root: each node is handled once
//!   even when shared (a single flight per descriptor), children before
//!   parents so the root lands last, a sub-DAG is skipped when its root
//!   exists at the destination (unless [`CopyGraphOptions::force`]), and
//!   foreign layers are left out. At most `concurrency` nodes (3 by
//!   default) work at once, and small ones (≤ 1 MiB) up to 4 × that of
//!   their own; a parent gives its place back while it waits for its
//!   children, so the limits never deadlock.
//! - Manifests are fetched once into a cache (each at most 4 MiB) to find
//!   successors, and pushed from there; blobs stream from source to
//!   destination and are never held whole.
//! - [`copy`] resolves a reference first (one `GET` on a registry), may map
//!   the root to a platform ([`CopyOptions::with_target_platform`]), and
//!   tags the root at the end, by `PUT` on a registry, even if it existed.
//! - [`extended_copy`] also copies the predecessors (referrers) of a node,
//!   to a depth, filtered by artifact type or annotation.
//! - Hooks ([`CopyGraphOptions`]) and [`CopyEvent`]s report what happens;
//!   the library never prints.
//! - Failures of a storage step are [`CopyError`]s naming the step and
//!   side, as oras-go words them; [`Error::kind`] gives the shared
//!   [`oras_content::ErrorKind`].
//!
//! All the work of one call runs as futures within the caller's task: the
//! stores are borrowed, not shared, and dropping the future stops every
//! transfer.
//!
//! # Example
//!
//! ```
//! use bytes::Bytes;
//! use oras_content::{Resolver, memory};
//! use oras_copy::{
//!     CopyEvent, CopyGraphOptions, CopyOptions, PackManifestOptions, PackManifestVersion,
//!     copy, pack_manifest, push_bytes,
//! };
//! use oras_spec::media_type;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let src = memory::Store::new();
//! let layer = push_bytes(&src, media_type::IMAGE_LAYER, Bytes::from_static(b"hello")).await?;
//! let opts = PackManifestOptions { layers: vec![layer], ..Default::default() };
//! let manifest =
//!     pack_manifest(&src, PackManifestVersion::V1_1, "application/vnd.example", &opts).await?;
//! oras_content::Tagger::tag(&src, &manifest, "v1").await?;
//!
//! let dst = memory::Store::new();
//! let graph = CopyGraphOptions::default().with_progress(|event| {
//!     if let CopyEvent::Done(desc) = event {
//!         println!("copied {}", desc.digest);
//!     }
//! });
//! let root = copy(&src, "v1", &dst, "", &CopyOptions::new(graph)).await?;
//! assert_eq!(root.digest, manifest.digest);
//! assert_eq!(dst.resolve("v1").await?.digest, manifest.digest);
//! assert_eq!(dst.len(), 3); // the layer, the empty config, the manifest
//! # Ok::<(), oras_copy::Error>(())
//! # }).unwrap();
//! ```

mod copy;
mod engine;
mod error;
mod event;
mod extended;
mod fetch;
mod filter;
mod limit;
mod options;
mod pack;
mod platform;
mod proxy;
mod tag;
mod tracker;

pub use copy::{copy, copy_graph};
pub use error::{CopyError, Error, Origin, Result};
pub use event::{CopyEvent, ProgressFn};
pub use extended::{extended_copy, extended_copy_graph};
pub use fetch::{FetchBytesOptions, ResolveOptions, fetch, fetch_bytes, resolve};
pub use filter::{referrers, referrers_finder};
pub use options::{
    CopyGraphOptions, CopyOptions, DEFAULT_CONCURRENCY, DEFAULT_SMALL_BLOB_SIZE,
    ExtendedCopyGraphOptions, ExtendedCopyOptions, FindPredecessorsHook, FindSuccessorsHook,
    HookOf, MapRootHook, MountFromHook, NodeHook, PreCopyAction, PreCopyHook,
    SMALL_BLOB_CONCURRENCY_FACTOR,
};
pub use pack::{PackManifestOptions, PackManifestVersion, pack_manifest};
pub use platform::select_manifest;
pub use tag::{
    DEFAULT_TAG_CONCURRENCY, TagBytesNOptions, TagNOptions, push_bytes, tag, tag_bytes,
    tag_bytes_n, tag_n,
};

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
