//! The spec's error codes and the `{"errors":[…]}` body (spec "Error
//! Codes"; checklist code-1 … code-14).

use http::StatusCode;

/// An error code a registry puts in `{"errors":[{"code",…}]}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// code-1: blob unknown to registry.
    BlobUnknown,
    /// code-2: blob upload invalid.
    BlobUploadInvalid,
    /// code-3: blob upload unknown to registry.
    BlobUploadUnknown,
    /// code-4: provided digest did not match uploaded content.
    DigestInvalid,
    /// code-5: manifest references a manifest or blob unknown to registry.
    ManifestBlobUnknown,
    /// code-6: manifest invalid.
    ManifestInvalid,
    /// code-7: manifest unknown to registry.
    ManifestUnknown,
    /// code-8: invalid repository name.
    NameInvalid,
    /// code-9: repository name not known to registry.
    NameUnknown,
    /// code-10: provided length did not match content length.
    SizeInvalid,
    /// code-11: authentication required.
    Unauthorized,
    /// code-12: requested access to the resource is denied.
    Denied,
    /// code-13: the operation is unsupported.
    Unsupported,
    /// code-14: too many requests.
    TooManyRequests,
    /// Distribution's catch-all `UNKNOWN` (used for injected 5xx faults).
    Unknown,
    /// Distribution's `PAGINATION_NUMBER_INVALID` for a bad `n`.
    PaginationNumberInvalid,
}

impl ErrorCode {
    /// The code as it appears on the wire, e.g. `BLOB_UNKNOWN`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BlobUnknown => "BLOB_UNKNOWN",
            ErrorCode::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            ErrorCode::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            ErrorCode::DigestInvalid => "DIGEST_INVALID",
            ErrorCode::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            ErrorCode::ManifestInvalid => "MANIFEST_INVALID",
            ErrorCode::ManifestUnknown => "MANIFEST_UNKNOWN",
            ErrorCode::NameInvalid => "NAME_INVALID",
            ErrorCode::NameUnknown => "NAME_UNKNOWN",
            ErrorCode::SizeInvalid => "SIZE_INVALID",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Denied => "DENIED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::TooManyRequests => "TOOMANYREQUESTS",
            ErrorCode::Unknown => "UNKNOWN",
            ErrorCode::PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
        }
    }

    /// The spec's message for the code.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::BlobUnknown => "blob unknown to registry",
            ErrorCode::BlobUploadInvalid => "blob upload invalid",
            ErrorCode::BlobUploadUnknown => "blob upload unknown to registry",
            ErrorCode::DigestInvalid => "provided digest did not match uploaded content",
            ErrorCode::ManifestBlobUnknown => {
                "manifest references a manifest or blob unknown to registry"
            }
            ErrorCode::ManifestInvalid => "manifest invalid",
            ErrorCode::ManifestUnknown => "manifest unknown to registry",
            ErrorCode::NameInvalid => "invalid repository name",
            ErrorCode::NameUnknown => "repository name not known to registry",
            ErrorCode::SizeInvalid => "provided length did not match content length",
            ErrorCode::Unauthorized => "authentication required",
            ErrorCode::Denied => "requested access to the resource is denied",
            ErrorCode::Unsupported => "the operation is unsupported",
            ErrorCode::TooManyRequests => "too many requests",
            ErrorCode::Unknown => "unknown error",
            ErrorCode::PaginationNumberInvalid => "invalid number of results requested",
        }
    }

    /// The code a fault answering `status` carries by default.
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status.as_u16() {
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Denied,
            404 => ErrorCode::NameUnknown,
            405 => ErrorCode::Unsupported,
            429 => ErrorCode::TooManyRequests,
            _ => ErrorCode::Unknown,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON error body `{"errors":[{"code","message","detail"}]}`.
pub(crate) fn error_body(code: ErrorCode, detail: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "errors": [{
            "code": code.as_str(),
            "message": code.message(),
            "detail": detail,
        }]
    });
    serde_json::to_vec(&body).unwrap_or_default()
}
