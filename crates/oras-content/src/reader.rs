//! Blob content as a stream: the reader every fetch returns, a reader
//! that verifies size and digest as bytes pass, and bounded whole-content
//! reads.
//!
//! A [`BlobReader`] hands out its content either through [`AsyncRead`]
//! or as [`Bytes`] chunks ([`BlobReader::chunk`]). A response body or a
//! file read on a blocking thread passes through as the chunks it came
//! in, uncopied, so a pull copies each byte only from the socket and into
//! the file.
//!
//! A stream verified once is marked with what it verified, so the next
//! consumer (a store writing what a registry served, a pull writing to
//! disk) does not hash the same bytes again: [`BlobReader::verified`] on a
//! marked stream for the same digest and size passes it through.

use std::fs::File;
use std::future::poll_fn;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};
use oras_spec::{Descriptor, Digest, Digester};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// The largest chunk read at once from a reader or a file.
const READ_CHUNK: usize = 256 * 1024;

/// What [`BlobReader::inspect`] calls with every chunk.
type Observer = Box<dyn FnMut(&[u8]) + Send>;

/// A boxed stream of chunks.
type ChunkStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The content of a blob or manifest: a byte stream, marked when it
/// verifies itself against a descriptor.
pub struct BlobReader {
    source: Source,
    /// Checked but not yet handed out (an [`AsyncRead`] smaller than a chunk).
    pending: Bytes,
    check: Option<Box<Check>>,
    /// The digest and size the stream checks before its end (set only by
    /// [`BlobReader::verified`]).
    verifies: Option<(Digest, u64)>,
    observers: Vec<Observer>,
}

enum Source {
    /// Any reader; chunks are read into `buf` and split off.
    Read {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        buf: BytesMut,
    },
    /// Chunks passed on as they come (a response body).
    Chunks(ChunkStream),
    /// A file read on blocking threads, one chunk ahead of the consumer.
    File {
        file: Arc<File>,
        ahead: Option<JoinHandle<io::Result<Bytes>>>,
        ended: bool,
    },
    /// Another reader, checked again against another descriptor.
    Inner(Box<BlobReader>),
}

impl BlobReader {
    fn from_source(source: Source) -> Self {
        BlobReader {
            source,
            pending: Bytes::new(),
            check: None,
            verifies: None,
            observers: Vec::new(),
        }
    }

    /// Any byte stream as content (unverified).
    pub fn new(reader: impl AsyncRead + Send + 'static) -> Self {
        BlobReader::from_source(Source::Read {
            reader: Box::pin(reader),
            buf: BytesMut::new(),
        })
    }

    /// A stream of chunks (a response body) as content, passed on without
    /// copying (unverified).
    pub fn from_stream(chunks: impl Stream<Item = io::Result<Bytes>> + Send + 'static) -> Self {
        // Fused: the end is asked for again after it was reported.
        BlobReader::from_source(Source::Chunks(Box::pin(chunks.fuse())))
    }

    /// A file from its current position, read in 256 KiB chunks on
    /// blocking threads one chunk ahead (unverified).
    pub fn from_file(file: File) -> Self {
        BlobReader::from_source(Source::File {
            file: Arc::new(file),
            ahead: None,
            ended: false,
        })
    }

    /// This stream, checked against `expected` as it is read (see
    /// [`VerifyReader`] for the errors). A stream that already verifies
    /// the same digest and size is returned as is, unhashed a second time.
    pub fn verified(self, expected: &Descriptor) -> BlobReader {
        if self.verifies_as(expected) {
            return self;
        }
        let mut reader = if self.check.is_some() {
            BlobReader::from_source(Source::Inner(Box::new(self)))
        } else {
            self
        };
        reader.check = Some(Box::new(Check::new(expected)));
        reader.verifies = Some((expected.digest.clone(), expected.size));
        reader
    }

    /// Whether the stream reaches its end only after verifying that it
    /// was exactly `expected` (its digest and size).
    pub fn verifies_as(&self, expected: &Descriptor) -> bool {
        self.verifies
            .as_ref()
            .is_some_and(|(digest, size)| *digest == expected.digest && *size == expected.size)
    }

    /// This stream with `observe` shown every chunk as it is read (for
    /// progress). The bytes are unchanged, so a verification mark stays.
    pub fn inspect(mut self, observe: impl FnMut(&[u8]) + Send + 'static) -> BlobReader {
        self.observers.push(Box::new(observe));
        self
    }

    /// The next chunk of content, or `None` at the end (reported only
    /// after a verifying stream matched). Chunks from a response body or
    /// a file are handed over without copying.
    pub async fn chunk(&mut self) -> io::Result<Option<Bytes>> {
        poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// [`BlobReader::chunk`] as a poll.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Bytes>>> {
        if !self.pending.is_empty() {
            return Poll::Ready(Ok(Some(std::mem::take(&mut self.pending))));
        }
        let next = ready!(self.poll_source(cx))?;
        let Some(chunk) = next else {
            if let Some(check) = self.check.as_mut() {
                check.finish()?;
            }
            return Poll::Ready(Ok(None));
        };
        if let Some(check) = self.check.as_mut() {
            check.update(&chunk)?;
        }
        for observe in &mut self.observers {
            observe(&chunk);
        }
        Poll::Ready(Ok(Some(chunk)))
    }

    /// The next raw chunk of the source (never an empty one).
    fn poll_source(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Bytes>>> {
        let want = self
            .check
            .as_ref()
            .map_or(READ_CHUNK, |check| check.remaining())
            .clamp(64, READ_CHUNK);
        match &mut self.source {
            Source::Read { reader, buf } => {
                buf.reserve(want);
                let n = ready!(tokio_util::io::poll_read_buf(reader.as_mut(), cx, buf))?;
                Poll::Ready(Ok((n > 0).then(|| buf.split().freeze())))
            }
            Source::Chunks(stream) => loop {
                match ready!(stream.as_mut().poll_next(cx)) {
                    None => return Poll::Ready(Ok(None)),
                    Some(Err(e)) => return Poll::Ready(Err(e)),
                    Some(Ok(chunk)) if chunk.is_empty() => continue,
                    Some(Ok(chunk)) => return Poll::Ready(Ok(Some(chunk))),
                }
            },
            Source::File { file, ahead, ended } => {
                if *ended {
                    return Poll::Ready(Ok(None));
                }
                let task = ahead.get_or_insert_with(|| read_file_chunk(file.clone(), want));
                let joined = ready!(Pin::new(task).poll(cx));
                *ahead = None;
                let chunk = joined.map_err(io::Error::other)??;
                if chunk.is_empty() {
                    *ended = true;
                    return Poll::Ready(Ok(None));
                }
                // The next read runs while this chunk is consumed.
                *ahead = Some(read_file_chunk(file.clone(), want));
                Poll::Ready(Ok(Some(chunk)))
            }
            Source::Inner(inner) => inner.poll_chunk(cx),
        }
    }
}

/// Reads up to `want` bytes of `file` on a blocking thread.
fn read_file_chunk(file: Arc<File>, want: usize) -> JoinHandle<io::Result<Bytes>> {
    tokio::task::spawn_blocking(move || {
        let mut chunk = Vec::with_capacity(want);
        (&*file).take(want as u64).read_to_end(&mut chunk)?;
        Ok(Bytes::from(chunk))
    })
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("verifies", &self.verifies)
            .finish_non_exhaustive()
    }
}

impl AsyncRead for BlobReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.pending.is_empty() {
            match ready!(this.poll_chunk(cx))? {
                Some(chunk) => this.pending = chunk,
                None => return Poll::Ready(Ok(())),
            }
        }
        let n = this.pending.len().min(buf.remaining());
        buf.put_slice(&this.pending[..n]);
        this.pending.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// The size and digest check of a verifying stream.
struct Check {
    expected: Descriptor,
    digester: Option<Digester>,
    /// The digest of the whole content, once the end was reached.
    actual: Option<Digest>,
    read: u64,
    verified: bool,
}

impl Check {
    fn new(expected: &Descriptor) -> Self {
        Check {
            digester: Some(expected.digest.algorithm().digester()),
            expected: expected.plain(),
            actual: None,
            read: 0,
            verified: false,
        }
    }

    /// Bytes still expected (a read size hint).
    fn remaining(&self) -> usize {
        usize::try_from(self.expected.size.saturating_sub(self.read)).unwrap_or(usize::MAX)
    }

    /// Counts and hashes `fresh`; more than the size is an error at once.
    fn update(&mut self, fresh: &[u8]) -> io::Result<()> {
        self.read += fresh.len() as u64;
        if self.read > self.expected.size {
            return Err(Error::TrailingData {
                expected: self.expected.size,
            }
            .into_io());
        }
        if let Some(digester) = self.digester.as_mut() {
            digester.update(fresh);
        }
        Ok(())
    }

    /// At the end of the stream: the size, then the digest (the same
    /// answer however often the end is reached).
    fn finish(&mut self) -> io::Result<()> {
        if self.read < self.expected.size {
            return Err(Error::ShortContent {
                expected: self.expected.size,
                actual: self.read,
            }
            .into_io());
        }
        if let Some(digester) = self.digester.take() {
            self.actual = Some(digester.finish());
        }
        match &self.actual {
            Some(actual) if *actual != self.expected.digest => Err(Error::DigestMismatch {
                expected: self.expected.digest.clone(),
                actual: actual.clone(),
            }
            .into_io()),
            _ => {
                self.verified = true;
                Ok(())
            }
        }
    }
}

/// Most that [`read_all`] reserves up front, whatever a descriptor
/// declares: a crafted size must not become an allocation
/// (GHSA-f36w-mj3v-6jqv; oras-go caps this at 32 MiB).
pub const MAX_PREALLOCATION: u64 = 32 * 1024 * 1024;

/// The default cap on manifests and other metadata read into memory
/// (oras-go `MaxMetadataBytes`, 4 MiB).
pub const MAX_METADATA_BYTES: u64 = 4 * 1024 * 1024;

/// A reader over bytes already in memory.
pub fn bytes_reader(data: impl Into<Bytes>) -> BlobReader {
    BlobReader::new(io::Cursor::new(data.into()))
}

/// Wraps `inner` so that it yields exactly `expected.size` bytes hashing to
/// `expected.digest`. Failures surface as `std::io::Error`s carrying an
/// [`Error`] (recover it with [`Error::from_io`]):
/// - more bytes than the size: [`Error::TrailingData`], as soon as they arrive;
/// - end of stream before the size: [`Error::ShortContent`];
/// - a different digest at the end: [`Error::DigestMismatch`].
///
/// End of stream is reported only after the content verified, so a
/// consumer that reads to the end never sees unverified content as
/// complete. For a [`BlobReader`], [`BlobReader::verified`] does the same
/// and skips a stream verified already.
pub struct VerifyReader<R> {
    inner: R,
    check: Check,
}

impl<R> VerifyReader<R> {
    /// Verifies `inner` against `expected`.
    pub fn new(inner: R, expected: &Descriptor) -> Self {
        VerifyReader {
            inner,
            check: Check::new(expected),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.check.read
    }

    /// Whether the whole content was read and verified.
    pub fn is_verified(&self) -> bool {
        self.check.verified
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for VerifyReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.check.verified {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let fresh = &buf.filled()[before..];
        if fresh.is_empty() {
            return Poll::Ready(this.check.finish());
        }
        if let Err(e) = this.check.update(fresh) {
            // An erroring read must hand back no bytes.
            buf.set_filled(before);
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(()))
    }
}

/// Reads the whole verified content of `reader`, refusing content larger
/// than `limit` before reading. Never reserves more than
/// [`MAX_PREALLOCATION`] from the declared size.
pub async fn read_all(reader: BlobReader, expected: &Descriptor, limit: u64) -> Result<Vec<u8>> {
    if expected.size > limit {
        return Err(Error::SizeExceedsLimit {
            size: expected.size,
            limit,
        });
    }
    let capacity = expected.size.min(MAX_PREALLOCATION);
    let mut out = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    let mut verifying = reader.verified(expected);
    verifying
        .read_to_end(&mut out)
        .await
        .map_err(|e| Error::from_io(format!("reading {}", expected.digest), e))?;
    Ok(out)
}

/// Checks `data` against `expected` (size, then digest) without streaming.
pub fn verify_bytes(data: &[u8], expected: &Descriptor) -> Result<()> {
    let actual_size = data.len() as u64;
    if actual_size < expected.size {
        return Err(Error::ShortContent {
            expected: expected.size,
            actual: actual_size,
        });
    }
    if actual_size > expected.size {
        return Err(Error::TrailingData {
            expected: expected.size,
        });
    }
    let actual = oras_spec::Digest::compute(expected.digest.algorithm(), data);
    if actual != expected.digest {
        return Err(Error::DigestMismatch {
            expected: expected.digest.clone(),
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn desc(data: &[u8]) -> Descriptor {
        Descriptor::from_bytes("a/b", data)
    }

    #[tokio::test]
    async fn reads_matching_content() {
        let d = desc(b"hello world");
        let data = read_all(bytes_reader(&b"hello world"[..]), &d, 100)
            .await
            .unwrap();
        assert_eq!(data, b"hello world");
    }

    #[tokio::test]
    async fn rejects_short_long_and_wrong_content() {
        let d = desc(b"hello");
        let short = read_all(bytes_reader(&b"hell"[..]), &d, 100)
            .await
            .unwrap_err();
        assert!(
            matches!(
                short,
                Error::ShortContent {
                    expected: 5,
                    actual: 4
                }
            ),
            "{short}"
        );
        let long = read_all(bytes_reader(&b"hello!"[..]), &d, 100)
            .await
            .unwrap_err();
        assert!(
            matches!(long, Error::TrailingData { expected: 5 }),
            "{long}"
        );
        let wrong = read_all(bytes_reader(&b"jello"[..]), &d, 100)
            .await
            .unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::DigestMismatch);
    }

    #[tokio::test]
    async fn refuses_over_limit_before_reading_and_caps_allocation() {
        let mut d = desc(b"x");
        d.size = 1 << 62; // a crafted size must not allocate
        let err = read_all(bytes_reader(&b"x"[..]), &d, u64::MAX)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ShortContent { .. }), "{err}");
        let err = read_all(bytes_reader(&b"x"[..]), &d, 10).await.unwrap_err();
        assert!(matches!(err, Error::SizeExceedsLimit { limit: 10, .. }));
    }

    #[tokio::test]
    async fn end_of_stream_only_after_verification() {
        let d = desc(b"abc");
        let mut reader = VerifyReader::new(bytes_reader(&b"abd"[..]), &d);
        let mut buf = Vec::new();
        let err = reader.read_to_end(&mut buf).await.unwrap_err();
        assert_eq!(Error::from_io("x", err).kind(), ErrorKind::DigestMismatch);
        assert!(!reader.is_verified());
    }

    #[tokio::test]
    async fn a_verified_stream_keeps_its_mark_through_inspection() {
        let d = desc(b"abc");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let reader = bytes_reader(&b"abc"[..])
            .verified(&d)
            .inspect(move |chunk| sink.lock().unwrap().extend_from_slice(chunk));
        assert!(reader.verifies_as(&d));
        assert!(!reader.verifies_as(&desc(b"abd")));
        let data = read_all(reader.verified(&d), &d, 10).await.unwrap();
        assert_eq!(data, b"abc");
        assert_eq!(*seen.lock().unwrap(), b"abc");
        assert!(!bytes_reader(&b"abc"[..]).verifies_as(&d));
    }

    #[tokio::test]
    async fn a_marked_stream_still_fails_on_wrong_content() {
        let d = desc(b"abc");
        // Marked for `d` but carrying other bytes: the one verification
        // it holds still fails it, also when re-verified for `d`.
        let marked = bytes_reader(&b"abd"[..]).verified(&d);
        let err = read_all(marked.verified(&d), &d, 10).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        // Verified for another descriptor, it is checked again.
        let other = desc(b"abcd");
        let marked = bytes_reader(&b"abc"[..]).verified(&d);
        let err = read_all(marked.verified(&other), &other, 10)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ShortContent { .. }), "{err}");
    }

    #[tokio::test]
    async fn response_chunks_pass_uncopied_and_verified() {
        let first = Bytes::from_static(b"hello ");
        let second = Bytes::from_static(b"world");
        let d = desc(b"hello world");
        let chunks = [Ok(first.clone()), Ok(Bytes::new()), Ok(second)];
        // A stream that must not be polled after its end (as `unfold`).
        let chunks = futures::stream::unfold(chunks.into_iter(), |mut rest| async move {
            rest.next().map(|chunk| (chunk, rest))
        });
        let mut reader = BlobReader::from_stream(chunks).verified(&d);
        let got = reader.chunk().await.unwrap().unwrap();
        assert_eq!(got.as_ptr(), first.as_ptr(), "the same bytes, not a copy");
        assert_eq!(reader.chunk().await.unwrap().unwrap(), "world");
        assert!(reader.chunk().await.unwrap().is_none());
        assert!(
            reader.chunk().await.unwrap().is_none(),
            "the end stays the end"
        );

        let chunks = futures::stream::iter([Ok(Bytes::from_static(b"hello worlds"))]);
        let mut reader = BlobReader::from_stream(chunks).verified(&d);
        let err = reader.chunk().await.unwrap_err();
        assert!(matches!(
            Error::from_io("x", err),
            Error::TrailingData { .. }
        ));
    }

    #[tokio::test]
    async fn small_reads_take_chunks_piece_by_piece() {
        let data: Vec<u8> = (0..=255u8).cycle().take(3 * READ_CHUNK + 5).collect();
        let d = desc(&data);
        let mut reader = BlobReader::new(std::io::Cursor::new(data.clone())).verified(&d);
        let mut out = Vec::new();
        let mut piece = [0u8; 1000];
        loop {
            let n = reader.read(&mut piece).await.unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&piece[..n]);
        }
        assert_eq!(out, data);
    }

    #[tokio::test]
    async fn files_are_read_ahead_in_chunks() {
        use std::io::Write;
        let data: Vec<u8> = (0..=255u8).cycle().take(2 * READ_CHUNK + 9).collect();
        let mut file = tempfile_with(&data);
        file.flush().unwrap();
        let d = desc(&data);
        let mut reader = BlobReader::from_file(file).verified(&d);
        let mut out = Vec::new();
        let mut chunks = 0;
        while let Some(chunk) = reader.chunk().await.unwrap() {
            assert!(chunk.len() <= READ_CHUNK);
            out.extend_from_slice(&chunk);
            chunks += 1;
        }
        assert_eq!(out, data);
        assert_eq!(chunks, 3);
        let mut wrong = data.clone();
        wrong[7] ^= 1;
        let err = read_all(BlobReader::from_file(tempfile_with(&wrong)), &d, u64::MAX)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch);
    }

    fn tempfile_with(data: &[u8]) -> std::fs::File {
        use std::io::{Seek, Write};
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(data).unwrap();
        file.rewind().unwrap();
        file
    }

    #[test]
    fn verify_bytes_checks_size_then_digest() {
        let d = desc(b"abc");
        assert!(verify_bytes(b"abc", &d).is_ok());
        assert!(matches!(
            verify_bytes(b"ab", &d),
            Err(Error::ShortContent { .. })
        ));
        assert!(matches!(
            verify_bytes(b"abcd", &d),
            Err(Error::TrailingData { .. })
        ));
        assert!(matches!(
            verify_bytes(b"abd", &d),
            Err(Error::DigestMismatch { .. })
        ));
    }
}
