//! End-to-end tests of the graph commands (`attach`, `discover`, `cp`,
//! `backup`, `restore`) running the built `oras` binary:
//!
//! * against the real CNCF Distribution 2.8 (Plain mode), which has no
//!   referrers API, so referrers go through the `sha256-<hex>` tag schema;
//! * against the oras-testkit fake with the referrers API on (the API
//!   path, and cross-repository mounts observed in its request log);
//! * against OCI image layouts, as directories and tar archives;
//! * with other OCI tools (oras-py, skopeo) on the real registry, both
//!   directions ([`interop`]).
//!
//! Artifacts are pushed with oras-remote and the storage traits directly
//! (never with `oras push`), except in [`interop`], whose subject is what
//! other tools make of `oras push` output. Every command runs under a
//! time limit and every test under [`fixtures::bounded`].

// Test helpers fail loudly: a panic is the test's failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "e2e_graph/fixtures.rs"]
pub(crate) mod fixtures;

#[path = "e2e_graph/attach_discover.rs"]
mod attach_discover;

#[path = "e2e_graph/copy.rs"]
mod copy;

#[path = "e2e_graph/backup_restore.rs"]
mod backup_restore;

#[path = "e2e_graph/referrers_api.rs"]
mod referrers_api;

#[path = "e2e_graph/interop.rs"]
mod interop;
