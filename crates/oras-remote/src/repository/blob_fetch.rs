//! Blob download: `GET /blobs/<digest>` (redirects to a CDN are followed
//! by the client stack, without credentials), streamed to the caller as
//! the body's own chunks through a verifying [`BlobReader`], so the
//! stream ends only once size and digest verified.
//!
//! When the connection drops mid-body (or the body ends early) the
//! download resumes: with `Range: bytes=<offset>-<size-1>` (206 expected)
//! when the first response advertised `Accept-Ranges: bytes` (oras-go#368:
//! only then, as some registries break on `Range`), otherwise by fetching
//! from the start and skipping what was already delivered; at most
//! `max_resumes` times.
//!
//! A large blob whose first response advertised ranges, and whose first
//! bytes came slowly, goes on in ranges over several connections
//! (`ranged_fetch.rs`).

use bytes::Bytes;
use futures::stream;
use http::header::{HeaderValue, RANGE};
use http::{HeaderMap, Method, StatusCode};
use oras_content::{BlobReader, ErrorKind};
use oras_spec::Descriptor;
use url::Url;

use super::Repository;
use super::ranged_fetch::{parse_content_range, ranged_chunks, use_ranges};
use super::response::{check_length, verify_header_digest};
use crate::client::ResponseBody;
use crate::error::Error;
use crate::remote::Answer;

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

impl Repository {
    /// Starts the download of `desc`.
    pub(crate) async fn fetch_blob(&self, desc: &Descriptor) -> oras_content::Result<BlobReader> {
        let url = self.url(&format!("blobs/{}", desc.digest))?;
        let answer = self.get_blob(&url, None).await?;
        let answer = answer
            .expect_found(StatusCode::OK, || desc.digest.to_string())
            .await?;
        check_length(&answer, desc.size)?;
        verify_header_digest(&answer, &desc.digest)?;
        let ranges = answer
            .header("accept-ranges")
            .is_some_and(|v| v.split(',').any(|u| u.trim().eq_ignore_ascii_case("bytes")));
        let use_ranges = use_ranges(self, desc.size, ranges);
        let download = Download {
            repo: self.clone(),
            url,
            body: answer.response.into_body(),
            offset: 0,
            size: desc.size,
            ranges,
            resumes_left: self.inner.options.max_resumes,
            done: false,
        };
        if use_ranges {
            let chunks = ranged_chunks(self, download.url.clone(), desc.size, download);
            return Ok(BlobReader::from_stream(chunks).verified(desc));
        }
        let chunks = stream::unfold(download, |mut d| async move {
            let item = d.next_chunk().await?;
            Some((item, d))
        });
        // The body's chunks pass on uncopied.
        Ok(BlobReader::from_stream(chunks).verified(desc))
    }

    /// `GET url`, with `Range: bytes=<from>-<to>` when given.
    pub(super) async fn get_blob(
        &self,
        url: &Url,
        range_from: Option<(u64, u64)>,
    ) -> Result<Answer, Error> {
        let mut headers = HeaderMap::new();
        if let Some((from, to)) = range_from
            && let Ok(value) = HeaderValue::from_str(&format!("bytes={from}-{to}"))
        {
            headers.insert(RANGE, value);
        }
        self.remote()
            .send_empty(Method::GET, url, headers, &self.pull_scopes())
            .await
    }
}

impl Download {
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
            if let Err(e) = self.reopen().await {
                self.done = true;
                return Some(Err(std::io::Error::other(e)));
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
