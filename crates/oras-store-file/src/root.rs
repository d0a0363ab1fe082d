//! Every write of the store, resolved beneath the working directory.
//!
//! Unless path traversal is allowed, the working directory is opened once
//! as a capability ([`cap_std::fs::Dir`]) and every creation, write,
//! rename, link, removal and change of times or permissions goes through
//! that handle. The kernel (`openat2` with `RESOLVE_BENEATH` where Linux
//! has it, a careful component-by-component walk elsewhere) then refuses
//! any path that would leave the directory through `..` or a symbolic
//! link, however the links on disk changed since a path was checked: the
//! checks in `paths` give early, precise errors, this handle makes them
//! hold between the check and the write.
//!
//! With [`crate::Options::allow_path_traversal_on_write`] the store acts
//! with the process's ambient authority, as oras-go does.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cap_std::fs::Dir;

use crate::error::{Error, Result};
use crate::platform;

/// Temp files of this store start with this (and the process id), so that
/// a stray one is recognisable.
pub(crate) const TEMP_PREFIX: &str = ".oras_file_";

/// The working directory, as a handle (confined) or as a path (ambient).
#[derive(Debug)]
pub(crate) struct Root {
    base: PathBuf,
    dir: Option<Dir>,
}

/// What a path holds, without following a final symbolic link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// Anything else (a FIFO, a socket, a device).
    Other,
}

impl Root {
    /// The working directory `base` (absolute, clean), created if missing;
    /// opened as a handle unless `ambient`.
    pub(crate) fn open(base: &Path, ambient: bool) -> Result<Root> {
        if ambient {
            return Ok(Root {
                base: base.to_path_buf(),
                dir: None,
            });
        }
        // The working directory itself is the caller's choice: it is
        // created and opened with ambient authority, once.
        fs::create_dir_all(base)
            .map_err(|e| Error::io(format!("creating {}", base.display()), e))?;
        let dir = Dir::open_ambient_dir(base, cap_std::ambient_authority())
            .map_err(|e| Error::io(format!("opening {}", base.display()), e))?;
        Ok(Root {
            base: base.to_path_buf(),
            dir: Some(dir),
        })
    }

    /// Whether writes are confined beneath the working directory.
    pub(crate) fn is_confined(&self) -> bool {
        self.dir.is_some()
    }

    /// The working directory.
    pub(crate) fn base(&self) -> &Path {
        &self.base
    }

    /// `path` (absolute, clean) relative to the handle; refused when it is
    /// not beneath the working directory.
    fn rel<'a>(&self, path: &'a Path) -> Result<&'a Path> {
        match path.strip_prefix(&self.base) {
            Ok(rel) if rel.as_os_str().is_empty() => Ok(Path::new(".")),
            Ok(rel) => Ok(rel),
            Err(_) => Err(Error::traversal(path, "outside the working directory")),
        }
    }

    /// Runs `confined` on the handle with `path` made relative, or
    /// `ambient` on `path` itself; an escape refused by the handle is
    /// [`Error::PathTraversal`].
    fn run<T>(
        &self,
        what: &str,
        path: &Path,
        confined: impl FnOnce(&Dir, &Path) -> io::Result<T>,
        ambient: impl FnOnce(&Path) -> io::Result<T>,
    ) -> Result<T> {
        let result = match &self.dir {
            Some(dir) => confined(dir, self.rel(path)?),
            None => ambient(path),
        };
        result.map_err(|e| failure(what, path, e))
    }

    /// What `path` holds, not following a final link; `None` if nothing.
    pub(crate) fn kind(&self, path: &Path) -> Result<Option<Kind>> {
        let result = match &self.dir {
            Some(dir) => dir.symlink_metadata(self.rel(path)?).map(|m| {
                let t = m.file_type();
                kind_of(t.is_symlink(), t.is_dir(), t.is_file())
            }),
            None => fs::symlink_metadata(path).map(|m| {
                let t = m.file_type();
                kind_of(t.is_symlink(), t.is_dir(), t.is_file())
            }),
        };
        match result {
            Ok(kind) => Ok(Some(kind)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failure("inspecting", path, e)),
        }
    }

    /// The permission bits of the regular file at `path`, not following a
    /// final link; `None` when it is something else or nothing.
    #[cfg(unix)]
    fn file_permissions(&self, path: &Path) -> Option<u32> {
        let metadata = match &self.dir {
            Some(dir) => {
                use cap_std::fs::PermissionsExt;
                dir.symlink_metadata(self.rel(path).ok()?)
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.permissions().mode())
            }
            None => {
                use std::os::unix::fs::PermissionsExt;
                fs::symlink_metadata(path)
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.permissions().mode())
            }
        };
        metadata.map(|mode| mode & 0o777)
    }

    /// Whether `path`, following links, is a regular file.
    pub(crate) fn is_file_followed(&self, path: &Path) -> Result<bool> {
        self.run(
            "inspecting",
            path,
            |dir, rel| dir.metadata(rel).map(|m| m.is_file()),
            |p| fs::metadata(p).map(|m| m.is_file()),
        )
    }

    /// The path `path` resolves to, links followed (beneath the working
    /// directory when confined).
    pub(crate) fn canonicalize(&self, path: &Path) -> Result<PathBuf> {
        self.run(
            "resolving",
            path,
            |dir, rel| dir.canonicalize(rel).map(|r| self.base.join(r)),
            |p| fs::canonicalize(p),
        )
    }

    /// Creates one directory with `mode` as its creation mode (the umask
    /// applies); fails if it exists.
    pub(crate) fn create_dir(&self, path: &Path, mode: u32) -> Result<()> {
        match &self.dir {
            Some(dir) => {
                let mut builder = cap_std::fs::DirBuilder::new();
                #[cfg(unix)]
                {
                    use cap_std::fs::DirBuilderExt;
                    builder.mode(mode & 0o777);
                }
                #[cfg(not(unix))]
                let _ = mode;
                dir.create_dir_with(self.rel(path)?, &builder)
            }
            None => platform::create_dir(path, mode),
        }
        .map_err(|e| failure("creating", path, e))
    }

    /// Removes a file or a link (never what it points at).
    pub(crate) fn remove_file(&self, path: &Path) -> Result<()> {
        self.run(
            "removing",
            path,
            |dir, rel| dir.remove_file(rel),
            |p| fs::remove_file(p),
        )
    }

    /// Removes an empty directory.
    pub(crate) fn remove_dir(&self, path: &Path) -> Result<()> {
        self.run(
            "removing",
            path,
            |dir, rel| dir.remove_dir(rel),
            |p| fs::remove_dir(p),
        )
    }

    /// Renames `from` to `to`, replacing what `to` holds (a link at `to` is
    /// replaced, not followed).
    pub(crate) fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        match &self.dir {
            Some(dir) => dir.rename(self.rel(from)?, dir, self.rel(to)?),
            None => fs::rename(from, to),
        }
        .map_err(|e| failure("renaming into", to, e))
    }

    /// Moves `from` to `to` only if `to` does not exist (a hard link, then
    /// the removal of `from`): [`Error::OverwriteDisallowed`] otherwise.
    pub(crate) fn rename_no_clobber(&self, from: &Path, to: &Path) -> Result<()> {
        match self.hard_link(from, to) {
            Ok(()) => self.remove_file(from),
            Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::AlreadyExists => {
                Err(Error::OverwriteDisallowed(to.to_path_buf()))
            }
            Err(e) => Err(e),
        }
    }

    /// Makes a symbolic link at `link` with the text `text` (which is
    /// stored, not resolved).
    pub(crate) fn symlink(&self, text: &Path, link: &Path) -> Result<()> {
        self.run(
            "linking",
            link,
            |dir, rel| {
                #[cfg(unix)]
                {
                    dir.symlink_contents(text, rel)
                }
                #[cfg(not(unix))]
                {
                    let _ = (dir, rel);
                    Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "symbolic links are only unpacked on Unix",
                    ))
                }
            },
            |p| platform::symlink(text, p),
        )
    }

    /// Makes `link` a hard link to the file at `existing` (a final link in
    /// `existing` is not followed: resolve it first).
    pub(crate) fn hard_link(&self, existing: &Path, link: &Path) -> Result<()> {
        match &self.dir {
            Some(dir) => dir.hard_link(self.rel(existing)?, dir, self.rel(link)?),
            None => fs::hard_link(existing, link),
        }
        .map_err(|e| failure("linking", link, e))
    }

    /// The text of the symbolic link at `path`.
    pub(crate) fn read_link(&self, path: &Path) -> Result<PathBuf> {
        self.run(
            "reading",
            path,
            |dir, rel| dir.read_link_contents(rel),
            |p| fs::read_link(p),
        )
    }

    /// Opens the directory at `path` (for its times and permissions).
    pub(crate) fn open_dir(&self, path: &Path) -> Result<fs::File> {
        self.run(
            "opening",
            path,
            // Opened for reading, not as a path-only handle: the times and
            // permission bits of a directory are set through it.
            |dir, rel| {
                dir.open_with(rel, cap_std::fs::OpenOptions::new().read(true))
                    .map(cap_std::fs::File::into_std)
            },
            |p| fs::File::open(p),
        )
    }

    /// A fresh name `.oras_file_<pid>_<n>_<nanos>` in `parent`.
    pub(crate) fn unique_path(&self, parent: &Path) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        parent.join(format!(
            "{TEMP_PREFIX}{}_{unique}_{nanos:x}",
            std::process::id()
        ))
    }

    /// Creates `path` and its missing parents.
    pub(crate) fn create_dir_all(&self, path: &Path) -> Result<()> {
        self.run(
            "creating",
            path,
            |dir, rel| {
                dir.create_dir_all(rel).map_err(|e| {
                    // A link in the way that leads out makes `mkdir` say
                    // only "exists": say why.
                    match dir.metadata(rel) {
                        Err(followed) if is_escape(&followed) => followed,
                        _ => e,
                    }
                })
            },
            |p| fs::create_dir_all(p),
        )
    }

    /// Creates a new temp file `.oras_file_<pid>_<n>` in `parent` with the
    /// creation mode `mode` (the umask applies). Removed when the guard is
    /// dropped unless persisted.
    pub(crate) fn temp_file(self: &Arc<Self>, parent: &Path, mode: u32) -> Result<TempFile> {
        let mut attempts = 0;
        loop {
            let path = self.unique_path(parent);
            let opened = match &self.dir {
                Some(dir) => {
                    let mut options = cap_std::fs::OpenOptions::new();
                    options.write(true).read(true).create_new(true);
                    #[cfg(unix)]
                    {
                        use cap_std::fs::OpenOptionsExt;
                        options.mode(mode & 0o777);
                    }
                    dir.open_with(self.rel(&path)?, &options)
                        .map(cap_std::fs::File::into_std)
                }
                None => {
                    let mut options = fs::OpenOptions::new();
                    options.write(true).read(true).create_new(true);
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::OpenOptionsExt;
                        options.mode(mode & 0o777);
                    }
                    options.open(&path)
                }
            };
            match opened {
                Ok(file) => {
                    return Ok(TempFile {
                        root: Arc::clone(self),
                        path: Some(path),
                        file,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => {
                    attempts += 1;
                }
                Err(e) => return Err(failure("creating a temp file in", parent, e)),
            }
        }
    }
}

/// A temp file made by [`Root::temp_file`]: removed on drop unless
/// [`TempFile::persist`] moved it into place.
pub(crate) struct TempFile {
    root: Arc<Root>,
    path: Option<PathBuf>,
    /// The open file.
    pub(crate) file: fs::File,
}

impl TempFile {
    /// Moves the file to `target` (replacing it, or refusing to when
    /// `no_clobber`).
    pub(crate) fn persist(mut self, target: &Path, no_clobber: bool) -> Result<()> {
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        // oras-go's `pushFile` opens an existing regular file with O_TRUNC
        // and writes it in place, so the file keeps its mode. Replacing it
        // by a rename keeps a failed pull from leaving a partial file, so
        // the old file's permission bits (not setuid/setgid/sticky, which
        // a write by its owner clears) are put on the new one instead. A
        // link at `target` is replaced by a new file in both.
        #[cfg(unix)]
        if !no_clobber && let Some(mode) = self.root.file_permissions(target) {
            use std::os::unix::fs::PermissionsExt;
            if let Err(e) = self.file.set_permissions(fs::Permissions::from_mode(mode)) {
                let _ = self.root.remove_file(&path);
                return Err(failure("setting the mode of", &path, e));
            }
        }
        let moved = if no_clobber {
            self.root.rename_no_clobber(&path, target)
        } else {
            self.root.rename(&path, target)
        };
        if moved.is_err() {
            let _ = self.root.remove_file(&path);
        }
        moved
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = self.root.remove_file(&path);
        }
    }
}

fn kind_of(symlink: bool, dir: bool, file: bool) -> Kind {
    if symlink {
        Kind::Symlink
    } else if dir {
        Kind::Dir
    } else if file {
        Kind::File
    } else {
        Kind::Other
    }
}

/// Whether `err` is the handle's refusal of a path that leaves it
/// (`cap-primitives` reports it as permission denied, "a path led outside
/// of the filesystem"; `openat2` as `EXDEV`, which it translates).
pub(crate) fn is_escape(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::PermissionDenied
        && err.to_string().contains("outside of the filesystem")
}

fn failure(what: &str, path: &Path, err: io::Error) -> Error {
    if is_escape(&err) {
        return Error::traversal(path, "resolves outside the working directory");
    }
    Error::io(format!("{what} {}", path.display()), err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes into one new directory from many threads at once: every
    /// `create_dir_all` of it succeeds, whoever made it first.
    #[test]
    fn concurrent_creation_of_one_directory_succeeds_everywhere() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let root = Arc::new(Root::open(dir.path(), false).unwrap());
            let target = dir.path().join("a/b/c/d");
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let (root, target) = (Arc::clone(&root), target.clone());
                    std::thread::spawn(move || root.create_dir_all(&target))
                })
                .collect();
            for thread in threads {
                thread.join().unwrap().unwrap();
            }
            assert!(target.is_dir());
        }
    }
}
