//! The one error type of this crate.

/// What went wrong while parsing or validating OCI data.
///
/// The messages follow oras-go's wording where a user may already know it
/// (for example `invalid reference: invalid tag "..."`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A reference (`registry/repo:tag@digest`) does not follow the grammar.
    #[error("invalid reference: {0}")]
    InvalidReference(String),
    /// A digest string is malformed or its encoded part has the wrong length.
    #[error("invalid digest {input:?}: {reason}")]
    InvalidDigest {
        /// The text that failed to parse.
        input: String,
        /// Why it failed.
        reason: &'static str,
    },
    /// A digest names an algorithm this crate cannot compute (worded as
    /// go-digest's ErrDigestUnsupported, which does not name it).
    #[error("unsupported digest algorithm")]
    UnsupportedAlgorithm(String),
    /// A media type does not follow RFC 6838 as oras checks it.
    #[error("invalid media type {0:?}")]
    InvalidMediaType(String),
    /// A platform string is not `os[/arch[/variant]][:os_version]`.
    #[error("invalid platform {input:?}: {reason}")]
    InvalidPlatform {
        /// The text that failed to parse.
        input: String,
        /// Why it failed.
        reason: &'static str,
    },
    /// A value from the `oci-spec` crate holds what this crate refuses (or
    /// the other way round), e.g. invalid base64 in a descriptor's `data`.
    #[error("cannot convert {what} to or from oci-spec: {reason}")]
    OciSpec {
        /// What was being converted.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// A JSON document (manifest, index, descriptor) could not be parsed.
    #[error("invalid {what}: {source}")]
    Json {
        /// What was being parsed, e.g. "image manifest".
        what: &'static str,
        /// The parser's error.
        source: serde_json::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
