//! The `oras` binary itself killed outright (SIGKILL) at random points,
//! and several `oras` processes writing one OCI layout at once.
//!
//! Each crash scenario first runs its command once to the end to learn
//! how long it takes, then, round after round, starts it again and kills
//! it after a random part of that time (seeded: the seed is printed and
//! `ORAS_CRASH_SEED` replays it). After each kill what it wrote is checked
//! with the test kit's crash checks (`oras_testkit::crash`): a layout
//! stays valid (`index.json` parses, every blob it reaches exists and
//! matches its digest, no final-named blob is partial), a pull directory
//! holds no partial file under its final name; then the same command is
//! run again and must succeed, and what it made is verified.
//!
//! Run them with `cargo test -p oras-cli --test it crash::`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "crash/support.rs"]
pub(crate) mod support;

#[path = "crash/push.rs"]
mod push;

#[path = "crash/pull.rs"]
mod pull;

#[path = "crash/copy.rs"]
mod copy;

#[path = "crash/restore.rs"]
mod restore;

#[path = "crash/concurrent.rs"]
mod concurrent;
