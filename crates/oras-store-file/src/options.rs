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
    /// Bounds on what one directory blob may expand to.
    pub unpack_limits: UnpackLimits,
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
            unpack_limits: UnpackLimits::default(),
            temp_dir: None,
        }
    }
}

/// Bounds on unpacking one directory blob (a gzipped tar), against
/// decompression bombs: the expanded tar stream may hold at most
/// `max(ratio_floor, max_ratio × compressed size)` bytes and never more
/// than `max_bytes`, and at most `max_entries` entries. Going over any
/// of them fails the push with [`crate::Error::UnpackLimit`] and rolls the
/// unpacking back. A limit of 0 is no limit.
///
/// The defaults are generous for real artifacts (model weights barely
/// compress; text trees compress about ten to one) while a gzip of zeros
/// (about a thousand to one) is stopped early:
///
/// ```
/// let limits = oras_store_file::UnpackLimits::default();
/// assert_eq!(limits.max_ratio, 200);
/// assert_eq!(limits.ratio_floor, 64 << 20);
/// assert_eq!(limits.max_bytes, 1 << 40);
/// assert_eq!(limits.max_entries, 1_000_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Most expanded bytes per compressed byte (200 by default).
    pub max_ratio: u64,
    /// Expanded bytes always allowed, whatever the ratio (64 MiB by
    /// default), so that small, very compressible trees unpack.
    pub ratio_floor: u64,
    /// Most expanded bytes of one blob, whatever its size (1 TiB by
    /// default).
    pub max_bytes: u64,
    /// Most tar entries of one blob (1,000,000 by default).
    pub max_entries: u64,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        UnpackLimits {
            max_ratio: 200,
            ratio_floor: 64 << 20,
            max_bytes: 1 << 40,
            max_entries: 1_000_000,
        }
    }
}

impl UnpackLimits {
    /// The most expanded bytes a blob of `compressed` bytes may give.
    pub fn max_expanded(&self, compressed: u64) -> u64 {
        let by_ratio = if self.max_ratio == 0 {
            u64::MAX
        } else {
            self.max_ratio
                .saturating_mul(compressed)
                .max(self.ratio_floor)
        };
        let cap = if self.max_bytes == 0 {
            u64::MAX
        } else {
            self.max_bytes
        };
        by_ratio.min(cap)
    }
}
