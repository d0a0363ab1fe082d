//! A directory as a gzipped tar (oras-go `tarDirectory`), hashed once
//! while it is written: the tar stream feeds one SHA-256 (the unpack
//! digest, `io.deis.oras.content.digest`) on its way into gzip, and the
//! gzip stream feeds another (the blob digest) on its way to the file.
//!
//! The layout follows oras-go `tarDirectory`: a lexical depth-first walk;
//! entries named `<title>/<relpath>` with forward slashes and the root
//! named `<title>`; uid and gid 0, no user or group names; symbolic links
//! kept as links (the root too: the walk does not follow it); hard links
//! archived as regular files; other special files as header-only entries,
//! sockets refused; times kept unless the tar is to be reproducible. The headers are those Go's `archive/tar` writes (USTAR,
//! PAX where a field does not fit; see [`go_tar`]), so the tar is the
//! one the Go CLI makes, byte for byte. The gzip around it has Go's header
//! bytes but not its deflate stream: the compressed bytes, hence the blob
//! digest, differ from Go's.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use flate2::Compression;
use flate2::write::GzEncoder;
use oras_spec::Digest;

mod go_tar;

use go_tar::{EntryHeader, GoTarWriter};

use crate::error::{Error, Result};
use crate::hashing::HashingWriter;
use crate::paths::clean;
use crate::platform::{self, NodeKind};

/// What packing a directory produced.
#[derive(Debug)]
pub(crate) struct Packed {
    /// Digest of the gzip stream: the blob's digest.
    pub(crate) gzip_digest: Digest,
    /// Size of the gzip stream: the blob's size.
    pub(crate) gzip_size: u64,
    /// Digest of the uncompressed tar.
    pub(crate) tar_digest: Digest,
}

/// Writes `root` as a gzipped tar into `out`, naming entries under
/// `prefix` (the title).
pub(crate) fn tar_gzip_directory(
    root: &Path,
    prefix: &str,
    reproducible: bool,
    out: File,
) -> Result<Packed> {
    let gzip_hashing = HashingWriter::new(BufWriter::with_capacity(1 << 16, out));
    // Go `gzip.NewWriter`: default level, no name, mtime 0, OS 255; the
    // header bytes are the same as flate2's defaults.
    let gzip = GzEncoder::new(gzip_hashing, Compression::default());
    let mut tar = GoTarWriter::new(HashingWriter::new(gzip));
    write_tree(&mut tar, root, &clean(Path::new(prefix)), reproducible)?;
    let failed = |e: io::Error| Error::io("finishing the tar of a directory", e);
    let tar_hashing = tar.finish().map_err(failed)?;
    let (gzip, tar_digest, _) = tar_hashing.finish();
    let gzip_hashing = gzip.finish().map_err(failed)?;
    let (buffered, gzip_digest, gzip_size) = gzip_hashing.finish();
    // Flushed, not synced: the archive is a temp file, read back for the
    // upload and deleted with the store.
    buffered.into_inner().map_err(|e| failed(e.into_error()))?;
    Ok(Packed {
        gzip_digest,
        gzip_size,
        tar_digest,
    })
}

/// Walks `root` depth first in lexical order, parents before children
/// (Go `filepath.Walk`), with an explicit stack. Names are cleaned as Go's
/// `filepath.Join` does, so the title `.` gives `.`, `a`, `a/b`.
fn write_tree<W: Write>(
    tar: &mut GoTarWriter<W>,
    root: &Path,
    prefix: &Path,
    reproducible: bool,
) -> Result<()> {
    // (path on disk, name in the archive). The root is not followed
    // either: Go `filepath.Walk` starts with `os.Lstat(root)`, so a root
    // that is a link to a directory is archived as that one link.
    let mut stack: Vec<(PathBuf, PathBuf)> = vec![(root.to_path_buf(), prefix.to_path_buf())];
    while let Some((path, name)) = stack.pop() {
        let meta = fs::symlink_metadata(&path)
            .map_err(|e| Error::io(format!("inspecting {}", path.display()), e))?;
        let kind = platform::node_kind(&meta);
        write_entry(tar, &path, &name, &meta, kind, reproducible)?;
        if kind == NodeKind::Dir {
            let mut children = Vec::new();
            for entry in fs::read_dir(&path)
                .map_err(|e| Error::io(format!("listing {}", path.display()), e))?
            {
                let entry =
                    entry.map_err(|e| Error::io(format!("listing {}", path.display()), e))?;
                children.push(entry.file_name());
            }
            // Go sorts names by their bytes; the stack pops the smallest first.
            children.sort();
            for child in children.into_iter().rev() {
                stack.push((path.join(&child), clean(&name.join(&child))));
            }
        }
    }
    Ok(())
}

/// The modification time of `meta` as seconds and nanoseconds since the
/// epoch, the nanoseconds in `0..1e9` also before 1970 (Go `time.Time`).
fn modification_time(meta: &fs::Metadata) -> (i64, u32) {
    let Ok(time) = meta.modified() else {
        return (0, 0);
    };
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => (
            i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            after.subsec_nanos(),
        ),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            match before.subsec_nanos() {
                0 => (-secs, 0),
                nanos => (-secs - 1, 1_000_000_000 - nanos),
            }
        }
    }
}

/// Writes one entry with the header oras-go `tarDirectory` builds: Go
/// `tar.FileInfoHeader` (mode: permission, set-uid, set-gid and sticky
/// bits; size for regular files only; the link target for symbolic links;
/// device numbers for devices), then the name replaced, uid and gid 0, no
/// user or group names, and with `TarReproducible` the times zeroed.
fn write_entry<W: Write>(
    tar: &mut GoTarWriter<W>,
    path: &Path,
    name: &Path,
    meta: &fs::Metadata,
    kind: NodeKind,
    reproducible: bool,
) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("archiving {}", path.display()), e);
    let mut size = 0;
    let mut link = None;
    let (mut devmajor, mut devminor) = (0, 0);
    let typeflag = match kind {
        NodeKind::File => {
            size = meta.len();
            b'0'
        }
        NodeKind::Dir => b'5',
        NodeKind::Symlink => {
            link = Some(fs::read_link(path).map_err(failed)?);
            b'2'
        }
        NodeKind::Fifo => b'6',
        NodeKind::CharDevice | NodeKind::BlockDevice => {
            let (major, minor) = platform::device_numbers(meta);
            (devmajor, devminor) = (i64::from(major), i64::from(minor));
            if kind == NodeKind::CharDevice {
                b'3'
            } else {
                b'4'
            }
        }
        // Go `tar.FileInfoHeader` fails on a socket, and the whole
        // `tarDirectory` with it.
        NodeKind::Socket => {
            return Err(failed(io::Error::new(
                io::ErrorKind::Unsupported,
                "archive/tar: sockets not supported",
            )));
        }
    };
    let name_bytes = platform::path_bytes(name);
    let link_bytes = link.as_deref().map(platform::path_bytes);
    let header = EntryHeader {
        name: &name_bytes,
        link: link_bytes.as_deref().unwrap_or_default(),
        typeflag,
        mode: i64::from(platform::mode_bits(meta)),
        size,
        mtime: (!reproducible).then(|| modification_time(meta)),
        devmajor,
        devminor,
    };
    tar.write_header(&header).map_err(failed)?;
    if kind == NodeKind::File {
        let file = File::open(path).map_err(failed)?;
        let mut exact = ExactReader {
            inner: file.take(size),
            remaining: size,
        };
        let mut buf = vec![0u8; 1 << 15];
        loop {
            let n = exact.read(&mut buf).map_err(failed)?;
            if n == 0 {
                break;
            }
            tar.write_data(&buf[..n]).map_err(failed)?;
        }
        // A file that grew since it was inspected fails as in Go, where
        // the tar writer refuses the extra bytes (`ErrWriteTooLong`).
        let mut extra = [0u8; 1];
        if exact.inner.into_inner().read(&mut extra).map_err(failed)? != 0 {
            return Err(failed(io::Error::other(
                "archive/tar: write too long (the file grew while it was archived)",
            )));
        }
        tar.pad(size).map_err(failed)?;
    }
    Ok(())
}

/// Yields exactly `remaining` bytes or fails: a file that shrank while it
/// was archived must not leave a corrupt tar behind.
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.remaining > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "file shrank while it was archived",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tar::EntryType;

    fn entries(gz: &Path) -> Vec<(String, EntryType, String, u64)> {
        let reader = flate2::read::GzDecoder::new(File::open(gz).unwrap());
        let mut archive = tar::Archive::new(reader);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let link = e
                    .link_name()
                    .unwrap()
                    .map(|l| l.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let h = e.header();
                assert_eq!(h.uid().unwrap(), 0);
                assert_eq!(h.gid().unwrap(), 0);
                assert_eq!(h.username().unwrap(), Some(""));
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.entry_type(),
                    link,
                    h.mtime().unwrap(),
                )
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_fails_the_archive_as_in_go() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("src");
        fs::create_dir(&root).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(root.join("sock")).unwrap();
        let out = File::create(dir.path().join("out.tar.gz")).unwrap();
        let err = tar_gzip_directory(&root, "t", false, out).unwrap_err();
        assert!(err.to_string().contains("sockets not supported"), "{err}");
    }

    #[test]
    fn names_order_types_and_long_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("src");
        fs::create_dir_all(root.join("b/empty")).unwrap();
        fs::write(root.join("a.txt"), b"a").unwrap();
        fs::write(root.join("b/c.txt"), b"c").unwrap();
        let long = "x".repeat(150);
        fs::write(root.join(&long), b"long").unwrap();
        platform::symlink(Path::new("a.txt"), &root.join("link")).unwrap();
        let out = dir.path().join("out.tar.gz");
        let packed =
            tar_gzip_directory(&root, "title/", true, File::create(&out).unwrap()).unwrap();
        assert_eq!(packed.gzip_size, fs::metadata(&out).unwrap().len());
        assert_eq!(packed.gzip_digest, Digest::sha256(&fs::read(&out).unwrap()));
        let got = entries(&out);
        let names: Vec<_> = got.iter().map(|e| e.0.clone()).collect();
        assert_eq!(
            names,
            vec![
                "title".to_owned(),
                "title/a.txt".into(),
                "title/b".into(),
                "title/b/c.txt".into(),
                "title/b/empty".into(),
                "title/link".into(),
                format!("title/{long}"),
            ]
        );
        assert_eq!(got[0].1, EntryType::Directory);
        assert_eq!(got[5].1, EntryType::Symlink);
        assert_eq!(got[5].2, "a.txt");
        assert!(got.iter().all(|e| e.3 == 0), "reproducible times");

        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(File::open(&out).unwrap())
            .read_to_end(&mut tar_bytes)
            .unwrap();
        assert_eq!(packed.tar_digest, Digest::sha256(&tar_bytes));
    }
}
