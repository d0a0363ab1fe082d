//! Load against the real registry (Distribution, plain HTTP, loopback)
//! with the `oras` binary: many processes at once, a repository of 10,000
//! tags, a subject with 1,000 referrers, an index of 100 platforms. Every
//! `oras` process runs under GNU time (`oras_testkit::measure`, as the
//! bench measures) and its peak RSS must stay under 64 MiB. The registry
//! is filled over HTTP by the test (oras-remote, many requests at once),
//! not by `oras` processes.
//!
//! Run them with `cargo test -p oras-cli --test it load::`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "load/support.rs"]
mod support;

#[path = "load/pushes.rs"]
mod pushes;

#[path = "load/tags.rs"]
mod tags;

#[path = "load/referrers.rs"]
mod referrers;

#[path = "load/platforms.rs"]
mod platforms;
