//! Cross-store integration tests of oras-copy: the copy engine between the
//! real stores (memory, OCI image layout on disk and in a tar, file store),
//! round trips memory ↔ OCI layout ↔ file store. The registry side lives
//! in `remote_copy`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod support;

mod atomicity;
mod directions;
mod duplicates;
mod pull;
mod referrers;
mod round_trip;
mod skipping;
