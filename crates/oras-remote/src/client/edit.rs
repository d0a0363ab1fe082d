//! The services of the layers that only edit a request before passing it
//! on (custom headers, user agent, extra scopes) or a response before
//! returning it (read timeout, warnings): each layer's configuration
//! implements [`RequestEdit`] or [`ResponseEdit`], whose `layer` wraps
//! the inner service in an [`Edited`] or an [`EditedResponses`].

use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::{Request, Response};
use oras_auth::Body;
use tower::Service;

use super::body::ResponseBody;
use crate::error::BoxError;

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

/// A change made to every response of the inner service.
pub(crate) trait ResponseEdit: Clone + Send + 'static {
    /// The edited `response`.
    fn edit(&self, response: Response<ResponseBody>) -> Response<ResponseBody>;

    /// `inner` with this edit applied to every response (the layer's
    /// `Layer::layer`).
    fn layer<S>(&self, inner: S) -> EditedResponses<S, Self> {
        EditedResponses {
            inner,
            edit: self.clone(),
        }
    }
}

/// `inner` with `edit` applied to every response it returns.
#[derive(Clone, Debug)]
pub(crate) struct EditedResponses<S, E> {
    inner: S,
    edit: E,
}

impl<S, E> Service<Request<Body>> for EditedResponses<S, E>
where
    S: Service<Request<Body>, Response = Response<ResponseBody>, Error = BoxError>,
    S::Future: Send + 'static,
    E: ResponseEdit,
{
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let edit = self.edit.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            Ok(edit.edit(response))
        })
    }
}
