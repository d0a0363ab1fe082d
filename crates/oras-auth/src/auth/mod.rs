//! [`Auth`]: the service that authenticates requests (oras-go
//! `auth.Client.Do`), in tower's middleware shape.

mod flow;
mod future;
mod layer;

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use tower::Service;

pub use future::ResponseFuture;
pub use layer::{AuthLayer, DEFAULT_CLIENT_ID};

use crate::{Body, BoxError};
use layer::Config;

/// A response extension naming the URI that actually produced a response,
/// set by a redirect-following layer below auth. A 401 whose origin differs
/// from the request's is returned as is: credentials are never resolved for
/// a foreign challenge (GHSA-vh4v-2xq2-g5cg). Without it the response is
/// taken to come from the request URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseUri(pub http::Uri);

/// A request extension: authenticate this request with this credential
/// alone, and tokens of its own, neither read from nor left in the shared
/// cache (oras-go's `Login` pings the registry with a copy of the client
/// holding only the credential to check). The credential still goes to
/// the request's origin only.
#[derive(Clone, Debug)]
pub struct WithCredential(pub crate::Credential);

/// Authenticates requests to registries; built by [`AuthLayer`].
pub struct Auth<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> Auth<S> {
    pub(crate) fn from_parts(inner: S, config: Arc<Config>) -> Self {
        Auth { inner, config }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Clone> Clone for Auth<S> {
    fn clone(&self) -> Self {
        Auth {
            inner: self.inner.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("inner", &self.inner)
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

impl<S, ResB> Service<Request<Body>> for Auth<S>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
    ResB: http_body::Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    type Response = Response<ResB>;
    type Error = BoxError;
    type Future = ResponseFuture<Response<ResB>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The service that was polled ready sends the first attempt; the
        // flow clones it for token requests and the re-send.
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(flow::run(ready, self.config.clone(), request))
    }
}
