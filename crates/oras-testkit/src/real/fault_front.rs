//! [`FaultFront`]: an HTTP front on 127.0.0.1 that forwards every request
//! to a real registry and fails chosen ones, for fault tests against the
//! real registry (the fake registry has the same faults built in).
//!
//! It speaks the fake registry's vocabulary: a list of
//! [`Fault`](crate::fake::Fault)s (a method, a path glob, which matching
//! requests by count, an action), checked in order; the first whose
//! window covers a request applies. Supported actions:
//! - [`FaultAction::Respond`]: answer the status at once with a
//!   distribution error body (and `Retry-After` when given), without
//!   forwarding;
//! - [`FaultAction::Delay`]: wait, then forward;
//! - [`FaultAction::CloseConnection`]: close the connection without an
//!   answer.
//!
//! The byte-level actions (`DropResponseAfter`, `DropRequestAfter`) are
//! refused by [`FaultFront::set_faults`]: cutting transfers at byte
//! counts is the TCP proxy's job.
//!
//! Requests are forwarded over plain HTTP/1.1 with their `Host` header
//! unchanged, so the registry (distribution builds `Location` from `Host`)
//! sends clients back to the front for the rest of an upload. The front
//! therefore fits [`Mode::Plain`](super::Mode::Plain) and
//! [`Mode::Token`](super::Mode::Token) registries (the token realm is the
//! token server's own address, not fronted). Bodies stream both ways.
//!
//! It runs on its own thread and runtime ([`ServerThread`], as the token
//! server), so a test that blocks on a CLI subprocess cannot starve it;
//! dropping it stops it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::{Error, Result};
use super::server_thread::ServerThread;
use crate::fake::{ErrorCode, Fault, FaultAction, Origin};

/// A response body: forwarded (streamed) or made here.
type FrontBody = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// One request the front received, as tests inspect it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontRequest {
    /// The method.
    pub method: Method,
    /// The path (no query).
    pub path: String,
    /// The status answered: the injected one, the registry's, or 0 when
    /// the connection was closed without an answer (injected, or the
    /// registry unreachable: then 502 is answered and recorded).
    pub status: u16,
    /// Whether a fault applied to it.
    pub faulted: bool,
}

/// The faults, their counters and the request log.
#[derive(Default)]
struct State {
    faults: Vec<Fault>,
    /// Matching requests seen so far, per fault.
    seen: Vec<u32>,
    log: Vec<FrontRequest>,
}

struct Shared {
    upstream: SocketAddr,
    client: Client<HttpConnector, Incoming>,
    state: Mutex<State>,
}

/// A running front; stops when dropped.
pub struct FaultFront {
    shared: Arc<Shared>,
    server: ServerThread,
}

impl std::fmt::Debug for FaultFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultFront")
            .field("addr", &self.server.addr())
            .field("upstream", &self.shared.upstream)
            .finish_non_exhaustive()
    }
}

impl FaultFront {
    /// Binds 127.0.0.1 on a free port and forwards to `upstream` (a plain
    /// HTTP registry, e.g. [`RealRegistry::addr`](super::RealRegistry::addr))
    /// with no faults yet.
    ///
    /// # Errors
    /// When the socket, the runtime or the thread cannot be made.
    pub fn start(upstream: SocketAddr) -> Result<FaultFront> {
        let shared = Arc::new(Shared {
            upstream,
            client: Client::builder(TokioExecutor::new()).build_http(),
            state: Mutex::new(State::default()),
        });
        let state = shared.clone();
        let service = hyper::service::service_fn(move |request| {
            let state = state.clone();
            async move { handle(&state, request).await }
        });
        let server = ServerThread::start("fault front", service)?;
        Ok(FaultFront { shared, server })
    }

    /// The address clients use: `127.0.0.1:PORT`.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `127.0.0.1:PORT`, the registry part of a reference.
    pub fn host(&self) -> String {
        self.server.addr().to_string()
    }

    /// Replaces the faults; their counters start from zero.
    ///
    /// # Errors
    /// An [`Error::Io`] of kind `Unsupported` for a byte-level action
    /// ([`FaultAction::DropResponseAfter`], [`FaultAction::DropRequestAfter`]).
    pub fn set_faults(&self, faults: Vec<Fault>) -> Result<()> {
        if let Some(fault) = faults.iter().find(|f| {
            matches!(
                f.action,
                FaultAction::DropResponseAfter(_) | FaultAction::DropRequestAfter(_)
            )
        }) {
            return Err(Error::io(
                "setting the fault front's faults",
                std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    format!(
                        "the fault front cannot apply {:?}; cut transfers with the TCP proxy",
                        fault.action
                    ),
                ),
            ));
        }
        let mut state = lock(&self.shared.state);
        state.seen = vec![0; faults.len()];
        state.faults = faults;
        Ok(())
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<FrontRequest> {
        lock(&self.shared.state).log.clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The error that makes hyper close a connection without an answer.
#[derive(Debug, thiserror::Error)]
#[error("injected fault: connection closed")]
struct Closed;

/// The fault that applies to this request, if any (counting it).
fn fault_for(shared: &Shared, method: &Method, path: &str) -> Option<FaultAction> {
    let mut state = lock(&shared.state);
    let State { faults, seen, .. } = &mut *state;
    let mut applied = None;
    for (fault, count) in faults.iter().zip(seen.iter_mut()) {
        if !fault.matches(Origin::Registry, method, path) {
            continue;
        }
        let hit = fault.applies_to(*count);
        *count = count.saturating_add(1);
        if hit && applied.is_none() {
            applied = Some(fault.action.clone());
        }
    }
    applied
}

async fn handle(
    shared: &Shared,
    request: Request<Incoming>,
) -> std::result::Result<Response<FrontBody>, Closed> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let fault = fault_for(shared, &method, &path);
    let record = |status: u16| {
        lock(&shared.state).log.push(FrontRequest {
            method: method.clone(),
            path: path.clone(),
            status,
            faulted: fault.is_some(),
        });
    };
    match &fault {
        Some(FaultAction::Respond {
            status,
            retry_after,
            code,
        }) => {
            record(status.as_u16());
            return Ok(error_response(
                *status,
                code.unwrap_or_else(|| ErrorCode::for_status(*status)),
                *retry_after,
            ));
        }
        Some(FaultAction::CloseConnection) => {
            record(0);
            return Err(Closed);
        }
        Some(FaultAction::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(FaultAction::DropResponseAfter(_) | FaultAction::DropRequestAfter(_)) | None => {}
    }
    match forward(shared, request).await {
        Ok(response) => {
            record(response.status().as_u16());
            Ok(response)
        }
        Err(_) => {
            // The registry is down (killed, restarting): a gateway error,
            // as a load balancer in front of it would answer.
            record(StatusCode::BAD_GATEWAY.as_u16());
            Ok(error_response(
                StatusCode::BAD_GATEWAY,
                ErrorCode::for_status(StatusCode::BAD_GATEWAY),
                None,
            ))
        }
    }
}

/// Sends `request` to the registry (its `Host` header unchanged) and
/// streams the answer back.
async fn forward(
    shared: &Shared,
    request: Request<Incoming>,
) -> std::result::Result<Response<FrontBody>, hyper_util::client::legacy::Error> {
    let (mut parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    if let Ok(uri) = Uri::try_from(format!("http://{}{path_and_query}", shared.upstream)) {
        parts.uri = uri;
    }
    let response = shared
        .client
        .request(Request::from_parts(parts, body))
        .await?;
    Ok(response.map(|body| body.map_err(Into::into).boxed()))
}

/// A distribution error response (`{"errors":[{code, message, detail}]}`).
fn error_response(
    status: StatusCode,
    code: ErrorCode,
    retry_after: Option<u64>,
) -> Response<FrontBody> {
    let body = serde_json::json!({
        "errors": [{"code": code.as_str(), "message": code.message(), "detail": "injected fault"}]
    });
    let mut response = Response::new(
        Full::new(Bytes::from(body.to_string()))
            .map_err(Into::into)
            .boxed(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
