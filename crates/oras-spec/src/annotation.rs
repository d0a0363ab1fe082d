//! Annotation keys used by ORAS.

/// The file name of a layer (`org.opencontainers.image.title`).
pub const TITLE: &str = "org.opencontainers.image.title";
/// The creation time of an artifact, RFC 3339 (`org.opencontainers.image.created`).
pub const CREATED: &str = "org.opencontainers.image.created";
/// The tag of a manifest in an OCI layout's `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// SHA-256 of the uncompressed tar of a directory layer (oras-go `file.AnnotationDigest`).
pub const CONTENT_DIGEST: &str = "io.deis.oras.content.digest";
/// `"true"` when a directory layer is to be unpacked on pull (oras-go `file.AnnotationUnpack`).
pub const CONTENT_UNPACK: &str = "io.deis.oras.content.unpack";
/// Legacy referrers-index annotation listing the filters a registry applied.
pub const REFERRERS_FILTERS_APPLIED: &str = "org.opencontainers.referrers.filtersApplied";
