//! [`extended_copy`] and [`extended_copy_graph`]: copy a node together with
//! the nodes that point at it (its referrers), after oras-go
//! `extendedcopy.go` and the CLI's `cp -r`.
//!
//! The predecessors are walked upward from the start node, depth first
//! with a visited set (so cycles and duplicates end), to find the roots:
//! nodes with no predecessors, or at the depth limit. Each root's graph is
//! then copied, sharing one tracker, limiter and cache, so a node reached
//! from several roots is copied once.

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt, stream};
use oras_content::{
    PredecessorFinder, ReadOnlyGraphStorage, ReadOnlyGraphTarget, Storage, Target, fetch_all,
};
use oras_spec::{Descriptor, DescriptorKey, Index, media_type};

use crate::engine::copy_roots;
use crate::error::{Error, Origin, Result};
use crate::options::{ExtendedCopyGraphOptions, ExtendedCopyOptions};
use crate::proxy::Proxy;

/// Resolves `src_ref`, copies its node with its predecessors (see
/// [`extended_copy_graph`]), then tags the node at `dst` as `dst_ref`
/// (`src_ref` when empty). Returns the node.
pub async fn extended_copy<S, D>(
    src: &S,
    src_ref: &str,
    dst: &D,
    dst_ref: &str,
    opts: &ExtendedCopyOptions,
) -> Result<Descriptor>
where
    S: ReadOnlyGraphTarget + ?Sized,
    D: Target + ?Sized,
{
    let dst_ref = if dst_ref.is_empty() { src_ref } else { dst_ref };
    let node = src
        .resolve(src_ref)
        .await
        .map_err(|e| Error::copy("Resolve", Origin::Source, e))?;
    extended_copy_graph(src, dst, &node, opts).await?;
    dst.tag(&node, dst_ref)
        .await
        .map_err(|e| Error::copy("Tag", Origin::Destination, e))?;
    Ok(node)
}

/// Copies the graph of `node` and of every predecessor found through
/// `opts.find_predecessors` up to `opts.depth` levels (and, for an index
/// with `opts.index_child_referrers`, the predecessors of its children).
pub async fn extended_copy_graph<S, D>(
    src: &S,
    dst: &D,
    node: &Descriptor,
    opts: &ExtendedCopyGraphOptions,
) -> Result<()>
where
    S: ReadOnlyGraphStorage + ?Sized,
    D: Storage + ?Sized,
{
    let proxy = Proxy::new(src, opts.graph.effective_max_metadata_bytes());
    let roots = find_roots(&proxy, node, opts).await?;
    copy_roots(dst, &proxy, &opts.graph, roots, None).await
}

/// The roots of the sub-DAGs to copy, in the order found (oras-go
/// `findRoots`).
async fn find_roots<S>(
    proxy: &Proxy<'_, S>,
    start: &Descriptor,
    opts: &ExtendedCopyGraphOptions,
) -> Result<Vec<Descriptor>>
where
    S: ReadOnlyGraphStorage + ?Sized,
{
    let mut extra = if opts.index_child_referrers {
        child_referrers(proxy, start, opts).await?
    } else {
        Vec::new()
    };
    let mut visited: HashSet<DescriptorKey> = HashSet::new();
    let mut roots: Vec<Descriptor> = Vec::new();
    let mut stack = vec![(start.clone(), 0usize)];
    while let Some((current, depth)) = stack.pop() {
        if !visited.insert(current.key()) {
            continue;
        }
        if opts.depth > 0 && depth >= opts.depth {
            add_root(&mut roots, current);
            continue;
        }
        let mut predecessors = find_predecessors(proxy, opts, &current).await?;
        if predecessors.is_empty() {
            add_root(&mut roots, current.clone());
        }
        if depth == 0 {
            // The referrers of an index's children hang off the index, one
            // level up, as in the CLI's prepareCopyOption (oras#1728).
            predecessors.append(&mut extra);
        }
        for predecessor in predecessors {
            if !visited.contains(&predecessor.key()) {
                stack.push((predecessor, depth + 1));
            }
        }
    }
    Ok(roots)
}

fn add_root(roots: &mut Vec<Descriptor>, node: Descriptor) {
    if !roots.iter().any(|r| r.same_content(&node)) {
        roots.push(node);
    }
}

async fn find_predecessors<S>(
    proxy: &Proxy<'_, S>,
    opts: &ExtendedCopyGraphOptions,
    node: &Descriptor,
) -> Result<Vec<Descriptor>>
where
    S: ReadOnlyGraphStorage + ?Sized,
{
    let found = match &opts.find_predecessors {
        Some(find) => find(proxy as &dyn ReadOnlyGraphStorage, node).await,
        None => proxy.predecessors(node).await,
    };
    found.map_err(|e| Error::copy("FindPredecessors", Origin::Source, e))
}

/// The predecessors of the manifests an index lists, without the index
/// itself and without duplicates; empty for anything but an index.
async fn child_referrers<S>(
    proxy: &Proxy<'_, S>,
    node: &Descriptor,
    opts: &ExtendedCopyGraphOptions,
) -> Result<Vec<Descriptor>>
where
    S: ReadOnlyGraphStorage + ?Sized,
{
    if !matches!(
        node.media_type.as_str(),
        media_type::IMAGE_INDEX | media_type::DOCKER_MANIFEST_LIST
    ) {
        return Ok(Vec::new());
    }
    let limit = opts.graph.effective_max_metadata_bytes();
    let content = fetch_all(proxy, node, limit)
        .await
        .map_err(|e| Error::copy("Fetch", Origin::Source, e))?;
    let index: Index = serde_json::from_slice(&content).map_err(|source| {
        oras_content::Error::from(oras_spec::Error::Json {
            what: "image index",
            source,
        })
    })?;
    // The futures are built first so the stream holds no borrowing closure
    // (which would keep the whole copy future from being `Send`).
    let lookups: Vec<_> = index
        .manifests
        .iter()
        .map(|child| find_predecessors(proxy, opts, child))
        .collect();
    let found: Vec<Vec<Descriptor>> = stream::iter(lookups)
        .buffered(opts.graph.effective_concurrency())
        .try_collect()
        .await?;
    let mut seen: HashSet<DescriptorKey> = HashSet::from([node.key()]);
    Ok(found
        .into_iter()
        .flatten()
        .filter(|d| seen.insert(d.key()))
        .collect())
}
