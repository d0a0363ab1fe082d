//! Ranged parallel download of one large blob. The first response's body
//! is read as one stream for [`RepositoryOptions::ranged_fetch_probe`]
//! bytes, the second half of them timed: if they came at least as fast as
//! [`RepositoryOptions::ranged_fetch_fast_rate`]
//! (a registry nearby: more connections would only add work) the blob goes
//! on in that stream. Otherwise the rest is cut into fixed-size ranges
//! ([`RepositoryOptions::ranged_fetch_chunk`]) fetched over up to
//! [`RepositoryOptions::ranged_fetch_connections`] requests at once and
//! handed on strictly in order, so the verifying reader above hashes every
//! byte once, in order, and the stores still write to a temporary name
//! until the digest checked.
//!
//! Memory is bounded by the window, never by a declared size: the first
//! range in order is handed on as it arrives, the others (at most
//! `connections` − 1) wait in memory, each read frame by frame up to its
//! own length. The `connections` are the repository's, shared by all its
//! ranged downloads at once (a copy fetching three large blobs holds the
//! same ranges in memory as a pull of one): a download starts a range only
//! with a free slot, and waits for one only when none of its own is in
//! flight.
//!
//! Only used when the first response advertised `Accept-Ranges: bytes`
//! (oras-go#368: some registries break on `Range`). Range requests go to
//! the registry's blob URL like the first request, so a redirect to a CDN
//! is followed per range with the usual rule (credentials never follow a
//! redirect to another origin).
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
//! [`RepositoryOptions::ranged_fetch_probe`]: super::RepositoryOptions::ranged_fetch_probe
//! [`RepositoryOptions::ranged_fetch_fast_rate`]: super::RepositoryOptions::ranged_fetch_fast_rate
//! [`RepositoryOptions::ranged_fetch_chunk`]: super::RepositoryOptions::ranged_fetch_chunk
//! [`RepositoryOptions::ranged_fetch_connections`]: super::RepositoryOptions::ranged_fetch_connections

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::stream::{self, Stream};
use http::StatusCode;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use url::Url;

use super::Repository;
use super::blob_stream::{Download, parse_content_range};
use crate::client::ResponseBody;

/// Whether a blob of `size` bytes may be fetched in ranges, given whether
/// its first response advertised `Accept-Ranges: bytes`.
pub(super) fn use_ranges(repo: &Repository, size: u64, accept_ranges: bool) -> bool {
    let options = &repo.inner.options;
    accept_ranges
        && options.ranged_fetch_connections > 1
        && size >= options.ranged_fetch_threshold
        && size > options.ranged_fetch_chunk
}

/// The bytes of the blob of `size` bytes at `url`, in order: `first` (the
/// download of the first response, not read yet), then ranges if it is
/// slow.
pub(super) fn ranged_chunks(
    repo: &Repository,
    url: Url,
    size: u64,
    first: Download,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let options = &repo.inner.options;
    let probe = Probe {
        download: first,
        fetcher: RangeFetcher {
            repo: repo.clone(),
            url,
            size,
            resumes: options.max_resumes,
        },
        chunk: options.ranged_fetch_chunk.max(1),
        probe: options.ranged_fetch_probe.max(1),
        connections: options.ranged_fetch_connections.max(1),
        fast_rate: options.ranged_fetch_fast_rate,
        started: None,
    };
    stream::unfold(State::Probing(Box::new(probe)), State::next)
}

/// The first `probe` bytes, read from the first response.
struct Probe {
    download: Download,
    fetcher: RangeFetcher,
    chunk: u64,
    /// Bytes read before choosing; the second half of them is timed.
    probe: u64,
    connections: usize,
    /// Bytes per second at or above which the download stays one stream.
    fast_rate: u64,
    /// When the timed half started, and the offset then.
    started: Option<(Instant, u64)>,
}

impl Probe {
    /// What follows the probe once it read `offset` bytes: one stream if
    /// they came fast, else ranges from there.
    fn decide(self, offset: u64) -> State {
        let fast = self.started.is_some_and(|(at, from)| {
            let rate = (offset - from) as f64 / at.elapsed().as_secs_f64();
            self.fast_rate < u64::MAX && rate >= self.fast_rate as f64
        });
        tracing::debug!(offset, fast, "blob download: one stream or ranges");
        if fast {
            return State::Sequential(Box::new(self.download));
        }
        let size = self.fetcher.size;
        let slots = Arc::clone(&self.fetcher.repo.inner.range_slots);
        State::Ranged(Box::new(Window {
            fetcher: self.fetcher,
            spans: Box::new(spans_from(offset, size, self.chunk)),
            waiting: None,
            slots,
            in_flight: VecDeque::new(),
            connections: self.connections,
            offset,
        }))
    }
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

/// The ranges of the bytes `offset..size`, cut at every multiple of `chunk`.
fn spans_from(offset: u64, size: u64, chunk: u64) -> impl Iterator<Item = Span> + Send + 'static {
    let chunk = chunk.max(1);
    let mut first = offset;
    std::iter::from_fn(move || {
        if first >= size {
            return None;
        }
        let end = (first / chunk + 1).saturating_mul(chunk).min(size);
        let span = Span {
            first,
            last: end - 1,
        };
        first = end;
        Some(span)
    })
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
    /// Sends the bytes of `span` to `out` as they arrive, then ends (or
    /// sends why it failed); a cut is resumed from the first byte not
    /// received.
    async fn send_span(self, span: Span, out: UnboundedSender<Item>) {
        if let Err(failure) = self.fetch(span, &out).await {
            let _ = out.send(Err(failure));
        }
    }

    /// [`RangeFetcher::send_span`] until done or failed.
    async fn fetch(&self, span: Span, out: &UnboundedSender<Item>) -> Result<(), RangeFailure> {
        let mut got = 0u64;
        let mut resumes_left = self.resumes;
        loop {
            let rest = Span {
                first: span.first + got,
                last: span.last,
            };
            let attempt = match self.open(rest).await {
                Ok(body) => read_span(body, span, out, &mut got).await,
                Err(stop) => Err(stop),
            };
            match attempt {
                Ok(()) => return Ok(()),
                Err(Stop::Unusable(why)) => return Err(RangeFailure::Unusable(why)),
                Err(Stop::Cut(error)) if resumes_left > 0 => {
                    resumes_left -= 1;
                    tracing::debug!(from = rest.first + got, to = span.last, %error, "resuming a blob range");
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

/// What a range task sends: its bytes in order, or why it stopped.
type Item = Result<Bytes, RangeFailure>;

/// Sends `body` to `out` until `span` is complete (`got` counts its
/// bytes; a caller gone ends it early); a longer body is refused.
async fn read_span(
    mut body: ResponseBody,
    span: Span,
    out: &UnboundedSender<Item>,
    got: &mut u64,
) -> Result<(), Stop> {
    let want = span.len();
    let longer = || Stop::Unusable(format!("range body longer than the {want} bytes asked"));
    while *got < want {
        let bytes = match body.chunk().await {
            Some(Ok(bytes)) => bytes,
            Some(Err(e)) => return Err(Stop::Cut(io::Error::other(e))),
            None => {
                return Err(Stop::Cut(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "range body ended early",
                )));
            }
        };
        if bytes.len() as u64 > want - *got {
            return Err(longer());
        }
        *got += bytes.len() as u64;
        // A frame shares the connection's read buffer (up to 1 MiB), which
        // stays allocated while any frame of it waits: a copy holds only
        // the bytes. Cheap here, as ranges are only used on slow paths.
        let bytes = Bytes::copy_from_slice(&bytes);
        if out.send(Ok(bytes)).is_err() {
            return Ok(());
        }
    }
    match body.chunk().await {
        Some(Ok(_)) => Err(longer()),
        _ => Ok(()),
    }
}

/// A spawned task, aborted when dropped (the download was dropped or
/// gave ranges up).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One range being fetched: its bytes as they arrive.
struct InFlight {
    bytes: UnboundedReceiver<Item>,
    /// Its length, and the bytes of it handed on so far.
    len: u64,
    handed: u64,
    _task: AbortOnDrop,
    /// Its place among the repository's ranges in flight.
    _slot: OwnedSemaphorePermit,
}

/// The ranges of a download in flight, in order.
struct Window {
    fetcher: RangeFetcher,
    /// The ranges not started yet.
    spans: Box<dyn Iterator<Item = Span> + Send>,
    /// The next range, taken from `spans` but not started for want of a
    /// slot.
    waiting: Option<Span>,
    /// The repository's slots for ranges in flight.
    slots: Arc<Semaphore>,
    in_flight: VecDeque<InFlight>,
    connections: usize,
    /// The bytes handed on so far.
    offset: u64,
}

impl Window {
    /// Starts ranges until `connections` of this download are in flight
    /// or the repository has no free slot; with none of its own in flight
    /// it waits for a slot another download gives back.
    async fn fill(&mut self) {
        while self.in_flight.len() < self.connections {
            let Some(span) = self.waiting.take().or_else(|| self.spans.next()) else {
                return;
            };
            let slot = if self.in_flight.is_empty() {
                Arc::clone(&self.slots).acquire_owned().await.ok()
            } else {
                Arc::clone(&self.slots).try_acquire_owned().ok()
            };
            let Some(slot) = slot else {
                self.waiting = Some(span);
                return;
            };
            let (out, bytes) = unbounded_channel();
            let task = self.fetcher.clone().send_span(span, out);
            self.in_flight.push_back(InFlight {
                bytes,
                len: span.len(),
                handed: 0,
                _task: AbortOnDrop(tokio::spawn(task)),
                _slot: slot,
            });
        }
    }

    /// The next bytes in order; `None` at the end.
    async fn next(&mut self) -> Option<Item> {
        loop {
            self.fill().await;
            let head = self.in_flight.front_mut()?;
            match head.bytes.recv().await {
                Some(Ok(bytes)) => {
                    head.handed += bytes.len() as u64;
                    self.offset += bytes.len() as u64;
                    return Some(Ok(bytes));
                }
                Some(Err(failure)) => return Some(Err(failure)),
                None if head.handed == head.len => {
                    self.in_flight.pop_front();
                }
                None => {
                    let error = io::Error::other("a blob range ended before its last byte");
                    return Some(Err(RangeFailure::Failed(error)));
                }
            }
        }
    }
}

/// Where the ordered stream stands.
enum State {
    /// The first response, timed.
    Probing(Box<Probe>),
    /// Ranges arriving in order.
    Ranged(Box<Window>),
    /// One stream: the first response's, or a whole-blob one from the
    /// offset reached when ranges were given up.
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
                State::Probing(mut probe) => {
                    let bytes = match probe.download.next_chunk().await? {
                        Ok(bytes) => bytes,
                        Err(error) => return Some((Err(error), State::Done)),
                    };
                    let offset = probe.download.offset();
                    if probe.started.is_none() && offset >= probe.probe / 2 {
                        probe.started = Some((Instant::now(), offset));
                    }
                    let next = if offset >= probe.probe && offset < probe.fetcher.size {
                        probe.decide(offset)
                    } else {
                        State::Probing(probe)
                    };
                    return Some((Ok(bytes), next));
                }
                State::Ranged(mut window) => match window.next().await? {
                    Ok(bytes) => return Some((Ok(bytes), State::Ranged(window))),
                    Err(RangeFailure::Failed(error)) => return Some((Err(error), State::Done)),
                    Err(RangeFailure::Unusable(why)) => {
                        let Window {
                            fetcher, offset, ..
                        } = *window;
                        // The ranges in flight were aborted with the window.
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
                },
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

    fn cut(offset: u64, size: u64, chunk: u64) -> Vec<(u64, u64)> {
        spans_from(offset, size, chunk)
            .map(|s| (s.first, s.last))
            .collect()
    }

    #[test]
    fn cuts_a_blob_into_spans() {
        assert_eq!(cut(0, 10, 4), [(0, 3), (4, 7), (8, 9)]);
        assert_eq!(cut(0, 8, 4), [(0, 3), (4, 7)]);
        assert_eq!(cut(5, 10, 4), [(5, 7), (8, 9)], "from an offset");
        assert_eq!(cut(4, 10, 4), [(4, 7), (8, 9)]);
        assert!(cut(10, 10, 4).is_empty());
        assert_eq!(cut(0, 3, 0).len(), 3, "a zero chunk size is one byte");
    }
}
