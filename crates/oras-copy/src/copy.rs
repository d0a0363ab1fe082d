//! [`copy`] and [`copy_graph`]: the entry points of oras-go's `copy.go`.

use oras_content::{ReadOnlyStorage, ReadOnlyTarget, Storage, Target, read_all};
use oras_spec::Descriptor;

use crate::engine::{RootTag, TagFn, copy_roots};
use crate::error::{Error, Origin, Result};
use crate::options::{CopyGraphOptions, CopyOptions};
use crate::proxy::Proxy;

/// Copies the graph rooted at `root` from `src` to `dst`: every node once,
/// children before parents, skipping any sub-DAG whose root `dst` already
/// has (unless `opts.force`), leaving out foreign layers.
pub async fn copy_graph<S, D>(
    src: &S,
    dst: &D,
    root: &Descriptor,
    opts: &CopyGraphOptions,
) -> Result<()>
where
    S: ReadOnlyStorage + ?Sized,
    D: Storage + ?Sized,
{
    let proxy = Proxy::new(src, opts.effective_max_metadata_bytes());
    copy_roots(dst, &proxy, opts, vec![root.clone()], None).await
}

/// Copies the graph that `src_ref` names in `src` to `dst` and tags its
/// root there as `dst_ref` (`src_ref` when empty). Returns the root copied.
///
/// - The root is found with one `GET` when `src` is a
///   [`oras_content::ReferenceFetcher`], else with `resolve`; then
///   `opts.map_root` (platform selection) may choose another root.
/// - At the end the root is pushed by reference when `dst` is a
///   [`oras_content::ReferencePusher`] (a registry's `PUT` by tag), else
///   tagged; this happens even when the root already existed.
pub async fn copy<S, D>(
    src: &S,
    src_ref: &str,
    dst: &D,
    dst_ref: &str,
    opts: &CopyOptions,
) -> Result<Descriptor>
where
    S: ReadOnlyTarget + ?Sized,
    D: Target + ?Sized,
{
    let dst_ref = if dst_ref.is_empty() { src_ref } else { dst_ref };
    let limit = opts.graph.effective_max_metadata_bytes();
    let proxy = Proxy::new(src, limit);
    let mut root = resolve_root(&proxy, src_ref, limit).await?;
    if let Some(map_root) = &opts.map_root {
        // What MapRoot fetches is read from the cache but not added to it.
        proxy.set_caching(false);
        let mapped = map_root(&proxy as &dyn ReadOnlyStorage, &root).await;
        proxy.set_caching(true);
        root = mapped.map_err(|e| Error::copy("MapRoot", Origin::Source, e))?;
    }

    let tag: TagFn<'_> = Box::new(move |desc: Descriptor, reference: String| {
        Box::pin(async move { dst.tag(&desc, &reference).await })
    });
    let root_tag = RootTag {
        root: root.clone(),
        reference: dst_ref.to_owned(),
        tag,
    };
    copy_roots(dst, &proxy, &opts.graph, vec![root.clone()], Some(root_tag)).await?;
    Ok(root)
}

/// Resolves `reference` in the proxy's source, keeping a manifest root's
/// content in the cache when it came with a `GET` (oras-go `resolveRoot`).
async fn resolve_root<S>(proxy: &Proxy<'_, S>, reference: &str, limit: u64) -> Result<Descriptor>
where
    S: ReadOnlyTarget + ?Sized,
{
    let src = proxy.source();
    let Some(fetcher) = src.as_reference_fetcher() else {
        return src
            .resolve(reference)
            .await
            .map_err(|e| Error::copy("Resolve", Origin::Source, e));
    };
    let (root, reader) = fetcher
        .fetch_reference(reference)
        .await
        .map_err(|e| Error::copy("FetchReference", Origin::Source, e))?;
    if root.is_manifest() {
        let content = read_all(reader, &root, limit)
            .await
            .map_err(|e| Error::copy("Successors", Origin::Source, e))?;
        proxy.insert(&root, content.into());
    }
    Ok(root)
}
