//! End-to-end tests of `push`, `pull`, `tag`, `resolve`, `login` and
//! `logout` through the built `oras` binary: against OCI layouts, a real
//! CNCF Distribution registry (plain HTTP, TLS with Basic auth, token
//! auth), and the in-process fake registry for a lying server.
//!
//! Every test has its own `HOME` and `DOCKER_CONFIG`, so no real
//! configuration is read or written, and every command run is bounded by
//! [`support::COMMAND_TIMEOUT`].

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "e2e_core/support.rs"]
pub(crate) mod support;

#[path = "e2e_core/layout.rs"]
mod layout;

#[path = "e2e_core/registry.rs"]
mod registry;

#[path = "e2e_core/auth.rs"]
mod auth;

#[path = "e2e_core/fake.rs"]
mod fake;
