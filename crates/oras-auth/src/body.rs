//! The request body every layer of the registry client's tower stack
//! carries. A body that can be replayed (empty, or bytes in memory) is
//! re-sent after an auth challenge or a retry; a one-shot stream is sent
//! once and never silently replayed (tower `retry::Policy::clone_request`
//! returns `None` for it, as Go's `GetBody == nil`).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use http_body::{Frame, SizeHint};

/// Errors carried by bodies and services of the stack: the same boxed
/// error a credential provider reports.
pub use oras_credentials::BoxError;

/// A boxed stream of body chunks.
pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send + 'static>>;

/// A request body: nothing, bytes in memory, or a one-shot stream of known
/// or unknown length.
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Option<Bytes>, Bytes),
    Stream {
        stream: ChunkStream,
        length: Option<u64>,
    },
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body { kind: Kind::Empty }
    }

    /// A body of bytes in memory; it can be replayed.
    pub fn full(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        Body {
            kind: Kind::Full(Some(data.clone()), data),
        }
    }

    /// A one-shot streamed body of `length` bytes if known; it cannot be
    /// replayed.
    pub fn stream(stream: ChunkStream, length: Option<u64>) -> Self {
        Body {
            kind: Kind::Stream { stream, length },
        }
    }

    /// A fresh copy of this body if it can be replayed (empty or in
    /// memory), else `None`.
    pub fn try_clone(&self) -> Option<Body> {
        match &self.kind {
            Kind::Empty => Some(Body::empty()),
            Kind::Full(_, original) => Some(Body::full(original.clone())),
            Kind::Stream { .. } => None,
        }
    }

    /// Whether this body can be replayed.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Stream { .. })
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Full(_, data) => write!(f, "Body::Full({} bytes)", data.len()),
            Kind::Stream { length, .. } => write!(f, "Body::Stream({length:?} bytes)"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(data: Bytes) -> Self {
        Body::full(data)
    }
}

impl From<Vec<u8>> for Body {
    fn from(data: Vec<u8>) -> Self {
        Body::full(data)
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(pending, _) => Poll::Ready(pending.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream { stream, .. } => stream
                .as_mut()
                .poll_next(cx)
                .map(|item| item.map(|chunk| chunk.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(pending, _) => pending.is_none(),
            Kind::Stream { length, .. } => *length == Some(0),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(_, data) => SizeHint::with_exact(data.len() as u64),
            Kind::Stream {
                length: Some(n), ..
            } => SizeHint::with_exact(*n),
            Kind::Stream { length: None, .. } => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn full_bodies_replay_and_streams_do_not() {
        let body = Body::full(Bytes::from_static(b"abc"));
        let copy = body.try_clone().unwrap();
        assert_eq!(body.collect().await.unwrap().to_bytes(), "abc");
        assert_eq!(copy.collect().await.unwrap().to_bytes(), "abc");
        let stream: ChunkStream = Box::pin(futures::stream::iter(vec![
            Ok(Bytes::from_static(b"a")),
            Ok(Bytes::from_static(b"b")),
        ]));
        let body = Body::stream(stream, Some(2));
        assert!(body.try_clone().is_none());
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(2));
        assert_eq!(body.collect().await.unwrap().to_bytes(), "ab");
    }
}
