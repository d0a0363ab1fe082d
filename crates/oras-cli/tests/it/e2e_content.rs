//! End-to-end tests of the content commands (`manifest fetch|fetch-config|
//! push|delete|index create|index update`, `blob fetch|push|delete`, `repo
//! ls|tags`) through the built `oras` binary, against a real CNCF
//! Distribution registry in plain-HTTP mode, OCI layouts (directory and
//! tar), and the in-process fake registry for a lying server.
//!
//! Every command run is bounded by [`support::COMMAND_TIMEOUT`], every
//! set-up through the libraries by [`support::SETUP_TIMEOUT`].

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "e2e_content/support.rs"]
mod support;

#[path = "e2e_content/manifest.rs"]
mod manifest;

#[path = "e2e_content/index.rs"]
mod index;

#[path = "e2e_content/blob.rs"]
mod blob;

#[path = "e2e_content/repo.rs"]
mod repo;

#[path = "e2e_content/layout.rs"]
mod layout;

#[path = "e2e_content/layout_hostile.rs"]
mod layout_hostile;
