//! The file store itself: its state, `add`, `close`, and the lookups the
//! storage traits share.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use oras_content::{Graph, Limited, memory};
use oras_spec::{Descriptor, Digest, Digester, annotation, media_type};
use tempfile::TempPath;
use tokio::sync::RwLock;

use crate::archive;
use crate::error::{Error, Result};
use crate::fallback::Fallback;
use crate::options::Options;
use crate::paths::{self, clean};
use crate::root::{Kind, Root};

/// What a name holds: `None` until content was added or pushed under it.
/// The lock serialises pushes of one name, as oras-go's `nameStatus`.
pub(crate) type NameSlot = Arc<RwLock<Option<Descriptor>>>;

/// A store that keeps titled content as files and directories under a
/// working directory (oras-go `content/file.Store`); see the crate docs.
///
/// Content described by a title (`org.opencontainers.image.title`) is
/// location-addressed at `<working dir>/<title>`; everything else (the
/// manifests and configs of an artifact) goes to a size-limited in-memory
/// store, or is dropped with [`Options::ignore_no_name`]. Tags and the
/// predecessor index live in memory: a store cannot be reopened.
///
/// Call [`Store::close`] (or drop the store) to remove its temp files.
pub struct Store {
    pub(crate) working_dir: PathBuf,
    pub(crate) options: Options,
    closed: AtomicBool,
    pub(crate) fallback: Fallback,
    state: Mutex<State>,
    /// The working directory as a handle, opened on the first write.
    root: OnceLock<Arc<Root>>,
}

/// Everything that changes, behind one lock never held across an await.
#[derive(Default)]
pub(crate) struct State {
    /// The status of every name seen.
    pub(crate) names: HashMap<String, NameSlot>,
    /// Where the content of a digest can be read (oras-go `digestToPath`).
    pub(crate) paths: HashMap<Digest, (Descriptor, PathBuf)>,
    /// Tags (oras-go's in-memory resolver).
    pub(crate) tags: HashMap<String, Descriptor>,
    /// Edges of the manifests pushed.
    pub(crate) graph: Graph,
    /// Temp files to remove on close.
    pub(crate) temps: Vec<TempPath>,
    /// Titled successors restored under a second name, not yet taken.
    pub(crate) restored: Vec<Descriptor>,
    /// The symbolic links unpacked, checked again by [`Store::verify_links`].
    pub(crate) links: Vec<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("working_dir", &self.working_dir)
            .field("options", &self.options)
            .field("closed", &self.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Store {
    /// A store over `working_dir` with default [`Options`] (oras-go
    /// `file.New`). A relative directory is taken from the current one;
    /// the directory need not exist yet.
    pub fn new(working_dir: impl AsRef<Path>) -> Result<Store> {
        Store::with_options(working_dir, Options::default())
    }

    /// A store over `working_dir` with `options`.
    pub fn with_options(working_dir: impl AsRef<Path>, options: Options) -> Result<Store> {
        let fallback = Limited::new(memory::Store::new(), options.fallback_limit);
        Store::build(working_dir.as_ref(), options, Fallback::Memory(fallback))
    }

    /// A store over `working_dir` that keeps untitled content (manifests,
    /// configs) in `storage` instead of memory (oras-go
    /// `file.NewWithFallbackStorage`); [`Options::fallback_limit`] does
    /// not apply to it. Resolving a bare digest then finds only titled
    /// content.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use oras_content::{Pusher, ReadOnlyStorage, bytes_reader, memory};
    /// use oras_spec::Descriptor;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let manifests = Arc::new(memory::Store::new());
    /// let store = oras_store_file::Store::with_fallback_storage(
    ///     dir.path(),
    ///     oras_store_file::Options::default(),
    ///     manifests.clone(),
    /// )?;
    /// let config = Descriptor::empty_json();
    /// store.push(&config, bytes_reader(&b"{}"[..])).await?;
    /// assert!(manifests.exists(&config).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_fallback_storage(
        working_dir: impl AsRef<Path>,
        options: Options,
        storage: Arc<dyn oras_content::Storage>,
    ) -> Result<Store> {
        Store::build(working_dir.as_ref(), options, Fallback::Given(storage))
    }

    fn build(working_dir: &Path, options: Options, fallback: Fallback) -> Result<Store> {
        let absolute = std::path::absolute(working_dir).map_err(|e| {
            Error::io(
                format!(
                    "failed to resolve absolute path for {}",
                    working_dir.display()
                ),
                e,
            )
        })?;
        Ok(Store {
            working_dir: clean(&absolute),
            options,
            closed: AtomicBool::new(false),
            fallback,
            state: Mutex::new(State::default()),
            root: OnceLock::new(),
        })
    }

    /// The absolute working directory.
    pub fn working_dir(&self) -> &Path {
        &self.working_dir
    }

    /// The options this store was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Adds the file or directory at `path` under `name` and describes it
    /// (oras-go `Store.Add`). An empty `path` means `name`; a relative
    /// `path` is taken from the working directory. An empty `media_type`
    /// means `application/vnd.oci.image.layer.v1.tar` for a file and
    /// `application/vnd.oci.image.layer.v1.tar+gzip` for a directory.
    ///
    /// A file is described in place: its digest is computed by streaming it
    /// and nothing is copied. A directory becomes a gzipped tar in a temp
    /// file (`oras_file_*` in the system temp directory, removed on close)
    /// whose descriptor carries `io.deis.oras.content.digest` (the digest
    /// of the uncompressed tar) and `io.deis.oras.content.unpack=true`.
    /// Either way the descriptor carries the title annotation `name`.
    pub async fn add(
        &self,
        name: &str,
        media_type: &str,
        path: impl AsRef<Path>,
    ) -> Result<Descriptor> {
        self.ensure_open()?;
        if name.is_empty() {
            return Err(Error::MissingName);
        }
        let slot = self.name_slot(name);
        let mut status = slot.write().await;
        if status.is_some() {
            return Err(Error::DuplicateName(name.to_owned()));
        }
        let path = path.as_ref();
        let path = self.absolute(if path.as_os_str().is_empty() {
            Path::new(name)
        } else {
            path
        });
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| Error::io(format!("failed to stat {}", path.display()), e))?;
        let mut desc = if meta.is_dir() {
            self.describe_dir(name, media_type, path).await?
        } else if meta.is_file() {
            self.describe_file(media_type, path).await?
        } else {
            return Err(Error::NotFileOrDirectory(path));
        };
        desc.annotations
            .insert(annotation::TITLE.to_owned(), name.to_owned());
        *status = Some(desc.clone());
        Ok(desc)
    }

    async fn describe_file(&self, media_type: &str, path: PathBuf) -> Result<Descriptor> {
        let hashed = path.clone();
        let (digest, size) = tokio::task::spawn_blocking(move || digest_file(&hashed))
            .await
            .map_err(|e| Error::io("hashing a file", io::Error::other(e)))??;
        let media_type = or_default(media_type, media_type::IMAGE_LAYER);
        let desc = Descriptor::new(media_type, digest, size);
        self.lock()
            .paths
            .insert(desc.digest.clone(), (desc.plain(), path));
        Ok(desc)
    }

    async fn describe_dir(&self, name: &str, media_type: &str, dir: PathBuf) -> Result<Descriptor> {
        let temp = self.new_temp_file()?;
        let out = temp
            .as_file()
            .try_clone()
            .map_err(|e| Error::io("opening a temp file", e))?;
        let prefix = name.to_owned();
        let reproducible = self.options.tar_reproducible;
        let packed = tokio::task::spawn_blocking(move || {
            archive::tar_gzip_directory(&dir, &prefix, reproducible, out)
        })
        .await
        .map_err(|e| Error::io("archiving a directory", io::Error::other(e)))??;
        let media_type = or_default(media_type, media_type::IMAGE_LAYER_GZIP);
        let mut desc = Descriptor::new(media_type, packed.gzip_digest, packed.gzip_size);
        desc.annotations.insert(
            annotation::CONTENT_DIGEST.to_owned(),
            packed.tar_digest.to_string(),
        );
        desc.annotations
            .insert(annotation::CONTENT_UNPACK.to_owned(), "true".to_owned());
        self.keep_temp(&desc, temp.into_temp_path());
        Ok(desc)
    }

    /// Checks again every symbolic link this store unpacked: each must
    /// still resolve beneath the working directory, following every link
    /// on the way as the kernel would (without following any outside).
    /// Links that do not are removed, and the first is reported as
    /// [`Error::UnsafeEntry`]. Per-layer checks do not compose (a link
    /// made by one layer may lead out through a link another layer makes
    /// later), so this runs after every manifest is pushed and on
    /// [`Store::close`]; a caller that pulls should call it when the pull
    /// ends. Nothing to do when path traversal is allowed.
    pub fn verify_links(&self) -> Result<()> {
        let Some(root) = self.root.get().filter(|r| r.is_confined()) else {
            return Ok(());
        };
        let links = self.lock().links.clone();
        if links.is_empty() {
            return Ok(());
        }
        let real = std::fs::canonicalize(&self.working_dir)
            .map_err(|e| Error::io(format!("resolving {}", self.working_dir.display()), e))?;
        let mut escaping = Vec::new();
        for link in links {
            let Ok(rel) = link.strip_prefix(&self.working_dir) else {
                continue;
            };
            match root.kind(&link) {
                Ok(Some(Kind::Symlink)) => {}
                Ok(_) => continue,
                Err(_) => {
                    escaping.push(link);
                    continue;
                }
            }
            if !paths::resolves_beneath(&real, &self.working_dir, rel)? {
                if let Err(e) = root.remove_file(&link) {
                    tracing::warn!(link = %link.display(), error = %e, "removing an escaping link");
                }
                escaping.push(link);
            }
        }
        let mut state = self.lock();
        state.links.retain(|l| !escaping.contains(l));
        drop(state);
        match escaping.into_iter().next() {
            Some(link) => Err(Error::unsafe_entry(
                link,
                "symbolic link resolves outside the working directory",
            )),
            None => Ok(()),
        }
    }

    /// The working directory as a handle (see [`Root`]), opened (and
    /// created) on first use.
    pub(crate) fn root(&self) -> Result<Arc<Root>> {
        if let Some(root) = self.root.get() {
            return Ok(Arc::clone(root));
        }
        let root = Arc::new(Root::open(
            &self.working_dir,
            self.options.allow_path_traversal_on_write,
        )?);
        Ok(Arc::clone(self.root.get_or_init(|| root)))
    }

    /// Closes the store and removes its temp files (oras-go `Store.Close`),
    /// after checking its links once more ([`Store::verify_links`], whose
    /// failure it reports after the clean-up).
    /// Every later call fails with [`Error::StoreClosed`]; closing again
    /// does nothing. Dropping the store closes it too.
    pub fn close(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let links = self.verify_links();
        let temps = std::mem::take(&mut self.lock().temps);
        let mut failures = Vec::new();
        for temp in temps {
            let path = temp.to_path_buf();
            if let Err(e) = temp.close() {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
        links?;
        if failures.is_empty() {
            Ok(())
        } else {
            Err(Error::io(
                "removing temp files",
                io::Error::other(failures.join("; ")),
            ))
        }
    }

    /// The titled successors restored by copy under a second name since
    /// the last call (oras-go restores them after a manifest is pushed;
    /// the CLI prints "Restored" for each). See [`Options::force_cas`].
    pub fn take_restored(&self) -> Vec<Descriptor> {
        std::mem::take(&mut self.lock().restored)
    }

    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::StoreClosed);
        }
        Ok(())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a panic elsewhere; the maps are intact.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The slot of `name`, made on first use.
    pub(crate) fn name_slot(&self, name: &str) -> NameSlot {
        self.lock()
            .names
            .entry(name.to_owned())
            .or_default()
            .clone()
    }

    /// Whether content was added or pushed under `name`.
    pub(crate) async fn name_exists(&self, name: &str) -> bool {
        let slot = self.lock().names.get(name).cloned();
        match slot {
            Some(slot) => slot.read().await.is_some(),
            None => false,
        }
    }

    /// `path` made absolute against the working directory, cleaned.
    pub(crate) fn absolute(&self, path: &Path) -> PathBuf {
        if path.has_root() {
            clean(path)
        } else {
            clean(&self.working_dir.join(path))
        }
    }

    /// Keeps a temp file until close, as where `desc`'s content lives.
    pub(crate) fn keep_temp(&self, desc: &Descriptor, temp: TempPath) {
        let mut state = self.lock();
        state
            .paths
            .insert(desc.digest.clone(), (desc.plain(), temp.to_path_buf()));
        state.temps.push(temp);
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            tracing::warn!(error = %e, "closing a file store");
        }
    }
}

impl Store {
    /// A temp file `oras_file_*` in the temp directory (oras-go
    /// `Store.tempFile`), removed when dropped unless kept with
    /// [`Store::keep_temp`].
    pub(crate) fn new_temp_file(&self) -> Result<tempfile::NamedTempFile> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("oras_file_");
        match &self.options.temp_dir {
            Some(dir) => builder.tempfile_in(dir),
            None => builder.tempfile(),
        }
        .map_err(|e| Error::io("creating a temp file", e))
    }
}

/// The title of `desc`; an empty title is no title (oras-go checks
/// `name == ""`).
pub(crate) fn title(desc: &Descriptor) -> Option<&str> {
    desc.title().filter(|name| !name.is_empty())
}

fn or_default<'a>(media_type: &'a str, default: &'a str) -> &'a str {
    if media_type.is_empty() {
        default
    } else {
        media_type
    }
}

/// The SHA-256 digest and size of a file, read in 1 MiB chunks.
fn digest_file(path: &Path) -> Result<(Digest, u64)> {
    let failed = |e: io::Error| Error::io(format!("reading {}", path.display()), e);
    let mut file = File::open(path).map_err(failed)?;
    let mut digester = Digester::new(oras_spec::Algorithm::Sha256);
    // 1 MiB reads, but no more than a small file needs.
    let declared = file.metadata().map_err(failed)?.len();
    let mut buf = vec![
        0u8;
        usize::try_from(declared)
            .unwrap_or(1 << 20)
            .clamp(4096, 1 << 20)
    ];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(failed(e)),
        };
        digester.update(&buf[..n]);
        size += n as u64;
    }
    Ok((digester.finish(), size))
}
