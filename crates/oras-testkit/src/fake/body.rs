//! Bodies: the boxed response body, response builders, the request body
//! reader (which can be told to break after K bytes) and the response body
//! that breaks the connection after K bytes.
//!
//! Blob bodies are `Bytes` slices of the stored blob, so serving a range
//! of a large blob copies nothing.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;

use super::errors::{ErrorCode, error_body};

/// The response body of every endpoint.
pub(crate) type ResBody = UnsyncBoxBody<Bytes, std::io::Error>;

/// A response the server sends as is.
pub(crate) type Resp = Response<ResBody>;

/// A body holding `data` in one frame.
pub(crate) fn full(data: impl Into<Bytes>) -> ResBody {
    Full::new(data.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// An empty body.
pub(crate) fn empty() -> ResBody {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// A response with `status` and no body.
pub(crate) fn status(status: StatusCode) -> Resp {
    let mut resp = Response::new(empty());
    *resp.status_mut() = status;
    resp
}

/// A response with `status`, a body and its content type.
pub(crate) fn with_body(status: StatusCode, content_type: &str, data: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(full(data));
    *resp.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, value);
    }
    resp
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Resp {
    with_body(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// A spec error response `{"errors":[{"code","message","detail"}]}`.
pub(crate) fn error(status: StatusCode, code: ErrorCode, detail: &str) -> Resp {
    with_body(status, "application/json", error_body(code, detail))
}

/// A HEAD answer: no body, but the `Content-Length` the GET would have.
/// (hyper allows a HEAD response's header to differ from its empty body.)
pub(crate) fn head_of(mut resp: Resp, content_length: usize) -> Resp {
    *resp.body_mut() = empty();
    resp.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(content_length));
    resp
}

/// Why reading a request body stopped early.
#[derive(Debug)]
pub(crate) struct BrokenBody;

/// The request body, read frame by frame, optionally cut after a limit
/// (the [`FaultAction::DropRequestAfter`](super::FaultAction) fault).
pub(crate) struct RequestBody {
    inner: Incoming,
    /// Bytes still allowed before the fault breaks the body.
    remaining: Option<u64>,
}

impl RequestBody {
    /// Wraps `inner`; with `limit`, the body breaks after that many bytes.
    pub(crate) fn new(inner: Incoming, limit: Option<u64>) -> Self {
        RequestBody {
            inner,
            remaining: limit,
        }
    }

    /// The next data chunk; `Ok(None)` at the end; `Err` when the client
    /// broke the body or the fault's limit was reached.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>, BrokenBody> {
        if self.remaining == Some(0) {
            return Err(BrokenBody);
        }
        loop {
            let Some(frame) = self.inner.frame().await else {
                return Ok(None);
            };
            let Ok(data) = frame.map_err(|_| BrokenBody)?.into_data() else {
                continue; // trailers carry nothing we store
            };
            if data.is_empty() {
                continue;
            }
            let Some(remaining) = self.remaining.as_mut() else {
                return Ok(Some(data));
            };
            let take = usize::try_from(*remaining).map_or(data.len(), |r| r.min(data.len()));
            *remaining -= take as u64;
            return Ok(Some(data.slice(..take)));
        }
    }

    /// Reads the whole body, at most `limit` bytes; `Ok(None)` when it is
    /// longer. Reading stops at the limit, so nothing larger is held.
    pub(crate) async fn read_limited(&mut self, limit: usize) -> Result<Option<Bytes>, BrokenBody> {
        let mut chunks = Vec::new();
        let mut len = 0usize;
        while let Some(chunk) = self.next_chunk().await? {
            len += chunk.len();
            if len > limit {
                return Ok(None);
            }
            chunks.push(chunk);
        }
        Ok(Some(concat(chunks, len)))
    }

    /// Reads and discards the rest of the body.
    pub(crate) async fn drain(&mut self) -> Result<(), BrokenBody> {
        while self.next_chunk().await?.is_some() {}
        Ok(())
    }
}

/// Joins chunks into one `Bytes`: no copy for a single chunk, otherwise
/// one copy into a buffer of the exact received size.
pub(crate) fn concat(chunks: Vec<Bytes>, len: usize) -> Bytes {
    if chunks.len() == 1 {
        return chunks.into_iter().next().unwrap_or_default();
    }
    let mut buf = bytes::BytesMut::with_capacity(len);
    for chunk in chunks {
        buf.extend_from_slice(&chunk);
    }
    buf.freeze()
}

/// A response body that passes `limit` bytes of `inner` through, then
/// waits a moment (so hyper flushes them) and fails, which makes hyper
/// abort the connection mid-body. Its size hint is the whole body's, so
/// the client was promised more than it gets.
pub(crate) struct DroppingBody {
    inner: ResBody,
    remaining: u64,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// How long a dropping body waits before failing, so the bytes before the
/// cut reach the client first.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

impl DroppingBody {
    /// Wraps `inner`, cutting after `limit` bytes.
    pub(crate) fn wrap(inner: ResBody, limit: u64) -> ResBody {
        UnsyncBoxBody::new(DroppingBody {
            inner,
            remaining: limit,
            pause: None,
        })
    }
}

impl Body for DroppingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = &mut *self;
        if this.remaining == 0 {
            let pause = this
                .pause
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(FLUSH_PAUSE)));
            ready!(pause.as_mut().poll(cx));
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "fake registry: injected connection drop",
            ))));
        }
        match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    let take =
                        usize::try_from(this.remaining).map_or(data.len(), |r| r.min(data.len()));
                    this.remaining -= take as u64;
                    Poll::Ready(Some(Ok(Frame::data(data.slice(..take)))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            other => Poll::Ready(other),
        }
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
