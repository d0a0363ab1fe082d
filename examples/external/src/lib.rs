//! What a user's crate looks like: one dependency, `oras-rs`, and its
//! prelude. `publish_notes` pushes a directory of notes as an artifact,
//! `fetch_notes` pulls it back.

use std::path::Path;

use oras_rs::prelude::*;

/// The artifact type of the notes this program stores.
pub const NOTES_ARTIFACT_TYPE: &str = "application/vnd.example.notes";

/// Connects to `repository` (`host[:port]/name`) over plain HTTP, as for a
/// registry on the local machine.
pub fn local_repository(repository: &str) -> oras_rs::Result<Repository> {
    Ok(Repository::with_config(
        repository,
        ClientConfig::new().plain_http(true),
    )?)
}

/// Pushes `files` as one notes artifact tagged `tag`.
pub async fn publish_notes(
    repo: &Repository,
    tag: &str,
    files: &[&Path],
) -> oras_rs::Result<Descriptor> {
    oras_rs::push_files(repo, tag, NOTES_ARTIFACT_TYPE, files).await
}

/// Pulls the notes tagged `tag` into `dir`.
pub async fn fetch_notes(repo: &Repository, tag: &str, dir: &Path) -> oras_rs::Result<Descriptor> {
    oras_rs::pull_files(repo, tag, dir).await
}
