//! Copying whole artifacts with their referrers, as `oras cp`, `oras
//! backup` and `oras restore` do (Go `root/cp.go` `recursiveCopy`, and
//! `resolveTags`, `countReferrers` of `root/backup.go`).

use std::collections::HashSet;
use std::sync::Arc;

use oras_content::{MAX_METADATA_BYTES, ReadOnlyGraphStorage, ReadOnlyTarget, fetch_all};
use oras_copy::{CopyGraphOptions, ExtendedCopyGraphOptions, Origin, referrers_finder};
use oras_spec::{Descriptor, Digest, Index, Reference, media_type};

use crate::connect::progress::with_status;
use crate::error::{CliError, quote};
use crate::options::{RemoteSettings, Target, TargetKind};
use crate::output::status::StatusDisplay;

/// Copies `root` with its referrers, and for an index the referrers of its
/// children too, then tags it as `tag` unless that is empty or its digest
/// (Go `recursiveCopy`, shared by cp, backup and restore; oras-copy's
/// `index_child_referrers` is the CLI's rerooting for oras#1728).
pub async fn recursive_copy<S, D>(
    src: &S,
    dst: &D,
    root: &Descriptor,
    tag: &str,
    graph: CopyGraphOptions,
) -> anyhow::Result<()>
where
    S: ReadOnlyGraphStorage + ?Sized,
    D: oras_content::Target + ?Sized,
{
    let extended = ExtendedCopyGraphOptions {
        find_predecessors: Some(referrers_finder()),
        index_child_referrers: true,
        ..ExtendedCopyGraphOptions::new(graph)
    };
    oras_copy::extended_copy_graph(src, dst, root, &extended).await?;
    if !tag.is_empty() && tag != root.digest.to_string() {
        dst.tag(root, tag)
            .await
            .map_err(|err| oras_copy::CopyError::new("Tag", Origin::Destination, err))?;
    }
    Ok(())
}

/// A registry target for `registry/repository` with `remote`'s settings,
/// so backup and restore open it and map its errors as other commands do.
pub fn repository_target(repository: &str, remote: &RemoteSettings) -> anyhow::Result<Target> {
    let reference = Reference::parse(repository)
        .map_err(|err| CliError::new(format!("invalid reference {}: {err}", quote(repository))))?;
    Ok(Target {
        kind: TargetKind::Registry,
        raw_reference: repository.to_owned(),
        path: repository.to_owned(),
        reference: String::new(),
        remote_reference: Some(reference),
        remote: remote.clone(),
        from_layout_path: false,
    })
}

/// The tags to copy and what they point at (Go `resolveTags`): the given
/// tags, or every tag `target` lists.
pub async fn resolve_tags<T>(
    target: &T,
    tags: &[String],
) -> anyhow::Result<(Vec<String>, Vec<Descriptor>)>
where
    T: ReadOnlyTarget + ?Sized,
{
    let tags = if tags.is_empty() {
        let Some(lister) = target.as_tag_lister() else {
            anyhow::bail!("the target does not support tag listing");
        };
        lister
            .tags(None)
            .await
            .map_err(|err| anyhow::Error::new(err).context("failed to find tags"))?
    } else {
        tags.to_vec()
    };
    let mut roots = Vec::with_capacity(tags.len());
    for tag in &tags {
        let root = target.resolve(tag).await.map_err(|err| {
            anyhow::Error::new(err).context(format!("failed to resolve tag {}", quote(tag)))
        })?;
        roots.push(root);
    }
    Ok((tags, roots))
}

/// Runs `copy_tag(tag, root, graph)` for each tag in turn, stopping at
/// the first failure, with a copy graph of `concurrency` that reports to
/// `status`; the display is ended whether the copies succeed or not (the
/// loop of Go `runBackup` and `runRestore`).
pub async fn copy_each_tag(
    tags: &[String],
    roots: &[Descriptor],
    concurrency: usize,
    status: Arc<dyn StatusDisplay>,
    mut copy_tag: impl AsyncFnMut(&str, &Descriptor, &CopyGraphOptions) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let graph = with_status(
        CopyGraphOptions::default().with_concurrency(concurrency),
        status.clone(),
    );
    let mut copied = Ok(());
    for (tag, root) in tags.iter().zip(roots) {
        copied = copy_tag(tag, root, &graph).await;
        if copied.is_err() {
            break;
        }
    }
    let _ = status.finish();
    copied
}

/// How many referrers `root` has, at every level, plus those of its child
/// manifests when it is an index (Go `countReferrers`). Visited sets keep
/// a cyclic referrer graph from looping (GHSA-298f-872v-2rcx).
pub async fn count_referrers<S>(src: &S, root: &Descriptor) -> anyhow::Result<usize>
where
    S: ReadOnlyGraphStorage + ?Sized,
{
    let mut count = recursive_referrers(src, std::slice::from_ref(root)).await?;
    if matches!(
        root.media_type.as_str(),
        media_type::IMAGE_INDEX | media_type::DOCKER_MANIFEST_LIST
    ) {
        let bytes = fetch_all(src, root, MAX_METADATA_BYTES).await?;
        let index: Index = serde_json::from_slice(&bytes)?;
        count += recursive_referrers(src, &index.manifests).await?;
    }
    Ok(count)
}

/// The number of distinct referrers of `nodes`, level by level (Go
/// `graph.RecursiveFindReferrers`).
async fn recursive_referrers<S>(src: &S, nodes: &[Descriptor]) -> anyhow::Result<usize>
where
    S: ReadOnlyGraphStorage + ?Sized,
{
    let mut visited: HashSet<Digest> = HashSet::new();
    let mut level: Vec<Descriptor> = nodes.to_vec();
    while !level.is_empty() {
        let mut next = Vec::new();
        for node in &level {
            for referrer in oras_copy::referrers(src, node, None).await? {
                if visited.insert(referrer.digest.clone()) {
                    next.push(referrer);
                }
            }
        }
        level = next;
    }
    Ok(visited.len())
}
