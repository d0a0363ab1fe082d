//! A directory as a gzipped tar (oras-go `tarDirectory`), hashed once
//! while it is written: the tar stream feeds one SHA-256 (the unpack
//! digest, `io.deis.oras.content.digest`) on its way into gzip, and the
//! gzip stream feeds another (the blob digest) on its way to the file.
//!
//! The layout follows oras-go `tarDirectory`: a lexical depth-first walk;
//! entries named `<title>/<relpath>` with forward slashes and the root
//! named `<title>`; uid and gid 0, no user or group names; symbolic links
//! kept as links; hard links archived as regular files; other special
//! files as header-only entries; times kept unless the tar is to be
//! reproducible. Headers are GNU headers; longer names go in GNU long-name
//! entries, which every tar reader, Go's included, understands.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use flate2::Compression;
use flate2::write::GzEncoder;
use oras_spec::Digest;
use tar::{EntryType, Header};

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
    let gzip = GzEncoder::new(gzip_hashing, Compression::default());
    let mut tar = tar::Builder::new(HashingWriter::new(gzip));
    write_tree(&mut tar, root, &clean(Path::new(prefix)), reproducible)?;
    let failed = |e: io::Error| Error::io("finishing the tar of a directory", e);
    let tar_hashing = tar.into_inner().map_err(failed)?;
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
    tar: &mut tar::Builder<W>,
    root: &Path,
    prefix: &Path,
    reproducible: bool,
) -> Result<()> {
    // (path on disk, name in the archive); the root itself is followed if
    // it is a link, as `add` decided it is a directory.
    let mut stack: Vec<(PathBuf, PathBuf)> = vec![(root.to_path_buf(), prefix.to_path_buf())];
    let mut first = true;
    while let Some((path, name)) = stack.pop() {
        let meta = if first {
            fs::metadata(&path)
        } else {
            fs::symlink_metadata(&path)
        }
        .map_err(|e| Error::io(format!("inspecting {}", path.display()), e))?;
        first = false;
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

fn write_entry<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &Path,
    name: &Path,
    meta: &fs::Metadata,
    kind: NodeKind,
    reproducible: bool,
) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("archiving {}", path.display()), e);
    let mut header = Header::new_gnu();
    header.set_mode(platform::mode_bits(meta));
    header.set_uid(0);
    header.set_gid(0);
    header.set_size(0);
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    header.set_mtime(if reproducible { 0 } else { mtime });
    let mut link = None;
    match kind {
        NodeKind::File => {
            header.set_entry_type(EntryType::Regular);
            header.set_size(meta.len());
        }
        NodeKind::Dir => header.set_entry_type(EntryType::Directory),
        NodeKind::Symlink => {
            header.set_entry_type(EntryType::Symlink);
            link = Some(fs::read_link(path).map_err(failed)?);
        }
        NodeKind::Fifo => header.set_entry_type(EntryType::Fifo),
        NodeKind::CharDevice | NodeKind::BlockDevice => {
            header.set_entry_type(if kind == NodeKind::CharDevice {
                EntryType::Char
            } else {
                EntryType::Block
            });
            let (major, minor) = platform::device_numbers(meta);
            header.set_device_major(major).map_err(failed)?;
            header.set_device_minor(minor).map_err(failed)?;
        }
        NodeKind::Socket => {
            tracing::warn!(path = %path.display(), "skipping a socket: a tar cannot hold it");
            return Ok(());
        }
    }
    set_long_field(tar, &mut header, LongField::Name, name).map_err(failed)?;
    if let Some(target) = &link {
        set_long_field(tar, &mut header, LongField::Link, target).map_err(failed)?;
    }
    header.set_cksum();
    if kind == NodeKind::File {
        let file = File::open(path).map_err(failed)?;
        let exact = ExactReader {
            inner: file.take(meta.len()),
            remaining: meta.len(),
        };
        tar.append(&header, exact).map_err(failed)
    } else {
        tar.append(&header, io::empty()).map_err(failed)
    }
}

#[derive(Clone, Copy)]
enum LongField {
    Name,
    Link,
}

/// Stores `value` in the name or link field of `header`, preceded by a GNU
/// long-name (`L`) or long-link (`K`) entry when it does not fit in 100
/// bytes. Names are written as they are: absolute titles and `..` survive,
/// as in oras-go, and the unpacking side decides what to accept.
fn set_long_field<W: Write>(
    tar: &mut tar::Builder<W>,
    header: &mut Header,
    field: LongField,
    value: &Path,
) -> io::Result<()> {
    let bytes = platform::path_bytes(value);
    let slot = match field {
        LongField::Name => &mut header.as_old_mut().name,
        LongField::Link => &mut header.as_old_mut().linkname,
    };
    let fits = bytes.len().min(slot.len());
    slot.fill(0);
    slot[..fits].copy_from_slice(&bytes[..fits]);
    if bytes.len() <= slot.len() {
        return Ok(());
    }
    let mut long = Header::new_gnu();
    let marker = b"././@LongLink";
    long.as_old_mut().name[..marker.len()].copy_from_slice(marker);
    long.set_mode(0o644);
    long.set_uid(0);
    long.set_gid(0);
    long.set_mtime(0);
    long.set_size(bytes.len() as u64 + 1);
    long.set_entry_type(match field {
        LongField::Name => EntryType::GNULongName,
        LongField::Link => EntryType::GNULongLink,
    });
    long.set_cksum();
    tar.append(&long, bytes.as_ref().chain(&[0u8][..]))
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
