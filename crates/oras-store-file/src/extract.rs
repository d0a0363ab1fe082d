//! Unpacking a directory blob (oras-go `extractTarGzip`) with every
//! defence of the advisories:
//!
//! - each entry must lie under `<title>` (or under the absolute target),
//!   lexically and with no symbolic link between the base and the entry;
//!   the real path of its deepest existing ancestor must stay inside
//!   (GHSA-8xwf-rjm4-xvhv, GHSA-m37j-52j7-pjw7);
//! - symbolic-link and hard-link texts must be clean (see
//!   `paths::check_link_text`) and resolve inside the base; a relative
//!   hard-link target is taken from the link's directory, never from the
//!   process's current directory (GHSA-fxhp-mv3v-67qp); together these
//!   close the zip-slip of GHSA-g5v4-5x39-vwhx (CVE-2021-21272);
//! - every write goes through the store's [`Root`], which (unless path
//!   traversal is allowed) refuses in the kernel any path that leaves the
//!   working directory, whatever other layers did to the links meanwhile;
//! - a regular file is written to a temp file beside it and renamed over
//!   its path, so an existing symbolic link (or hard link) there is
//!   replaced, never written through;
//! - only regular files, directories, symbolic links and hard links are
//!   created; other entries are skipped;
//! - the expanded stream and the entry count are bounded
//!   ([`UnpackLimits`]), in the digest pre-check as in the unpacking, and
//!   a cancel flag is looked at on every read;
//! - the uncompressed digest is checked against
//!   `io.deis.oras.content.digest` before anything is written, so a
//!   mismatch leaves the disk untouched ("content digest mismatch");
//! - every symbolic link made is checked again at the end (a later entry
//!   may have changed what an earlier link resolves through);
//! - on any failure (a panic included, the guard rolls back on unwind),
//!   what this unpacking created is removed again and the files and links
//!   it replaced are put back.
//!
//! Times are restored (directories last, so their children do not touch
//! them again); permission bits are the creation mode (the umask applies)
//! unless `preserve_permissions`, which sets them exactly. Set-uid,
//! set-gid and sticky bits are never restored.

use std::collections::HashSet;
use std::fs::{File, FileTimes};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flate2::read::MultiGzDecoder;
use oras_spec::Digest;

use crate::error::{Error, Result};
use crate::hashing::HashingReader;
use crate::options::UnpackLimits;
use crate::paths::{self, clean};
use crate::platform;
use crate::root::{Kind, Root};

/// What to unpack where.
pub(crate) struct Unpack<'a> {
    /// Where every write goes through.
    pub(crate) root: &'a Arc<Root>,
    /// The directory to unpack into: `<working dir>/<title>`, clean and absolute.
    pub(crate) target: &'a Path,
    /// The title, under which relative entry names must lie.
    pub(crate) name: &'a Path,
    /// The gzipped tar, already verified against its descriptor.
    pub(crate) gzip: &'a Path,
    /// The `io.deis.oras.content.digest` annotation, if any.
    pub(crate) content_digest: Option<&'a str>,
    /// Whether to set permission bits exactly.
    pub(crate) preserve_permissions: bool,
    /// The bounds on the expanded stream and the entries.
    pub(crate) limits: UnpackLimits,
    /// Set when the push is abandoned: the unpacking stops and rolls back.
    pub(crate) cancel: &'a AtomicBool,
}

/// Checks the uncompressed digest, then unpacks; on failure removes what
/// was created and restores what was replaced. Returns the symbolic links
/// made, for the store to check again when the pull ends.
pub(crate) fn extract_tar_gzip(unpack: &Unpack<'_>) -> Result<Vec<PathBuf>> {
    let compressed = std::fs::metadata(unpack.gzip)
        .map_err(|e| Error::io(format!("inspecting {}", unpack.gzip.display()), e))?
        .len();
    let max_bytes = unpack.limits.max_expanded(compressed);
    // oras-go ignores an annotation that is not a digest; so do we.
    if let Some(expected) = unpack.content_digest.and_then(|d| d.parse::<Digest>().ok()) {
        let (reader, tripped) = open_tar(unpack, max_bytes)?;
        let reader = HashingReader::new(reader, expected.algorithm());
        let actual = reader.drain().map_err(|e| {
            tripped
                .error(max_bytes)
                .unwrap_or_else(|| Error::io(format!("reading {}", unpack.gzip.display()), e))
        })?;
        if actual != expected {
            return Err(Error::ContentDigestMismatch { expected, actual });
        }
    }
    let (reader, tripped) = open_tar(unpack, max_bytes)?;
    let mut created = Created::new(unpack.root);
    match extract(unpack, reader, &mut created) {
        Ok(()) => Ok(created.commit()),
        // The guard rolls back when dropped; a limit or a cancellation
        // seen by the reader is reported as itself, however the tar
        // reader wrapped it.
        Err(e) => Err(tripped.error(max_bytes).unwrap_or(e).in_archive()),
    }
}

/// Why a [`Bounded`] reader stopped.
#[derive(Default)]
struct Tripped(AtomicU8);

const TRIPPED_BYTES: u8 = 1;
const TRIPPED_CANCEL: u8 = 2;

impl Tripped {
    fn error(&self, max_bytes: u64) -> Option<Error> {
        match self.0.load(Ordering::SeqCst) {
            TRIPPED_BYTES => Some(Error::UnpackLimit {
                what: "expanded bytes",
                limit: max_bytes,
            }),
            TRIPPED_CANCEL => Some(Error::Canceled),
            _ => None,
        }
    }
}

/// The expanded stream, failing once it goes over `max` bytes or the push
/// is cancelled.
struct Bounded<'a, R> {
    inner: R,
    read: u64,
    max: u64,
    cancel: &'a AtomicBool,
    tripped: Arc<Tripped>,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            self.tripped.0.store(TRIPPED_CANCEL, Ordering::SeqCst);
            return Err(io::Error::other(Error::Canceled));
        }
        // Read at most one byte past the limit: enough to know it was
        // passed, without expanding further.
        let room = self.max.saturating_sub(self.read).saturating_add(1);
        let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.read += n as u64;
        if self.read > self.max {
            self.tripped.0.store(TRIPPED_BYTES, Ordering::SeqCst);
            return Err(io::Error::other(Error::UnpackLimit {
                what: "expanded bytes",
                limit: self.max,
            }));
        }
        Ok(n)
    }
}

fn open_tar<'a>(
    unpack: &Unpack<'a>,
    max: u64,
) -> Result<(Bounded<'a, impl Read + use<>>, Arc<Tripped>)> {
    let gzip = unpack.gzip;
    let file = File::open(gzip).map_err(|e| Error::io(format!("opening {}", gzip.display()), e))?;
    let tripped = Arc::new(Tripped::default());
    let reader = Bounded {
        inner: MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)),
        read: 0,
        max,
        cancel: unpack.cancel,
        tripped: Arc::clone(&tripped),
    };
    Ok((reader, tripped))
}

fn extract(unpack: &Unpack<'_>, reader: impl Read, created: &mut Created<'_>) -> Result<()> {
    let target = unpack.target;
    let root = unpack.root.as_ref();
    create_dirs(root, target, 0o777, created)?;
    let mut archive = tar::Archive::new(reader);
    let reading = |e: io::Error| Error::io(format!("reading {}", unpack.gzip.display()), e);
    let mut dirs: Vec<(PathBuf, u32, Times)> = Vec::new();
    let mut symlinks: Vec<PathBuf> = Vec::new();
    let mut count = 0u64;
    for entry in archive.entries().map_err(reading)? {
        let mut entry = entry.map_err(reading)?;
        count += 1;
        if unpack.limits.max_entries != 0 && count > unpack.limits.max_entries {
            return Err(Error::UnpackLimit {
                what: "entries",
                limit: unpack.limits.max_entries,
            });
        }
        let name = entry.path().map_err(reading)?.into_owned();
        let rel = paths::entry_relative_path(target, unpack.name, &name)?;
        let path = clean(&target.join(&rel));
        paths::check_symlink_escape(target, &path, false).map_err(Error::in_archive)?;
        let mode = entry.header().mode().map_err(reading)?;
        let times = entry_times(&mut entry);
        let link = entry
            .link_name()
            .map_err(reading)?
            .map(std::borrow::Cow::into_owned);
        match entry.header().entry_type().as_byte() {
            b'0' | b'\0' => {
                write_file(&path, &mut entry, mode, &times, unpack, created)?;
            }
            b'5' => {
                make_dir(root, &path, mode, created)?;
                dirs.push((path, mode, times));
            }
            b'1' => {
                let link =
                    link.ok_or_else(|| Error::unsafe_entry(&name, "hard link without target"))?;
                let destination = paths::link_destination(target, unpack.name, &path, &link)?;
                hard_link(root, &destination, &path, created)?;
            }
            b'2' => {
                let link =
                    link.ok_or_else(|| Error::unsafe_entry(&name, "symbolic link without target"))?;
                paths::link_destination(target, unpack.name, &path, &link)?;
                make_symlink(root, &link, &path, created)?;
                symlinks.push(path);
            }
            // Devices, FIFOs, PAX globals and the like are skipped (oras-go).
            _ => continue,
        }
    }
    for link in &symlinks {
        // A later entry may have replaced the link with a file or removed it.
        if root.kind(link)? != Some(Kind::Symlink) {
            continue;
        }
        let text = root.read_link(link)?;
        paths::link_destination(target, unpack.name, link, &text)?;
    }
    for (dir, mode, times) in dirs.iter().rev() {
        finish_dir(root, dir, *mode, times, unpack.preserve_permissions)?;
    }
    Ok(())
}

/// Writes a regular file through a temp file beside it, then renames it
/// over `path`.
fn write_file(
    path: &Path,
    content: &mut impl Read,
    mode: u32,
    times: &Times,
    unpack: &Unpack<'_>,
    created: &mut Created<'_>,
) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("writing {}", path.display()), e);
    let parent = path.parent().unwrap_or(unpack.target);
    let root = unpack.root.as_ref();
    create_dirs(root, parent, 0o777, created)?;
    let existing = root.kind(path)?;
    if existing == Some(Kind::Dir) {
        return Err(failed(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a directory is in the way",
        )));
    }
    let temp = unpack.root.temp_file(parent, mode)?;
    {
        let mut out = BufWriter::with_capacity(1 << 16, &temp.file);
        io::copy(content, &mut out).map_err(failed)?;
        out.flush().map_err(failed)?;
    }
    // Times are best effort, as in oras-go.
    let _ = temp.file.set_times(times.file_times());
    if unpack.preserve_permissions {
        platform::set_exact_mode(&temp.file, mode).map_err(failed)?;
    }
    created.set_aside(path, existing.is_some())?;
    temp.persist(path, false)?;
    created.made(path);
    Ok(())
}

/// Makes a directory entry, replacing a symbolic link in its place.
fn make_dir(root: &Root, path: &Path, mode: u32, created: &mut Created<'_>) -> Result<()> {
    match root.kind(path)? {
        Some(Kind::Dir) => Ok(()),
        Some(Kind::Symlink) => {
            created.set_aside(path, true)?;
            create_dirs(root, path, mode, created)
        }
        Some(_) => Err(Error::io(
            format!("creating directory {}", path.display()),
            io::Error::new(io::ErrorKind::AlreadyExists, "a file is in the way"),
        )),
        None => create_dirs(root, path, mode, created),
    }
}

fn finish_dir(root: &Root, dir: &Path, mode: u32, times: &Times, preserve: bool) -> Result<()> {
    if root.kind(dir)? != Some(Kind::Dir) {
        return Ok(());
    }
    let Ok(handle) = root.open_dir(dir) else {
        return Ok(());
    };
    let _ = handle.set_times(times.file_times());
    if preserve {
        platform::set_exact_mode(&handle, mode)
            .map_err(|e| Error::io(format!("setting the mode of {}", dir.display()), e))?;
    }
    Ok(())
}

fn hard_link(
    root: &Root,
    destination: &Path,
    path: &Path,
    created: &mut Created<'_>,
) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("linking {}", path.display()), e);
    let real = root.canonicalize(destination)?;
    if !root.is_file_followed(&real)? {
        return Err(failed(io::Error::new(
            io::ErrorKind::InvalidInput,
            "hard link target is not a regular file",
        )));
    }
    if root.kind(path)? == Some(Kind::Symlink) {
        created.set_aside(path, true)?;
    }
    // As in oras-go, an existing file under the link's name is an error.
    root.hard_link(&real, path)?;
    created.made(path);
    Ok(())
}

fn make_symlink(root: &Root, text: &Path, path: &Path, created: &mut Created<'_>) -> Result<()> {
    let existing = root.kind(path)?;
    if existing == Some(Kind::Dir) {
        return Err(Error::io(
            format!("linking {}", path.display()),
            io::Error::new(io::ErrorKind::AlreadyExists, "a directory is in the way"),
        ));
    }
    created.set_aside(path, existing.is_some())?;
    root.symlink(text, path)?;
    created.made(path);
    created.links.push(path.to_path_buf());
    Ok(())
}

/// Creates `path` and any missing parents (`mode` for each), recording
/// what it created.
fn create_dirs(root: &Root, path: &Path, mode: u32, created: &mut Created<'_>) -> Result<()> {
    let mut missing = Vec::new();
    let mut current = Some(path);
    while let Some(dir) = current {
        if root.kind(dir)?.is_some() {
            break;
        }
        missing.push(dir);
        current = dir.parent();
    }
    for dir in missing.into_iter().rev() {
        // Owner bits stay on while unpacking, so that the entries inside
        // can be written; `preserve_permissions` sets the exact mode last.
        match root.create_dir(dir, mode | 0o700) {
            Ok(()) => created.dirs.push(dir.to_path_buf()),
            Err(Error::Io { source, .. })
                if source.kind() == io::ErrorKind::AlreadyExists
                    && root.kind(dir)? == Some(Kind::Dir) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What an unpacking created and replaced: rolled back when dropped (a
/// failure, a cancellation or a panic), unless committed.
struct Created<'a> {
    root: &'a Root,
    /// Files and links made, in order.
    files: Vec<PathBuf>,
    /// Paths this unpacking made, which it may replace without a backup.
    ours: HashSet<PathBuf>,
    /// Directories made, in order.
    dirs: Vec<PathBuf>,
    /// Files and links replaced: (their path, where they were set aside).
    aside: Vec<(PathBuf, PathBuf)>,
    /// Symbolic links made.
    links: Vec<PathBuf>,
    committed: bool,
}

impl<'a> Created<'a> {
    fn new(root: &'a Root) -> Self {
        Created {
            root,
            files: Vec::new(),
            ours: HashSet::new(),
            dirs: Vec::new(),
            aside: Vec::new(),
            links: Vec::new(),
            committed: false,
        }
    }

    /// Moves what is at `path` (if it `exists`) beside it, to be put back
    /// on rollback; what an earlier entry made there is removed instead.
    fn set_aside(&mut self, path: &Path, exists: bool) -> Result<()> {
        if !exists {
            return Ok(());
        }
        if self.ours.contains(path) {
            // Made by an earlier entry: nothing to put back, only to clear.
            return self.root.remove_file(path);
        }
        let parent = path.parent().unwrap_or(self.root.base());
        let backup = self.root.unique_path(parent);
        self.root.rename(path, &backup)?;
        self.aside.push((path.to_path_buf(), backup));
        Ok(())
    }

    /// Records a file or link made at `path`.
    fn made(&mut self, path: &Path) {
        if self.ours.insert(path.to_path_buf()) {
            self.files.push(path.to_path_buf());
        }
    }

    /// Keeps what was made, drops what was set aside; returns the links made.
    fn commit(mut self) -> Vec<PathBuf> {
        self.committed = true;
        for (_, backup) in &self.aside {
            let _ = self.root.remove_file(backup);
        }
        std::mem::take(&mut self.links)
    }
}

impl Drop for Created<'_> {
    /// Removes what was made (files and links, then the directories that
    /// are empty again, deepest first) and puts back what was set aside.
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for file in self.files.iter().rev() {
            let _ = self.root.remove_file(file);
        }
        for dir in self.dirs.iter().rev() {
            let _ = self.root.remove_dir(dir);
        }
        for (path, backup) in self.aside.iter().rev() {
            if let Err(e) = self.root.rename(backup, path) {
                tracing::warn!(path = %path.display(), error = %e, "restoring a replaced file");
            }
        }
    }
}

/// The times an entry records.
struct Times {
    modified: SystemTime,
    accessed: Option<SystemTime>,
}

impl Times {
    fn file_times(&self) -> FileTimes {
        let times = FileTimes::new().set_modified(self.modified);
        match self.accessed {
            Some(accessed) => times.set_accessed(accessed),
            None => times,
        }
    }
}

/// Seconds since the epoch as a time; a time the system cannot hold (a
/// base-256 header field can say 2^64-1) is none.
fn epoch_plus(secs: u64, nanos: u32) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// Modification and access times from PAX records when present (they carry
/// fractions), else from the header (a GNU header may carry an atime).
/// Times that cannot be held fall back to the epoch (or no atime).
fn entry_times<R: Read>(entry: &mut tar::Entry<'_, R>) -> Times {
    let mut modified = entry
        .header()
        .mtime()
        .ok()
        .and_then(|secs| epoch_plus(secs, 0))
        .unwrap_or(UNIX_EPOCH);
    let mut accessed = entry
        .header()
        .as_gnu()
        .and_then(|gnu| gnu.atime().ok())
        .filter(|secs| *secs != 0)
        .and_then(|secs| epoch_plus(secs, 0));
    if let Ok(Some(extensions)) = entry.pax_extensions() {
        for extension in extensions.flatten() {
            let (Ok(key), Ok(value)) = (extension.key(), extension.value()) else {
                continue;
            };
            match key {
                "mtime" => modified = parse_pax_time(value).unwrap_or(modified),
                "atime" => accessed = parse_pax_time(value).or(accessed),
                _ => {}
            }
        }
    }
    Times { modified, accessed }
}

/// A PAX time: decimal seconds since the epoch with an optional fraction
/// of ASCII digits (nanoseconds beyond the ninth digit are dropped).
/// Times before the epoch are taken as the epoch; malformed or
/// unrepresentable times are none.
fn parse_pax_time(value: &str) -> Option<SystemTime> {
    let (secs, fraction) = value.split_once('.').unwrap_or((value, ""));
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let Ok(secs) = u64::try_from(secs) else {
        return Some(UNIX_EPOCH);
    };
    let mut nanos = 0u32;
    for i in 0..9 {
        let digit = fraction
            .as_bytes()
            .get(i)
            .map_or(0, |b| u32::from(b - b'0'));
        nanos = nanos * 10 + digit;
    }
    epoch_plus(secs, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_times() {
        assert_eq!(
            parse_pax_time("12.5"),
            Some(UNIX_EPOCH + Duration::from_millis(12_500))
        );
        assert_eq!(
            parse_pax_time("1.1234567899"),
            Some(UNIX_EPOCH + Duration::new(1, 123_456_789))
        );
        assert_eq!(parse_pax_time("-3"), Some(UNIX_EPOCH));
        assert_eq!(parse_pax_time("x"), None);
    }

    /// Crafted times once panicked (overflow, a subtraction underflow on
    /// a fraction of multi-byte digits).
    #[test]
    fn hostile_times_do_not_panic() {
        assert_eq!(parse_pax_time("1.١٢٣"), None);
        assert_eq!(parse_pax_time("1.１２３４５６７８９０"), None);
        assert_eq!(parse_pax_time("18446744073709551615"), None);
        assert_eq!(epoch_plus(u64::MAX, 0), None);
    }
}
