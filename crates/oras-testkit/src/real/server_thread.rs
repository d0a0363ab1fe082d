//! [`ServerThread`]: an HTTP/1.1 server on 127.0.0.1 with a thread and a
//! runtime of its own (the token server, the fault front), so a test that
//! blocks its own runtime, e.g. on a CLI subprocess, cannot starve it.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper_util::rt::TokioIo;

use super::error::{Error, Result};

/// A running server; dropping it stops accepting, ends the thread and,
/// with its runtime, every open connection.
pub(crate) struct ServerThread {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Binds a free port of 127.0.0.1 and serves every connection with a
    /// clone of `service`. `what` names the server in errors and its
    /// thread.
    pub(crate) fn start<S, B>(what: &str, service: S) -> Result<ServerThread>
    where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::io(format!("binding the {what} on 127.0.0.1"), e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io(format!("configuring the {what} socket"), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(format!("reading the {what} address"), e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io(format!("building the {what} runtime"), e))?;
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("oras-testkit-{}", what.replace(' ', "-")))
            .spawn(move || runtime.block_on(serve(listener, service, stop)))
            .map_err(|e| Error::io(format!("spawning the {what} thread"), e))?;
        Ok(ServerThread {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts until `stop`; each connection is a task of this runtime, so
/// they all end when the thread's `block_on` returns and the runtime drops.
async fn serve<S, B>(
    listener: std::net::TcpListener,
    service: S,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}
