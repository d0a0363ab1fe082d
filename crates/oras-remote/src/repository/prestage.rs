//! Uploads that start before their digest is known, so hashing a large
//! file and sending it overlap (an oras-rs addition; oras-go hashes a file
//! whole before its upload starts).
//!
//! [`Repository::prestage`] opens an upload session and sends the content
//! in a single `PATCH` with `Content-Range: 0-<size-1>` (distribution-spec
//! "Pushing a blob in chunks", with one chunk). Once the caller knows the
//! digest, [`Prestage::commit_as`] leaves the upload with the repository:
//! the next push of that descriptor ends it with an empty
//! `PUT <location>?digest=<d>` instead of sending the content again. The
//! registry checks the digest then, so content that changed meanwhile is
//! refused, and that push falls back to an ordinary upload of what it was
//! given. [`Prestage::cancel`] abandons the upload (say the blob turned
//! out to exist already) and deletes the session.
//!
//! [`Repository::prestage_file`] is the whole pipeline for a file, as
//! `oras push` runs it: start the upload of a large enough file, count
//! its bytes sent (for a progress display), and once the caller hashed it
//! ([`FilePrestage::settle`]) abandon it if the registry has the blob or
//! leave it for the copy's push to end.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use http::{HeaderMap, Method};
use oras_auth::Body;
use oras_spec::Descriptor;
use tokio::task::JoinHandle;
use url::Url;

use super::Repository;
use super::upload::{BlobSource, Feeder, FileSource, SharedFeeder, content_failure};

/// The location an upload's content went to, once all of it was sent.
pub(crate) type SentUpload = JoinHandle<oras_content::Result<Url>>;

/// An upload under way whose digest is not known yet (see the module
/// docs). Dropping it without [`Prestage::commit_as`] stops the upload.
#[derive(Debug)]
pub struct Prestage {
    repo: Repository,
    size: u64,
    sending: Option<SentUpload>,
    /// The session's location, once the registry opened it.
    session: Arc<Mutex<Option<Url>>>,
}

impl Repository {
    /// Starts uploading the `size` bytes of `source` before their digest
    /// is known; see [`Prestage`]. Must be called within a Tokio runtime.
    pub fn prestage(&self, source: Arc<dyn BlobSource>, size: u64) -> Prestage {
        let session = Arc::new(Mutex::new(None));
        let repo = self.clone();
        let opened = session.clone();
        let sending = tokio::spawn(async move { repo.send_unnamed(&*source, size, &opened).await });
        Prestage {
            repo: self.clone(),
            size,
            sending: Some(sending),
            session,
        }
    }

    /// Opens a session and sends all of `source` in one PATCH.
    async fn send_unnamed(
        &self,
        source: &dyn BlobSource,
        size: u64,
        opened: &Mutex<Option<Url>>,
    ) -> oras_content::Result<Url> {
        let (location, _) = self.open_session().await?;
        *opened.lock().unwrap_or_else(PoisonError::into_inner) = Some(location.clone());
        if size == 0 {
            return Ok(location);
        }
        let feeder: SharedFeeder = Arc::new(tokio::sync::Mutex::new(Some(Feeder::new(
            source.open().await?,
            size,
        ))));
        match self.patch_chunk(&location, 0, size, &feeder).await {
            Ok(next) => Ok(next),
            Err(e) => Err(content_failure(&feeder).await.unwrap_or_else(|| e.into())),
        }
    }

    /// The committed prestaged upload for `desc`, taken out (one of
    /// another size is stopped and forgotten).
    pub(crate) fn take_prestaged(&self, desc: &Descriptor) -> Option<SentUpload> {
        let (size, sending) = self
            .inner
            .prestaged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&desc.digest)?;
        if size == desc.size {
            Some(sending)
        } else {
            sending.abort();
            None
        }
    }

    /// Waits for a prestaged upload's content to be sent and ends it as
    /// `desc`. `false` when that failed, for whatever reason: the caller
    /// then uploads the content itself.
    pub(crate) async fn finish_prestaged(&self, desc: &Descriptor, sending: SentUpload) -> bool {
        let location = match sending.await {
            Ok(Ok(location)) => location,
            Ok(Err(e)) => {
                tracing::debug!(digest = %desc.digest, error = %e, "prestaged upload failed; uploading again");
                return false;
            }
            Err(e) => {
                tracing::debug!(digest = %desc.digest, error = %e, "prestaged upload stopped; uploading again");
                return false;
            }
        };
        match self.finish_upload(desc, &location, Body::empty()).await {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!(digest = %desc.digest, error = %e, "registry refused the prestaged upload; uploading again");
                false
            }
        }
    }
}

impl Prestage {
    /// The size of the content being sent.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The content turned out to be `desc`: the next push of `desc` to this
    /// repository (or a clone of it) ends this upload instead of sending
    /// the content again. A descriptor of another size stops the upload.
    pub fn commit_as(mut self, desc: &Descriptor) {
        let Some(sending) = self.sending.take() else {
            return;
        };
        if desc.size != self.size {
            sending.abort();
            return;
        }
        let replaced = self
            .repo
            .inner
            .prestaged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(desc.digest.clone(), (self.size, sending));
        if let Some((_, earlier)) = replaced {
            // The same content twice: one upload is enough.
            earlier.abort();
        }
    }

    /// Stops the upload and deletes its session (best effort: a registry
    /// also purges abandoned sessions itself).
    pub async fn cancel(mut self) {
        if let Some(sending) = self.sending.take() {
            sending.abort();
            let _ = sending.await;
        }
        let session = self
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(location) = session {
            let deleted = self
                .repo
                .remote()
                .send_empty(
                    Method::DELETE,
                    &location,
                    HeaderMap::new(),
                    &self.repo.push_scopes(),
                )
                .await;
            if let Err(e) = deleted {
                tracing::debug!(error = %e, "deleting an abandoned upload session");
            }
        }
    }
}

impl Drop for Prestage {
    fn drop(&mut self) {
        if let Some(sending) = self.sending.take() {
            sending.abort();
        }
    }
}

/// Files at least this large are worth uploading while they are hashed:
/// hashing 32 MiB takes about 20 ms, more than the round trips a prestage
/// adds.
pub const PRESTAGE_MIN_SIZE: u64 = 32 * 1024 * 1024;

/// A file uploading while its caller hashes it (see
/// [`Repository::prestage_file`]), with the count of its bytes read for
/// the upload so far.
#[derive(Debug)]
pub struct FilePrestage {
    stage: Prestage,
    sent: Arc<AtomicU64>,
}

impl Repository {
    /// Starts uploading the regular file at `path` when it has at least
    /// `min_size` bytes ([`PRESTAGE_MIN_SIZE`] is a good default); `None`
    /// for a smaller file, a directory or anything that cannot be read,
    /// which the caller then pushes as usual. Must be called within a
    /// Tokio runtime.
    pub async fn prestage_file(
        &self,
        path: impl AsRef<Path>,
        min_size: u64,
    ) -> Option<FilePrestage> {
        let path = path.as_ref();
        let meta = tokio::fs::metadata(path).await.ok()?;
        if !meta.is_file() || meta.len() < min_size {
            return None;
        }
        let sent = Arc::new(AtomicU64::new(0));
        let source = Arc::new(CountedFile {
            file: FileSource(path.to_path_buf()),
            sent: sent.clone(),
        });
        Some(FilePrestage {
            stage: self.prestage(source, meta.len()),
            sent,
        })
    }
}

impl FilePrestage {
    /// The bytes read for the upload so far. The upload holds a clone
    /// while it runs: once it is gone (ended, failed or stopped), a
    /// caller's clone is the last one (`Arc::strong_count` is 1).
    pub fn sent(&self) -> Arc<AtomicU64> {
        self.sent.clone()
    }

    /// The file hashed to `desc`: when the registry has that blob already,
    /// the upload is abandoned ([`Prestage::cancel`]) and `false` returned
    /// (a copy then finds the blob existing, as oras-go reports it);
    /// otherwise the upload is left for the next push of `desc` to end
    /// ([`Prestage::commit_as`]) and `true` returned.
    pub async fn settle(self, desc: &Descriptor) -> bool {
        match oras_content::ReadOnlyStorage::exists(&self.stage.repo, desc).await {
            Ok(true) => {
                self.stage.cancel().await;
                false
            }
            _ => {
                self.stage.commit_as(desc);
                true
            }
        }
    }
}

/// A file whose bytes read are counted (into `sent`).
struct CountedFile {
    file: FileSource,
    sent: Arc<AtomicU64>,
}

#[async_trait::async_trait]
impl BlobSource for CountedFile {
    async fn open(&self) -> oras_content::Result<oras_content::BlobReader> {
        let reader = self.file.open().await?;
        let sent = self.sent.clone();
        Ok(reader.inspect(move |chunk| {
            sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }))
    }
}
