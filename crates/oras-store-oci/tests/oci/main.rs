//! Integration tests of the OCI image layout stores, one binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod concurrency;
mod delete;
mod go_layout;
mod hostile;
mod layout;
mod processes;
mod push;
mod read_only;
mod references;
mod storage;
mod suite;
