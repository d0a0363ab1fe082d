//! What the request pipeline ([`super::server`]) and the endpoint
//! handlers share: the registry's state behind both origins ([`Shared`]),
//! one request as a handler sees it ([`Exchange`]), the dropped connection
//! ([`Abort`]) and small response helpers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::header::HeaderValue;
use http::{HeaderMap, Method};
use oras_spec::Reference;

use super::body::{self, RequestBody, Resp};
use super::config::FakeConfig;
use super::fault::FaultAction;
use super::log::Origin;
use super::route::Query;
use super::state::State;

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
    pub(crate) fn fault_for(
        &self,
        origin: Origin,
        method: &Method,
        path: &str,
    ) -> Option<FaultAction> {
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

/// Whether `name` follows the spec's repository grammar.
pub(crate) fn valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME_LEN && Reference::validate_repository(name).is_ok()
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
