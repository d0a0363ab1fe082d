//! The few file-system calls that differ between Unix and other systems:
//! permission bits, special file types, symbolic links and the bytes of a
//! path. Elsewhere than Unix, modes are approximated and symbolic links are
//! refused.

use std::borrow::Cow;
use std::fs::{File, Metadata, Permissions};
use std::io;
use std::path::Path;

/// What kind of node a directory entry is, as a tar header records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A regular file (hard links included: they are archived as files).
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A named pipe, written as a header-only entry.
    Fifo,
    /// A character device, written as a header-only entry.
    CharDevice,
    /// A block device, written as a header-only entry.
    BlockDevice,
    /// A socket, which a tar cannot hold.
    Socket,
}

/// The kind of node `meta` (from `symlink_metadata`) describes.
pub(crate) fn node_kind(meta: &Metadata) -> NodeKind {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return NodeKind::Symlink;
    }
    if kind.is_dir() {
        return NodeKind::Dir;
    }
    if kind.is_file() {
        return NodeKind::File;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return NodeKind::Fifo;
        }
        if kind.is_char_device() {
            return NodeKind::CharDevice;
        }
        if kind.is_block_device() {
            return NodeKind::BlockDevice;
        }
    }
    NodeKind::Socket
}

/// The permission bits (with set-uid, set-gid and sticky) of `meta`.
pub(crate) fn mode_bits(meta: &Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        match (meta.is_dir(), meta.permissions().readonly()) {
            (true, _) => 0o755,
            (false, true) => 0o444,
            (false, false) => 0o644,
        }
    }
}

/// Device major and minor numbers of `meta` (Linux encoding of `st_rdev`).
pub(crate) fn device_numbers(meta: &Metadata) -> (u32, u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let rdev = meta.rdev();
        let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
        let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
        (
            u32::try_from(major).unwrap_or(0),
            u32::try_from(minor).unwrap_or(0),
        )
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// Sets exactly the permission bits of `mode` on an open file or
/// directory, disregarding the umask. Set-uid, set-gid and sticky bits
/// are never restored from an archive.
pub(crate) fn set_exact_mode(file: &File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(Permissions::from_mode(mode & 0o777))
    }
    #[cfg(not(unix))]
    {
        let mut perms = file.metadata()?.permissions();
        perms.set_readonly(mode & 0o200 == 0);
        file.set_permissions(perms)
    }
}

/// Creates a directory with `mode` as its creation mode (the umask
/// applies), failing if it exists.
pub(crate) fn create_dir(path: &Path, mode: u32) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(mode & 0o777);
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(path)
}

/// Creates a symbolic link at `link` whose text is `target`.
pub(crate) fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, link)
    }
    #[cfg(not(unix))]
    {
        let _ = (target, link);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "symbolic links are only unpacked on Unix",
        ))
    }
}

/// The bytes of `path` as a tar header stores them (raw on Unix, UTF-8
/// with forward slashes elsewhere).
pub(crate) fn path_bytes(path: &Path) -> Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Cow::Borrowed(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        Cow::Owned(path.to_string_lossy().replace('\\', "/").into_bytes())
    }
}
