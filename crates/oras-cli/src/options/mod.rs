//! Flag groups shared by the commands, as clap `Args` structs, with the
//! validation rules of the Go CLI's `cmd/oras/internal/option` package.

pub mod binary_target;
pub mod common;
pub mod format;
pub mod packer;
pub mod platform;
pub mod remote;
pub mod repository;
pub mod spec;
pub mod target;

pub use binary_target::BinaryTargetOptions;
pub use common::{
    Common, Concurrency3, Concurrency5, Confirmation, DescriptorOption, Pretty, Terminal,
};
pub use format::{DiscoverFormatOptions, FormatOptions, ManifestFormatOptions, OutputFormat};
pub use packer::{AnnotationOptions, PackerOptions};
pub use platform::{ArtifactPlatformOption, AttachPlatformOption, PlatformOption, parse_platform};
pub use remote::{FlagCredential, RemoteOptions, RemoteSettings, SecretSource};
pub use repository::{RepositoryFlags, RepositoryTags};
pub use spec::{DistributionSpec, DistributionSpecOption, ImageSpec};
pub use target::{Target, TargetKind, TargetOptions};
