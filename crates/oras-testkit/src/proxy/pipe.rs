//! The two directions of one proxied connection: each a reader that paces
//! bytes into a delay line and a writer that delivers them when due.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::Shared;

/// The most a reader takes from a socket at once.
const MAX_CHUNK: usize = 64 * 1024;

/// How far behind its schedule a paced direction may fall (timer
/// granularity, a busy machine descheduling the proxy) and still catch
/// up, as a token bucket's burst; beyond it the connection was idle and
/// starts afresh rather than bursting.
const PACING_SLACK: Duration = Duration::from_millis(100);

/// Which way bytes flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Direction {
    /// From the client to the upstream (requests, uploads).
    ToUpstream,
    /// From the upstream to the client (responses, downloads).
    ToClient,
}

/// How a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ConnectionEnd {
    /// Both directions ended, or one side failed.
    Closed,
    /// The connection's cut came: the caller aborts both sides.
    Cut,
}

/// Why a direction stopped early.
enum Stop {
    Cut,
    Failed,
}

/// Bytes read at one moment, due at the other side later.
struct Chunk {
    due: Instant,
    bytes: Bytes,
}

/// Carries both directions between `client` and `upstream` until both
/// ended, one side failed, or `budget` (bytes left before the cut, both
/// directions together) ran out.
pub(super) async fn carry(
    client: &mut TcpStream,
    upstream: &mut TcpStream,
    shared: &Shared,
    budget: Option<&AtomicU64>,
) -> ConnectionEnd {
    if budget.is_some_and(|left| left.load(Ordering::Relaxed) == 0) {
        return ConnectionEnd::Cut;
    }
    let (client_read, client_write) = client.split();
    let (upstream_read, upstream_write) = upstream.split();
    let carried = tokio::try_join!(
        direction(
            client_read,
            upstream_write,
            Direction::ToUpstream,
            shared,
            budget
        ),
        direction(
            upstream_read,
            client_write,
            Direction::ToClient,
            shared,
            budget
        ),
    );
    match carried {
        Err(Stop::Cut) => ConnectionEnd::Cut,
        Ok(_) | Err(Stop::Failed) => ConnectionEnd::Closed,
    }
}

async fn direction(
    read: ReadHalf<'_>,
    write: WriteHalf<'_>,
    direction: Direction,
    shared: &Shared,
    budget: Option<&AtomicU64>,
) -> Result<(), Stop> {
    let window_bytes = shared.window();
    let window = Semaphore::new(usize::try_from(window_bytes).unwrap_or(usize::MAX >> 3));
    let (line_in, line_out) = unbounded_channel();
    tokio::try_join!(
        read_side(read, line_in, &window, window_bytes, shared),
        write_side(write, line_out, &window, direction, shared, budget),
    )?;
    Ok(())
}

/// Reads what comes, holds it to the rate cap, takes room in the window
/// and puts it in the delay line stamped with when it is due.
async fn read_side(
    mut read: ReadHalf<'_>,
    line: UnboundedSender<Chunk>,
    window: &Semaphore,
    window_bytes: u64,
    shared: &Shared,
) -> Result<(), Stop> {
    let mut pacer = Pacer::default();
    loop {
        let rate = shared.rate_now();
        let mut buffer = BytesMut::with_capacity(chunk_len(rate, window_bytes));
        let read_len = read.read_buf(&mut buffer).await.map_err(|_| Stop::Failed)?;
        if read_len == 0 {
            return Ok(());
        }
        let room = u32::try_from(read_len).map_err(|_| Stop::Failed)?;
        window
            .acquire_many(room)
            .await
            .map_err(|_| Stop::Failed)?
            .forget();
        pacer.pace(read_len, rate).await;
        let chunk = Chunk {
            due: Instant::now() + shared.shape.latency,
            bytes: buffer.freeze(),
        };
        if line.send(chunk).is_err() {
            return Err(Stop::Failed);
        }
    }
}

/// Delivers each chunk when it is due, counts it against the cut, and
/// passes the end of the stream on (FIN) once the line is empty.
async fn write_side(
    mut write: WriteHalf<'_>,
    mut line: UnboundedReceiver<Chunk>,
    window: &Semaphore,
    direction: Direction,
    shared: &Shared,
    budget: Option<&AtomicU64>,
) -> Result<(), Stop> {
    while let Some(chunk) = line.recv().await {
        tokio::time::sleep_until(chunk.due.into()).await;
        let (deliver, cut) = take_from_budget(budget, chunk.bytes.len());
        // Counted before the write, so a peer that has read the bytes
        // finds them counted.
        shared.delivered(direction, deliver as u64);
        write
            .write_all(&chunk.bytes[..deliver])
            .await
            .map_err(|_| Stop::Failed)?;
        if cut {
            return Err(Stop::Cut);
        }
        window.add_permits(chunk.bytes.len());
    }
    let _ = write.shutdown().await;
    Ok(())
}

/// How many of `len` bytes may pass before the cut, and whether the cut
/// comes with them.
fn take_from_budget(budget: Option<&AtomicU64>, len: usize) -> (usize, bool) {
    let Some(left) = budget else {
        return (len, false);
    };
    let len = len as u64;
    let before = left
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            Some(left.saturating_sub(len))
        })
        .unwrap_or(0);
    let deliver = before.min(len);
    (usize::try_from(deliver).unwrap_or(0), before <= len)
}

/// The most to read at once: small enough that pacing at `rate` stays
/// smooth (10 ms of it) and that a chunk always fits the window.
fn chunk_len(rate: Option<u64>, window: u64) -> usize {
    let mut len = MAX_CHUNK as u64;
    if let Some(rate) = rate {
        len = len.min((rate / 100).max(1024));
    }
    usize::try_from(len.min(window)).unwrap_or(MAX_CHUNK)
}

/// Spaces chunks so that a direction averages at most the rate.
#[derive(Default)]
struct Pacer {
    /// When the next chunk may go.
    next: Option<Instant>,
}

impl Pacer {
    async fn pace(&mut self, len: usize, rate: Option<u64>) {
        let Some(rate) = rate.filter(|rate| *rate > 0) else {
            self.next = None;
            return;
        };
        let now = Instant::now();
        let start = match self.next {
            Some(next) if next + PACING_SLACK > now => next,
            _ => now,
        };
        if start > now {
            tokio::time::sleep_until(start.into()).await;
        }
        self.next = Some(start + Duration::from_secs_f64(len as f64 / rate as f64));
    }
}
