//! Custom headers (`-H`) added only to requests for the registry's own
//! origin: never to a redirect target or a token realm on another origin
//! (oras GHSA-whvf-jp7m-59f3). This layer sits right above the transport,
//! so it sees every hop a redirect makes and decides per hop.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::USER_AGENT;
use http::{HeaderMap, Request};
use oras_auth::{Body, Origin};
use tower::{Layer, Service};

/// Adds [`RegistryHeaders`].
#[derive(Clone, Debug)]
pub(crate) struct RegistryHeadersLayer {
    pub(crate) headers: Arc<HeaderMap>,
    pub(crate) registry: Origin,
}

impl<S> Layer<S> for RegistryHeadersLayer {
    type Service = RegistryHeaders<S>;
    fn layer(&self, inner: S) -> RegistryHeaders<S> {
        RegistryHeaders {
            inner,
            config: self.clone(),
        }
    }
}

/// Adds the custom headers to requests for the registry origin.
#[derive(Clone, Debug)]
pub(crate) struct RegistryHeaders<S> {
    inner: S,
    config: RegistryHeadersLayer,
}

impl<S: Service<Request<Body>>> Service<Request<Body>> for RegistryHeaders<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> S::Future {
        if !self.config.headers.is_empty() && self.config.registry.contains(req.uri()) {
            for (name, value) in self.config.headers.iter() {
                if name == USER_AGENT {
                    req.headers_mut().insert(name.clone(), value.clone());
                } else {
                    req.headers_mut().append(name.clone(), value.clone());
                }
            }
        }
        self.inner.call(req)
    }
}
