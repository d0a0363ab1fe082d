#![allow(clippy::unwrap_used, clippy::expect_used)] // test support may panic

//! Registry behaviour of oras 1.4 and oras-go v3 against real registries:
//! - `scoped_auth`: `oras cp` between two repositories of one registry
//!   whose tokens are scoped per repository, with different credentials
//!   on each side;
//! - `containers_config`: `ORAS_EXPERIMENTAL_CONTAINERS_CONFIG=1` with
//!   registries.conf (mirrors, blocked, insecure, aliases), certs.d,
//!   auth.json and policy.json.

mod support;

mod auth_sources;
mod containers_config;
mod every_command;
mod mirror_fallback;
mod scoped_auth;
