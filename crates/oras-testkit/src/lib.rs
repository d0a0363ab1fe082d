//! Test support for oras-rs, used only as a dev-dependency:
//!
//! - [`fake`]: an in-process, in-memory OCI distribution registry on
//!   127.0.0.1 with switches that break one protocol rule at a time, for
//!   protocol corners, faults and the conformance runner's own tests;
//! - [`real`]: a harness that installs (when missing), configures, starts
//!   and stops a real CNCF Distribution registry (`docker-registry`) on
//!   loopback in plain-HTTP, TLS + htpasswd and token-auth modes;
//! - [`interop`]: installers for the other OCI tools the interop tests
//!   run against ours (oras-py in a venv, Debian's skopeo);
//! - [`reference`](mod@reference): a differential harness that runs scenarios with the
//!   reference Go `oras` CLI and with ours and compares what they do;
//! - [`crash`]: checks of what a process killed outright left behind (OCI
//!   layouts, pulled files) and replayable kill times;
//! - [`measure`]: a process's peak RSS and CPU, measured under GNU time;
//! - [`proxy`]: a TCP proxy that adds delay and per-connection rate caps
//!   (emulated wide-area paths) or cuts connections (faults).

pub mod crash;
pub mod fake;
pub mod interop;
pub mod measure;
pub mod proxy;
pub mod real;
pub mod reference;

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
