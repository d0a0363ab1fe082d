//! The TLS alert that ended a connection, kept for the request that
//! opened it.
//!
//! In TLS 1.3 a server judges the client's certificate after the client
//! has finished its side of the handshake, so a refusal (`bad
//! certificate`, `certificate required`) arrives while hyper sends the
//! first request, and hyper reports that request as `channel closed` or a
//! bare connection error. Go's `net/http` reports the alert (`remote
//! error: tls: bad certificate`). So the connection records the alert it
//! read in the slot of the request that opened it, and the transport puts
//! the alert under that request's error, where the Go wording of rustls
//! errors finds it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::{Connected, Connection};

use crate::error::BoxError;

tokio::task_local! {
    /// The slot of the request being sent on this task.
    static REQUEST_ALERT: AlertSlot;
}

/// Where a connection records the TLS alert it received.
#[derive(Clone, Default)]
pub(crate) struct AlertSlot(Arc<Mutex<Option<rustls::Error>>>);

impl AlertSlot {
    /// The slot of the request this task is sending, if any.
    pub(crate) fn current() -> Option<AlertSlot> {
        REQUEST_ALERT.try_with(AlertSlot::clone).ok()
    }

    /// Keeps the first TLS alert among I/O errors.
    fn record(&self, err: &std::io::Error) {
        let Some(tls) = err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        else {
            return;
        };
        if matches!(tls, rustls::Error::AlertReceived(_))
            && let Ok(mut slot) = self.0.lock()
        {
            slot.get_or_insert_with(|| tls.clone());
        }
    }

    fn take(&self) -> Option<rustls::Error> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Runs `send` with a slot of its own; when it fails and a connection it
/// opened received a TLS alert, the error carries the alert.
pub(crate) async fn with_alert<T>(
    send: impl Future<Output = Result<T, BoxError>>,
) -> Result<T, BoxError> {
    let slot = AlertSlot::default();
    let result = REQUEST_ALERT.scope(slot.clone(), send).await;
    result.map_err(|request| match slot.take() {
        Some(alert) => Box::new(ConnectionAlert { alert, request }) as BoxError,
        None => request,
    })
}

/// A request that failed on a connection the server ended with a TLS
/// alert; its source is the alert.
#[derive(Debug)]
pub(crate) struct ConnectionAlert {
    alert: rustls::Error,
    request: BoxError,
}

impl fmt::Display for ConnectionAlert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.request, self.alert)
    }
}

impl std::error::Error for ConnectionAlert {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.alert)
    }
}

/// A connection that records TLS alerts in the slot of the request that
/// opened it.
pub(crate) struct AlertWatch<S> {
    inner: S,
    slot: Option<AlertSlot>,
}

impl<S> AlertWatch<S> {
    pub(crate) fn new(inner: S, slot: Option<AlertSlot>) -> Self {
        AlertWatch { inner, slot }
    }

    fn seen<T>(&self, result: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if let (Poll::Ready(Err(err)), Some(slot)) = (&result, &self.slot) {
            slot.record(err);
        }
        result
    }
}

impl<S: hyper::rt::Read + Unpin> AlertWatch<S> {
    /// A failed write: the server may have sent its alert and closed, so
    /// the write met a reset while the alert waits unread. Reads once to
    /// find it (the connection is lost anyway, so nothing read matters).
    fn seen_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if matches!(result, Poll::Ready(Err(_))) && self.slot.is_some() {
            let mut scratch = [0u8; 512];
            let mut buf = hyper::rt::ReadBuf::new(&mut scratch);
            if let Poll::Ready(Err(err)) = Pin::new(&mut self.inner).poll_read(cx, buf.unfilled())
                && let Some(slot) = &self.slot
            {
                slot.record(&err);
            }
        }
        self.seen(result)
    }
}

impl<S: Connection> Connection for AlertWatch<S> {
    fn connected(&self) -> Connected {
        self.inner.connected()
    }
}

impl<S: hyper::rt::Read + Unpin> hyper::rt::Read for AlertWatch<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        self.seen(result)
    }
}

impl<S: hyper::rt::Read + hyper::rt::Write + Unpin> hyper::rt::Write for AlertWatch<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.seen_write(cx, result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.seen_write(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_flush(cx);
        self.seen_write(cx, result)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.seen_write(cx, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_recorded_alert_becomes_the_source_of_the_request_error() {
        let result: Result<(), BoxError> = with_alert(async {
            let slot = AlertSlot::current().expect("a slot inside with_alert");
            let alert = rustls::Error::AlertReceived(rustls::AlertDescription::BadCertificate);
            slot.record(&std::io::Error::new(std::io::ErrorKind::InvalidData, alert));
            Err("channel closed".into())
        })
        .await;
        let err = result.unwrap_err();
        let source = std::error::Error::source(err.as_ref()).expect("the alert");
        assert!(source.is::<rustls::Error>(), "{source}");
        assert_eq!(
            crate::client::go_text::cause_text(err.as_ref()).as_deref(),
            Some("remote error: tls: bad certificate")
        );
    }

    #[tokio::test]
    async fn without_an_alert_the_error_is_unchanged() {
        let result: Result<(), BoxError> = with_alert(async {
            let slot = AlertSlot::current().expect("a slot inside with_alert");
            slot.record(&std::io::Error::other("reset"));
            Err("channel closed".into())
        })
        .await;
        assert_eq!(result.unwrap_err().to_string(), "channel closed");
        assert!(AlertSlot::current().is_none());
    }
}
