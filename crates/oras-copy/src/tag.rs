//! Tagging helpers (oras-go `Tag`, `TagN`, `TagBytes`, `TagBytesN`,
//! `PushBytes`): on a registry (a reference fetcher and pusher) a tag is a
//! `PUT` of the manifest bytes under the new name; elsewhere it is
//! `resolve` then `tag`.

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use oras_content::{ErrorKind, Pusher, Target, bytes_reader};
use oras_spec::Descriptor;

use crate::error::{Error, Result};
use crate::fetch::{FetchBytesOptions, ResolveOptions, fetch_bytes};

/// The default number of tags set at once (oras-go, dockerd).
pub const DEFAULT_TAG_CONCURRENCY: usize = 5;

/// Options of [`tag_n`] (oras-go `TagNOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagNOptions {
    /// Tags set at once; 0 means [`DEFAULT_TAG_CONCURRENCY`].
    pub concurrency: usize,
    /// Largest manifest read to re-push under new tags; 0 means 4 MiB.
    pub max_metadata_bytes: u64,
}

/// Options of [`tag_bytes_n`] (oras-go `TagBytesNOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagBytesNOptions {
    /// Tags set at once; 0 means [`DEFAULT_TAG_CONCURRENCY`].
    pub concurrency: usize,
}

fn concurrency(n: usize) -> usize {
    if n == 0 { DEFAULT_TAG_CONCURRENCY } else { n }
}

/// Tags the node `src` names as `dst` in `target`; returns the node.
pub async fn tag<T: Target + ?Sized>(target: &T, src: &str, dst: &str) -> Result<Descriptor> {
    if let (Some(fetcher), Some(pusher)) =
        (target.as_reference_fetcher(), target.as_reference_pusher())
    {
        let (desc, reader) = fetcher.fetch_reference(src).await?;
        pusher.push_reference(&desc, reader, dst).await?;
        return Ok(desc);
    }
    let desc = target.resolve(src).await?;
    target.tag(&desc, dst).await?;
    Ok(desc)
}

/// Tags the node `src` names with every reference of `dsts`, several at
/// once; returns the node. An empty `dsts` is an error.
pub async fn tag_n<T, R>(
    target: &T,
    src: &str,
    dsts: &[R],
    opts: &TagNOptions,
) -> Result<Descriptor>
where
    T: Target + ?Sized,
    R: AsRef<str> + Sync,
{
    match dsts {
        [] => return Err(Error::MissingReference("dstReferences cannot be empty")),
        [one] => return tag(target, src, one.as_ref()).await,
        _ => {}
    }
    if target.as_reference_fetcher().is_some() && target.as_reference_pusher().is_some() {
        let fetch_opts = FetchBytesOptions {
            resolve: ResolveOptions::default(),
            max_bytes: opts.max_metadata_bytes,
        };
        let (desc, content) = fetch_bytes(target, src, &fetch_opts)
            .await
            .map_err(|e| match e {
                Error::SizeExceedsLimit { size, limit, .. } => Error::SizeExceedsLimit {
                    size,
                    limit_name: "MaxMetadataBytes",
                    limit,
                },
                other => other,
            })?;
        push_under_references(target, &desc, content, dsts, concurrency(opts.concurrency)).await?;
        return Ok(desc);
    }
    let desc = target.resolve(src).await?;
    let desc_ref = &desc;
    let jobs: Vec<_> = dsts
        .iter()
        .map(|dst| async move {
            target
                .tag(desc_ref, dst.as_ref())
                .await
                .map_err(|source| Error::Tag {
                    reference: format!("{src} as {}", dst.as_ref()),
                    source,
                })
        })
        .collect();
    run_limited(jobs, concurrency(opts.concurrency)).await?;
    Ok(desc)
}

/// Pushes `content` of `media_type` and tags it as `reference`.
pub async fn tag_bytes<T: Target + ?Sized>(
    target: &T,
    media_type: &str,
    content: Bytes,
    reference: &str,
) -> Result<Descriptor> {
    tag_bytes_n(
        target,
        media_type,
        content,
        &[reference],
        &TagBytesNOptions::default(),
    )
    .await
}

/// Pushes `content` of `media_type` and tags it with every reference of
/// `references` (just a push when there are none).
pub async fn tag_bytes_n<T, R>(
    target: &T,
    media_type: &str,
    content: Bytes,
    references: &[R],
    opts: &TagBytesNOptions,
) -> Result<Descriptor>
where
    T: Target + ?Sized,
    R: AsRef<str> + Sync,
{
    if references.is_empty() {
        return push_bytes(target, media_type, content).await;
    }
    let desc = Descriptor::from_bytes(media_type, &content);
    push_under_references(
        target,
        &desc,
        content,
        references,
        concurrency(opts.concurrency),
    )
    .await?;
    Ok(desc)
}

/// Pushes `content` as a blob of `media_type`; returns its descriptor.
pub async fn push_bytes<P: Pusher + ?Sized>(
    pusher: &P,
    media_type: &str,
    content: Bytes,
) -> Result<Descriptor> {
    let desc = Descriptor::from_bytes(media_type, &content);
    pusher.push(&desc, bytes_reader(content)).await?;
    Ok(desc)
}

/// `PUT` by each reference on a reference pusher; else push once then tag
/// each (oras-go `tagBytesN`).
async fn push_under_references<T, R>(
    target: &T,
    desc: &Descriptor,
    content: Bytes,
    references: &[R],
    concurrency: usize,
) -> Result<()>
where
    T: Target + ?Sized,
    R: AsRef<str> + Sync,
{
    if let Some(pusher) = target.as_reference_pusher() {
        let jobs: Vec<_> = references
            .iter()
            .map(|reference| {
                let content = content.clone();
                async move {
                    match pusher
                        .push_reference(desc, bytes_reader(content), reference.as_ref())
                        .await
                    {
                        Err(e) if e.kind() != ErrorKind::AlreadyExists => Err(Error::Tag {
                            reference: reference.as_ref().to_owned(),
                            source: e,
                        }),
                        _ => Ok(()),
                    }
                }
            })
            .collect();
        return run_limited(jobs, concurrency).await;
    }
    match target.push(desc, bytes_reader(content)).await {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => {
            return Err(Error::Push {
                what: "content",
                source: e,
            });
        }
        _ => {}
    }
    let jobs: Vec<_> = references
        .iter()
        .map(|reference| async move {
            target
                .tag(desc, reference.as_ref())
                .await
                .map_err(|source| Error::Tag {
                    reference: reference.as_ref().to_owned(),
                    source,
                })
        })
        .collect();
    run_limited(jobs, concurrency).await
}

/// Runs `jobs`, at most `limit` at once, stopping at the first error. The
/// jobs are built before the stream so that it holds no borrowing closure
/// (which would keep the caller's future from being `Send`).
async fn run_limited<F>(jobs: Vec<F>, limit: usize) -> Result<()>
where
    F: std::future::Future<Output = Result<()>>,
{
    stream::iter(jobs)
        .buffer_unordered(limit)
        .try_collect::<Vec<()>>()
        .await
        .map(|_| ())
}
