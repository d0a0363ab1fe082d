//! [`FakeConfig`]: the switches of the fake registry.

use super::fault::Fault;

/// The largest manifest a strict registry must accept (spec "Pushing
/// Manifests": at least 4 MiB); larger bodies get 413.
pub const DEFAULT_MAX_MANIFEST_SIZE: usize = 4 * 1024 * 1024;

/// The `service` a [`BearerAuth`] registry names in its challenge unless
/// told otherwise.
pub const DEFAULT_SERVICE: &str = "fake-registry";

/// How the fake answers `Docker-Content-Digest` on blob or manifest
/// GET/HEAD responses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DigestHeader {
    /// The digest of the body (spec: MUST on `main`, SHOULD in v1.1.1).
    #[default]
    Correct,
    /// A well-formed digest of other bytes: a lying registry.
    Wrong,
    /// No header at all (allowed by v1.1.1).
    Missing,
}

/// How the fake answers a blob GET with a satisfiable `Range` (when
/// [`FakeConfig::range_requests`] is on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RangeAnswer {
    /// 206 with the bytes asked and their `Content-Range` (RFC 9110 §14).
    #[default]
    Honest,
    /// 200 with the whole blob, `Accept-Ranges: bytes` still advertised.
    Whole,
    /// 206 with the bytes asked but a `Content-Range` one byte later.
    Shifted,
    /// 206 with the right `Content-Range` and one byte more in the body.
    Longer,
}

/// What `DELETE /v2/<name>/manifests/<tag>` does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TagDelete {
    /// Removes the tag and answers 202 (spec "Deleting tags").
    #[default]
    Allow,
    /// Refuses with 400 and the `UNSUPPORTED` code.
    RefuseBadRequest,
    /// Refuses with 405 and the `UNSUPPORTED` code.
    RefuseMethodNotAllowed,
}

/// How requests to `/v2/…` on the registry origin are authenticated.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// Everything is anonymous.
    #[default]
    None,
    /// HTTP Basic with one user; anything else gets 401 with
    /// `WWW-Authenticate: Basic realm="fake-registry"`.
    Basic {
        /// The accepted user name.
        username: String,
        /// The accepted password.
        password: String,
    },
    /// Distribution token auth with the token endpoint at `/token` on the
    /// same server (see [`BearerAuth`]).
    Bearer(BearerAuth),
}

impl Auth {
    /// Basic auth with `username` and `password`.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Auth::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Bearer auth with `username` and `password`, no anonymous access.
    pub fn bearer(username: impl Into<String>, password: impl Into<String>) -> Self {
        Auth::Bearer(BearerAuth::new(username, password))
    }
}

/// The token server built into a Bearer-auth fake.
///
/// `GET /token?service=&scope=…` (distribution token protocol, optional
/// Basic credentials) answers `{"token","access_token","expires_in"}`;
/// `POST /token` with an OAuth2 form (`grant_type=password` with
/// `username`/`password`, or `grant_type=refresh_token` with
/// `refresh_token`; `client_id` required) answers
/// `{"access_token","refresh_token","expires_in","scope"}`. Tokens are
/// opaque and bound to the scopes granted: an authenticated user gets
/// every action asked for, an anonymous one only `pull` and only when
/// [`BearerAuth::anonymous_pull`] is set.
#[derive(Clone, Debug)]
pub struct BearerAuth {
    /// The `service` named in the challenge and required at the endpoint.
    pub service: String,
    /// The accepted user name.
    pub username: String,
    /// The accepted password.
    pub password: String,
    /// An identity (refresh) token accepted by the refresh grant besides
    /// those the server issued itself.
    pub refresh_token: Option<String>,
    /// Whether anonymous token requests are granted `pull`.
    pub anonymous_pull: bool,
    /// The `expires_in` announced with each token, in seconds (300 by
    /// default). Tokens never actually expire; use
    /// [`FakeRegistry::revoke_tokens`](super::FakeRegistry::revoke_tokens).
    pub expires_in: u64,
}

impl BearerAuth {
    /// A token server for one user, service [`DEFAULT_SERVICE`], no
    /// anonymous pull and no pre-set refresh token.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        BearerAuth {
            service: DEFAULT_SERVICE.to_owned(),
            username: username.into(),
            password: password.into(),
            refresh_token: None,
            anonymous_pull: false,
            expires_in: 300,
        }
    }
}

/// The switches of a [`FakeRegistry`](super::FakeRegistry).
///
/// `Default` is a strict, correct OCI distribution-spec v1.1 registry.
/// Every other value of a field breaks exactly one rule or enables exactly
/// one optional feature, so a test says which behaviour it exercises:
///
/// ```
/// use oras_testkit::fake::{DigestHeader, FakeConfig};
///
/// let lying = FakeConfig {
///     blob_digest_header: DigestHeader::Wrong,
///     ..FakeConfig::default()
/// };
/// assert!(lying.referrers_api, "everything else stays strict");
/// ```
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// Authentication of `/v2/…` on the registry origin. Default: none.
    pub auth: Auth,
    /// Serve `GET /v2/<name>/referrers/<digest>`. When false the endpoint
    /// answers a plain-text 404 without `NAME_UNKNOWN` (as distribution
    /// 2.8 does) and no `OCI-Subject` is ever sent, so clients fall back
    /// to the `<alg>-<hex>` tag schema. Default: true.
    pub referrers_api: bool,
    /// Answer a manifest PUT carrying `subject` with `OCI-Subject` (only
    /// when [`FakeConfig::referrers_api`] is on). Default: true.
    pub oci_subject_header: bool,
    /// Apply `?artifactType=` on the referrers API. When false the filter
    /// is ignored and no `OCI-Filters-Applied` is sent (allowed by the
    /// spec). Default: true.
    pub referrers_filtering: bool,
    /// Send `OCI-Filters-Applied: artifactType` when the filter was
    /// applied. False breaks the rule: filtered, but not said. Default: true.
    pub filters_applied_header: bool,
    /// `Docker-Content-Digest` on blob GET/HEAD. Default: correct.
    pub blob_digest_header: DigestHeader,
    /// `Docker-Content-Digest` on manifest GET/HEAD. Default: correct.
    pub manifest_digest_header: DigestHeader,
    /// Answer 416 to a chunk whose `Content-Range` does not start at the
    /// current upload size. When false the chunk is appended as if it
    /// were in order. Default: true.
    pub out_of_order_416: bool,
    /// Honour `Range` on blob GET/HEAD and advertise `Accept-Ranges:
    /// bytes`. When false `Range` is ignored (200, whole blob) and no
    /// `Accept-Ranges` is sent. Default: true.
    pub range_requests: bool,
    /// How a `Range` is answered when honoured: a lying server breaks
    /// one rule. Default: honestly.
    pub range_answer: RangeAnswer,
    /// Complete `POST …/blobs/uploads/?digest=` in one request (201).
    /// When false the digest is ignored and an upload session is opened
    /// (202), as the spec allows. Default: true.
    pub single_post_upload: bool,
    /// Honour `?mount=&from=`. When false a mount always opens an upload
    /// session (202). Default: true.
    pub mount: bool,
    /// Mount without `from` by finding the blob in any repository
    /// ("automatic content discovery"). Default: false (202).
    pub automatic_mount: bool,
    /// What deleting a manifest by tag does. Default: allowed (202).
    pub tag_delete: TagDelete,
    /// Allow deleting manifests by digest; false answers 405
    /// `UNSUPPORTED`. Default: true.
    pub manifest_delete: bool,
    /// Allow deleting blobs; false answers 405 `UNSUPPORTED`. Default: true.
    pub blob_delete: bool,
    /// Check that the blobs (and child manifests of an index) a pushed
    /// manifest references exist, answering `MANIFEST_BLOB_UNKNOWN`
    /// otherwise. `subject` is never checked. Default: true.
    pub manifest_blob_check: bool,
    /// Largest accepted manifest body; larger ones get 413. Default 4 MiB.
    pub max_manifest_size: usize,
    /// Send `OCI-Chunk-Min-Length` on the upload POST. Default: none.
    pub chunk_min_length: Option<u64>,
    /// Cap on the page size of tag and catalog listings; a longer list is
    /// cut and continued with a `Link` header. Default: no cap.
    pub page_size: Option<usize>,
    /// Cap on the page size of the referrers API, continued with `Link`.
    /// Default: no cap.
    pub referrers_page_size: Option<usize>,
    /// Answer blob GETs on the registry origin with a 307 redirect to the
    /// other origin (a "CDN" on another port, serving without auth).
    /// Default: false.
    pub blob_redirect: bool,
    /// Give upload sessions a `Location` on the other origin (another
    /// port, no auth there). Default: false.
    pub foreign_upload_location: bool,
    /// Point pagination `Link` headers at the other origin. Default: false.
    pub cross_origin_link: bool,
    /// Make every `Location` and `Link` absolute (`http://127.0.0.1:port/…`),
    /// as distribution does. Default: false (relative, as the spec allows).
    pub absolute_location: bool,
    /// Add a `_state=<token>` query parameter to upload locations and
    /// refuse (400 `BLOB_UPLOAD_INVALID`) upload requests without it, as
    /// distribution's HMAC state does: clients must reuse `Location`
    /// exactly. Default: false.
    pub upload_state_param: bool,
    /// Faults injected in front of everything else, checked in order
    /// (see [`Fault`]). Default: none.
    pub faults: Vec<Fault>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            auth: Auth::None,
            referrers_api: true,
            oci_subject_header: true,
            referrers_filtering: true,
            filters_applied_header: true,
            blob_digest_header: DigestHeader::Correct,
            manifest_digest_header: DigestHeader::Correct,
            out_of_order_416: true,
            range_requests: true,
            range_answer: RangeAnswer::Honest,
            single_post_upload: true,
            mount: true,
            automatic_mount: false,
            tag_delete: TagDelete::Allow,
            manifest_delete: true,
            blob_delete: true,
            manifest_blob_check: true,
            max_manifest_size: DEFAULT_MAX_MANIFEST_SIZE,
            chunk_min_length: None,
            page_size: None,
            referrers_page_size: None,
            blob_redirect: false,
            foreign_upload_location: false,
            cross_origin_link: false,
            absolute_location: false,
            upload_state_param: false,
            faults: Vec::new(),
        }
    }
}

impl FakeConfig {
    /// The strict registry (same as `Default`).
    pub fn strict() -> Self {
        FakeConfig::default()
    }

    /// The strict registry behind `auth`.
    pub fn with_auth(auth: Auth) -> Self {
        FakeConfig {
            auth,
            ..FakeConfig::default()
        }
    }

    /// The strict registry with `faults` injected.
    pub fn with_faults(faults: Vec<Fault>) -> Self {
        FakeConfig {
            faults,
            ..FakeConfig::default()
        }
    }
}
