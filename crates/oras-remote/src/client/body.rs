//! The response body of the client stack, and capped reads of it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;

use crate::error::BoxError;

/// A response body: whatever the transport gives, boxed.
pub struct ResponseBody(UnsyncBoxBody<Bytes, BoxError>);

impl ResponseBody {
    /// Boxes any body of bytes (a transport's, or a test's).
    pub fn new<B>(body: B) -> Self
    where
        B: HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ResponseBody(body.map_err(Into::into).boxed_unsync())
    }

    /// An empty body.
    pub fn empty() -> Self {
        ResponseBody::new(http_body_util::Empty::<Bytes>::new())
    }

    /// A body of bytes in memory.
    pub fn full(data: impl Into<Bytes>) -> Self {
        ResponseBody::new(http_body_util::Full::new(data.into()))
    }

    /// The next chunk of data, skipping trailers; `None` at the end.
    pub async fn chunk(&mut self) -> Option<Result<Bytes, BoxError>> {
        loop {
            match self.0.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => return Some(Ok(data)),
                    Err(_trailers) => continue,
                },
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseBody")
    }
}

impl HttpBody for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}

/// What a capped read found.
pub(crate) enum Capped {
    /// The whole body, within the cap.
    Complete(Bytes),
    /// The body went past the cap; the bytes up to it.
    Truncated(Bytes),
}

/// Reads at most `cap` bytes of `body`, never allocating from a declared
/// length: the buffer only grows with bytes that arrived.
pub(crate) async fn read_capped(body: &mut ResponseBody, cap: usize) -> Result<Capped, BoxError> {
    let mut out = BytesMut::new();
    while let Some(chunk) = body.chunk().await {
        let chunk = chunk?;
        let room = cap - out.len();
        if chunk.len() > room {
            out.extend_from_slice(&chunk[..room]);
            return Ok(Capped::Truncated(out.freeze()));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Capped::Complete(out.freeze()))
}
