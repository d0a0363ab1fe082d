//! The one error type of this crate, and how it crosses the storage traits
//! of `oras-content` (wrapped with the [`ErrorKind`] callers decide on).

use oras_content::ErrorKind;

/// What went wrong opening or using an OCI image layout.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `oci-layout` names an `imageLayoutVersion` other than `1.0.0`
    /// (oras-go `errdef.ErrUnsupportedVersion`).
    #[error("invalid OCI image layout: unsupported version {found:?} (want \"1.0.0\")")]
    UnsupportedVersion {
        /// The version the file declares (empty when it declares none).
        found: String,
    },
    /// `oci-layout` or `index.json` is missing or not valid JSON.
    #[error("invalid OCI image layout: {file}: {reason}")]
    InvalidLayout {
        /// The file at fault, relative to the layout root.
        file: String,
        /// Why it was refused.
        reason: String,
    },
    /// A tar archive could not be read as a layout.
    #[error("invalid OCI layout archive {path}: {reason}")]
    InvalidTar {
        /// The archive.
        path: String,
        /// Why it was refused.
        reason: String,
    },
    /// `index.json` is not valid JSON, or not an image index (oras-go
    /// `loadIndexFile`: "invalid OCI Image Index: failed to decode index
    /// file: %w", the cause in encoding/json's words).
    #[error("invalid OCI Image Index: failed to decode index file: {0}")]
    InvalidIndex(String),
    /// A tar archive that ends inside a header or an entry: Go's
    /// `archive/tar` gives `io.ErrUnexpectedEOF`, which oras-go's tarfs
    /// returns as is.
    #[error("unexpected EOF")]
    TruncatedTar {
        /// The archive.
        path: String,
    },
    /// The content, tag or reference does not exist: `<what>: not found`,
    /// or plain `not found` when `what` is empty (oras-go's bare
    /// `errdef.ErrNotFound`, as its `Resolve` of an unknown reference gives).
    #[error("{}", not_found_text(.0))]
    NotFound(String),
    /// The content already exists.
    #[error("{0}: already exists")]
    AlreadyExists(String),
    /// An empty reference was given where one is required.
    #[error("missing reference")]
    MissingReference,
    /// A reference was refused (for example, untagging a digest).
    #[error("invalid reference: {0}")]
    InvalidReference(String),
    /// A local I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An error from `oras-content` (verification, limits, parsing),
    /// passed through unchanged.
    #[error(transparent)]
    Content(#[from] oras_content::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The shared kind callers decide on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::UnsupportedVersion { .. } => ErrorKind::UnsupportedVersion,
            Error::InvalidLayout { .. }
            | Error::InvalidTar { .. }
            | Error::InvalidIndex(_)
            | Error::TruncatedTar { .. } => ErrorKind::InvalidContent,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::AlreadyExists(_) => ErrorKind::AlreadyExists,
            Error::MissingReference => ErrorKind::MissingReference,
            Error::InvalidReference(_) => ErrorKind::InvalidReference,
            Error::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => ErrorKind::NotFound,
                std::io::ErrorKind::AlreadyExists => ErrorKind::AlreadyExists,
                _ => ErrorKind::Io,
            },
            Error::Content(inner) => inner.kind(),
        }
    }

    /// An I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<Error> for oras_content::Error {
    fn from(err: Error) -> Self {
        match err {
            Error::Content(inner) => inner,
            other => oras_content::Error::external(other.kind(), other),
        }
    }
}

/// `<what>: not found`, or `not found` alone.
fn not_found_text(what: &str) -> String {
    if what.is_empty() {
        "not found".to_owned()
    } else {
        format!("{what}: not found")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_the_traits_with_its_kind() {
        let err: oras_content::Error = Error::NotFound("v1".into()).into();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.to_string(), "v1: not found");
        assert_eq!(Error::NotFound(String::new()).to_string(), "not found");
        let err: oras_content::Error = Error::UnsupportedVersion {
            found: "2.0.0".into(),
        }
        .into();
        assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
        let inner = oras_content::Error::TrailingData { expected: 3 };
        let err: oras_content::Error = Error::Content(inner).into();
        assert!(matches!(
            err,
            oras_content::Error::TrailingData { expected: 3 }
        ));
    }
}
