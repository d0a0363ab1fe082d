//! Fault injection against the real registry, with the `oras` binary:
//! the registry SIGKILLed and restarted mid-transfer (`registry_killed`),
//! 500/503/429 answers with and without `Retry-After` from a fault front,
//! compared with the Go `oras` (`server_errors`), tokens that stop being
//! accepted mid-transfer (`token_expiry`) and a disk that fills up during
//! a pull (`disk_full`). Each ends in verified content or a clear error
//! with nothing partial under a final name; each is bounded in time and
//! runs on loopback only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cuts;
mod disk_full;
mod registry_killed;
mod server_errors;
mod support;
mod token_expiry;
