//! The graph copy itself (oras-go `copyGraph`).
//!
//! Each node runs once, whoever reaches it first (the [`Tracker`]); the
//! others wait for it. A node first asks the destination whether it exists
//! and, if so, skips its whole sub-DAG. Otherwise it finds its successors
//! (manifests are fetched through the caching [`Proxy`]), drops foreign
//! layers, gives back its place in the concurrency limit (one per size
//! class, [`Limiter`]) while the children copy (so parents waiting on
//! children never starve them), and then copies itself: children before
//! parents, the root last.
//!
//! All of it runs as futures joined within the caller's task, so stores
//! are borrowed rather than shared through `Arc`s, and a failure anywhere
//! drops every transfer still under way.

use futures::future::{BoxFuture, try_join_all};
use oras_content::{
    BlobReader, ErrorKind, Fetcher, ReadOnlyStorage, ReferencePusher, Storage, fetch_all,
    successors_from_bytes,
};
use oras_spec::{Descriptor, DescriptorKey, media_type};

use crate::error::{Error, Origin, Result};
use crate::event::{CopyEvent, counting, emit};
use crate::limit::Limiter;
use crate::options::{CopyGraphOptions, PreCopyAction};
use crate::proxy::Proxy;
use crate::tracker::Tracker;

/// Tags a descriptor with a reference at the destination.
pub(crate) type TagFn<'a> =
    Box<dyn Fn(Descriptor, String) -> BoxFuture<'a, oras_content::Result<()>> + Send + Sync + 'a>;

/// The root of a [`crate::copy`]: tagged (or pushed by reference) once copied,
/// and re-tagged even when it already exists.
pub(crate) struct RootTag<'a> {
    pub(crate) root: Descriptor,
    pub(crate) reference: String,
    pub(crate) tag: TagFn<'a>,
}

/// Everything the copy of one graph (or of several roots sharing nodes) shares.
pub(crate) struct Engine<'a, S: ?Sized, D: ?Sized> {
    pub(crate) dst: &'a D,
    pub(crate) proxy: &'a Proxy<'a, S>,
    pub(crate) limiter: Limiter,
    pub(crate) tracker: Tracker,
    pub(crate) opts: &'a CopyGraphOptions,
    pub(crate) root: Option<RootTag<'a>>,
}

/// Copies the graphs of `roots` into `dst` through one engine: one limit
/// on transfers and one record of what is done, so a node two roots share
/// is copied once; `root_tag` tags the root when it is copied.
pub(crate) async fn copy_roots<'a, S, D>(
    dst: &'a D,
    proxy: &'a Proxy<'a, S>,
    opts: &'a CopyGraphOptions,
    roots: Vec<Descriptor>,
    root_tag: Option<RootTag<'a>>,
) -> Result<()>
where
    S: ReadOnlyStorage + ?Sized,
    D: Storage + ?Sized,
{
    let engine = Engine {
        dst,
        proxy,
        limiter: Limiter::new(opts),
        tracker: Tracker::default(),
        opts,
        root: root_tag,
    };
    try_join_all(
        roots
            .into_iter()
            .map(|root| engine.process(root, Vec::new())),
    )
    .await?;
    Ok(())
}

/// How a node reached the destination.
enum Outcome {
    Copied,
    Mounted,
    Skipped,
}

impl<'a, S, D> Engine<'a, S, D>
where
    S: ReadOnlyStorage + ?Sized,
    D: Storage + ?Sized,
{
    /// Copies the sub-DAG rooted at `desc`; `path` holds its ancestors.
    pub(crate) fn process<'e>(
        &'e self,
        desc: Descriptor,
        path: Vec<DescriptorKey>,
    ) -> BoxFuture<'e, Result<()>>
    where
        'a: 'e,
    {
        Box::pin(async move {
            let Some(commit) = self.tracker.try_commit(&desc) else {
                return Ok(());
            };
            let mut permit = self.limiter.acquire(&desc).await?;
            if self.exists_at_destination(&desc).await? {
                if let Err(e) = self.skip_existing(&desc).await {
                    // The root's re-tag re-pushes its manifest, which the
                    // registry refuses when a child is missing.
                    if !is_missing_referenced_content(&e) || !desc.is_manifest() {
                        return Err(e);
                    }
                    let successors = self.successors(&desc).await?;
                    self.heal(&desc, &successors, 0).await?;
                    self.skip_existing(&desc).await?;
                }
                commit.done();
                return Ok(());
            }
            let successors = self.successors(&desc).await?;
            if !successors.is_empty() {
                drop(permit);
                let mut below = path;
                below.push(desc.key());
                if let Some(cycle) = successors.iter().find(|s| below.contains(&s.key())) {
                    return Err(Error::Cycle(cycle.digest.to_string()));
                }
                try_join_all(
                    successors
                        .iter()
                        .map(|child| self.process(child.clone(), below.clone())),
                )
                .await?;
                for child in &successors {
                    self.tracker.wait(child).await?;
                }
                permit = self.limiter.acquire(&desc).await?;
            }
            if let Err(e) = self.copy_node(&desc).await {
                if successors.is_empty() || !is_missing_referenced_content(&e) {
                    return Err(e);
                }
                self.heal(&desc, &successors, 0).await?;
                self.copy_node(&desc).await?;
            }
            drop(permit);
            commit.done();
            Ok(())
        })
    }

    /// Self-heal (oras-go #1212/#1213): the destination refused `desc`
    /// because content it references is missing, though the existence
    /// checks skipped it. Re-pushes every manifest successor regardless of
    /// what the destination says (and, below each, whatever it refuses
    /// for the same reason), and copies the blob successors that are
    /// really absent; the caller then retries its push once. oras-go
    /// re-pushes manifests only; checking the blobs too also heals a
    /// destination that lost a layer.
    fn heal<'e>(
        &'e self,
        desc: &'e Descriptor,
        successors: &'e [Descriptor],
        depth: usize,
    ) -> BoxFuture<'e, Result<()>>
    where
        'a: 'e,
    {
        Box::pin(async move {
            if depth > MAX_HEAL_DEPTH {
                return Err(Error::Cycle(desc.digest.to_string()));
            }
            tracing::debug!(digest = %desc.digest, "destination lacks referenced content; re-pushing");
            for child in successors {
                if !child.is_manifest() {
                    if !self.exists_at_destination(child).await? {
                        self.transfer(child, None).await?;
                    }
                    continue;
                }
                if let Err(e) = self.repush(child).await {
                    if !is_missing_referenced_content(&e) {
                        return Err(e);
                    }
                    let below = self.successors(child).await?;
                    self.heal(child, &below, depth + 1).await?;
                    self.repush(child).await?;
                }
            }
            Ok(())
        })
    }

    /// Pushes a manifest from the source whatever the destination says.
    async fn repush(&self, desc: &Descriptor) -> Result<()> {
        let reader = self
            .proxy
            .fetch_cached(desc)
            .await
            .map_err(|e| Error::copy("Fetch", Origin::Source, e))?;
        match self.dst.push(desc, reader).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(Error::copy("Push", Origin::Destination, e)),
        }
    }

    fn root_of(&self, desc: &Descriptor) -> Option<&RootTag<'a>> {
        self.root.as_ref().filter(|r| r.root.same_content(desc))
    }

    async fn exists_at_destination(&self, desc: &Descriptor) -> Result<bool> {
        // `force` reports every manifest as missing, as the CLI's
        // TraversingTarget does, so present sub-DAGs are still walked.
        if self.opts.force && desc.is_manifest() {
            return Ok(false);
        }
        self.dst
            .exists(desc)
            .await
            .map_err(|e| Error::copy("Exists", Origin::Destination, e))
    }

    /// A node that exists at the destination: report it, and re-tag it when
    /// it is the root (oras-go `prepareCopy`'s `OnCopySkipped`).
    async fn skip_existing(&self, desc: &Descriptor) -> Result<()> {
        if let Some(root) = self.root_of(desc) {
            if let Some(pusher) = self.dst.as_reference_pusher() {
                // Tagging by re-pushing under the reference; oras-go does not
                // call OnCopySkipped in this case, so nothing reports the
                // root as existing either (the CLI prints no `Exists` line).
                self.push_reference(desc, pusher, &root.reference, false)
                    .await?;
                emit(self.opts.progress.as_ref(), CopyEvent::Retagged(desc));
                return Ok(());
            }
            emit(self.opts.progress.as_ref(), CopyEvent::Exists(desc));
            self.hook_on_skipped(desc).await?;
            return self.tag_root(root).await;
        }
        emit(self.opts.progress.as_ref(), CopyEvent::Exists(desc));
        self.hook_on_skipped(desc).await
    }

    async fn successors(&self, desc: &Descriptor) -> Result<Vec<Descriptor>> {
        let found = match &self.opts.find_successors {
            Some(find) => find(self.proxy as &dyn Fetcher, desc).await,
            None => self.default_successors(desc).await,
        };
        let mut found = found.map_err(|e| Error::copy("FindSuccessors", Origin::Source, e))?;
        found.retain(|d| !media_type::is_foreign_layer(&d.media_type));
        Ok(found)
    }

    async fn default_successors(&self, desc: &Descriptor) -> oras_content::Result<Vec<Descriptor>> {
        if !desc.is_manifest() {
            return Ok(Vec::new());
        }
        let limit = self.opts.effective_max_metadata_bytes();
        let content = fetch_all(self.proxy, desc, limit).await?;
        successors_from_bytes(desc, &content)
    }

    /// Copies one node whose successors are all at the destination.
    async fn copy_node(&self, desc: &Descriptor) -> Result<()> {
        let root = self.root_of(desc);
        if let Some(root) = root
            && let Some(pusher) = self.dst.as_reference_pusher()
        {
            // The root goes to a registry as one PUT by tag, from the cache.
            if self.hook_pre_copy(desc).await? == PreCopyAction::Skip {
                emit(self.opts.progress.as_ref(), CopyEvent::Skipped(desc));
                return Ok(());
            }
            emit(self.opts.progress.as_ref(), CopyEvent::Started(desc));
            self.push_reference(desc, pusher, &root.reference, true)
                .await?;
            emit(self.opts.progress.as_ref(), CopyEvent::Done(desc));
            self.proxy.evict(desc);
            return self.hook_post_copy(desc).await;
        }
        let outcome = match self.proxy.cached(desc) {
            Some(content) => {
                self.transfer(desc, Some(oras_content::bytes_reader(content)))
                    .await?
            }
            None => self.mount_or_transfer(desc).await?,
        };
        self.proxy.evict(desc);
        match outcome {
            Outcome::Skipped => Ok(()),
            Outcome::Copied => {
                if let Some(root) = root {
                    self.tag_root(root).await?;
                }
                self.hook_post_copy(desc).await
            }
            Outcome::Mounted => {
                if let Some(root) = root {
                    self.tag_root(root).await?;
                }
                run_hook(self.opts.on_mounted.as_ref(), desc).await
            }
        }
    }

    /// Tries each candidate repository the `mount_from` hook names, and
    /// copies normally when none mounts (oras-go `mountOrCopyNode`). A
    /// refusal (unauthorized, denied) counts as a failed mount, not an
    /// error, as the CLI retries without mounting (oras#1924).
    async fn mount_or_transfer(&self, desc: &Descriptor) -> Result<Outcome> {
        let (Some(mount_from), Some(mounter)) = (&self.opts.mount_from, self.dst.as_mounter())
        else {
            return self.transfer(desc, None).await;
        };
        if desc.is_manifest() {
            return self.transfer(desc, None).await;
        }
        let candidates = mount_from(desc).await?;
        for repository in &candidates {
            match mounter.mount(desc, repository).await {
                Ok(true) => {
                    emit(self.opts.progress.as_ref(), CopyEvent::Mounted(desc));
                    return Ok(Outcome::Mounted);
                }
                Ok(false) => {}
                Err(e) if matches!(e.kind(), ErrorKind::Unauthorized | ErrorKind::Denied) => {
                    tracing::debug!(digest = %desc.digest, repository, error = %e, "mount refused");
                }
                Err(e) => return Err(Error::copy("Mount", Origin::Destination, e)),
            }
        }
        self.transfer(desc, None).await
    }

    /// Fetch then push, streaming, unless `pre_copy` skips the node.
    async fn transfer(&self, desc: &Descriptor, cached: Option<BlobReader>) -> Result<Outcome> {
        if self.hook_pre_copy(desc).await? == PreCopyAction::Skip {
            emit(self.opts.progress.as_ref(), CopyEvent::Skipped(desc));
            return Ok(Outcome::Skipped);
        }
        emit(self.opts.progress.as_ref(), CopyEvent::Started(desc));
        let reader = match cached {
            Some(reader) => reader,
            None => self
                .proxy
                .source()
                .fetch(desc)
                .await
                .map_err(|e| Error::copy("Fetch", Origin::Source, e))?,
        };
        let reader = counting(reader, desc, self.opts.progress.as_ref());
        match self.dst.push(desc, reader).await {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::copy("Push", Origin::Destination, e)),
        }
        emit(self.opts.progress.as_ref(), CopyEvent::Done(desc));
        Ok(Outcome::Copied)
    }

    async fn push_reference(
        &self,
        desc: &Descriptor,
        pusher: &dyn ReferencePusher,
        reference: &str,
        report_progress: bool,
    ) -> Result<()> {
        let reader = self
            .proxy
            .fetch_cached(desc)
            .await
            .map_err(|e| Error::copy("Fetch", Origin::Source, e))?;
        let progress = self.opts.progress.as_ref().filter(|_| report_progress);
        let reader = counting(reader, desc, progress);
        match pusher.push_reference(desc, reader, reference).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(Error::copy("PushReference", Origin::Destination, e)),
        }
    }

    async fn tag_root(&self, root: &RootTag<'a>) -> Result<()> {
        (root.tag)(root.root.clone(), root.reference.clone())
            .await
            .map_err(|e| Error::copy("Tag", Origin::Destination, e))
    }

    async fn hook_pre_copy(&self, desc: &Descriptor) -> Result<PreCopyAction> {
        match &self.opts.pre_copy {
            Some(hook) => Ok(hook(desc).await?),
            None => Ok(PreCopyAction::Copy),
        }
    }

    async fn hook_post_copy(&self, desc: &Descriptor) -> Result<()> {
        run_hook(self.opts.post_copy.as_ref(), desc).await
    }

    async fn hook_on_skipped(&self, desc: &Descriptor) -> Result<()> {
        run_hook(self.opts.on_skipped.as_ref(), desc).await
    }
}

/// How deep a self-heal may go below the node that failed (a DAG
/// deeper than this is not an image).
const MAX_HEAL_DEPTH: usize = 32;

/// A destination refusing a manifest for content it references that it
/// lacks (oras-go `isMissingReferencedContentError`: `MANIFEST_BLOB_UNKNOWN`,
/// `BLOB_UNKNOWN`, `MANIFEST_UNKNOWN`). The registry client reports the
/// first as invalid content and the others as not found.
fn is_missing_referenced_content(error: &Error) -> bool {
    match error {
        Error::Copy(e) if e.origin == Origin::Destination => {
            matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidContent)
                && matches!(e.op, "Push" | "PushReference")
        }
        _ => false,
    }
}

async fn run_hook(hook: Option<&crate::options::NodeHook>, desc: &Descriptor) -> Result<()> {
    match hook {
        Some(hook) => Ok(hook(desc).await?),
        None => Ok(()),
    }
}
