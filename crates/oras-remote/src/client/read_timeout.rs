//! The read timeout: a response body that waits longer than its limit for
//! the next piece of data fails with `io::ErrorKind::TimedOut` (so a
//! stalled download ends, and resumes where a blob fetch can).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use super::body::ResponseBody;
use super::edit::ResponseEdit;
use crate::error::BoxError;

/// Wraps each response body of the service in a [`TimedBody`].
#[derive(Clone, Debug)]
pub(crate) struct ReadTimeoutLayer(pub(crate) Duration);

impl ResponseEdit for ReadTimeoutLayer {
    fn edit(&self, response: Response<ResponseBody>) -> Response<ResponseBody> {
        let limit = self.0;
        response.map(|body| ResponseBody::new(TimedBody::new(body, limit)))
    }
}

/// A body whose every wait for data is limited.
struct TimedBody {
    inner: ResponseBody,
    limit: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl TimedBody {
    fn new(inner: ResponseBody, limit: Duration) -> Self {
        TimedBody {
            inner,
            limit,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = Instant::now() + self.limit;
                self.deadline.as_mut().reset(next);
                Poll::Ready(frame)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    let limit = self.limit;
                    Poll::Ready(Some(Err(Box::new(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no response data for {limit:?} (read timeout)"),
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
