//! Integration tests of oras-containers-config, one binary: the
//! configuration applied through the library against real Distribution
//! registries (mirror with fallback to the origin, pushes to the origin
//! only, blocked refused before any client is built), and each
//! repository's namespaced auth.json credentials against a token server
//! that scopes tokens per namespace.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support may panic

mod endpoints;
mod namespaced_auth;
