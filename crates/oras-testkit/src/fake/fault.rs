//! Injected faults: make the Nth request matching a method and a path
//! pattern fail in a chosen way, a given number of times.

use std::time::Duration;

use http::{Method, StatusCode};

use super::errors::ErrorCode;
use super::log::Origin;

/// What an applied fault does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer `status` at once with an error body, and `Retry-After:
    /// <seconds>` when given.
    Respond {
        /// The status to answer.
        status: StatusCode,
        /// The `Retry-After` header, in seconds.
        retry_after: Option<u64>,
        /// The error code of the body ([`ErrorCode::for_status`] if none).
        code: Option<ErrorCode>,
    },
    /// Serve the request normally, but cut the connection after this many
    /// bytes of the response body (for resumable-download tests).
    DropResponseAfter(u64),
    /// Read this many bytes of the request body (storing them as the
    /// endpoint would), then cut the connection without answering (for
    /// resumable-upload tests).
    DropRequestAfter(u64),
    /// Close the connection without reading or answering anything.
    CloseConnection,
    /// Wait this long, then serve the request normally.
    Delay(Duration),
}

/// One injected fault: which requests it hits and what it does.
///
/// Faults are checked in order before authentication and routing; the
/// first fault whose window covers a request applies. Each fault counts
/// its own matching requests (whether or not it applied to them), so
/// `Fault::status(Method::GET, "/v2/*/blobs/*", 503).times(2)` fails the
/// first two blob GETs and lets the third pass. The request log marks the
/// requests a fault hit ([`RequestRecord::fault`](super::RequestRecord::fault)).
///
/// ```
/// use http::Method;
/// use oras_testkit::fake::Fault;
///
/// // The third manifest PUT gets a 500, then all is well again.
/// let fault = Fault::status(Method::PUT, "/v2/*/manifests/*", 500).nth(3);
/// assert_eq!((fault.skip, fault.times), (2, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The method to match; `None` matches every method.
    pub method: Option<Method>,
    /// A glob over the request path (no query): `*` matches any run of
    /// characters, `/` included; everything else matches itself.
    pub path: String,
    /// The origin to match; `None` matches both.
    pub origin: Option<Origin>,
    /// How many matching requests pass untouched before the fault applies.
    pub skip: u32,
    /// How many matching requests the fault then applies to (`u32::MAX`
    /// for always).
    pub times: u32,
    /// What it does.
    pub action: FaultAction,
}

impl Fault {
    /// A fault applying `action` once, to the first request matching
    /// `method` and `path`.
    pub fn new(method: Method, path: &str, action: FaultAction) -> Self {
        Fault {
            method: Some(method),
            path: path.to_owned(),
            origin: None,
            skip: 0,
            times: 1,
            action,
        }
    }

    /// Answer `status` (with the error body of
    /// [`ErrorCode::for_status`]). A status outside 100–999 becomes 500.
    pub fn status(method: Method, path: &str, status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Fault::new(
            method,
            path,
            FaultAction::Respond {
                status,
                retry_after: None,
                code: None,
            },
        )
    }

    /// Answer 5xx `status` to the first `n` matching requests, then let
    /// them succeed (retry tests).
    pub fn server_errors(method: Method, path: &str, status: u16, n: u32) -> Self {
        Fault::status(method, path, status).times(n)
    }

    /// Answer 429 `TOOMANYREQUESTS` with `Retry-After: <seconds>`.
    pub fn too_many_requests(method: Method, path: &str, retry_after_secs: u64) -> Self {
        Fault::new(
            method,
            path,
            FaultAction::Respond {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(retry_after_secs),
                code: Some(ErrorCode::TooManyRequests),
            },
        )
    }

    /// Cut the connection after `bytes` bytes of the response body.
    pub fn drop_response_after(method: Method, path: &str, bytes: u64) -> Self {
        Fault::new(method, path, FaultAction::DropResponseAfter(bytes))
    }

    /// Cut the connection after reading `bytes` bytes of the request body.
    pub fn drop_request_after(method: Method, path: &str, bytes: u64) -> Self {
        Fault::new(method, path, FaultAction::DropRequestAfter(bytes))
    }

    /// Close the connection without an answer.
    pub fn close_connection(method: Method, path: &str) -> Self {
        Fault::new(method, path, FaultAction::CloseConnection)
    }

    /// Delay the answer by `delay`.
    pub fn delay(method: Method, path: &str, delay: Duration) -> Self {
        Fault::new(method, path, FaultAction::Delay(delay))
    }

    /// Apply first to the `n`th matching request (1-based); `nth(1)` is
    /// the default.
    pub fn nth(mut self, n: u32) -> Self {
        self.skip = n.saturating_sub(1);
        self
    }

    /// Apply to `n` consecutive matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Apply to every matching request from the first applicable one on.
    pub fn always(self) -> Self {
        self.times(u32::MAX)
    }

    /// Match every method.
    pub fn any_method(mut self) -> Self {
        self.method = None;
        self
    }

    /// Match only requests arriving at `origin`.
    pub fn on_origin(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Use `code` in the error body of a [`FaultAction::Respond`].
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        if let FaultAction::Respond { code: slot, .. } = &mut self.action {
            *slot = Some(code);
        }
        self
    }

    /// Whether this fault's filter matches a request (its window aside).
    pub(crate) fn matches(&self, origin: Origin, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self.origin.is_none_or(|o| o == origin)
            && glob_matches(self.path.as_bytes(), path.as_bytes())
    }

    /// Whether the `count`th (0-based) matching request is in the window.
    pub(crate) fn applies_to(&self, count: u32) -> bool {
        count >= self.skip && count - self.skip < self.times
    }
}

/// The dropping-connection helper for resumable-download tests: the first
/// `times` blob GETs (any repository, either origin) are cut after
/// `after_bytes` bytes of body. The blob is served whole afterwards, so a
/// client resuming with `Range: bytes=<after_bytes>-` gets a 206 (or, with
/// [`FakeConfig::range_requests`](super::FakeConfig::range_requests) off,
/// must start over).
pub fn dropping_download(after_bytes: u64, times: u32) -> Fault {
    // `sha*` keeps upload paths (`/blobs/uploads/…`) out of the match.
    Fault::drop_response_after(Method::GET, "/v2/*/blobs/sha*", after_bytes).times(times)
}

/// The dropping-connection helper for resumable chunked uploads: the first
/// `times` PATCHes are cut after `after_bytes` bytes; the bytes received
/// stay in the session, so `GET <location>` reports them in `Range`.
pub fn dropping_upload(after_bytes: u64, times: u32) -> Fault {
    Fault::drop_request_after(Method::PATCH, "/v2/*/blobs/uploads/*", after_bytes).times(times)
}

/// Glob match where `*` matches any run of bytes (iterative, with the
/// classic single backtrack point, so it is linear-ish and never recurses).
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches(
            b"/v2/*/blobs/sha*",
            b"/v2/a/b/blobs/sha256:00"
        ));
        assert!(!glob_matches(b"/v2/*/blobs/sha*", b"/v2/a/blobs/uploads/x"));
        assert!(glob_matches(b"*", b""));
        assert!(glob_matches(b"/v2/", b"/v2/"));
        assert!(!glob_matches(b"/v2/", b"/v2/x"));
        assert!(glob_matches(b"*/manifests/*", b"/v2/r/manifests/latest"));
    }

    #[test]
    fn windows() {
        let f = Fault::status(Method::GET, "*", 500).nth(2).times(2);
        let hits: Vec<bool> = (0..5).map(|i| f.applies_to(i)).collect();
        assert_eq!(hits, [false, true, true, false, false]);
        assert!(
            Fault::status(Method::GET, "*", 500)
                .always()
                .applies_to(1000)
        );
    }
}
