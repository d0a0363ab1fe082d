//! Integration tests of the file store, in one binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod add;
mod common;
mod composed;
mod fallback;
mod go_tar;
mod hostile;
mod killed;
mod limits;
mod memory;
mod properties;
mod push;
mod round_trip;
mod suite;
