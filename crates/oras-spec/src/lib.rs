//! OCI references, digests, media types, annotations, descriptors and
//! manifests: the vocabulary every other oras-rs crate speaks.
//!
//! This is the lowest crate of the workspace and depends on no other
//! oras-rs crate. Its types serialise exactly as the Go `image-spec`
//! types do (same field order, sorted annotation keys), so a manifest
//! packed here has the same bytes, and so the same digest, as one packed
//! by oras-go, string escaping included ([`json`]). Manifests read from
//! elsewhere are always kept as the exact bytes plus a parsed view
//! ([`Parsed`]); digests are computed over the bytes, never over
//! re-serialised JSON, and a document Go's case-insensitive decoder would
//! read differently is refused ([`json`]).
//!
//! With the `oci-spec` feature, the `oci-spec` crate is re-exported as
//! `oci_spec` (for its richer image-config types), and [`Descriptor`],
//! [`Manifest`], [`Index`] and [`Platform`] convert to and from its types
//! with `From`/`TryFrom` both ways (see the `oci_spec_convert` module
//! docs for what each side represents differently). No other crate of
//! the workspace names `oci-spec` directly.
//!
//! ```
//! use oras_spec::{Descriptor, Reference, media_type};
//!
//! let reference: Reference = "localhost:5000/hello:v1".parse()?;
//! assert_eq!(reference.registry(), "localhost:5000");
//! assert_eq!(reference.repository(), "hello");
//!
//! let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"hello");
//! assert_eq!(desc.size, 5);
//! assert_eq!(
//!     desc.digest.to_string(),
//!     "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
//! );
//! # Ok::<(), oras_spec::Error>(())
//! ```

pub mod annotation;
mod descriptor;
mod digest;
mod error;
pub mod json;
mod manifest;
pub mod media_type;
#[cfg(feature = "oci-spec")]
pub mod oci_spec_convert;
mod platform;
#[cfg(test)]
mod properties;
mod reference;

pub use descriptor::{Descriptor, DescriptorKey};
pub use digest::{Algorithm, Digest, Digester};
pub use error::{Error, Result};
pub use manifest::{ArtifactManifest, Index, Manifest, Parsed};
pub use platform::{Platform, host_architecture};
pub use reference::{Reference, ReferenceTarget};

/// The `oci-spec` crate, re-exported so that no other crate names it.
#[cfg(feature = "oci-spec")]
pub use oci_spec;

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
