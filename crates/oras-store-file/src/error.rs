//! The one error type of this crate, and how it crosses the storage traits
//! of `oras-content` (wrapped with the [`ErrorKind`] callers decide on).

use std::path::PathBuf;

use oras_content::ErrorKind;
use oras_spec::Digest;

/// What went wrong adding, writing or reading files in a file store.
///
/// The messages follow oras-go's `content/file` errors where a user may
/// already know them (`duplicate name`, `path traversal disallowed`,
/// `overwrite disallowed`, `content digest mismatch`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `add` was called without a name (oras-go `ErrMissingName`).
    #[error("missing name")]
    MissingName,
    /// The name is already in use in this store (oras-go `ErrDuplicateName`).
    #[error("{0}: duplicate name")]
    DuplicateName(String),
    /// A title (or a write under it) would land outside the working
    /// directory (oras-go `ErrPathTraversalDisallowed`); this is what
    /// [`crate::Options::allow_path_traversal_on_write`] allows.
    #[error("path traversal disallowed: {path}: {reason}")]
    PathTraversal {
        /// The path that was refused.
        path: PathBuf,
        /// Why it was refused.
        reason: &'static str,
    },
    /// An entry of a directory blob would land outside the directory being
    /// unpacked, or a link it makes could lead outside (a link target
    /// that is not clean, a link that resolves outside the working
    /// directory once the pull ends). Never allowed, whatever the options.
    #[error("unsafe archive entry: {path}: {reason}")]
    UnsafeEntry {
        /// The tar entry name, or the path of the link, that was refused.
        path: PathBuf,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A directory blob expands beyond a limit of
    /// [`crate::UnpackLimits`]; nothing of it is kept.
    #[error("unpack limit exceeded: {what} over the limit of {limit}")]
    UnpackLimit {
        /// What went over: "expanded bytes" or "entries".
        what: &'static str,
        /// The limit in force.
        limit: u64,
    },
    /// The push was cancelled (its future dropped) while unpacking; what
    /// it had written was rolled back.
    #[error("unpacking canceled")]
    Canceled,
    /// The target exists and the store refuses to overwrite
    /// (oras-go `ErrOverwriteDisallowed`).
    #[error("overwrite disallowed: {0}")]
    OverwriteDisallowed(PathBuf),
    /// An empty reference was given to resolve or tag
    /// (oras-go `errdef.ErrMissingReference`).
    #[error("missing reference")]
    MissingReference,
    /// The store was closed (oras-go `ErrStoreClosed`).
    #[error("store already closed")]
    StoreClosed,
    /// An unpacked directory did not hash to its
    /// `io.deis.oras.content.digest` annotation.
    #[error("content digest mismatch: expected {expected}, got {actual}")]
    ContentDigestMismatch {
        /// The annotation's digest.
        expected: Digest,
        /// The digest of the uncompressed tar.
        actual: Digest,
    },
    /// `add` was given something that is neither a regular file nor a
    /// directory (a FIFO or a device would never end or mean nothing).
    #[error("{0}: not a regular file or directory")]
    NotFileOrDirectory(PathBuf),
    /// A local I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "creating dir/a.txt".
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An error from `oras-content` (verification, limits, the fallback
    /// store), passed through unchanged.
    #[error(transparent)]
    Content(#[from] oras_content::Error),
    /// What resolving the path to write refused (oras-go `Store.push`
    /// wraps `resolveWritePath`'s error as "failed to resolve path for
    /// writing: %w", its sentinels carrying no path). The refusal itself,
    /// with its path, is the boxed error.
    #[error("failed to resolve path for writing: {}", .0.go_text())]
    ResolveWritePath(Box<Error>),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error with what was being done. An `oras-content` error that
    /// travelled inside the I/O error (as verifying readers report a digest
    /// or size mismatch) is recovered as [`Error::Content`].
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        if source
            .get_ref()
            .is_some_and(|inner| inner.is::<oras_content::Error>())
        {
            return Error::Content(oras_content::Error::from_io(context, source));
        }
        if source.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            let kind = source.kind();
            if let Some(inner) = source.into_inner() {
                return match inner.downcast::<Error>() {
                    Ok(ours) => *ours,
                    Err(other) => Error::Io {
                        context: context.into(),
                        source: std::io::Error::new(kind, other),
                    },
                };
            }
            return Error::Io {
                context: context.into(),
                source: std::io::Error::from(kind),
            };
        }
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A refused path.
    pub(crate) fn traversal(path: impl Into<PathBuf>, reason: &'static str) -> Self {
        Error::PathTraversal {
            path: path.into(),
            reason,
        }
    }

    /// The text oras-go gives the same error: its bare sentinel for a
    /// refused path, this error's own text otherwise.
    fn go_text(&self) -> String {
        match self {
            Error::PathTraversal { .. } => "path traversal disallowed".to_owned(),
            Error::OverwriteDisallowed(_) => "overwrite disallowed".to_owned(),
            other => other.to_string(),
        }
    }

    /// The refusal under a [`Error::ResolveWritePath`], this error otherwise.
    pub fn refusal(&self) -> &Error {
        match self {
            Error::ResolveWritePath(inner) => inner.refusal(),
            other => other,
        }
    }

    /// An unsafe archive entry.
    pub(crate) fn unsafe_entry(path: impl Into<PathBuf>, reason: &'static str) -> Self {
        Error::UnsafeEntry {
            path: path.into(),
            reason,
        }
    }

    /// The same refusal as an archive-entry refusal (which path traversal
    /// being allowed does not lift), other errors unchanged.
    pub(crate) fn in_archive(self) -> Self {
        match self {
            Error::PathTraversal { path, reason } => Error::UnsafeEntry { path, reason },
            other => other,
        }
    }

    /// The kind callers of the storage traits decide on.
    ///
    /// `DuplicateName` and `OverwriteDisallowed` are deliberately not
    /// [`ErrorKind::AlreadyExists`]: a copy treats that kind as success and
    /// would silently keep the wrong file.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::PathTraversal { .. } | Error::UnsafeEntry { .. } => ErrorKind::PathTraversal,
            Error::UnpackLimit { .. } => ErrorKind::SizeExceedsLimit,
            Error::ContentDigestMismatch { .. } => ErrorKind::DigestMismatch,
            Error::NotFileOrDirectory(_) => ErrorKind::Unsupported,
            Error::MissingReference => ErrorKind::MissingReference,
            Error::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => ErrorKind::NotFound,
                _ => ErrorKind::Io,
            },
            Error::Content(inner) => inner.kind(),
            Error::ResolveWritePath(inner) => inner.kind(),
            Error::MissingName
            | Error::DuplicateName(_)
            | Error::OverwriteDisallowed(_)
            | Error::StoreClosed
            | Error::Canceled => ErrorKind::Other,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_cross_the_traits() {
        let err: oras_content::Error = Error::traversal("../x", "outside").into();
        assert_eq!(err.kind(), ErrorKind::PathTraversal);
        let source = err
            .external_source()
            .and_then(|e| e.downcast_ref::<Error>());
        assert!(matches!(source, Some(Error::PathTraversal { .. })));

        let dup: oras_content::Error = Error::DuplicateName("a".into()).into();
        assert_eq!(dup.kind(), ErrorKind::Other);
        assert_eq!(dup.to_string(), "a: duplicate name");

        let inner = oras_content::Error::NotFound("x".into());
        let passed: oras_content::Error = Error::Content(inner).into();
        assert!(matches!(passed, oras_content::Error::NotFound(_)));
    }

    #[test]
    fn io_recovers_content_errors() {
        let io = oras_content::Error::TrailingData { expected: 1 }.into_io();
        let err = Error::io("writing", io);
        assert_eq!(err.kind(), ErrorKind::SizeMismatch);
        let ours = std::io::Error::other(Error::traversal("x", "y"));
        assert!(matches!(
            Error::io("extracting", ours),
            Error::PathTraversal { .. }
        ));
        let plain = Error::io("reading x", std::io::ErrorKind::NotFound.into());
        assert_eq!(plain.kind(), ErrorKind::NotFound);
    }
}
