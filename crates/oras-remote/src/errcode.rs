//! Registry error responses: the distribution spec's
//! `{"errors":[{"code","message","detail"}]}` body (spec "Error Codes"),
//! kept with the request it answered, and mapped onto
//! [`oras_content::ErrorKind`] so callers decide on the kind while the
//! registry's own message is shown.

use std::fmt;

use http::{Method, StatusCode};
use oras_content::ErrorKind;
use serde::Deserialize;

/// How much of an error body is read (oras-go `maxErrorBytes`, 8 KiB).
pub const MAX_ERROR_BODY_BYTES: usize = 8 * 1024;

/// One entry of a registry's `errors` list.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    /// The error code, e.g. `MANIFEST_UNKNOWN`.
    #[serde(default)]
    pub code: String,
    /// The registry's message, if any.
    #[serde(default)]
    pub message: String,
    /// Free-form detail, if any.
    #[serde(default)]
    pub detail: Option<serde_json::Value>,
}

impl fmt::Display for ErrorDetail {
    /// oras-go `errcode.Error.Error`: the code in lower case with spaces,
    /// then the message and detail when present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code: String = self
            .code
            .chars()
            .map(|c| {
                if c == '_' {
                    ' '
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        match (&self.message, &self.detail) {
            (m, _) if m.is_empty() => f.write_str(&code),
            (m, None | Some(serde_json::Value::Null)) => write!(f, "{code}: {m}"),
            (m, Some(detail)) => write!(f, "{code}: {m}: {detail}"),
        }
    }
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

/// A response the registry gave instead of the one the operation needs.
#[derive(Clone, Debug)]
pub struct ResponseError {
    /// The request method.
    pub method: Method,
    /// The request URL, without its query string (which may hold
    /// pre-signed credentials).
    pub url: String,
    /// The response status.
    pub status: StatusCode,
    /// The parsed `errors`, empty when the body was not that JSON.
    pub errors: Vec<ErrorDetail>,
}

impl ResponseError {
    /// Builds the error from a response status and (the first
    /// [`MAX_ERROR_BODY_BYTES`] of) its body.
    pub fn new(method: Method, url: String, status: StatusCode, body: &[u8]) -> Self {
        let errors = serde_json::from_slice::<Body>(body)
            .map(|b| b.errors)
            .unwrap_or_default();
        ResponseError {
            method,
            url,
            status,
            errors,
        }
    }

    /// Whether the registry sent `code` among its errors.
    pub fn has_code(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// The kind callers decide on: the error codes first, then the status.
    pub fn kind(&self) -> ErrorKind {
        self.errors
            .iter()
            .find_map(|e| kind_of_code(&e.code))
            .unwrap_or_else(|| kind_of_status(self.status))
    }
}

impl fmt::Display for ResponseError {
    /// oras-go `errcode.ErrorResponse.Error`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?}: response status code {}: ",
            self.method,
            self.url,
            self.status.as_u16()
        )?;
        match self.errors.as_slice() {
            [] => f.write_str(
                &self
                    .status
                    .canonical_reason()
                    .unwrap_or("unknown")
                    .to_ascii_lowercase(),
            ),
            [one] => write!(f, "{one}"),
            many => {
                f.write_str("multiple errors returned: ")?;
                for (i, e) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ResponseError {}

/// The kind of a distribution-spec error code (spec "Error Codes").
fn kind_of_code(code: &str) -> Option<ErrorKind> {
    Some(match code {
        "BLOB_UNKNOWN" | "MANIFEST_UNKNOWN" | "NAME_UNKNOWN" | "BLOB_UPLOAD_UNKNOWN" => {
            ErrorKind::NotFound
        }
        "UNAUTHORIZED" => ErrorKind::Unauthorized,
        "DENIED" => ErrorKind::Denied,
        "TOOMANYREQUESTS" => ErrorKind::TooManyRequests,
        "UNSUPPORTED" => ErrorKind::Unsupported,
        "DIGEST_INVALID" => ErrorKind::DigestMismatch,
        "SIZE_INVALID" => ErrorKind::SizeMismatch,
        "NAME_INVALID" | "TAG_INVALID" => ErrorKind::InvalidReference,
        "MANIFEST_INVALID" | "MANIFEST_BLOB_UNKNOWN" | "MANIFEST_UNVERIFIED" => {
            ErrorKind::InvalidContent
        }
        _ => return None,
    })
}

/// The kind of a status without a known error code.
fn kind_of_status(status: StatusCode) -> ErrorKind {
    match status {
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
        StatusCode::FORBIDDEN => ErrorKind::Denied,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::TooManyRequests,
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED => ErrorKind::Unsupported,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::SizeExceedsLimit,
        s if s.is_server_error() => ErrorKind::Network,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, body: &str) -> ResponseError {
        ResponseError::new(
            Method::GET,
            "https://r.example/v2/a/manifests/v1".into(),
            StatusCode::from_u16(status).unwrap(),
            body.as_bytes(),
        )
    }

    #[test]
    fn maps_codes_before_status() {
        let cases = [
            (
                404,
                r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#,
                ErrorKind::NotFound,
            ),
            (
                404,
                r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#,
                ErrorKind::NotFound,
            ),
            (
                400,
                r#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#,
                ErrorKind::NotFound,
            ),
            (
                401,
                r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
                ErrorKind::Unauthorized,
            ),
            (403, r#"{"errors":[{"code":"DENIED"}]}"#, ErrorKind::Denied),
            (
                429,
                r#"{"errors":[{"code":"TOOMANYREQUESTS"}]}"#,
                ErrorKind::TooManyRequests,
            ),
            (
                400,
                r#"{"errors":[{"code":"UNSUPPORTED"}]}"#,
                ErrorKind::Unsupported,
            ),
            (
                400,
                r#"{"errors":[{"code":"DIGEST_INVALID"}]}"#,
                ErrorKind::DigestMismatch,
            ),
            (
                400,
                r#"{"errors":[{"code":"NAME_INVALID"}]}"#,
                ErrorKind::InvalidReference,
            ),
            (404, "404 page not found", ErrorKind::NotFound),
            (429, "", ErrorKind::TooManyRequests),
            (405, "", ErrorKind::Unsupported),
            (403, "", ErrorKind::Denied),
            (503, "", ErrorKind::Network),
            (400, r#"{"errors":[{"code":"WHATEVER"}]}"#, ErrorKind::Other),
        ];
        for (status, body, kind) in cases {
            assert_eq!(err(status, body).kind(), kind, "{status} {body}");
        }
    }

    #[test]
    fn displays_like_oras_go_keeping_the_registry_message() {
        let e = err(
            404,
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v1"}}]}"#,
        );
        assert_eq!(
            e.to_string(),
            r#"GET "https://r.example/v2/a/manifests/v1": response status code 404: manifest unknown: manifest unknown: {"Tag":"v1"}"#
        );
        let e = err(
            403,
            r#"{"errors":[{"code":"DENIED","message":"no"},{"code":"X"}]}"#,
        );
        assert!(
            e.to_string()
                .ends_with("403: multiple errors returned: denied: no; x"),
            "{e}"
        );
        let e = err(502, "<html>");
        assert!(e.to_string().ends_with("502: bad gateway"), "{e}");
        assert!(err(404, r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#).has_code("NAME_UNKNOWN"));
    }
}
