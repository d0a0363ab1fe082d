//! The HTTP side: accept loops on both origins, and the pipeline every
//! request goes through — fault, authentication, routing, response
//! decoration, logging.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::header::HeaderValue;
use http::{HeaderMap, Method, Request, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use oras_spec::Reference;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::body::{self, DroppingBody, RequestBody, Resp};
use super::config::{Auth, FakeConfig};
use super::errors::ErrorCode;
use super::fault::FaultAction;
use super::log::{Origin, RequestRecord};
use super::route::{Query, Route};
use super::state::State;
use super::{auth, blobs, listing, manifests, uploads};

/// The longest repository name accepted (distribution's limit, also the
/// limit clients apply to `host/name`).
const MAX_NAME_LEN: usize = 255;

/// State shared by both origins and the [`FakeRegistry`](super::FakeRegistry) handle.
pub(crate) struct Shared {
    pub(crate) config: FakeConfig,
    state: Mutex<State>,
    pub(crate) registry_addr: SocketAddr,
    pub(crate) other_addr: SocketAddr,
}

impl Shared {
    /// Shared state for servers at `registry_addr` and `other_addr`.
    pub(crate) fn new(
        config: FakeConfig,
        registry_addr: SocketAddr,
        other_addr: SocketAddr,
    ) -> Self {
        let mut state = State::default();
        state.fault_matches = vec![0; config.faults.len()];
        Shared {
            config,
            state: Mutex::new(state),
            registry_addr,
            other_addr,
        }
    }

    /// Locks the store (a panic in another request does not poison it for
    /// the test's assertions).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `http://127.0.0.1:port` of an origin.
    pub(crate) fn base_url(&self, origin: Origin) -> String {
        match origin {
            Origin::Registry => format!("http://{}", self.registry_addr),
            Origin::Other => format!("http://{}", self.other_addr),
        }
    }

    /// A URL for `path` on `target`, as seen from a request served by
    /// `served_by`: relative when both are the same origin (unless
    /// [`FakeConfig::absolute_location`] is on), absolute otherwise.
    pub(crate) fn url_for(&self, served_by: Origin, target: Origin, path: &str) -> String {
        if served_by == target && !self.config.absolute_location {
            path.to_owned()
        } else {
            format!("{}{path}", self.base_url(target))
        }
    }

    /// Counts the request against every fault it matches and returns the
    /// action of the first fault whose window covers it.
    fn fault_for(&self, origin: Origin, method: &Method, path: &str) -> Option<FaultAction> {
        let mut state = self.lock();
        let mut chosen = None;
        for (i, fault) in self.config.faults.iter().enumerate() {
            if !fault.matches(origin, method, path) {
                continue;
            }
            let Some(count) = state.fault_matches.get_mut(i) else {
                continue;
            };
            let applies = fault.applies_to(*count);
            *count = count.saturating_add(1);
            if applies && chosen.is_none() {
                chosen = Some(fault.action.clone());
            }
        }
        chosen
    }
}

/// Everything a handler needs about one request.
pub(crate) struct Exchange {
    pub(crate) shared: Arc<Shared>,
    pub(crate) origin: Origin,
    pub(crate) method: Method,
    pub(crate) headers: HeaderMap,
    pub(crate) query: Query,
    pub(crate) body: RequestBody,
}

impl Exchange {
    /// The configuration.
    pub(crate) fn config(&self) -> &FakeConfig {
        &self.shared.config
    }

    /// A request header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// A `Location` for `path` on the origin that served this request.
    pub(crate) fn location(&self, path: &str) -> String {
        self.shared.url_for(self.origin, self.origin, path)
    }

    /// Whether this is a HEAD request.
    pub(crate) fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }
}

/// A request that ends with the connection cut instead of a response
/// (hyper closes the connection when the service fails).
#[derive(Debug)]
pub(crate) struct Abort(pub(crate) &'static str);

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fake registry dropped the connection: {}", self.0)
    }
}

impl std::error::Error for Abort {}

impl From<body::BrokenBody> for Abort {
    fn from(_: body::BrokenBody) -> Self {
        Abort("request body broken")
    }
}

/// Marks a response to a request the spec has no endpoint for.
#[derive(Clone, Copy)]
struct Unexpected;

/// Serves `listener` until the task is aborted; aborting drops the
/// `JoinSet`, which aborts every open connection with it.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, origin: Origin) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // E.g. out of file descriptors: back off briefly.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), origin, req));
                    let builder = auto::Builder::new(TokioExecutor::new());
                    // A connection error (client gone, injected drop) ends
                    // only this connection.
                    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: fault, auth, route, decorate, log.
async fn handle(
    shared: Arc<Shared>,
    origin: Origin,
    req: Request<Incoming>,
) -> Result<Resp, Abort> {
    let (parts, incoming) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let fault = shared.fault_for(origin, &parts.method, &path);
    let mut record = RequestRecord {
        origin,
        method: parts.method.clone(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned()),
        request_headers: parts.headers.clone(),
        status: 0,
        response_headers: HeaderMap::new(),
        fault: fault.as_ref().map(|action| format!("{action:?}")),
        unexpected: false,
    };

    let mut drop_response_after = None;
    let mut request_limit = None;
    match fault {
        Some(FaultAction::Respond {
            status,
            retry_after,
            code,
        }) => {
            let mut resp = body::error(
                status,
                code.unwrap_or_else(|| ErrorCode::for_status(status)),
                "injected fault",
            );
            if let Some(seconds) = retry_after {
                resp.headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            return Ok(finish(&shared, record, decorate(resp)));
        }
        Some(FaultAction::CloseConnection) => {
            shared.lock().log.push(record);
            return Err(Abort("injected fault"));
        }
        Some(FaultAction::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultAction::DropResponseAfter(n)) => drop_response_after = Some(n),
        Some(FaultAction::DropRequestAfter(n)) => request_limit = Some(n),
        None => {}
    }

    let route = Route::parse(&path);
    let mut ex = Exchange {
        shared: shared.clone(),
        origin,
        method: parts.method,
        headers: parts.headers,
        query: Query::parse(parts.uri.query()),
        body: RequestBody::new(incoming, request_limit),
    };
    let denied = match origin {
        Origin::Registry => auth::check(&ex, &route),
        Origin::Other => None,
    };
    let outcome = match denied {
        Some(resp) => Ok(resp),
        None => dispatch(&mut ex, route).await,
    };
    match outcome {
        Ok(mut resp) => {
            if let Some(limit) = drop_response_after {
                let inner = std::mem::replace(resp.body_mut(), body::empty());
                *resp.body_mut() = DroppingBody::wrap(inner, limit);
            }
            Ok(finish(&shared, record, decorate(resp)))
        }
        Err(abort) => {
            record.unexpected = false;
            shared.lock().log.push(record);
            Err(abort)
        }
    }
}

/// Adds the headers every response carries.
fn decorate(mut resp: Resp) -> Resp {
    resp.headers_mut().insert(
        "docker-distribution-api-version",
        HeaderValue::from_static("registry/2.0"),
    );
    resp
}

/// Logs the exchange and hands the response back.
fn finish(shared: &Shared, mut record: RequestRecord, resp: Resp) -> Resp {
    record.status = resp.status().as_u16();
    record.response_headers = resp.headers().clone();
    record.unexpected = resp.extensions().get::<Unexpected>().is_some();
    shared.lock().log.push(record);
    resp
}

/// Whether `name` follows the spec's repository grammar (checklist §3.2).
pub(crate) fn valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME_LEN && Reference::validate_repository(name).is_ok()
}

/// Routes to the endpoint handlers.
async fn dispatch(ex: &mut Exchange, route: Route) -> Result<Resp, Abort> {
    if matches!(route, Route::Referrers { .. }) && !ex.config().referrers_api {
        // Distribution 2.8's answer: no JSON, so no NAME_UNKNOWN, which is
        // what makes oras-go fall back to the tag schema (§3.5).
        return Ok(body::with_body(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "404 page not found\n",
        ));
    }
    if let Some(name) = route.name()
        && !valid_name(name)
    {
        return Ok(body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::NameInvalid,
            &format!("invalid repository name {name:?}"),
        ));
    }
    let method = ex.method.clone();
    let get_or_head = method == Method::GET || method == Method::HEAD;
    let resp = match route {
        Route::Base if get_or_head => {
            let resp = body::json(StatusCode::OK, &serde_json::json!({}));
            if ex.is_head() {
                body::head_of(resp, 2)
            } else {
                resp
            }
        }
        Route::Catalog if method == Method::GET => listing::catalog(ex),
        Route::Token
            if (method == Method::GET || method == Method::POST)
                && ex.origin == Origin::Registry
                && matches!(ex.config().auth, Auth::Bearer(_)) =>
        {
            auth::token(ex).await?
        }
        Route::Tags { name } if method == Method::GET => listing::tags(ex, &name),
        Route::Manifest { name, reference } => match method {
            Method::GET | Method::HEAD => manifests::get(ex, &name, &reference),
            Method::PUT => manifests::put(ex, &name, &reference).await?,
            Method::DELETE => manifests::delete(ex, &name, &reference),
            _ => return Ok(method_not_allowed()),
        },
        Route::Blob { name, digest } => match method {
            Method::GET | Method::HEAD => blobs::get(ex, &name, &digest),
            Method::DELETE => blobs::delete(ex, &name, &digest),
            _ => return Ok(method_not_allowed()),
        },
        Route::UploadStart { name } if method == Method::POST => uploads::start(ex, &name).await?,
        Route::Upload { name, id } => match method {
            Method::PATCH => uploads::patch(ex, &name, &id).await?,
            Method::PUT => uploads::put(ex, &name, &id).await?,
            Method::GET => uploads::status(ex, &name, &id),
            Method::DELETE => uploads::cancel(ex, &name, &id),
            _ => return Ok(method_not_allowed()),
        },
        Route::Referrers { name, digest } if method == Method::GET => {
            listing::referrers(ex, &name, &digest)
        }
        Route::Unknown | Route::Token => {
            let mut resp = body::with_body(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "404 page not found\n",
            );
            resp.extensions_mut().insert(Unexpected);
            return Ok(resp);
        }
        _ => return Ok(method_not_allowed()),
    };
    Ok(resp)
}

/// 405 for a known path with a method the spec does not define there.
fn method_not_allowed() -> Resp {
    let mut resp = body::error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Unsupported,
        "method not allowed on this endpoint",
    );
    resp.extensions_mut().insert(Unexpected);
    resp
}

/// Sets a header from text, skipping values that are not valid headers
/// (never the case for what the fake writes).
pub(crate) fn set_header(resp: &mut Resp, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, value);
    }
}

/// Appends a header (for repeated headers such as `OCI-Tag`).
pub(crate) fn append_header(resp: &mut Resp, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        resp.headers_mut().append(name, value);
    }
}
