//! `oras manifest …`: manifest operations (Go `root/manifest`).

use clap::Subcommand;

pub mod delete;
pub mod fetch;
pub mod fetch_config;
pub mod index;
pub mod push;

/// The subcommands of `oras manifest`.
#[derive(Subcommand, Clone, Debug)]
pub enum ManifestCommand {
    /// Delete a manifest from remote registry
    #[command(alias = "remove", alias = "rm")]
    Delete(delete::DeleteArgs),
    /// Fetch manifest of the target artifact
    #[command(alias = "get", alias = "show")]
    Fetch(fetch::FetchArgs),
    /// Fetch the config of a manifest from a registry or an OCI image layout
    #[command(name = "fetch-config", alias = "get-config")]
    FetchConfig(fetch_config::FetchConfigArgs),
    /// Index operations (experimental).
    #[command(
        subcommand,
        about = "[Experimental] Index operations",
        override_usage = "oras manifest index [command]"
    )]
    Index(index::IndexCommand),
    /// Push a manifest to a registry or an OCI image layout
    Push(push::PushArgs),
}
