//! Registry error responses: the distribution spec's
//! `{"errors":[{"code","message","detail"}]}` body (spec "Error Codes"),
//! kept with the request it answered, and mapped onto
//! [`oras_content::ErrorKind`] so callers decide on the kind while the
//! registry's own message is shown.
//!
//! The constants are the spec's error codes (oras-go
//! `registry/remote/errcode`, plus the spec's `TOOMANYREQUESTS`). Match
//! them on any error with [`has_code`]:
//!
//! ```
//! use http::{Method, StatusCode};
//! use oras_remote::{Error, ResponseError, errcode};
//!
//! let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
//! let response = ResponseError::new(Method::GET, "https://r.example/v2/a/manifests/v1".into(), StatusCode::NOT_FOUND, body);
//! let err: oras_content::Error = Error::from(response).into();
//! assert!(errcode::has_code(&err, errcode::MANIFEST_UNKNOWN));
//! assert!(!errcode::has_code(&err, errcode::NAME_UNKNOWN));
//! ```

use std::fmt;

use http::{Method, StatusCode};
use oras_content::ErrorKind;
use serde::Deserialize;

/// The blob is not known to the registry.
pub const BLOB_UNKNOWN: &str = "BLOB_UNKNOWN";
/// The blob upload encountered an error and can no longer proceed.
pub const BLOB_UPLOAD_INVALID: &str = "BLOB_UPLOAD_INVALID";
/// The upload session is not known to the registry.
pub const BLOB_UPLOAD_UNKNOWN: &str = "BLOB_UPLOAD_UNKNOWN";
/// The content does not match the digest given.
pub const DIGEST_INVALID: &str = "DIGEST_INVALID";
/// A blob a manifest references is not known to the registry.
pub const MANIFEST_BLOB_UNKNOWN: &str = "MANIFEST_BLOB_UNKNOWN";
/// The manifest is invalid.
pub const MANIFEST_INVALID: &str = "MANIFEST_INVALID";
/// The manifest is not known to the registry.
pub const MANIFEST_UNKNOWN: &str = "MANIFEST_UNKNOWN";
/// The repository name is invalid.
pub const NAME_INVALID: &str = "NAME_INVALID";
/// The repository is not known to the registry.
pub const NAME_UNKNOWN: &str = "NAME_UNKNOWN";
/// The content does not match the length given.
pub const SIZE_INVALID: &str = "SIZE_INVALID";
/// The client must authenticate.
pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
/// The client may not access the resource.
pub const DENIED: &str = "DENIED";
/// The operation is not supported.
pub const UNSUPPORTED: &str = "UNSUPPORTED";
/// The client sent too many requests.
pub const TOO_MANY_REQUESTS: &str = "TOOMANYREQUESTS";
/// The tag is invalid (Distribution's `TAG_INVALID`, not in the OCI
/// spec's list).
pub const TAG_INVALID: &str = "TAG_INVALID";
/// The manifest failed signature verification (Distribution's
/// `MANIFEST_UNVERIFIED`, not in the OCI spec's list).
pub const MANIFEST_UNVERIFIED: &str = "MANIFEST_UNVERIFIED";

/// Whether the registry answered `err` with the error code `code` (one of
/// this module's constants), wherever the error came from: this crate's
/// [`Error`](crate::Error) or an `oras_content::Error` carrying it.
pub fn has_code(err: &(dyn std::error::Error + 'static), code: &str) -> bool {
    codes(err).contains(&code)
}

/// The error codes the registry answered `err` with, in its order (empty
/// when `err` is not a registry's error response).
pub fn codes<'a>(err: &'a (dyn std::error::Error + 'static)) -> Vec<&'a str> {
    let mut current = Some(err);
    // Error chains are short; the bound keeps a cyclic one finite.
    for _ in 0..16 {
        let Some(e) = current else {
            break;
        };
        if let Some(response) = e.downcast_ref::<ResponseError>() {
            return response.codes();
        }
        if let Some(crate::Error::Response(response)) = e.downcast_ref::<crate::Error>() {
            return response.codes();
        }
        if let Some(inner) = e
            .downcast_ref::<oras_content::Error>()
            .and_then(oras_content::Error::external_source)
        {
            current = Some(inner as &(dyn std::error::Error + 'static));
            continue;
        }
        current = e.source();
    }
    Vec::new()
}

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
            (m, Some(detail)) => write!(f, "{code}: {m}: {}", GoValue(detail)),
        }
    }
}

/// A decoded JSON value printed as Go's `%v` prints the `any` that
/// `encoding/json` decodes it into (oras-go prints `errcode.Error.Detail`
/// with `%v`): objects as `map[k:v]` with sorted keys, arrays as `[a b]`,
/// numbers as `float64`, `null` as `<nil>`, strings as they are.
pub(crate) struct GoValue<'a>(pub(crate) &'a serde_json::Value);

impl fmt::Display for GoValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use serde_json::Value;
        match self.0 {
            Value::Null => f.write_str("<nil>"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => match n.as_f64() {
                Some(v) => f.write_str(&go_float(v)),
                None => write!(f, "{n}"),
            },
            Value::String(s) => f.write_str(s),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{}", GoValue(item))?;
                }
                f.write_str("]")
            }
            Value::Object(map) => {
                // Go's fmt prints map keys sorted.
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                f.write_str("map[")?;
                for (i, (key, value)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{key}:{}", GoValue(value))?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Go's `%v` of a `float64`: `strconv.FormatFloat(v, 'g', -1, 64)` with
/// fmt's rule for the shortest precision, an exponent when it is below -4
/// or at least 6 (`1e+06`, `1e-05`), written with a sign and two digits
/// at least.
fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's
    // precision -1 does.
    let exp_form = format!("{v:e}");
    let Some((mantissa, exp)) = exp_form.split_once('e') else {
        return exp_form;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if v != 0.0 && !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{v}")
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

    /// The registry's errors as oras-go's `errcode.Errors.Error` words
    /// them (joined by `; `), as the CLI reports them (oras
    /// `oerrors.ReportErrResp`); `None` when the list is empty.
    pub fn errors_text(&self) -> Option<String> {
        (!self.errors.is_empty()).then(|| errors_text(&self.errors))
    }

    /// Whether the registry sent `code` (see the constants of
    /// [`errcode`](crate::errcode)) among its errors.
    pub fn has_code(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// The error codes the registry sent, in its order.
    pub fn codes(&self) -> Vec<&str> {
        self.errors.iter().map(|e| e.code.as_str()).collect()
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
            // Go `http.StatusText`: empty for a status it does not know.
            [] => f.write_str(self.status.canonical_reason().unwrap_or("")),
            errors => f.write_str(&errors_text(errors)),
        }
    }
}

impl std::error::Error for ResponseError {}

/// oras-go `errcode.Errors.Error`: the errors joined by `; `.
fn errors_text(errors: &[ErrorDetail]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The kind of a distribution-spec error code (spec "Error Codes").
fn kind_of_code(code: &str) -> Option<ErrorKind> {
    Some(match code {
        BLOB_UNKNOWN | MANIFEST_UNKNOWN | NAME_UNKNOWN | BLOB_UPLOAD_UNKNOWN => ErrorKind::NotFound,
        UNAUTHORIZED => ErrorKind::Unauthorized,
        DENIED => ErrorKind::Denied,
        TOO_MANY_REQUESTS => ErrorKind::TooManyRequests,
        UNSUPPORTED => ErrorKind::Unsupported,
        DIGEST_INVALID => ErrorKind::DigestMismatch,
        SIZE_INVALID => ErrorKind::SizeMismatch,
        NAME_INVALID | TAG_INVALID => ErrorKind::InvalidReference,
        MANIFEST_INVALID | MANIFEST_BLOB_UNKNOWN | MANIFEST_UNVERIFIED => ErrorKind::InvalidContent,
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
            r#"GET "https://r.example/v2/a/manifests/v1": response status code 404: manifest unknown: manifest unknown: map[Tag:v1]"#
        );
        let e = err(
            403,
            r#"{"errors":[{"code":"DENIED","message":"no"},{"code":"X"}]}"#,
        );
        assert!(e.to_string().ends_with("403: denied: no; x"), "{e}");
        let e = err(502, "<html>");
        assert!(e.to_string().ends_with("502: Bad Gateway"), "{e}");
        assert!(err(404, r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#).has_code("NAME_UNKNOWN"));
    }

    #[test]
    fn details_print_as_go_prints_decoded_json() {
        let cases = [
            (r#"{"name":"a/b"}"#, "map[name:a/b]"),
            (
                r#"[{"Type":"repository","Name":"x","Action":"pull","Class":""}]"#,
                "[map[Action:pull Class: Name:x Type:repository]]",
            ),
            (r#"[1, 2.5, true, null, "s"]"#, "[1 2.5 true <nil> s]"),
            ("1000000", "1e+06"),
            ("123456", "123456"),
            ("1234567", "1.234567e+06"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("-2.5e30", "-2.5e+30"),
            ("0", "0"),
            ("{}", "map[]"),
        ];
        for (json, want) in cases {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(GoValue(&value).to_string(), want, "{json}");
        }
        let e = err(
            404,
            r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"nope"}}]}"#,
        );
        assert!(
            e.to_string().ends_with(
                "404: name unknown: repository name not known to registry: map[name:nope]"
            ),
            "{e}"
        );
        assert!(err(404, "").to_string().ends_with("404: Not Found"));
    }
}
