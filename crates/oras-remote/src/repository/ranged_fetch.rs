//! Ranged parallel download of one large blob: the blob is cut into
//! fixed-size ranges ([`RepositoryOptions::ranged_fetch_chunk`]) fetched
//! over up to [`RepositoryOptions::ranged_fetch_connections`] requests at
//! once, each into memory, and handed on strictly in order, so the
//! verifying reader above hashes every byte once, in order, and the
//! stores still write to a temporary name until the digest checked.
//!
//! Memory is bounded by the window, never by a declared size: at most
//! `connections` ranges in flight or waiting, plus the one being handed
//! on, each read frame by frame up to its own length.
//!
//! Only used when the first response advertised `Accept-Ranges: bytes`
//! (oras-go#368: some registries break on `Range`). Range requests go to
//! the registry's blob URL like the first request, so a redirect to a CDN
//! is followed per range with the usual rule (credentials never follow a
//! redirect to another origin). The first response's body is not wasted:
//! it serves the first range.
//!
//! Each range checks its answer: a 206 whose `Content-Range` is exactly
//! the range asked (RFC 9110 §14.4, §15.3.7) and whose body is no longer.
//! A cut body is resumed from where it stopped, at most `max_resumes`
//! times per range. A server that breaks the range rules (a 200 or any
//! other status, a wrong `Content-Range`, a longer body) ends the ranged
//! download: what was handed on stays, and the rest comes from one
//! whole-blob request skipped to the current offset, as a download
//! without ranges resumes.
//!
//! [`RepositoryOptions::ranged_fetch_chunk`]: super::RepositoryOptions::ranged_fetch_chunk
//! [`RepositoryOptions::ranged_fetch_connections`]: super::RepositoryOptions::ranged_fetch_connections

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use http::StatusCode;
use tokio::task::{JoinError, JoinHandle};
use url::Url;

use super::Repository;
use super::blob_fetch::Download;
use crate::client::ResponseBody;

/// Whether a blob of `size` bytes is fetched in ranges, given whether its
/// first response advertised `Accept-Ranges: bytes`.
pub(super) fn use_ranges(repo: &Repository, size: u64, accept_ranges: bool) -> bool {
    let options = &repo.inner.options;
    accept_ranges
        && options.ranged_fetch_connections > 1
        && size >= options.ranged_fetch_threshold
        && size > options.ranged_fetch_chunk
}

/// The bytes of a blob of `size` bytes at `url`, in order, fetched in
/// ranges; `first` is the body of a whole-blob response not read yet.
pub(super) fn ranged_chunks(
    repo: &Repository,
    url: Url,
    first: ResponseBody,
    size: u64,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let options = &repo.inner.options;
    let fetcher = RangeFetcher {
        repo: repo.clone(),
        url,
        size,
        resumes: options.max_resumes,
    };
    let mut first = Some(first);
    let spawner = fetcher.clone();
    let ranges = stream::iter(spans(size, options.ranged_fetch_chunk))
        .map(move |span| AbortOnDrop(tokio::spawn(spawner.clone().fetch(span, first.take()))))
        .buffered(options.ranged_fetch_connections.max(1))
        .map(|joined| joined.unwrap_or_else(|e| Err(RangeFailure::Failed(io::Error::other(e)))))
        .boxed();
    let state = State::Ranged {
        ranges,
        ready: Vec::new().into_iter(),
        offset: 0,
        fetcher,
    };
    stream::unfold(state, State::next)
}

/// One range of the blob, bounds included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    first: u64,
    last: u64,
}

impl Span {
    fn len(self) -> u64 {
        self.last - self.first + 1
    }
}

/// The ranges of a blob of `size` bytes, cut every `chunk` bytes.
fn spans(size: u64, chunk: u64) -> impl Iterator<Item = Span> + Send + 'static {
    let chunk = chunk.max(1);
    (0..size.div_ceil(chunk)).map(move |i| {
        let first = i * chunk;
        Span {
            first,
            last: first.saturating_add(chunk).min(size) - 1,
        }
    })
}

/// `bytes <first>-<last>/<complete length or *>` (RFC 9110 §14.4).
pub(super) fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let range = value.trim().strip_prefix("bytes ")?.trim();
    let (span, total) = range.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    Some((first.trim().parse().ok()?, last.trim().parse().ok()?, total))
}

/// Why a range could not be fetched.
enum RangeFailure {
    /// The server broke the range rules: ranges are given up.
    Unusable(String),
    /// The range failed after all its resumes.
    Failed(io::Error),
}

/// Why one attempt at a range stopped.
enum Stop {
    /// The server broke the range rules.
    Unusable(String),
    /// The request failed or the body was cut: worth resuming.
    Cut(io::Error),
}

/// What the range requests of one blob share.
#[derive(Clone)]
struct RangeFetcher {
    repo: Repository,
    url: Url,
    size: u64,
    resumes: u32,
}

impl RangeFetcher {
    /// The bytes of `span`, as the frames that arrived: read from `first`
    /// (a whole-blob body at byte 0) when given, else from range requests;
    /// a cut is resumed from the first byte not received.
    async fn fetch(
        self,
        span: Span,
        mut first: Option<ResponseBody>,
    ) -> Result<Vec<Bytes>, RangeFailure> {
        let mut frames = Vec::new();
        let mut got = 0u64;
        let mut resumes_left = self.resumes;
        loop {
            let attempt = match first.take() {
                Some(body) => read_span(body, true, span, &mut frames, &mut got).await,
                None => {
                    let rest = Span {
                        first: span.first + got,
                        last: span.last,
                    };
                    match self.open(rest).await {
                        Ok(body) => read_span(body, false, span, &mut frames, &mut got).await,
                        Err(stop) => Err(stop),
                    }
                }
            };
            match attempt {
                Ok(()) => return Ok(frames),
                Err(Stop::Unusable(why)) => return Err(RangeFailure::Unusable(why)),
                Err(Stop::Cut(error)) if resumes_left > 0 => {
                    resumes_left -= 1;
                    tracing::debug!(from = span.first + got, to = span.last, %error, "resuming a blob range");
                }
                Err(Stop::Cut(error)) => return Err(RangeFailure::Failed(error)),
            }
        }
    }

    /// A checked 206 response for `span`.
    async fn open(&self, span: Span) -> Result<ResponseBody, Stop> {
        let answer = self
            .repo
            .get_blob(&self.url, Some((span.first, span.last)))
            .await
            .map_err(|e| Stop::Cut(io::Error::other(e)))?;
        let status = answer.status();
        if status != StatusCode::PARTIAL_CONTENT {
            return Err(Stop::Unusable(format!(
                "answered {status} to a range request"
            )));
        }
        let range = answer.header("content-range").and_then(parse_content_range);
        let expected = (span.first, span.last);
        let fits = range.is_some_and(|(first, last, total)| {
            (first, last) == expected && total.is_none_or(|t| t == self.size)
        });
        if !fits {
            let got = answer.header("content-range").unwrap_or("none");
            return Err(Stop::Unusable(format!(
                "Content-Range {got:?} for bytes {}-{}/{}",
                span.first, span.last, self.size
            )));
        }
        if answer.content_length().is_some_and(|n| n != span.len()) {
            return Err(Stop::Unusable(format!(
                "Content-Length {:?} for a range of {} bytes",
                answer.content_length(),
                span.len()
            )));
        }
        Ok(answer.response.into_body())
    }
}

/// Reads `body` into `frames` until `span` is complete (`got` counts its
/// bytes). A whole-blob body goes on past the span and is cut there; a
/// range body may not.
async fn read_span(
    mut body: ResponseBody,
    whole: bool,
    span: Span,
    frames: &mut Vec<Bytes>,
    got: &mut u64,
) -> Result<(), Stop> {
    let want = span.len();
    while *got < want {
        let mut bytes = match body.chunk().await {
            Some(Ok(bytes)) => bytes,
            Some(Err(e)) => return Err(Stop::Cut(io::Error::other(e))),
            None => {
                return Err(Stop::Cut(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "range body ended early",
                )));
            }
        };
        let room = want - *got;
        if bytes.len() as u64 > room {
            if !whole {
                return Err(Stop::Unusable(format!(
                    "range body longer than the {want} bytes asked"
                )));
            }
            // `room` is less than a length in memory.
            bytes.truncate(usize::try_from(room).unwrap_or(bytes.len()));
        }
        *got += bytes.len() as u64;
        frames.push(bytes);
    }
    if !whole && let Some(Ok(_)) = body.chunk().await {
        return Err(Stop::Unusable(format!(
            "range body longer than the {want} bytes asked"
        )));
    }
    Ok(())
}

/// A spawned task, aborted when dropped (the download was dropped or
/// gave ranges up).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where the ordered stream stands.
enum State {
    /// Ranges arriving in order; `ready` is the range being handed on,
    /// `offset` the bytes handed on so far.
    Ranged {
        ranges: BoxStream<'static, Result<Vec<Bytes>, RangeFailure>>,
        ready: std::vec::IntoIter<Bytes>,
        offset: u64,
        fetcher: RangeFetcher,
    },
    /// Ranges given up: one whole-blob stream from the offset reached.
    Sequential(Box<Download>),
    /// Ended or failed.
    Done,
}

impl State {
    /// The next bytes in order, and the state after them.
    async fn next(self) -> Option<(io::Result<Bytes>, State)> {
        let mut state = self;
        loop {
            match state {
                State::Ranged {
                    mut ranges,
                    mut ready,
                    mut offset,
                    fetcher,
                } => {
                    if let Some(bytes) = ready.next() {
                        offset += bytes.len() as u64;
                        let state = State::Ranged {
                            ranges,
                            ready,
                            offset,
                            fetcher,
                        };
                        return Some((Ok(bytes), state));
                    }
                    match ranges.next().await {
                        None => return None,
                        Some(Ok(frames)) => {
                            state = State::Ranged {
                                ranges,
                                ready: frames.into_iter(),
                                offset,
                                fetcher,
                            };
                        }
                        Some(Err(RangeFailure::Failed(error))) => {
                            return Some((Err(error), State::Done));
                        }
                        Some(Err(RangeFailure::Unusable(why))) => {
                            // Aborts the ranges in flight.
                            drop(ranges);
                            tracing::debug!(offset, why, "ranges given up; one stream from here");
                            let RangeFetcher {
                                repo,
                                url,
                                size,
                                resumes,
                            } = fetcher;
                            match Download::start_over(repo, url, size, offset, resumes).await {
                                Ok(download) => state = State::Sequential(Box::new(download)),
                                Err(e) => return Some((Err(io::Error::other(e)), State::Done)),
                            }
                        }
                    }
                }
                State::Sequential(mut download) => {
                    let item = download.next_chunk().await?;
                    return Some((item, State::Sequential(download)));
                }
                State::Done => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_a_blob_into_spans() {
        let cut: Vec<(u64, u64)> = spans(10, 4).map(|s| (s.first, s.last)).collect();
        assert_eq!(cut, [(0, 3), (4, 7), (8, 9)]);
        let cut: Vec<(u64, u64)> = spans(8, 4).map(|s| (s.first, s.last)).collect();
        assert_eq!(cut, [(0, 3), (4, 7)]);
        assert_eq!(spans(0, 4).count(), 0);
        assert_eq!(spans(3, 0).count(), 3, "a zero chunk size is one byte");
    }

    #[test]
    fn parses_content_range() {
        assert_eq!(
            parse_content_range("bytes 500-1499/2000"),
            Some((500, 1499, Some(2000)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, 9, None)));
        assert_eq!(parse_content_range("bytes */2000"), None);
        assert_eq!(parse_content_range("500-1499/2000"), None);
        assert_eq!(parse_content_range("bytes 5-x/10"), None);
    }
}
