//! The service of the layers that only edit a request before passing it
//! on (custom headers, user agent, extra scopes): each layer's
//! configuration implements [`RequestEdit`], whose `layer` wraps the
//! inner service in an [`Edited`].

use std::task::{Context, Poll};

use http::Request;
use oras_auth::Body;
use tower::Service;

/// A change made to every request before it goes to the inner service.
pub(crate) trait RequestEdit: Clone {
    /// Edits `request` in place.
    fn edit(&self, request: &mut Request<Body>);

    /// `inner` with this edit applied to every request (the layer's
    /// `Layer::layer`).
    fn layer<S>(&self, inner: S) -> Edited<S, Self> {
        Edited::new(inner, self.clone())
    }
}

/// `inner` with `edit` applied to every request it is called with.
#[derive(Clone, Debug)]
pub(crate) struct Edited<S, E> {
    inner: S,
    edit: E,
}

impl<S, E> Edited<S, E> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: S, edit: E) -> Self {
        Edited { inner, edit }
    }
}

impl<S: Service<Request<Body>>, E: RequestEdit> Service<Request<Body>> for Edited<S, E> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> S::Future {
        self.edit.edit(&mut request);
        self.inner.call(request)
    }
}
