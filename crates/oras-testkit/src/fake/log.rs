//! What the fake remembers about the traffic it saw: one
//! [`RequestRecord`] per request and one [`TokenRequest`] per call of the
//! built-in token endpoint.

use http::{HeaderMap, Method};

/// Which of the fake's two listeners a request arrived at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The registry itself ([`FakeRegistry::url`](super::FakeRegistry::url)).
    Registry,
    /// The second server on another port
    /// ([`FakeRegistry::other_url`](super::FakeRegistry::other_url)): the
    /// "CDN" of blob redirects, the foreign upload host and the target of
    /// cross-origin `Link`s. It serves the same store without any auth.
    Other,
}

/// One request as the fake saw it, with the response it gave.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// Where the request arrived.
    pub origin: Origin,
    /// The method.
    pub method: Method,
    /// Path and query as sent, e.g. `/v2/repo/tags/list?n=2`.
    pub path: String,
    /// All request headers (including `Authorization`, `Range`,
    /// `Content-Range`).
    pub request_headers: HeaderMap,
    /// The status answered; 0 when the connection was dropped before a
    /// response head was sent (a fault, or the client broke the body).
    pub status: u16,
    /// All response headers (empty when `status` is 0).
    pub response_headers: HeaderMap,
    /// The injected fault applied to this request, described, if any.
    pub fault: Option<String>,
    /// Whether the request matched no endpoint of the spec (unknown path
    /// or method); a test can require that none happened.
    pub unexpected: bool,
}

impl RequestRecord {
    /// The path without the query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// A request header as text.
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers.get(name)?.to_str().ok()
    }

    /// A response header as text.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers.get(name)?.to_str().ok()
    }

    /// The `Authorization` header sent, if any.
    pub fn authorization(&self) -> Option<&str> {
        self.request_header("authorization")
    }

    /// Whether an `Authorization` header was sent.
    pub fn has_authorization(&self) -> bool {
        self.request_headers
            .contains_key(http::header::AUTHORIZATION)
    }

    /// The request's `Range` header (blob downloads).
    pub fn range(&self) -> Option<&str> {
        self.request_header("range")
    }

    /// The request's `Content-Range` header (chunk uploads).
    pub fn content_range(&self) -> Option<&str> {
        self.request_header("content-range")
    }

    /// The response's `Content-Range` header (partial downloads).
    pub fn response_content_range(&self) -> Option<&str> {
        self.response_header("content-range")
    }

    /// The response's `Range` header (upload progress).
    pub fn response_range(&self) -> Option<&str> {
        self.response_header("range")
    }
}

/// One call of the built-in token endpoint (`/token`).
#[derive(Clone, Debug)]
pub struct TokenRequest {
    /// GET (distribution token) or POST (OAuth2 form).
    pub method: Method,
    /// The `service` parameter.
    pub service: Option<String>,
    /// Every scope asked for, one entry per scope (GET `scope` parameters
    /// and the space-separated POST `scope` are both split).
    pub scopes: Vec<String>,
    /// The POST `grant_type`.
    pub grant_type: Option<String>,
    /// The POST `client_id`.
    pub client_id: Option<String>,
    /// The user name from Basic credentials (GET) or the password grant.
    pub username: Option<String>,
    /// Whether the request authenticated with a refresh token.
    pub used_refresh_token: bool,
    /// The status answered.
    pub status: u16,
    /// The scopes bound to the issued token (empty when refused).
    pub granted: Vec<String>,
}
