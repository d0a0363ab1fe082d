//! The fake registry driven by a plain hyper client: the strict behaviour
//! of every endpoint, and that each switch changes exactly its behaviour.
//! One test binary; one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fake_registry/support.rs"]
mod support;

#[path = "fake_registry/auth.rs"]
mod auth;
#[path = "fake_registry/blobs.rs"]
mod blobs;
#[path = "fake_registry/faults.rs"]
mod faults;
#[path = "fake_registry/lifecycle.rs"]
mod lifecycle;
#[path = "fake_registry/listings.rs"]
mod listings;
#[path = "fake_registry/manifests.rs"]
mod manifests;
#[path = "fake_registry/referrers.rs"]
mod referrers;
#[path = "fake_registry/switches.rs"]
mod switches;
#[path = "fake_registry/uploads.rs"]
mod uploads;
