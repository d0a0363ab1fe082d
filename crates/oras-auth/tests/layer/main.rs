//! Integration tests of oras-auth: the auth layer against fake registries
//! and token services built from `tower::service_fn`.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub, dead_code)]

mod support;

mod basic;
mod bearer;
mod hyper_e2e;
mod security;
