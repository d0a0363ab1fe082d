//! The `oras` binary's integration tests, in one test binary (one link on
//! two cores instead of eight):
//! - `cli`: help pages and parse errors, compared with the Go `oras`;
//! - `differential`: the scenario suite run with the Go `oras` and ours;
//! - `e2e_*`: end-to-end runs against layouts, the fake registry and real
//!   registries (`e2e_tty` under a pseudo-terminal);
//! - `e2e_pull_hostile`: hostile artifacts that try to write outside `-o`;
//! - `faults`: the real registry killed, failing, refusing expired tokens,
//!   and a full disk, during transfers of the `oras` binary;
//! - `crash`: the `oras` binary SIGKILLed mid-way, and several `oras`
//!   processes writing one OCI layout;
//! - `load`: many processes, tags, referrers and platforms against the
//!   real registry, with each `oras` process's peak RSS measured.
//!
//! Run one group with a filter, e.g. `cargo test -p oras-cli --test it differential::`.

mod cli;
mod crash;
mod differential;
mod e2e_containers;
mod e2e_content;
mod e2e_core;
mod e2e_flags;
mod e2e_graph;
mod e2e_pull_hostile;
mod e2e_tty;
mod faults;
mod load;
