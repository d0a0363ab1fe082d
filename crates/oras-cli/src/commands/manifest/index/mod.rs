//! `oras manifest index …` (experimental): create and update image
//! indexes (Go `root/manifest/index`).

use clap::Subcommand;

pub mod create;
pub mod entries;
pub mod update;

/// The subcommands of `oras manifest index`.
#[derive(Subcommand, Clone, Debug)]
pub enum IndexCommand {
    /// Create and push an index from provided manifests (experimental).
    #[command(
        about = "[Experimental] Create and push an index from provided manifests",
        alias = "pack"
    )]
    Create(create::CreateArgs),
    /// Update and push an image index (experimental).
    #[command(about = "[Experimental] Update and push an image index")]
    Update(update::UpdateArgs),
}
