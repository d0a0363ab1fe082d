//! The storage abstraction of oras-rs: traits every store implements,
//! verifying readers, successors, and an in-memory store.
//!
//! This crate is to oras-rs what `grep-matcher` is to ripgrep: the
//! abstraction lives here, in a small crate, and everything else builds on
//! it. The OCI layout store, the file store and the registry client
//! implement these traits; `oras-copy` is generic over them and never
//! imports a store.
//!
//! - [`Fetcher`], [`Pusher`], [`ReadOnlyStorage`], [`Storage`],
//!   [`Resolver`], [`Tagger`], [`TagResolver`], [`Untagger`], [`Deleter`],
//!   [`PredecessorFinder`], [`GraphStorage`] and the targets
//!   ([`Target`], [`GraphTarget`], [`ReadOnlyTarget`],
//!   [`ReadOnlyGraphTarget`]) carry oras-go's names.
//! - Registry-level capabilities ([`ReferenceFetcher`], [`ReferencePusher`],
//!   [`TagLister`], [`ReferrerLister`], [`Mounter`]) are discovered at run
//!   time through [`Capabilities`].
//! - Content is a stream ([`BlobReader`]); [`VerifyReader`] checks size and
//!   digest as bytes pass, and a stream verified once is not hashed again;
//!   [`read_all`] and [`fetch_all`] read whole content only under a
//!   caller's cap; [`write_to_file`] writes a stream to a file.
//! - Decorators: [`ReadOnly`], [`Limited`], and [`Cached`] (a read-through
//!   cache in a local store).
//! - Stores: [`memory::Store`] (the whole graph target in memory) and
//!   [`spool::SpooledBlob`] (one blob from a one-shot reader such as stdin).
//! - One [`Error`] with a shared [`ErrorKind`].
//!
//! ```
//! use oras_content::{Fetcher, Pusher, Resolver, Tagger, bytes_reader, fetch_all, memory};
//! use oras_spec::{Descriptor, media_type};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store = memory::Store::new();
//! let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"hello");
//! store.push(&desc, bytes_reader(&b"hello"[..])).await?;
//! store.tag(&desc, "latest").await?;
//!
//! let resolved = store.resolve("latest").await?;
//! assert_eq!(fetch_all(&store, &resolved, 1024).await?, b"hello");
//!
//! // Content that does not match its descriptor is refused.
//! let wrong = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"other");
//! let err = store.push(&wrong, bytes_reader(&b"hello"[..])).await.unwrap_err();
//! assert_eq!(err.kind(), oras_content::ErrorKind::DigestMismatch);
//! # Ok::<(), oras_content::Error>(())
//! # }).unwrap();
//! ```

mod cache;
mod decorators;
mod error;
mod file;
mod graph;
pub mod memory;
mod reader;
pub mod spool;
mod storage;
mod successors;
#[cfg(feature = "test-suite")]
pub mod test_suite;

pub use cache::Cached;
pub use decorators::{Limited, ReadOnly};
pub use error::{BoxError, Error, ErrorKind, Result};
pub use file::{FILE_BUFFER, write_to_file};
pub use graph::Graph;
pub use reader::{
    BlobReader, MAX_METADATA_BYTES, MAX_PREALLOCATION, VerifyReader, bytes_reader, read_all,
    verify_bytes,
};
pub use storage::{
    Capabilities, Deleter, Fetcher, GraphStorage, GraphTarget, Mounter, PredecessorFinder, Pusher,
    ReadOnlyGraphStorage, ReadOnlyGraphTarget, ReadOnlyStorage, ReadOnlyTarget, ReferenceFetcher,
    ReferencePusher, ReferrerLister, Resolver, Storage, TagLister, TagResolver, Tagger, Target,
    Untagger,
};
pub use successors::{
    Successors, fetch_all, subject_from_bytes, successors, successors_from_bytes,
};

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
