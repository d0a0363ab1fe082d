//! Blob content as a stream: the reader every fetch returns, a reader
//! that verifies size and digest as bytes pass, and bounded whole-content
//! reads.
//!
//! A stream verified once is marked with what it verified, so the next
//! consumer (a store writing what a registry served, a pull writing to
//! disk) does not hash the same bytes again: [`BlobReader::verified`] on a
//! marked stream for the same digest and size passes it through.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use oras_spec::{Descriptor, Digest, Digester};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use crate::error::{Error, Result};

/// The content of a blob or manifest: a boxed async byte stream, marked
/// when it verifies itself against a descriptor.
pub struct BlobReader {
    inner: Pin<Box<dyn AsyncRead + Send + 'static>>,
    /// The digest and size the stream checks before its end of stream
    /// (set only by [`BlobReader::verified`]).
    verifies: Option<(Digest, u64)>,
}

impl BlobReader {
    /// Any byte stream as content (unverified).
    pub fn new(reader: impl AsyncRead + Send + 'static) -> Self {
        BlobReader {
            inner: Box::pin(reader),
            verifies: None,
        }
    }

    /// This stream, checked against `expected` as it is read (see
    /// [`VerifyReader`] for the errors). A stream that already verifies
    /// the same digest and size is returned as is, unhashed a second time.
    pub fn verified(self, expected: &Descriptor) -> BlobReader {
        if self.verifies_as(expected) {
            return self;
        }
        BlobReader {
            inner: Box::pin(VerifyReader::new(self, expected)),
            verifies: Some((expected.digest.clone(), expected.size)),
        }
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
    pub fn inspect(self, observe: impl FnMut(&[u8]) + Send + 'static) -> BlobReader {
        let verifies = self.verifies.clone();
        BlobReader {
            inner: Box::pin(Inspect {
                inner: self,
                observe: Box::new(observe),
            }),
            verifies,
        }
    }
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
        self.get_mut().inner.as_mut().poll_read(cx, buf)
    }
}

/// What [`BlobReader::inspect`] calls with every chunk.
type Observer = Box<dyn FnMut(&[u8]) + Send>;

/// A reader that shows every chunk to a callback.
struct Inspect {
    inner: BlobReader,
    observe: Observer,
}

impl AsyncRead for Inspect {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let fresh = &buf.filled()[before..];
        if !fresh.is_empty() {
            (this.observe)(fresh);
        }
        Poll::Ready(Ok(()))
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
/// complete.
pub struct VerifyReader<R> {
    inner: R,
    expected: Descriptor,
    digester: Option<Digester>,
    read: u64,
    verified: bool,
}

impl<R> VerifyReader<R> {
    /// Verifies `inner` against `expected`.
    pub fn new(inner: R, expected: &Descriptor) -> Self {
        VerifyReader {
            inner,
            digester: Some(expected.digest.algorithm().digester()),
            expected: expected.plain(),
            read: 0,
            verified: false,
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Whether the whole content was read and verified.
    pub fn is_verified(&self) -> bool {
        self.verified
    }

    fn check_end(&mut self) -> io::Result<()> {
        if self.read < self.expected.size {
            return Err(Error::ShortContent {
                expected: self.expected.size,
                actual: self.read,
            }
            .into_io());
        }
        if let Some(digester) = self.digester.take() {
            let actual = digester.finish();
            if actual != self.expected.digest {
                return Err(Error::DigestMismatch {
                    expected: self.expected.digest.clone(),
                    actual,
                }
                .into_io());
            }
        }
        self.verified = true;
        Ok(())
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for VerifyReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.verified {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let fresh = &buf.filled()[before..];
        if fresh.is_empty() {
            return Poll::Ready(this.check_end());
        }
        this.read += fresh.len() as u64;
        if this.read > this.expected.size {
            // An erroring read must hand back no bytes.
            buf.set_filled(before);
            return Poll::Ready(Err(Error::TrailingData {
                expected: this.expected.size,
            }
            .into_io()));
        }
        if let Some(digester) = this.digester.as_mut() {
            digester.update(fresh);
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
