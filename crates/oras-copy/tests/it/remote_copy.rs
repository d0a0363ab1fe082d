//! Copy tests that involve registries (remote ↔ remote on a real
//! registry): the copy engine between repositories of a real CNCF
//! Distribution registry (`oras_testkit::real`), between a registry and
//! the local stores (OCI layout, file store) in the plain, TLS + Basic
//! and token modes, mounts and their fallback, and the referrers of an
//! index's children through the tag schema (the real registry) and the
//! referrers API (`oras_testkit::fake`); and `cp -r` on a real registry
//! with the OCI 1.1 referrers API (olareg, `ReferrersRegistry`), between
//! its repositories and to Distribution and back.
//!
//! The real-registry tests need `docker-registry` (Debian's distribution
//! 2.8); the harness installs it when running as root, and
//! `ORAS_SKIP_REAL_REGISTRY=1` turns its absence into a skip.
//!
//! One test is ignored because it moves 4 GiB through the registry: an
//! artifact of 20 × 100 MiB layers copied between two repositories with
//! peak RSS under 128 MiB and the layers in flight together. Run it with
//! `cargo test -p oras-copy --test it -- --ignored --nocapture twenty_layers`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod support;

mod big;
mod layouts;
mod mount;
mod referrers;
mod referrers_api;
mod remote_to_remote;
