//! `oras blob …`: blob operations (Go `root/blob`).

use clap::Subcommand;

pub mod delete;
pub mod fetch;
pub mod push;

/// The subcommands of `oras blob`.
#[derive(Subcommand, Clone, Debug)]
pub enum BlobCommand {
    /// Delete a blob from a remote registry
    #[command(alias = "remove", alias = "rm")]
    Delete(delete::DeleteArgs),
    /// Fetch a blob from a registry or an OCI image layout
    #[command(alias = "get")]
    Fetch(fetch::FetchArgs),
    /// Push a blob to a registry or an OCI image layout
    Push(push::PushArgs),
}
