//! Custom headers (`-H`) added only to requests for the registry's own
//! origin: never to a redirect target or a token realm on another origin
//! (oras GHSA-whvf-jp7m-59f3). This layer sits right above the transport,
//! so it sees every hop a redirect makes and decides per hop.

use std::sync::Arc;

use super::edit::RequestEdit;
use http::header::USER_AGENT;
use http::{HeaderMap, Request};
use oras_auth::{Body, Origin};

/// Adds the custom headers to requests for the registry origin.
#[derive(Clone, Debug)]
pub(crate) struct RegistryHeadersLayer {
    pub(crate) headers: Arc<HeaderMap>,
    pub(crate) registry: Origin,
}

/// Adds the custom headers to requests for the registry origin.
impl RequestEdit for RegistryHeadersLayer {
    fn edit(&self, req: &mut Request<Body>) {
        if !self.headers.is_empty() && self.registry.contains(req.uri()) {
            for (name, value) in self.headers.iter() {
                if name == USER_AGENT {
                    req.headers_mut().insert(name.clone(), value.clone());
                } else {
                    req.headers_mut().append(name.clone(), value.clone());
                }
            }
        }
    }
}
