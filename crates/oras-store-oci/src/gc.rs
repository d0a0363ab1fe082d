//! Deleting from a [`Store`] and collecting garbage (oras-go `Store.Delete`
//! and `Store.GC`). Both hold the store's lock exclusively.

use std::collections::{HashSet, VecDeque};

use oras_content::subject_from_bytes;
use oras_spec::{Algorithm, Descriptor, DescriptorKey, Digest};

use crate::catalog::{Catalog, index_all};
use crate::error::{Error, Result};
use crate::layout::{BLOBS_DIR, blob_path, without_ref_name};
use crate::source::dir_inside;
use crate::store::Store;

impl Store {
    pub(crate) async fn delete_inner(&self, target: &Descriptor) -> Result<()> {
        let _exclusive = self.sync.write().await;
        if !self.source.exists(&target.digest).await? {
            return Err(Error::NotFound(format!(
                "{}: {}",
                target.digest, target.media_type
            )));
        }
        let mut untagged = false;
        let result = self.delete_queue(target, &mut untagged).await;
        // Save what was done even if a later step failed, so index.json
        // never lists a manifest whose file is gone.
        let saved = if untagged {
            self.auto_save().await
        } else {
            Ok(())
        };
        result.and(saved)
    }

    /// Deletes `target`; with auto-GC, also the referrers of each deleted
    /// manifest and each successor left without predecessors, unless it
    /// is tagged. Each node is handled once, so the loop ends.
    async fn delete_queue(&self, target: &Descriptor, untagged: &mut bool) -> Result<()> {
        let auto_gc = self.options.auto_gc;
        let mut queue = VecDeque::from([target.clone()]);
        let mut done: HashSet<DescriptorKey> = HashSet::new();
        while let Some(head) = queue.pop_front() {
            if !done.insert(head.key()) {
                continue;
            }
            if auto_gc && head.is_manifest() {
                queue.extend(self.referrers(&head).await?);
            }
            let dangling = {
                let mut catalog = self.catalog();
                // Untag by digest: a caller holding the digest under another
                // media type must not leave index entries to a missing file.
                let mut nodes = vec![head.clone()];
                for reference in catalog.tags.references_to(&head.digest) {
                    if let Some(desc) = catalog.tags.remove(&reference)
                        && !nodes.iter().any(|n| n.same_content(&desc))
                    {
                        nodes.push(desc);
                    }
                    *untagged = true;
                }
                let mut dangling = Vec::new();
                for node in &nodes {
                    dangling.extend(catalog.graph.remove(node));
                }
                dangling
            };
            let path = self.root.join(blob_path(&head.digest));
            // Never delete through a blob directory linked out of the layout.
            if let Some(dir) = path.parent() {
                checked_inside(&self.root, dir).await?;
            }
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                // Content pulled in by auto-GC may never have been stored.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && head != *target => {}
                Err(e) => return Err(Error::io(format!("deleting {}", path.display()), e)),
            }
            if auto_gc {
                let catalog = self.catalog();
                queue.extend(dangling.into_iter().filter(|d| !catalog.tags.is_tagged(d)));
            }
        }
        Ok(())
    }

    /// The manifests whose `subject` is `subject`, among its predecessors
    /// (oras-go `registry.Referrers` over a graph store).
    async fn referrers(&self, subject: &Descriptor) -> Result<Vec<Descriptor>> {
        let predecessors = self.catalog().graph.predecessors(subject);
        let mut out = Vec::new();
        for node in predecessors {
            if !node.is_manifest() {
                continue;
            }
            let Some(bytes) = self.source.manifest(&node).await? else {
                continue;
            };
            if subject_from_bytes(&node, &bytes)?.is_some_and(|s| s.same_content(subject)) {
                out.push(node);
            }
        }
        Ok(out)
    }

    /// Deletes every blob that nothing keeps (oras-go `GC`). Kept are the
    /// tagged manifests and everything reachable from them, plus the
    /// referrer manifests whose chain of subjects reaches kept content, and
    /// what those reach. Every other file under `blobs/sha256`,
    /// `blobs/sha384` and `blobs/sha512` is removed; other directories and
    /// names that are not digests are left alone. Manifests known only by
    /// digest that are no longer kept leave the index; with
    /// [`Options::auto_save_index`](crate::Options) the index is saved.
    pub async fn gc(&self) -> Result<()> {
        let _exclusive = self.sync.write().await;
        let old = self.catalog().clone();
        let mut fresh = Catalog::default();
        let mut kept: HashSet<DescriptorKey> = HashSet::new();
        for (name, desc) in old.tags.tagged() {
            fresh
                .tags
                .tag(&without_ref_name(&desc), &desc.digest.to_string());
            fresh.tags.tag(&desc, &name);
            index_all(&self.source, &mut fresh.graph, &desc.plain(), &mut kept).await?;
        }
        let untagged = old.tags.digest_only();
        for desc in &untagged {
            if !kept.contains(&desc.key()) && self.subject_chain_reaches(desc, &kept).await? {
                index_all(&self.source, &mut fresh.graph, &desc.plain(), &mut kept).await?;
            }
        }
        // Untagged manifests still kept (referrers, children of a kept
        // index) stay listed by digest. oras-go drops the children's
        // entries, after which they resolve only as plain blobs.
        for desc in &untagged {
            if kept.contains(&desc.key()) {
                fresh.tags.tag(desc, &desc.digest.to_string());
            }
        }
        *self.catalog() = fresh;
        let reachable: HashSet<Digest> = kept.into_iter().map(|k| k.digest).collect();
        self.remove_unreachable(&reachable).await?;
        self.auto_save().await
    }

    /// Whether following `subject` links from `desc` reaches kept content.
    async fn subject_chain_reaches(
        &self,
        desc: &Descriptor,
        kept: &HashSet<DescriptorKey>,
    ) -> Result<bool> {
        let mut current = desc.plain();
        let mut seen = HashSet::new();
        while current.is_manifest() && seen.insert(current.key()) {
            let Some(bytes) = self.source.manifest(&current).await? else {
                return Ok(false);
            };
            let Some(next) = subject_from_bytes(&current, &bytes)? else {
                return Ok(false);
            };
            if kept.contains(&next.key()) {
                return Ok(true);
            }
            current = next;
        }
        Ok(false)
    }

    async fn remove_unreachable(&self, reachable: &HashSet<Digest>) -> Result<()> {
        for algorithm in [Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512] {
            let dir = self.root.join(BLOBS_DIR).join(algorithm.as_str());
            let context = || format!("reading {}", dir.display());
            // Never sweep a blob directory linked out of the layout.
            if !checked_inside(&self.root, &dir).await? {
                continue;
            }
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(context(), e)),
            };
            while let Some(entry) = entries
                .next_entry()
                .await
                .map_err(|e| Error::io(context(), e))?
            {
                let name = entry.file_name();
                let Some(digest) = name.to_str().and_then(|n| Digest::new(algorithm, n).ok())
                else {
                    continue;
                };
                let kind = entry
                    .file_type()
                    .await
                    .map_err(|e| Error::io(context(), e))?;
                if kind.is_dir() || reachable.contains(&digest) {
                    continue;
                }
                let path = entry.path();
                tokio::fs::remove_file(&path)
                    .await
                    .map_err(|e| Error::io(format!("deleting {}", path.display()), e))?;
            }
        }
        Ok(())
    }
}

/// [`dir_inside`] off the async runtime.
async fn checked_inside(root: &std::path::Path, dir: &std::path::Path) -> Result<bool> {
    let (root, dir) = (root.to_owned(), dir.to_owned());
    tokio::task::spawn_blocking(move || dir_inside(&root, &dir))
        .await
        .map_err(|e| Error::io("checking the layout", std::io::Error::other(e)))?
}
