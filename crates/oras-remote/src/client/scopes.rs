//! Scopes a caller asks for on every request ([`ClientConfig::scope`]),
//! added to each request's `oras_auth::Scopes` hints, so one token covers
//! them (oras-go `auth.AppendScopes` on the context of every call).
//!
//! [`ClientConfig::scope`]: super::ClientConfig::scope

use std::sync::Arc;
use std::task::{Context, Poll};

use http::Request;
use oras_auth::{Body, Scopes};
use tower::{Layer, Service};

/// Adds its scopes to every request's hints.
#[derive(Clone, Debug)]
pub(crate) struct ExtraScopesLayer(pub(crate) Arc<Vec<String>>);

impl<S> Layer<S> for ExtraScopesLayer {
    type Service = ExtraScopes<S>;

    fn layer(&self, inner: S) -> ExtraScopes<S> {
        ExtraScopes {
            inner,
            scopes: self.0.clone(),
        }
    }
}

/// See [`ExtraScopesLayer`].
#[derive(Clone, Debug)]
pub(crate) struct ExtraScopes<S> {
    inner: S,
    scopes: Arc<Vec<String>>,
}

impl<S: Service<Request<Body>>> Service<Request<Body>> for ExtraScopes<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> S::Future {
        let extensions = request.extensions_mut();
        let mut hints = extensions.remove::<Scopes>().unwrap_or_default();
        hints.0.extend(self.scopes.iter().cloned());
        extensions.insert(hints);
        self.inner.call(request)
    }
}
