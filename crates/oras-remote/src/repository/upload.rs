//! Blob upload, streamed from the source in constant memory.
//!
//! - `POST /blobs/uploads/` (202 + `Location`) opens a session; the
//!   `Location` must stay on the registry's host and port (default ports
//!   normalised) and must not downgrade https (GHSA-jxpm-75mh-9fp7); a
//!   `:443` the registry dropped is put back (oras-go#177); a relative one
//!   is resolved against the registry.
//! - Monolithic (the default, as oras-go): one `PUT <location>?digest=<d>`
//!   with `Content-Length` = size. Blobs up to 4 MiB are read into memory
//!   first, so the PUT can be replayed after an auth challenge or a retry;
//!   larger ones stream once.
//! - Chunked (blobs over a `chunked_threshold` set, or `force_chunked`):
//!   `PATCH`es of `chunk_size` bytes (at least the registry's `OCI-Chunk-Min-Length`) with
//!   `Content-Range: <start>-<end>`, then an empty `PUT ?digest=`. A failed
//!   PATCH asks the registry how much it has (`GET <location>`, 204 with
//!   `Range: 0-<end>`, parsed with checked arithmetic and refused when it
//!   claims more than was sent) and continues from there, re-reading the
//!   source when it can be reopened ([`BlobSource`]), at most
//!   `max_resumes` times.
//!
//! A body that turns out short or long fails before its last byte is
//! sent, so the registry never commits it. The content is not hashed
//! here: the registry verifies `?digest=` and refuses a mismatch with
//! `DIGEST_INVALID` (distribution-spec "Pushing blobs"; oras-go does not
//! hash on upload either). A stream that verifies itself (a blob fetched
//! from another registry) still fails on a mismatch before its last piece.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LOCATION};
use http::{HeaderMap, Method, StatusCode};
use oras_auth::Body;
use oras_content::{BlobReader, ErrorKind, MAX_METADATA_BYTES, read_all};
use oras_spec::{Descriptor, media_type};
use tokio::sync::Mutex;
use url::Url;

use super::Repository;
use super::response::verify_header_digest;
use crate::error::Error;
use crate::remote::{Answer, display_url};

/// Content that can be read again from the start, so an interrupted
/// chunked upload resumes where the registry stopped instead of failing.
#[async_trait]
pub trait BlobSource: Send + Sync {
    /// A fresh reader over the whole content.
    async fn open(&self) -> oras_content::Result<BlobReader>;
}

/// A file as a [`BlobSource`].
#[derive(Clone, Debug)]
pub struct FileSource(pub PathBuf);

#[async_trait]
impl BlobSource for FileSource {
    async fn open(&self) -> oras_content::Result<BlobReader> {
        let file = tokio::fs::File::open(&self.0)
            .await
            .map_err(|e| oras_content::Error::io(format!("opening {}", self.0.display()), e))?;
        Ok(BlobReader::from_file(file.into_std().await))
    }
}

#[async_trait]
impl BlobSource for Bytes {
    async fn open(&self) -> oras_content::Result<BlobReader> {
        Ok(oras_content::bytes_reader(self.clone()))
    }
}

/// Where the content of a push comes from.
pub(crate) enum Source<'a> {
    /// A one-shot reader.
    Reader(Option<BlobReader>),
    /// A source that can be reopened.
    Reopen(&'a dyn BlobSource),
}

impl Source<'_> {
    async fn open(&mut self) -> oras_content::Result<BlobReader> {
        match self {
            Source::Reader(reader) => reader
                .take()
                .ok_or_else(|| oras_content::Error::Unsupported("content already consumed".into())),
            Source::Reopen(source) => source.open().await,
        }
    }
}

/// Reads the source for the request bodies, counting what it read. The
/// source's chunks are sent as they are (a file's 256 KiB reads, another
/// registry's response chunks), split only at a request's end.
pub(crate) struct Feeder {
    reader: BlobReader,
    /// Read from the source, not yet sent (the rest of a split chunk).
    pending: Bytes,
    position: u64,
    /// The size the content must have.
    size: u64,
    /// A content error (short, long, wrong digest), kept for the caller.
    failure: Option<oras_content::Error>,
}

impl Feeder {
    pub(crate) fn new(reader: BlobReader, size: u64) -> Feeder {
        Feeder {
            reader,
            pending: Bytes::new(),
            position: 0,
            size,
            failure: None,
        }
    }

    /// Up to `max` more bytes (at least one while content remains). The
    /// piece that completes the content is returned only once the source
    /// proved to end there.
    async fn read(&mut self, max: u64) -> oras_content::Result<Bytes> {
        let left = self.size - self.position;
        let want = usize::try_from(max.min(left)).unwrap_or(usize::MAX);
        if want == 0 {
            return Ok(Bytes::new());
        }
        if self.pending.is_empty() {
            self.pending = self
                .next_chunk()
                .await?
                .ok_or(oras_content::Error::ShortContent {
                    expected: self.size,
                    actual: self.position,
                })?;
        }
        if self.pending.len() as u64 > left {
            return Err(oras_content::Error::TrailingData {
                expected: self.size,
            });
        }
        let piece = self.pending.split_to(want.min(self.pending.len()));
        self.position += piece.len() as u64;
        if self.position == self.size {
            self.finish().await?;
        }
        Ok(piece)
    }

    async fn next_chunk(&mut self) -> oras_content::Result<Option<Bytes>> {
        self.reader
            .chunk()
            .await
            .map_err(|e| oras_content::Error::from_io("reading blob content", e))
    }

    /// Checks there is nothing after the size (a verifying source checks
    /// its digest on this last read).
    async fn finish(&mut self) -> oras_content::Result<()> {
        if !self.pending.is_empty() || self.next_chunk().await?.is_some() {
            return Err(oras_content::Error::TrailingData {
                expected: self.size,
            });
        }
        Ok(())
    }

    /// Reads `count` bytes without sending them; an error when the content
    /// ends first (never a loop that reads nothing).
    async fn skip(&mut self, mut count: u64) -> oras_content::Result<()> {
        while count > 0 {
            let piece = self.read(count).await?;
            if piece.is_empty() {
                return Err(oras_content::Error::ShortContent {
                    expected: self.position.saturating_add(count),
                    actual: self.position,
                });
            }
            count = count.saturating_sub(piece.len() as u64);
        }
        Ok(())
    }

    /// For empty content: the end check no read triggered.
    async fn verify_complete(&mut self) -> oras_content::Result<()> {
        if self.position != self.size {
            return Err(oras_content::Error::ShortContent {
                expected: self.size,
                actual: self.position,
            });
        }
        if self.size == 0 {
            self.finish().await?;
        }
        Ok(())
    }
}

pub(crate) type SharedFeeder = Arc<Mutex<Option<Feeder>>>;

/// A one-shot body of `len` bytes drawn from the shared feeder.
fn body_from(feeder: SharedFeeder, len: u64) -> Body {
    let chunks = stream::unfold((feeder, len), |(feeder, remaining)| async move {
        if remaining == 0 {
            return None;
        }
        let result = {
            let mut guard = feeder.lock().await;
            match guard.as_mut() {
                None => Err("upload abandoned".into()),
                Some(f) => match f.read(remaining).await {
                    Ok(bytes) => Ok(bytes),
                    Err(e) => {
                        let message = e.to_string();
                        f.failure = Some(e);
                        Err(message.into())
                    }
                },
            }
        };
        match result {
            Ok(bytes) => {
                let left = remaining - bytes.len() as u64;
                Some((Ok(bytes), (feeder, left)))
            }
            Err(e) => Some((Err(e), (feeder, 0))),
        }
    });
    Body::stream(Box::pin(chunks), Some(len))
}

/// The content error a failed request hides, if any.
pub(crate) async fn content_failure(feeder: &SharedFeeder) -> Option<oras_content::Error> {
    feeder.lock().await.as_mut().and_then(|f| f.failure.take())
}

/// Whether a failed PATCH is worth resuming.
fn resumable(err: &Error) -> bool {
    match err {
        Error::Transport { .. } => true,
        Error::Response(e) => {
            e.status.is_server_error() || matches!(e.status.as_u16(), 408 | 416 | 429)
        }
        _ => false,
    }
}

impl Repository {
    /// Pushes a blob from `source`.
    pub(crate) async fn push_blob(
        &self,
        desc: &Descriptor,
        mut source: Source<'_>,
    ) -> oras_content::Result<()> {
        if let Some(prestaged) = self.take_prestaged(desc)
            && self.finish_prestaged(desc, prestaged).await
        {
            return Ok(());
        }
        let (location, min_chunk) = self.open_session().await?;
        let options = &self.inner.options;
        if options.force_chunked || desc.size > options.chunked_threshold {
            return self.push_chunked(desc, location, min_chunk, source).await;
        }
        self.upload_monolithic(desc, &location, source.open().await?)
            .await
    }

    /// The one `PUT` of a monolithic upload into the session at
    /// `location`: up to 4 MiB read first (replayable), more streamed.
    pub(crate) async fn upload_monolithic(
        &self,
        desc: &Descriptor,
        location: &Url,
        content: BlobReader,
    ) -> oras_content::Result<()> {
        if desc.size <= MAX_METADATA_BYTES {
            let data = read_all(content, desc, MAX_METADATA_BYTES).await?;
            return self.finish_upload(desc, location, Body::full(data)).await;
        }
        let feeder: SharedFeeder = Arc::new(Mutex::new(Some(Feeder::new(content, desc.size))));
        let result = self
            .finish_upload(desc, location, body_from(feeder.clone(), desc.size))
            .await;
        match result {
            Err(e) => Err(content_failure(&feeder).await.unwrap_or(e)),
            ok => ok,
        }
    }

    /// `POST /blobs/uploads/` (202): the session's validated location and
    /// the registry's `OCI-Chunk-Min-Length` (0 when none).
    pub(crate) async fn open_session(&self) -> oras_content::Result<(Url, u64)> {
        let url = self.url("blobs/uploads/")?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from(0));
        let answer = self
            .remote()
            .send_empty(Method::POST, &url, headers, &self.push_scopes())
            .await?;
        let answer = answer.expect(StatusCode::ACCEPTED).await?;
        let location = self.upload_location(&answer)?;
        let min_chunk = answer
            .header("oci-chunk-min-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Ok((location, min_chunk))
    }

    /// `PUT <location>?digest=<d>` with `body`: 201 required.
    pub(crate) async fn finish_upload(
        &self,
        desc: &Descriptor,
        location: &Url,
        body: Body,
    ) -> oras_content::Result<()> {
        let mut url = location.clone();
        url.query_pairs_mut()
            .append_pair("digest", &desc.digest.to_string());
        let length = http_body::Body::size_hint(&body).exact().unwrap_or(0);
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(media_type::OCTET_STREAM),
        );
        headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        let answer = self
            .remote()
            .send(Method::PUT, &url, headers, body, &self.push_scopes())
            .await?;
        let answer = answer.expect(StatusCode::CREATED).await?;
        verify_header_digest(&answer, &desc.digest)?;
        Ok(())
    }

    async fn push_chunked(
        &self,
        desc: &Descriptor,
        mut location: Url,
        min_chunk: u64,
        mut source: Source<'_>,
    ) -> oras_content::Result<()> {
        let chunk = self.inner.options.chunk_size.max(min_chunk).max(1);
        let feeder: SharedFeeder = Arc::new(Mutex::new(Some(Feeder::new(
            source.open().await?,
            desc.size,
        ))));
        let mut offset = 0u64;
        // The end of the bytes sent so far: the registry cannot have more.
        let mut sent = 0u64;
        // Each resume is followed by a PATCH that either moves `offset` on
        // or spends another resume: at most `max_resumes` rounds without
        // progress.
        let mut resumes_left = self.inner.options.max_resumes;
        while offset < desc.size {
            let len = chunk.min(desc.size - offset);
            sent = sent.max(offset + len);
            let err = match self.patch_chunk(&location, offset, len, &feeder).await {
                Ok(next) => {
                    location = next;
                    offset += len;
                    continue;
                }
                Err(err) => err,
            };
            if let Some(failure) = content_failure(&feeder).await {
                return Err(failure);
            }
            if resumes_left == 0 || !resumable(&err) {
                return Err(err.into());
            }
            resumes_left -= 1;
            tracing::debug!(offset, error = %err, "resuming chunked upload");
            let (next, registry_has) = self.upload_status(&location, sent).await?;
            location = next;
            let mut current = feeder.lock().await.take();
            if current.as_ref().is_none_or(|f| f.position > registry_has) {
                // The registry has less than was read: start the source over.
                if matches!(source, Source::Reader(_)) {
                    return Err(err.into());
                }
                current = Some(Feeder::new(source.open().await?, desc.size));
            }
            let Some(mut resumed) = current else {
                return Err(err.into());
            };
            let behind = registry_has - resumed.position;
            resumed.skip(behind).await?;
            *feeder.lock().await = Some(resumed);
            offset = registry_has;
        }
        if let Some(f) = feeder.lock().await.as_mut() {
            f.verify_complete().await?;
        }
        self.finish_upload(desc, &location, Body::empty()).await
    }

    /// One `PATCH` of `len` bytes at `offset`; the next location.
    pub(crate) async fn patch_chunk(
        &self,
        location: &Url,
        offset: u64,
        len: u64,
        feeder: &SharedFeeder,
    ) -> Result<Url, Error> {
        let end = offset + len - 1;
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(media_type::OCTET_STREAM),
        );
        headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
        if let Ok(range) = HeaderValue::from_str(&format!("{offset}-{end}")) {
            headers.insert("content-range", range);
        }
        let answer = self
            .remote()
            .send(
                Method::PATCH,
                location,
                headers,
                body_from(feeder.clone(), len),
                &self.push_scopes(),
            )
            .await?;
        let answer = answer.expect(StatusCode::ACCEPTED).await?;
        if let Some(range_end) = answer.header("range").and_then(range_end)
            && range_end != end
        {
            return Err(answer.protocol(
                ErrorKind::Network,
                format!("registry has bytes up to {range_end}, expected {end}"),
            ));
        }
        if answer.headers().contains_key(LOCATION) {
            self.upload_location(&answer)
        } else {
            Ok(location.clone())
        }
    }

    /// `GET <location>` (204): the session's location and how many bytes
    /// the registry has, which must be a valid `Range` of at most the
    /// `sent` bytes (a registry claiming more would have the upload skip
    /// content it never received, or past the end of the blob).
    async fn upload_status(&self, location: &Url, sent: u64) -> Result<(Url, u64), Error> {
        let answer = self
            .remote()
            .send_empty(Method::GET, location, HeaderMap::new(), &self.push_scopes())
            .await?;
        let answer = answer.expect(StatusCode::NO_CONTENT).await?;
        let has = match answer.header("range") {
            None => 0,
            Some(value) => match range_length(value) {
                Ok(has) if has <= sent => has,
                Ok(has) => {
                    return Err(answer.protocol(
                        ErrorKind::InvalidContent,
                        format!("registry claims {has} bytes of the upload, only {sent} were sent"),
                    ));
                }
                Err(reason) => {
                    return Err(answer.protocol(
                        ErrorKind::InvalidContent,
                        format!("invalid upload Range {value:?}: {reason}"),
                    ));
                }
            },
        };
        let next = if answer.headers().contains_key(LOCATION) {
            self.upload_location(&answer)?
        } else {
            location.clone()
        };
        Ok((next, has))
    }

    /// The validated upload `Location` of `answer`.
    pub(crate) fn upload_location(&self, answer: &Answer) -> Result<Url, Error> {
        let raw = answer
            .header("location")
            .ok_or_else(|| answer.protocol(ErrorKind::Other, "missing Location header"))?;
        let mut location = answer.url.join(raw).map_err(|_| Error::RefusedUrl {
            what: "Location",
            url: raw.to_owned(),
            reason: "not a valid URL",
        })?;
        check_location(&self.remote().base, &mut location)?;
        Ok(location)
    }
}

/// The security rules of an upload `Location` (see the module docs).
pub(crate) fn check_location(registry: &Url, location: &mut Url) -> Result<(), Error> {
    let refused = |location: &Url, reason| Error::RefusedUrl {
        what: "Location",
        url: display_url(location),
        reason,
    };
    let same_host = location
        .host_str()
        .zip(registry.host_str())
        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
    if !same_host {
        return Err(refused(location, "upload location on another host"));
    }
    // oras-go#177: some registries drop an explicit `:443`.
    if registry.port_or_known_default() == Some(443) && location.port().is_none() {
        let _ = location.set_port(Some(443));
    }
    if registry.scheme() == "https" && location.scheme() != "https" {
        return Err(refused(location, "upload location downgrades https"));
    }
    if !matches!(location.scheme(), "http" | "https") {
        return Err(refused(location, "upload location with another scheme"));
    }
    if location.port_or_known_default() != registry.port_or_known_default() {
        return Err(refused(location, "upload location on another port"));
    }
    Ok(())
}

/// `0-<end>` (or `bytes=0-<end>`) → end.
fn range_end(value: &str) -> Option<u64> {
    let value = value.trim();
    let value = value.strip_prefix("bytes=").unwrap_or(value);
    value.split_once('-')?.1.trim().parse().ok()
}

/// The byte count of an upload status `Range: 0-<end>` (distribution-spec
/// "Pushing a blob in chunks": the inclusive range the registry has),
/// with checked arithmetic: `end + 1`.
fn range_length(value: &str) -> Result<u64, &'static str> {
    let value = value.trim();
    let value = value.strip_prefix("bytes=").unwrap_or(value);
    let (start, end) = value.split_once('-').ok_or("not <start>-<end>")?;
    let start: u64 = start.trim().parse().map_err(|_| "start is not a number")?;
    let end: u64 = end.trim().parse().map_err(|_| "end is not a number")?;
    if start != 0 {
        return Err("does not start at 0");
    }
    end.checked_add(1).ok_or("end overflows")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(registry: &str, location: &str) -> Result<String, Error> {
        let registry = Url::parse(registry).unwrap();
        let mut location = registry.join(location).unwrap();
        check_location(&registry, &mut location).map(|()| location.to_string())
    }

    #[test]
    fn upload_locations_stay_on_the_registry() {
        assert_eq!(
            check("https://r.example/", "/v2/a/blobs/uploads/1?_state=x").unwrap(),
            "https://r.example/v2/a/blobs/uploads/1?_state=x"
        );
        assert!(check("https://r.example/", "https://R.EXAMPLE:443/u").is_ok());
        assert!(check("https://r.example:443/", "https://r.example/u").is_ok());
        assert!(check("http://r.example:443/", "http://r.example/u").is_ok());
        assert!(check("http://localhost:5000/", "http://localhost:5000/u").is_ok());
        for (registry, location) in [
            ("https://r.example/", "https://evil.example/u"),
            ("https://r.example/", "http://r.example/u"),
            ("https://r.example/", "https://r.example:8443/u"),
            ("http://localhost:5000/", "http://localhost:5001/u"),
            ("http://localhost:5000/", "http://127.0.0.1:5000/u"),
        ] {
            let err = check(registry, location).unwrap_err();
            assert!(matches!(err, Error::RefusedUrl { .. }), "{location}: {err}");
            assert_eq!(err.kind(), ErrorKind::Denied);
        }
    }

    #[test]
    fn parses_ranges() {
        assert_eq!(range_end("0-99"), Some(99));
        assert_eq!(range_end("bytes=0-99"), Some(99));
        assert_eq!(range_end("garbage"), None);
        assert_eq!(range_length("0-99"), Ok(100));
        assert_eq!(range_length(" bytes=0-0 "), Ok(1));
        for bad in [
            "0-18446744073709551615",
            "0-99999999999999999999",
            "5-99",
            "0-",
            "-5",
            "0--1",
            "garbage",
        ] {
            assert!(range_length(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn feeder_withholds_the_last_piece_until_verified() {
        let desc = Descriptor::from_bytes("a/b", b"hello");
        // Unhashed here (the registry checks the digest)...
        let mut feeder = Feeder::new(oras_content::bytes_reader(&b"hellO"[..]), desc.size);
        assert_eq!(feeder.read(10).await.unwrap(), "hellO");
        // ...but a verifying source fails before its last piece goes out.
        let verifying = oras_content::bytes_reader(&b"hellO"[..]).verified(&desc);
        let mut feeder = Feeder::new(verifying, desc.size);
        let err = feeder.read(10).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        let mut feeder = Feeder::new(oras_content::bytes_reader(&b"hello!"[..]), desc.size);
        assert_eq!(
            feeder.read(10).await.unwrap_err().kind(),
            ErrorKind::SizeMismatch
        );
        let mut feeder = Feeder::new(oras_content::bytes_reader(&b"hel"[..]), desc.size);
        assert_eq!(feeder.read(10).await.unwrap(), "hel");
        assert_eq!(
            feeder.read(10).await.unwrap_err().kind(),
            ErrorKind::SizeMismatch
        );
        let mut feeder = Feeder::new(oras_content::bytes_reader(&b"hello"[..]), desc.size);
        assert_eq!(feeder.read(2).await.unwrap(), "he");
        assert_eq!(feeder.read(10).await.unwrap(), "llo");
    }

    #[tokio::test]
    async fn skipping_past_the_end_is_an_error_not_a_loop() {
        let reader = oras_content::bytes_reader(Bytes::from_static(b"12345"));
        let mut feeder = Feeder::new(reader, 5);
        let result =
            tokio::time::timeout(std::time::Duration::from_secs(10), feeder.skip(10)).await;
        let err = result.expect("skip ends").unwrap_err();
        assert!(
            matches!(err, oras_content::Error::ShortContent { expected: 10, .. }),
            "{err}"
        );
    }
}
