//! Integration tests of the runner: against the in-process fake registry
//! (strict, and breaking one rule at a time) and against a real CNCF
//! Distribution registry.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support may panic

mod faults;
mod readonly;
mod real;
mod reports;
mod strict;
mod support;
