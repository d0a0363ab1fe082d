//! The traits and everyday types, for `use oras_rs::prelude::*;`.
//!
//! The storage traits come in so their methods (`fetch`, `push`,
//! `resolve`, `tag`, …) can be called on any store; the helpers of the
//! crate root come in so a program reads as the job it does.

pub use oras_content::{
    BlobReader, Capabilities, Deleter, Fetcher, GraphStorage, GraphTarget, PredecessorFinder,
    Pusher, ReadOnlyGraphTarget, ReadOnlyStorage, ReadOnlyTarget, ReferenceFetcher,
    ReferencePusher, ReferrerLister, Resolver, Storage, TagLister, TagResolver, Tagger, Target,
    Untagger, fetch_all,
};
pub use oras_spec::{Descriptor, Digest, Index, Manifest, Platform, Reference, media_type};

#[cfg(feature = "remote")]
pub use oras_remote::{ClientConfig, Credential, Registry, Repository, StaticCredential};

#[cfg(feature = "oci-layout")]
pub use oras_store_oci::Store as OciLayout;

#[cfg(feature = "file")]
pub use oras_store_file::Store as FileStore;

#[cfg(feature = "copy")]
pub use oras_copy::{
    CopyGraphOptions, CopyOptions, ExtendedCopyOptions, PackManifestOptions, PackManifestVersion,
    extended_copy, pack_manifest, push_bytes,
};

#[cfg(feature = "copy")]
pub use crate::copy_artifact;
#[cfg(all(feature = "remote", feature = "credentials"))]
pub use crate::docker_credentials;
#[cfg(all(feature = "file", feature = "copy"))]
pub use crate::{pull_files, push_files};
