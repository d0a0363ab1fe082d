//! The runner's HTTP client: raw requests with exact control.
//!
//! Every request is sent as built: the headers given and nothing else but
//! `Host`, `User-Agent`, `Content-Length` (the real body length on
//! `POST`/`PUT`/`PATCH`, as Go's client sends it: a declared length is never sent without its body) and, for the
//! registry's own origin, `Authorization` once a challenge asked for it.
//! There are no retries except the one answer to a `401` challenge
//! ([`auth`]), and redirects are followed only where the request says so
//! ([`Request::follow_redirects`], used for `GET`/`HEAD`, which the spec
//! allows to redirect). Each hop is recorded as an [`Exchange`], so the
//! reports show exactly what was said.

pub mod auth;
pub mod redact;
mod tls;

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, HOST, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use url::Url;

use auth::AuthState;

/// The `User-Agent` of every request.
pub const USER_AGENT_VALUE: &str = concat!(
    "oras-conformance/",
    env!("CARGO_PKG_VERSION"),
    " (distribution-spec-conformance-tests)"
);

/// The largest response body read; larger bodies are an error.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// How much of a body the reports keep.
pub const PREVIEW_BYTES: usize = 4096;

/// Redirect hops followed at most (the Ginkgo client's limit).
pub const MAX_REDIRECTS: usize = 20;

/// A request to send.
#[derive(Clone, Debug)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// Headers, in order.
    pub headers: Vec<(HeaderName, String)>,
    /// The body (empty for none).
    pub body: Bytes,
    /// Follow 3xx answers (each hop recorded).
    pub follow: bool,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: Method, url: Url) -> Request {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: Bytes::new(),
            follow: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Request {
        self.body = body.into();
        self
    }

    /// Follows redirects for this request.
    pub fn follow_redirects(mut self) -> Request {
        self.follow = true;
        self
    }
}

/// A response, body read in full.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The URL that answered (after redirects).
    pub url: Url,
    /// Why the body broke off after the headers, if it did.
    pub truncated: Option<String>,
}

impl Response {
    /// The first value of header `name` as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every value of header `name` as text.
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// `Location` resolved against the URL of the request (RFC 7231
    /// §7.1.2): what the redesigned runner follows.
    pub fn location(&self) -> Option<Url> {
        let location = self.header("location").filter(|l| !l.is_empty())?;
        self.url.join(location).ok()
    }

    /// `Location` reduced to path and query (reggie's
    /// `GetRelativeLocation`), as a string.
    pub fn relative_location(&self) -> Option<String> {
        let url = self.location()?;
        Some(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        })
    }
}

/// One HTTP round trip as the reports show it (secrets masked).
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    /// Why this request was sent when not by the check itself
    /// (`auth retry`, `token`, `redirect`).
    pub note: Option<String>,
    /// Request method.
    pub method: String,
    /// Request URL.
    pub url: String,
    /// Request headers.
    pub request_headers: Vec<(String, String)>,
    /// The start of the request body.
    pub request_body: String,
    /// Response status, when a response came.
    pub status: Option<u16>,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// The start of the response body.
    pub response_body: String,
    /// The transport error, when no response came.
    pub error: Option<String>,
}

impl Exchange {
    /// The exchange as a text dump (for `OCI_DEBUG` and the reports).
    pub fn dump(&self) -> String {
        let mut out = String::new();
        if let Some(note) = &self.note {
            out.push_str(&format!("# {note}\n"));
        }
        out.push_str(&format!("> {} {}\n", self.method, self.url));
        for (name, value) in &self.request_headers {
            out.push_str(&format!("> {name}: {value}\n"));
        }
        if !self.request_body.is_empty() {
            out.push_str(&format!(">\n> {}\n", self.request_body));
        }
        if let Some(status) = self.status {
            out.push_str(&format!("< {status}\n"));
            for (name, value) in &self.response_headers {
                out.push_str(&format!("< {name}: {value}\n"));
            }
            if !self.response_body.is_empty() {
                out.push_str(&format!("<\n< {}\n", self.response_body));
            }
        }
        if let Some(error) = &self.error {
            out.push_str(&format!("! {error}\n"));
        }
        out
    }
}

/// The start of a body as text: UTF-8 up to `limit` bytes, or a note of
/// its size when it is binary.
pub fn preview(body: &[u8], limit: usize) -> String {
    if body.is_empty() {
        return String::new();
    }
    let head = &body[..body.len().min(limit)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text.to_owned(),
        // A multi-byte character cut at the limit is fine; binary is not.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        Err(_) => return format!("<{} bytes of binary data>", body.len()),
    };
    if body.len() > limit {
        format!("{text}… ({} bytes in all)", body.len())
    } else {
        text
    }
}

/// What can go wrong below HTTP.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection failed or broke.
    #[error("{0}")]
    Transport(String),
    /// No answer within the request timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The body was larger than [`MAX_BODY`].
    #[error("response body larger than {MAX_BODY} bytes")]
    TooLarge,
    /// The request could not be built.
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// How the client is set up.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The registry's base URL (`http://127.0.0.1:5000`).
    pub base: Url,
    /// Verify TLS certificates.
    pub verify_tls: bool,
    /// Username and password for Basic auth or the token service.
    pub credentials: Option<(String, String)>,
    /// `OCI_AUTH_SCOPE`: replaces the scope of token requests.
    pub auth_scope: Option<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Print every exchange to stdout (`OCI_DEBUG`).
    pub debug: bool,
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The HTTP client of a run. Cheap to share by reference.
pub struct Client {
    inner: HyperClient<Connector, Full<Bytes>>,
    options: ClientOptions,
    auth: Mutex<AuthState>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.options.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `options`.
    ///
    /// # Errors
    /// When TLS cannot be set up.
    pub fn new(options: ClientOptions) -> Result<Client, Error> {
        let tls = tls::client_config(options.verify_tls).map_err(Error::Invalid)?;
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let inner = HyperClient::builder(TokioExecutor::new()).build(connector);
        Ok(Client {
            inner,
            options,
            auth: Mutex::new(AuthState::default()),
        })
    }

    /// The registry's base URL.
    pub fn base(&self) -> &Url {
        &self.options.base
    }

    /// `base` joined with `path_and_query` (which starts with `/`): how
    /// the Ginkgo suite addresses everything, including upload locations
    /// reduced to their path.
    pub fn url(&self, path_and_query: &str) -> Url {
        let mut url = self.options.base.clone();
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        url.set_path(path);
        url.set_query(query);
        url
    }

    /// Sends `request`, answering one auth challenge and following
    /// redirects when asked; every hop is appended to `log`.
    pub async fn send(
        &self,
        request: &Request,
        log: &mut Vec<Exchange>,
    ) -> Result<Response, Error> {
        let mut current = request.clone();
        let mut note: Option<String> = None;
        for _ in 0..=MAX_REDIRECTS {
            let response = self.send_authenticated(&current, note.take(), log).await?;
            let redirect = (300..400).contains(&response.status) && response.status != 304;
            if !(current.follow && redirect) {
                return Ok(response);
            }
            let Some(next) = response.location() else {
                return Ok(response);
            };
            // A 303 (or any redirect of a write) turns into a GET; the
            // GET/HEAD the runner follows stay as they are.
            current.url = next;
            note = Some(format!("redirect ({})", response.status));
        }
        Err(Error::Transport(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    async fn send_authenticated(
        &self,
        request: &Request,
        note: Option<String>,
        log: &mut Vec<Exchange>,
    ) -> Result<Response, Error> {
        let same_origin = self.same_origin(&request.url);
        let known = if same_origin {
            self.known_auth(request)
        } else {
            None
        };
        let response = self.send_once(request, known.clone(), note, log).await?;
        if response.status != 401 || !same_origin {
            return Ok(response);
        }
        let Some(challenge) = oras_auth::select_challenge(&response.headers) else {
            return Ok(response);
        };
        let credentials = self.options.credentials.as_ref();
        if !auth::answerable(&challenge, credentials) {
            return Ok(response);
        }
        let header = match challenge.scheme {
            oras_auth::Scheme::Basic => {
                self.lock_auth().use_basic();
                credentials.map(auth::basic_header)
            }
            _ => {
                let token = match self.fetch_token(&challenge, log).await {
                    Ok(token) => token,
                    // The 401 stands; the check reports it.
                    Err(_) => return Ok(response),
                };
                self.lock_auth().remember_token(
                    &request.url,
                    request.method.as_str(),
                    token.clone(),
                );
                Some(format!("Bearer {token}"))
            }
        };
        if header.is_none() || header == known {
            return Ok(response);
        }
        self.send_once(request, header, Some("auth retry".to_owned()), log)
            .await
    }

    fn lock_auth(&self) -> std::sync::MutexGuard<'_, AuthState> {
        // A poisoned lock only means another check panicked mid-update;
        // the map is still usable.
        self.auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn known_auth(&self, request: &Request) -> Option<String> {
        self.lock_auth().header_for(
            self.options.credentials.as_ref(),
            &request.url,
            request.method.as_str(),
        )
    }

    fn same_origin(&self, url: &Url) -> bool {
        let base = &self.options.base;
        url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
    }

    async fn fetch_token(
        &self,
        challenge: &oras_auth::Challenge,
        log: &mut Vec<Exchange>,
    ) -> Result<String, Error> {
        let url = auth::token_url(challenge, self.options.auth_scope.as_deref())
            .map_err(Error::Invalid)?;
        let mut request = Request::new(Method::GET, url);
        if let Some(credentials) = &self.options.credentials {
            request = request.header(AUTHORIZATION, auth::basic_header(credentials));
        }
        let response = self
            .send_once(&request, None, Some("token".to_owned()), log)
            .await?;
        if response.status != 200 {
            return Err(Error::Transport(format!(
                "token request answered {}",
                response.status
            )));
        }
        if response.body.len() > auth::MAX_TOKEN_RESPONSE {
            return Err(Error::TooLarge);
        }
        auth::token_from(&response.body).map_err(Error::Transport)
    }

    /// One round trip, recorded.
    async fn send_once(
        &self,
        request: &Request,
        authorization: Option<String>,
        note: Option<String>,
        log: &mut Vec<Exchange>,
    ) -> Result<Response, Error> {
        let mut exchange = Exchange {
            note,
            method: request.method.to_string(),
            url: redact::query_params(request.url.as_str()),
            request_headers: Vec::new(),
            request_body: redact::body(&preview(&request.body, PREVIEW_BYTES)),
            status: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            error: None,
        };
        let built = self.build(request, authorization);
        let result = match built {
            Ok(http_request) => {
                exchange.request_headers = http_request
                    .headers()
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            redact::header_value(n.as_str(), v.to_str().unwrap_or("<binary>")),
                        )
                    })
                    .collect();
                self.round_trip(http_request, &request.url).await
            }
            Err(e) => Err(e),
        };
        match &result {
            Ok(response) => {
                exchange.status = Some(response.status);
                exchange.response_headers = response
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            redact::header_value(n.as_str(), v.to_str().unwrap_or("<binary>")),
                        )
                    })
                    .collect();
                exchange.response_body = redact::body(&preview(&response.body, PREVIEW_BYTES));
                exchange.error = response
                    .truncated
                    .as_ref()
                    .map(|t| format!("the body broke off: {t}"));
            }
            Err(e) => exchange.error = Some(e.to_string()),
        }
        if self.options.debug {
            println!("{}", exchange.dump());
        }
        log.push(exchange);
        result
    }

    fn build(
        &self,
        request: &Request,
        authorization: Option<String>,
    ) -> Result<http::Request<Full<Bytes>>, Error> {
        let uri: http::Uri = request
            .url
            .as_str()
            .parse()
            .map_err(|e| Error::Invalid(format!("{}: {e}", request.url)))?;
        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(uri);
        let host = match (request.url.host_str(), request.url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(Error::Invalid(format!("{} has no host", request.url))),
        };
        let headers = builder
            .headers_mut()
            .ok_or_else(|| Error::Invalid("request builder".to_owned()))?;
        let value = |v: &str| {
            HeaderValue::from_str(v).map_err(|e| Error::Invalid(format!("header value {v:?}: {e}")))
        };
        headers.insert(HOST, value(&host)?);
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        for (name, v) in &request.headers {
            // Content-Length is always the real one (see the module doc).
            if name != CONTENT_LENGTH {
                headers.append(name.clone(), value(v)?);
            }
        }
        let sends_length = matches!(request.method, Method::POST | Method::PUT | Method::PATCH);
        if sends_length || !request.body.is_empty() {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(request.body.len()));
        }
        if let Some(authorization) = authorization {
            headers.insert(AUTHORIZATION, value(&authorization)?);
        }
        builder
            .body(Full::new(request.body.clone()))
            .map_err(|e| Error::Invalid(e.to_string()))
    }

    async fn round_trip(
        &self,
        request: http::Request<Full<Bytes>>,
        url: &Url,
    ) -> Result<Response, Error> {
        let timeout = self.options.timeout;
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(|e| Error::Transport(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            // A body that breaks off after the headers is the registry's
            // fault (e.g. a Content-Length larger than what it sends):
            // keep the status and report it, rather than a bare error.
            let (body, truncated) = match Limited::new(body, MAX_BODY).collect().await {
                Ok(collected) => (collected.to_bytes(), None),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    return Err(Error::TooLarge);
                }
                Err(e) => (Bytes::new(), Some(error_chain(e.as_ref()))),
            };
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
                url: url.clone(),
                truncated,
            })
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| Error::Timeout(timeout))?
    }
}

/// An error and its sources, joined by `: `.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
