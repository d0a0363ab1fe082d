//! Sets `User-Agent` (default `oras-rs/<version>`) on requests without one.

use std::task::{Context, Poll};

use http::Request;
use http::header::{HeaderValue, USER_AGENT};
use oras_auth::Body;
use tower::{Layer, Service};

/// The default user agent, `oras-rs/<crate version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("oras-rs/", env!("CARGO_PKG_VERSION"));

/// Adds [`UserAgent`].
#[derive(Clone, Debug)]
pub(crate) struct UserAgentLayer(pub(crate) HeaderValue);

impl<S> Layer<S> for UserAgentLayer {
    type Service = UserAgent<S>;
    fn layer(&self, inner: S) -> UserAgent<S> {
        UserAgent {
            inner,
            value: self.0.clone(),
        }
    }
}

/// Sets the user agent.
#[derive(Clone, Debug)]
pub(crate) struct UserAgent<S> {
    inner: S,
    value: HeaderValue,
}

impl<S: Service<Request<Body>>> Service<Request<Body>> for UserAgent<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> S::Future {
        if !req.headers().contains_key(USER_AGENT) {
            req.headers_mut().insert(USER_AGENT, self.value.clone());
        }
        self.inner.call(req)
    }
}
