//! Sets `User-Agent` (default `oras-rs/<version>`) on requests without one.

use super::edit::RequestEdit;
use http::Request;
use http::header::{HeaderValue, USER_AGENT};
use oras_auth::Body;

/// The default user agent, `oras-rs/<crate version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("oras-rs/", env!("CARGO_PKG_VERSION"));

/// Sets the user agent on requests without one.
#[derive(Clone, Debug)]
pub(crate) struct UserAgentLayer(pub(crate) HeaderValue);

/// Sets the user agent on a request without one.
impl RequestEdit for UserAgentLayer {
    fn edit(&self, req: &mut Request<Body>) {
        if !req.headers().contains_key(USER_AGENT) {
            req.headers_mut().insert(USER_AGENT, self.0.clone());
        }
    }
}
