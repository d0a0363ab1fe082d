//! Integration tests of oras-remote against scripted fakes and loopback
//! servers (one test binary).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

mod blobs;
mod dns;
mod fake;
mod large;
mod manifests;
mod mount;
mod open_client;
mod oras_go_pieces;
mod pages;
mod prestage_file;
mod proxy_tls;
mod ranged_fetch;
mod real;
mod real_fast;
mod real_referrers;
mod realm;
mod referrers;
mod retry;
mod security;
mod stack;
mod tags;
mod warnings;
