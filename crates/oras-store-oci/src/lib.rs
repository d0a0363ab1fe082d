//! The OCI image layout as a store (oras-go `content/oci`): a directory of
//! content-addressed blobs with an `index.json` of tags, readable and
//! writable by every OCI tool (skopeo, umoci, the Go oras).
//!
//! - [`Store`] opens or creates a layout directory and implements the
//!   storage traits of `oras-content` (fetch, push, exists, resolve, tag,
//!   untag, delete, predecessors, tag listing), plus [`Store::gc`] and
//!   [`Store::save_index`].
//! - [`ReadOnlyStore`] reads a layout from a directory or from an
//!   uncompressed tar of one, with the same read semantics.
//!
//! # Design
//!
//! A layout is `oci-layout` (`{"imageLayoutVersion":"1.0.0"}`),
//! `index.json`, and `blobs/<alg>/<hex>`. Tags are the
//! `org.opencontainers.image.ref.name` annotations of `index.json`; every
//! pushed manifest is also listed there by digest, without a tag.
//!
//! - **Pushes** stream through a verifying reader into `ingest/`, then the
//!   read-only (0444) file moves into place without replacing anything.
//!   Failed, short, wrong or abandoned pushes leave nothing behind, and
//!   memory stays constant whatever the blob size.
//! - **`index.json`** is rewritten atomically (temp file and rename) after
//!   each tag, untag, delete and manifest push, unless
//!   [`Options::auto_save_index`] is off. Fields of the index this crate
//!   does not know are kept.
//! - **The graph** of which manifest points at what is built on open from
//!   every manifest reachable from `index.json` (each read capped at
//!   4 MiB and verified), and kept up to date on push and delete.
//! - **Locking**: reads, pushes and tags share the store; delete and GC
//!   have it alone; index writes are serialised.
//! - **Delete** removes tags and file; with [`Options::auto_gc`] it also
//!   removes the referrers of deleted manifests and whatever is left
//!   unreferenced, keeping tagged manifests.
//!
//! Errors are this crate's [`Error`]; through the traits they become
//! `oras_content::Error`s with the matching `ErrorKind`.
//!
//! # Example
//!
//! ```
//! use oras_content::{Fetcher, Pusher, Resolver, Tagger, TagLister, bytes_reader, fetch_all};
//! use oras_spec::{Descriptor, Manifest, Parsed, media_type};
//! use oras_store_oci::{ReadOnlyStore, Store};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path()).await?;
//!
//! // A blob, a config, and a manifest over them.
//! let layer = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"hello");
//! store.push(&layer, bytes_reader(&b"hello"[..])).await?;
//! let config = Descriptor::empty_json();
//! store.push(&config, bytes_reader(&b"{}"[..])).await?;
//! let manifest = Parsed::from_value(Manifest {
//!     schema_version: 2,
//!     media_type: media_type::IMAGE_MANIFEST.into(),
//!     artifact_type: "application/vnd.example".into(),
//!     config,
//!     layers: vec![layer.clone()],
//!     subject: None,
//!     annotations: Default::default(),
//! });
//! let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
//! store.push(&desc, bytes_reader(manifest.bytes().to_vec())).await?;
//! store.tag(&desc, "v1").await?;
//!
//! // The layout on disk is what any OCI tool expects.
//! assert!(dir.path().join("oci-layout").is_file());
//! let index = std::fs::read_to_string(dir.path().join("index.json")).unwrap();
//! assert!(index.contains(r#""org.opencontainers.image.ref.name":"v1""#));
//!
//! // Read it back, here through the read-only store.
//! let layout = ReadOnlyStore::open(dir.path()).await?;
//! let resolved = layout.resolve("v1").await?;
//! assert_eq!(resolved.digest, desc.digest);
//! assert_eq!(layout.tags(None).await?, vec!["v1".to_owned()]);
//! assert_eq!(fetch_all(&layout, &layer, 1024).await?, b"hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod catalog;
mod error;
mod gc;
mod ingest;
mod layout;
mod lock;
mod read_only;
mod source;
mod storage;
mod store;
mod tags;
mod tarfs;
mod traits;

pub use error::{Error, Result};
pub use read_only::ReadOnlyStore;
pub use storage::Storage;
pub use store::{Options, Store};

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
