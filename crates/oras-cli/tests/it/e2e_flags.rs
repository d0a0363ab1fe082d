//! End-to-end tests of flags no other e2e file exercises, each checked by
//! its effect: `--identity-token[-stdin]` (the OAuth2 refresh-token grant
//! at a real token server), `pull --keep-old-files` and
//! `--preserve-permissions`, `resolve --full-reference`, `--cert-file`
//! with `--key-file`, and `-H/--header` (sent to the registry, not to a
//! blob CDN on another origin).
//!
//! The environment helpers are the core e2e suite's ([`support::Env`]:
//! own `HOME` and `DOCKER_CONFIG`, every run bounded in time).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_core::support;

#[path = "e2e_flags/identity_token.rs"]
mod identity_token;

#[path = "e2e_flags/pull_files.rs"]
mod pull_files;

#[path = "e2e_flags/resolve.rs"]
mod resolve;

#[path = "e2e_flags/tls_client.rs"]
mod tls_client;

#[path = "e2e_flags/header.rs"]
mod header;
