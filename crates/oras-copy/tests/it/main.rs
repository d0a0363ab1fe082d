//! Integration tests of oras-copy, one binary (ripgrep style).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support may panic

mod support;

mod copy;
mod errors;
mod extended;
mod go_pack;
mod mount;
mod pack;
mod pack_properties;
mod platform;
mod progress;
mod tag;

// Copies between every kind of store, and through real registries; once
// their own test binaries, now modules of this one.
mod cross_store;
mod remote_copy;
mod self_heal;
