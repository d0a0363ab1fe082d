//! Unpacking a directory blob (oras-go `extractTarGzip`) with every
//! defence of the advisories in reference §4.3:
//!
//! - each entry must lie under `<title>` (or under the absolute target),
//!   lexically and with no symbolic link between the base and the entry;
//!   the real path of its deepest existing ancestor must stay inside
//!   (GHSA-8xwf-rjm4-xvhv, GHSA-m37j-52j7-pjw7);
//! - symbolic-link and hard-link targets must resolve inside the base; a
//!   relative hard-link target is taken from the link's directory, never
//!   from the process's current directory (GHSA-fxhp-mv3v-67qp); together
//!   these close the zip-slip of GHSA-g5v4-5x39-vwhx (CVE-2021-21272);
//! - a regular file is written to a temp file beside it and renamed over
//!   its path, so an existing symbolic link (or hard link) there is
//!   replaced, never written through;
//! - only regular files, directories, symbolic links and hard links are
//!   created; other entries are skipped;
//! - the uncompressed digest is checked against
//!   `io.deis.oras.content.digest` before anything is written, so a
//!   mismatch leaves the disk untouched ("content digest mismatch");
//! - every symbolic link made is checked again at the end (a later entry
//!   may have changed what an earlier link resolves through);
//! - on any failure, what this unpacking created is removed again.
//!
//! Times are restored (directories last, so their children do not touch
//! them again); permission bits are the creation mode (the umask applies)
//! unless `preserve_permissions`, which sets them exactly. Set-uid,
//! set-gid and sticky bits are never restored.

use std::fs::{self, File, FileTimes};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flate2::read::MultiGzDecoder;
use oras_spec::Digest;

use crate::error::{Error, Result};
use crate::hashing::HashingReader;
use crate::paths::{self, clean};
use crate::platform;

/// What to unpack where.
pub(crate) struct Unpack<'a> {
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
}

/// Checks the uncompressed digest, then unpacks; on failure removes what
/// was created.
pub(crate) fn extract_tar_gzip(unpack: &Unpack<'_>) -> Result<()> {
    // oras-go ignores an annotation that is not a digest; so do we.
    if let Some(expected) = unpack.content_digest.and_then(|d| d.parse::<Digest>().ok()) {
        let reader = HashingReader::new(open_tar(unpack.gzip)?, expected.algorithm());
        let actual = reader
            .drain()
            .map_err(|e| Error::io(format!("reading {}", unpack.gzip.display()), e))?;
        if actual != expected {
            return Err(Error::ContentDigestMismatch { expected, actual });
        }
    }
    let mut created = Created::default();
    let result = extract(unpack, &mut created);
    if result.is_err() {
        created.roll_back();
    }
    result
}

fn open_tar(gzip: &Path) -> Result<impl Read> {
    let file = File::open(gzip).map_err(|e| Error::io(format!("opening {}", gzip.display()), e))?;
    Ok(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)))
}

fn extract(unpack: &Unpack<'_>, created: &mut Created) -> Result<()> {
    let target = unpack.target;
    create_dirs(target, 0o777, created)?;
    let mut archive = tar::Archive::new(open_tar(unpack.gzip)?);
    let reading = |e: io::Error| Error::io(format!("reading {}", unpack.gzip.display()), e);
    let mut dirs: Vec<(PathBuf, u32, Times)> = Vec::new();
    let mut symlinks: Vec<PathBuf> = Vec::new();
    for entry in archive.entries().map_err(reading)? {
        let mut entry = entry.map_err(reading)?;
        let name = entry.path().map_err(reading)?.into_owned();
        let rel = paths::entry_relative_path(target, unpack.name, &name)?;
        let path = clean(&target.join(&rel));
        paths::check_symlink_escape(target, &path, false)?;
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
                make_dir(&path, mode, created)?;
                dirs.push((path, mode, times));
            }
            b'1' => {
                let link =
                    link.ok_or_else(|| Error::traversal(&name, "hard link without target"))?;
                let destination = paths::link_destination(target, unpack.name, &path, &link)?;
                hard_link(&destination, &path, created)?;
            }
            b'2' => {
                let link =
                    link.ok_or_else(|| Error::traversal(&name, "symbolic link without target"))?;
                paths::link_destination(target, unpack.name, &path, &link)?;
                make_symlink(&link, &path, created)?;
                symlinks.push(path);
            }
            // Devices, FIFOs, PAX globals and the like are skipped (oras-go).
            _ => continue,
        }
    }
    for link in &symlinks {
        // A later entry may have replaced the link with a file or removed it.
        if !fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink()) {
            continue;
        }
        let text =
            fs::read_link(link).map_err(|e| Error::io(format!("reading {}", link.display()), e))?;
        paths::link_destination(target, unpack.name, link, &text)?;
    }
    for (dir, mode, times) in dirs.iter().rev() {
        finish_dir(dir, *mode, times, unpack.preserve_permissions)?;
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
    created: &mut Created,
) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("writing {}", path.display()), e);
    let parent = path.parent().unwrap_or(unpack.target);
    create_dirs(parent, 0o777, created)?;
    let existed = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(failed(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a directory is in the way",
            )));
        }
        Ok(_) => true,
        Err(_) => false,
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".oras_file_");
    if let Some(perms) = platform::creation_permissions(mode) {
        builder.permissions(perms);
    }
    let mut temp = builder.tempfile_in(parent).map_err(failed)?;
    {
        let mut out = BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        io::copy(content, &mut out).map_err(failed)?;
        out.flush().map_err(failed)?;
    }
    let file = temp.as_file();
    // Times are best effort, as in oras-go.
    let _ = file.set_times(times.file_times());
    if unpack.preserve_permissions {
        platform::set_exact_mode(file, mode).map_err(failed)?;
    }
    temp.persist(path).map_err(|e| failed(e.error))?;
    if !existed {
        created.files.push(path.to_path_buf());
    }
    Ok(())
}

/// Makes a directory entry, replacing a symbolic link in its place.
fn make_dir(path: &Path, mode: u32, created: &mut Created) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::remove_file(path)
                .map_err(|e| Error::io(format!("removing link {}", path.display()), e))?;
            create_dirs(path, mode, created)
        }
        Ok(_) => Err(Error::io(
            format!("creating directory {}", path.display()),
            io::Error::new(io::ErrorKind::AlreadyExists, "a file is in the way"),
        )),
        Err(_) => create_dirs(path, mode, created),
    }
}

fn finish_dir(dir: &Path, mode: u32, times: &Times, preserve: bool) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        _ => return Ok(()),
    }
    let Ok(handle) = File::open(dir) else {
        return Ok(());
    };
    let _ = handle.set_times(times.file_times());
    if preserve {
        platform::set_exact_mode(&handle, mode)
            .map_err(|e| Error::io(format!("setting the mode of {}", dir.display()), e))?;
    }
    Ok(())
}

fn hard_link(destination: &Path, path: &Path, created: &mut Created) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("linking {}", path.display()), e);
    let real = fs::canonicalize(destination).map_err(failed)?;
    let meta = fs::metadata(&real).map_err(failed)?;
    if !meta.is_file() {
        return Err(failed(io::Error::new(
            io::ErrorKind::InvalidInput,
            "hard link target is not a regular file",
        )));
    }
    remove_symlink(path)?;
    // As in oras-go, an existing file under the link's name is an error.
    fs::hard_link(&real, path).map_err(failed)?;
    created.files.push(path.to_path_buf());
    Ok(())
}

fn make_symlink(text: &Path, path: &Path, created: &mut Created) -> Result<()> {
    let failed = |e: io::Error| Error::io(format!("linking {}", path.display()), e);
    let existed = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(failed(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a directory is in the way",
            )));
        }
        Ok(_) => {
            fs::remove_file(path).map_err(failed)?;
            true
        }
        Err(_) => false,
    };
    platform::symlink(text, path).map_err(failed)?;
    if !existed {
        created.files.push(path.to_path_buf());
    }
    Ok(())
}

fn remove_symlink(path: &Path) -> Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::remove_file(path)
            .map_err(|e| Error::io(format!("removing link {}", path.display()), e))?;
    }
    Ok(())
}

/// Creates `path` and any missing parents (`mode` for each), recording
/// what it created.
pub(crate) fn create_dirs(path: &Path, mode: u32, created: &mut Created) -> Result<()> {
    let mut missing = Vec::new();
    let mut current = Some(path);
    while let Some(dir) = current {
        if fs::symlink_metadata(dir).is_ok() {
            break;
        }
        missing.push(dir);
        current = dir.parent();
    }
    for dir in missing.into_iter().rev() {
        // Owner bits stay on while unpacking, so that the entries inside
        // can be written; `preserve_permissions` sets the exact mode last.
        match platform::create_dir(dir, mode | 0o700) {
            Ok(()) => created.dirs.push(dir.to_path_buf()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => return Err(Error::io(format!("creating {}", dir.display()), e)),
        }
    }
    Ok(())
}

/// What an unpacking created, to undo it on failure.
#[derive(Default)]
pub(crate) struct Created {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Created {
    /// Removes what was created: files and links, then the directories
    /// that are empty again, deepest first.
    pub(crate) fn roll_back(self) {
        for file in self.files.iter().rev() {
            let _ = fs::remove_file(file);
        }
        for dir in self.dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
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

/// Modification and access times from PAX records when present (they carry
/// fractions), else from the header (a GNU header may carry an atime).
fn entry_times<R: Read>(entry: &mut tar::Entry<'_, R>) -> Times {
    let mut modified = entry
        .header()
        .mtime()
        .ok()
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap_or(UNIX_EPOCH);
    let mut accessed = entry
        .header()
        .as_gnu()
        .and_then(|gnu| gnu.atime().ok())
        .filter(|secs| *secs != 0)
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs));
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

/// A PAX time: decimal seconds since the epoch with an optional fraction.
/// Times before the epoch are taken as the epoch.
fn parse_pax_time(value: &str) -> Option<SystemTime> {
    let (secs, fraction) = value.split_once('.').unwrap_or((value, ""));
    let secs: i64 = secs.parse().ok()?;
    let Ok(secs) = u64::try_from(secs) else {
        return Some(UNIX_EPOCH);
    };
    let digits: String = fraction.chars().take(9).collect();
    let nanos = if digits.is_empty() {
        0
    } else {
        let scale = 10u32.pow(9 - u32::try_from(digits.len()).unwrap_or(9));
        digits.parse::<u32>().ok()? * scale
    };
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
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
        assert_eq!(parse_pax_time("-3"), Some(UNIX_EPOCH));
        assert_eq!(parse_pax_time("x"), None);
    }
}
