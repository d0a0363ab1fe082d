//! Scopes a caller asks for on every request ([`ClientConfig::scope`]),
//! added to each request's `oras_auth::Scopes` hints, so one token covers
//! them (oras-go `auth.AppendScopes` on the context of every call).
//!
//! [`ClientConfig::scope`]: super::ClientConfig::scope

use std::sync::Arc;

use super::edit::RequestEdit;
use http::Request;
use oras_auth::{Body, Scopes};

/// Adds its scopes to every request's hints.
#[derive(Clone, Debug)]
pub(crate) struct ExtraScopesLayer(pub(crate) Arc<Vec<String>>);

impl RequestEdit for ExtraScopesLayer {
    fn edit(&self, request: &mut Request<Body>) {
        let extensions = request.extensions_mut();
        let mut hints = extensions.remove::<Scopes>().unwrap_or_default();
        hints.0.extend(self.0.iter().cloned());
        extensions.insert(hints);
    }
}
