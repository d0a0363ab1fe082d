//! The switches of a file store, with oras-go's `file.Store` field names
//! and defaults.

use std::path::PathBuf;

/// The default per-item limit of the in-memory store that keeps untitled
/// content (oras-go `defaultFallbackPushSizeLimit`, 4 MiB).
pub const DEFAULT_FALLBACK_LIMIT: u64 = 4 * 1024 * 1024;

/// How a [`crate::Store`] behaves. Every switch is off by default, as in
/// oras-go; build one with struct update syntax:
///
/// ```
/// let options = oras_store_file::Options {
///     disable_overwrite: true,
///     ..Default::default()
/// };
/// assert_eq!(options.fallback_limit, oras_store_file::DEFAULT_FALLBACK_LIMIT);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Zero the times in the tar of an added directory, so that the same
    /// tree gives the same digest (oras-go `TarReproducible`). The Go CLI
    /// leaves this off.
    pub tar_reproducible: bool,
    /// Allow writes outside the working directory (oras-go
    /// `AllowPathTraversalOnWrite`, the CLI's `--allow-path-traversal`).
    pub allow_path_traversal_on_write: bool,
    /// Refuse to write over an existing path (oras-go `DisableOverwrite`,
    /// the CLI's `--keep-old-files`).
    pub disable_overwrite: bool,
    /// Do not restore, under its second name, a titled successor whose
    /// content already exists under another name (oras-go `ForceCAS`).
    pub force_cas: bool,
    /// Drop untitled content instead of keeping it in memory (oras-go
    /// `IgnoreNoName`).
    pub ignore_no_name: bool,
    /// Store directory blobs as their compressed tar instead of unpacking
    /// them (oras-go `SkipUnpack`).
    pub skip_unpack: bool,
    /// Restore the exact permission bits recorded in an unpacked tar,
    /// disregarding the umask (oras-go `PreservePermissions`; the Go CLI
    /// leaves this off, oras#1776). Without it the recorded bits are only
    /// the creation mode, which the umask narrows.
    pub preserve_permissions: bool,
    /// Most bytes one piece of untitled content may have in the in-memory
    /// fallback (oras-go `NewWithFallbackLimit`).
    pub fallback_limit: u64,
    /// Where the temp files `oras_file_*` go (the tar of an added
    /// directory, the gzip of a pushed one); `None` is the system temp
    /// directory, as in oras-go.
    pub temp_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tar_reproducible: false,
            allow_path_traversal_on_write: false,
            disable_overwrite: false,
            force_cas: false,
            ignore_no_name: false,
            skip_unpack: false,
            preserve_permissions: false,
            fallback_limit: DEFAULT_FALLBACK_LIMIT,
            temp_dir: None,
        }
    }
}
