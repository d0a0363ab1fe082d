//! The examples, run as programs against a real CNCF Distribution registry
//! (`oras_testkit::real`), with their effects checked through the
//! libraries: what landed in the registry, on disk, or in what they print
//! when their result lives only in memory.
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod copies;
mod credentials;
mod files;
mod local;
mod repository;
mod support;
