//! One stream of a blob download, handed on as the body's own chunks.
//!
//! When the connection drops mid-body (or the body ends early) the
//! download resumes: with `Range: bytes=<offset>-<size-1>` (206 expected)
//! when the first response advertised `Accept-Ranges: bytes` (oras-go#368:
//! only then, as some registries break on `Range`), otherwise by fetching
//! from the start and skipping what was already delivered; at most
//! `max_resumes` times.

use bytes::Bytes;
use futures::stream;
use http::{Method, StatusCode};
use oras_content::ErrorKind;
use url::Url;

use super::Repository;
use super::response::check_length;
use crate::client::ResponseBody;
use crate::error::Error;

/// The state of one download in one stream.
pub(super) struct Download {
    repo: Repository,
    url: Url,
    body: ResponseBody,
    /// Bytes handed to the caller so far.
    offset: u64,
    size: u64,
    ranges: bool,
    resumes_left: u32,
    done: bool,
}

impl Download {
    /// The download of a blob of `size` bytes at `url` from `body`, the
    /// first response's; `ranges` when it advertised `Accept-Ranges: bytes`.
    pub(super) fn new(
        repo: Repository,
        url: Url,
        body: ResponseBody,
        size: u64,
        ranges: bool,
    ) -> Download {
        let resumes_left = repo.inner.options.max_resumes;
        Download {
            repo,
            url,
            body,
            offset: 0,
            size,
            ranges,
            resumes_left,
            done: false,
        }
    }

    /// The download of a blob of `size` bytes at `url` started over
    /// without ranges, positioned at `offset` (a ranged download whose
    /// server broke the range rules).
    pub(super) async fn start_over(
        repo: Repository,
        url: Url,
        size: u64,
        offset: u64,
        resumes: u32,
    ) -> Result<Download, Error> {
        let mut download = Download {
            repo,
            url,
            body: ResponseBody::empty(),
            offset,
            size,
            ranges: false,
            resumes_left: resumes,
            done: false,
        };
        download.reopen().await?;
        Ok(download)
    }

    /// The bytes handed to the caller so far.
    pub(super) fn offset(&self) -> u64 {
        self.offset
    }

    /// The next chunk for the caller; `None` at the end.
    pub(super) async fn next_chunk(&mut self) -> Option<std::io::Result<Bytes>> {
        if self.done {
            return None;
        }
        loop {
            let failure = match self.body.chunk().await {
                Some(Ok(bytes)) => {
                    self.offset += bytes.len() as u64;
                    return Some(Ok(bytes));
                }
                // A short body is resumed like a dropped one; a complete
                // (or overlong) one is left to the verifying reader.
                None if self.offset >= self.size => {
                    self.done = true;
                    return None;
                }
                None => std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "body ended early"),
                Some(Err(e)) => std::io::Error::other(e),
            };
            if self.resumes_left == 0 {
                self.done = true;
                return Some(Err(failure));
            }
            self.resumes_left -= 1;
            tracing::debug!(offset = self.offset, error = %failure, "resuming blob download");
            if let Err(e) = self.reopen_with_backoff().await {
                self.done = true;
                return Some(Err(std::io::Error::other(e)));
            }
        }
    }

    /// [`Self::reopen`], tried again after a growing pause while no
    /// connection can be made (a registry restarting) and resumes are
    /// left. oras-go gives up at once; a pause of a few seconds carries a
    /// pull through a registry restart, and an answer from the registry
    /// (an error status) still ends the download at once.
    async fn reopen_with_backoff(&mut self) -> Result<(), Error> {
        let mut pause = RESUME_PAUSE_FIRST;
        loop {
            match self.reopen().await {
                Err(e) if self.resumes_left > 0 && is_unreachable(&e) => {
                    self.resumes_left -= 1;
                    tracing::debug!(?pause, error = %e, "registry unreachable; resuming later");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(RESUME_PAUSE_MAX);
                }
                result => return result,
            }
        }
    }

    /// A new response positioned at `offset`.
    async fn reopen(&mut self) -> Result<(), Error> {
        let range = self
            .ranges
            .then_some((self.offset, self.size.saturating_sub(1)));
        let answer = self.repo.get_blob(&self.url, range).await?;
        match answer.status() {
            StatusCode::PARTIAL_CONTENT if self.ranges => {
                let start = answer
                    .header("content-range")
                    .and_then(parse_content_range)
                    .map(|(first, _, _)| first);
                if start != Some(self.offset) {
                    return Err(answer.protocol(
                        ErrorKind::Network,
                        format!("resumed download does not start at byte {}", self.offset),
                    ));
                }
                self.body = answer.response.into_body();
                Ok(())
            }
            StatusCode::OK => {
                check_length(&answer, self.size)?;
                self.body = answer.response.into_body();
                self.skip(self.offset).await
            }
            _ => Err(answer.into_error().await),
        }
    }

    /// Drops the first `count` bytes of the body (a download started over).
    async fn skip(&mut self, mut count: u64) -> Result<(), Error> {
        while count > 0 {
            match self.body.chunk().await {
                Some(Ok(mut bytes)) => {
                    let len = bytes.len() as u64;
                    if len <= count {
                        count -= len;
                    } else {
                        let rest = bytes.split_off(usize::try_from(count).unwrap_or(0));
                        // Put the remainder back in front of the body.
                        let tail = std::mem::replace(&mut self.body, ResponseBody::empty());
                        self.body = prepend(rest, tail);
                        count = 0;
                    }
                }
                Some(Err(e)) => {
                    return Err(Error::Transport {
                        method: Method::GET,
                        url: crate::remote::display_url(&self.url),
                        source: e,
                    });
                }
                None => {
                    return Err(Error::Protocol {
                        method: Method::GET,
                        url: crate::remote::display_url(&self.url),
                        message: "blob shorter on retry".into(),
                        kind: ErrorKind::SizeMismatch,
                    });
                }
            }
        }
        Ok(())
    }
}

/// A body that yields `head`, then `tail`.
fn prepend(head: Bytes, tail: ResponseBody) -> ResponseBody {
    let chunks = stream::unfold((Some(head), tail), |(head, mut tail)| async move {
        if let Some(h) = head {
            return Some((Ok(http_body::Frame::data(h)), (None, tail)));
        }
        let next = tail.chunk().await?;
        Some((next.map(http_body::Frame::data), (None, tail)))
    });
    ResponseBody::new(http_body_util::StreamBody::new(chunks))
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

/// The first pause before a resume the registry could not be reached for.
const RESUME_PAUSE_FIRST: std::time::Duration = std::time::Duration::from_millis(250);

/// The longest pause between two such resumes.
const RESUME_PAUSE_MAX: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether `e` says no answer came at all (refused or dropped connection),
/// rather than an answer the registry gave.
fn is_unreachable(e: &Error) -> bool {
    matches!(e, Error::Transport { .. }) && e.kind() == ErrorKind::Network
}

#[cfg(test)]
mod tests {
    use super::*;

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
