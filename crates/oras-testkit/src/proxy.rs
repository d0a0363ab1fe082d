//! A shaping and fault-injecting TCP proxy on 127.0.0.1, put between a
//! client and a registry to emulate a wide-area path (the kernel of a test
//! machine may have no `netem`) or to break connections on purpose.
//!
//! What it models, per proxied connection and per direction:
//!
//! - **propagation delay** ([`Shape::latency`]): a delay line. Bytes read
//!   from one side at time *t* are written to the other side at
//!   *t* + `latency`, so a request/response exchange costs
//!   2 × `latency` more (the round-trip time). The delay does not by
//!   itself limit throughput: the line keeps reading while earlier bytes
//!   wait, up to [`Shape::window`] bytes in flight (a stand-in for the
//!   TCP window: a direction carries at most `window / latency` bytes/s);
//! - **a per-connection bandwidth cap** ([`Shape::rate_per_connection`]):
//!   bytes enter the delay line paced at that rate (a bottleneck link
//!   serialising one connection), as a CDN or a long path's congestion
//!   window caps each TCP connection;
//! - **faults**: [`Shape::cut_after`] aborts a connection (both sides,
//!   with a TCP RST) once a drawn number of bytes has passed, and
//!   [`Shape::slow`] caps every connection at a low rate for a while.
//!
//! What it does not model: packet loss, reordering and retransmission (the
//! two loopback legs are lossless), TCP slow start on the emulated path
//! (each leg's congestion window opens at loopback speed), and a bottleneck
//! shared between connections (every connection gets its own full
//! `rate_per_connection`; N connections move N times as much). Connection
//! set-up costs one extra `latency` per direction as the proxy only opens
//! the upstream connection once the client connected, and the first
//! request bytes then pay their own delay: a new connection costs about
//! one round trip before its first response, as TCP's handshake does.
//!
//! The proxy runs on a tokio runtime of its own (two worker threads), so
//! sync tests, async tests and the benchmark binary can all use it.
//! Dropping the [`Proxy`] stops it and closes every connection.
//!
//! ```
//! use std::time::Duration;
//! use oras_testkit::proxy::{Proxy, Shape};
//!
//! let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let shape = Shape {
//!     latency: Duration::from_millis(40),           // 80 ms round trip
//!     rate_per_connection: Some(50 * 1024 * 1024), // 50 MiB/s each
//!     ..Shape::default()
//! };
//! let proxy = Proxy::start(upstream.local_addr().unwrap(), shape).unwrap();
//! assert!(proxy.addr().ip().is_loopback());
//! ```

mod cut;
mod pipe;
#[cfg(test)]
mod tests;

use std::io;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

use self::pipe::{ConnectionEnd, Direction};

/// The bytes a connection may hold in its delay line per direction when
/// [`Shape::window`] is not set: 32 MiB, above the bandwidth-delay product
/// of the benchmark's profiles (50 MiB/s × 80 ms = 4 MiB), so it bounds
/// the proxy's memory without limiting them.
pub const DEFAULT_WINDOW: u64 = 32 * 1024 * 1024;

/// How the proxy shapes and breaks connections. Every knob is optional;
/// `Shape::default()` forwards bytes as they come.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    /// One-way delay added to each direction (the round trip grows by
    /// twice this).
    pub latency: Duration,
    /// Bytes per second each connection may carry in each direction.
    pub rate_per_connection: Option<u64>,
    /// Bytes a connection may have in its delay line per direction
    /// ([`DEFAULT_WINDOW`] when `None`).
    pub window: Option<u64>,
    /// Abort connections after a drawn number of bytes.
    pub cut_after: Option<Cut>,
    /// Cap every connection at a low rate for a while.
    pub slow: Option<Slow>,
}

/// Aborts chosen connections after a number of bytes (both directions
/// counted together, as delivered) drawn from `bytes` for each of them.
///
/// Draws are deterministic: connection *i* (in accept order, from 0) gets
/// the same decision and byte count for the same seed on every run.
#[derive(Clone, Debug)]
pub struct Cut {
    /// The range the byte count is drawn from (uniformly).
    pub bytes: RangeInclusive<u64>,
    /// Seed of the draws.
    pub seed: u64,
    /// Which connections are cut.
    pub when: CutWhen,
}

/// Which connections a [`Cut`] applies to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CutWhen {
    /// The first N connections the proxy accepts.
    FirstConnections(u64),
    /// Each connection with this probability (0.0 to 1.0).
    Probability(f64),
}

/// Caps every connection (each direction) at `rate` bytes/s from the
/// proxy's start for `duration` (until [`Proxy::end_slow`] when `None`),
/// then lets them run at their normal shape.
#[derive(Clone, Copy, Debug)]
pub struct Slow {
    /// The cap, in bytes per second.
    pub rate: u64,
    /// How long the cap holds after the proxy started.
    pub duration: Option<Duration>,
}

/// What the proxy has carried so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Connections accepted from clients.
    pub connections: u64,
    /// Bytes delivered from clients to the upstream.
    pub bytes_to_upstream: u64,
    /// Bytes delivered from the upstream to clients.
    pub bytes_to_client: u64,
    /// Connections aborted by [`Shape::cut_after`].
    pub cuts: u64,
}

/// A running proxy. Dropping it stops it and closes its connections.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: Option<Runtime>,
}

impl Proxy {
    /// Starts a proxy on a free port of 127.0.0.1 that forwards every
    /// connection to `upstream`, shaped by `shape`.
    pub fn start(upstream: SocketAddr, shape: Shape) -> io::Result<Proxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("oras-testkit-proxy")
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared::new(upstream, shape));
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(listener)?
        };
        runtime.spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Proxy {
            addr,
            shared,
            runtime: Some(runtime),
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the proxy has carried so far.
    pub fn counters(&self) -> Counters {
        let counters = &self.shared.counters;
        Counters {
            connections: counters.connections.load(Ordering::Relaxed),
            bytes_to_upstream: counters.bytes_to_upstream.load(Ordering::Relaxed),
            bytes_to_client: counters.bytes_to_client.load(Ordering::Relaxed),
            cuts: counters.cuts.load(Ordering::Relaxed),
        }
    }

    /// Ends [`Shape::slow`] now (for every connection, open or new).
    pub fn end_slow(&self) {
        self.shared.slow_ended.store(true, Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Inside an async context a blocking shutdown would panic; the
            // background one drops every task (and so every socket) on the
            // runtime's own threads.
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(Duration::from_secs(5));
            }
        }
    }
}

/// The pause after a failed accept.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// State shared by the accept loop and every connection.
#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    shape: Shape,
    started: Instant,
    slow_ended: AtomicBool,
    counters: AtomicCounters,
}

#[derive(Debug, Default)]
struct AtomicCounters {
    connections: AtomicU64,
    bytes_to_upstream: AtomicU64,
    bytes_to_client: AtomicU64,
    cuts: AtomicU64,
}

impl Shared {
    fn new(upstream: SocketAddr, shape: Shape) -> Shared {
        Shared {
            upstream,
            shape,
            started: Instant::now(),
            slow_ended: AtomicBool::new(false),
            counters: AtomicCounters::default(),
        }
    }

    /// The rate cap in force now, if any: the tighter of the connection
    /// cap and a slow start still running.
    fn rate_now(&self) -> Option<u64> {
        let slow = self.shape.slow.and_then(|slow| {
            let running = !self.slow_ended.load(Ordering::Relaxed)
                && slow
                    .duration
                    .is_none_or(|duration| self.started.elapsed() < duration);
            running.then_some(slow.rate)
        });
        match (self.shape.rate_per_connection, slow) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn window(&self) -> u64 {
        self.shape.window.unwrap_or(DEFAULT_WINDOW).max(1)
    }

    fn delivered(&self, direction: Direction, bytes: u64) {
        let counter = match direction {
            Direction::ToUpstream => &self.counters.bytes_to_upstream,
            Direction::ToClient => &self.counters.bytes_to_client,
        };
        counter.fetch_add(bytes, Ordering::Relaxed);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            // Out of descriptors or a connection reset before accept: back
            // off a little rather than spin on the error.
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            continue;
        };
        let index = shared.counters.connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(serve(client, index, Arc::clone(&shared)));
    }
}

/// Carries one client connection to a new upstream connection until both
/// directions ended, or aborts both when the connection's cut comes.
async fn serve(mut client: TcpStream, index: u64, shared: Arc<Shared>) {
    let Ok(mut upstream) = TcpStream::connect(shared.upstream).await else {
        return;
    };
    for stream in [&client, &upstream] {
        // Small writes (headers) must not wait for Nagle: the emulated
        // path's delay is the proxy's to add.
        let _ = stream.set_nodelay(true);
    }
    let cut_at = shared
        .shape
        .cut_after
        .as_ref()
        .and_then(|cut| cut.draw(index));
    let budget = cut_at.map(AtomicU64::new);
    let end = pipe::carry(&mut client, &mut upstream, &shared, budget.as_ref()).await;
    if end == ConnectionEnd::Cut {
        shared.counters.cuts.fetch_add(1, Ordering::Relaxed);
        // RST rather than FIN: the peer sees a broken connection, not an
        // orderly end of the stream.
        for stream in [&client, &upstream] {
            let _ = stream.set_zero_linger();
        }
    }
}
