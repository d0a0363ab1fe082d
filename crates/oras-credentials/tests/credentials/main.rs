//! Integration tests of oras-credentials: config files in temp dirs and
//! fake credential helpers written as shell scripts.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub, dead_code)]

mod support;

mod config_file;
mod dynamic;
mod helpers;
mod login;
