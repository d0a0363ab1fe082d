//! Each knob does what it says, measured through a real proxy in front of
//! a tiny upstream: send an 8-byte big-endian count, get that many bytes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Cut, CutWhen, Proxy, Shape, Slow};

const DEADLINE: Duration = Duration::from_secs(20);
const MIB: u64 = 1024 * 1024;

/// An upstream that answers each 8-byte count with that many bytes, on
/// every connection, until the client closes.
async fn upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let block = vec![0x5a_u8; 64 * 1024];
                let mut count = [0_u8; 8];
                while stream.read_exact(&mut count).await.is_ok() {
                    let mut left = u64::from_be_bytes(count);
                    while left > 0 {
                        let len = left.min(block.len() as u64) as usize;
                        if stream.write_all(&block[..len]).await.is_err() {
                            return;
                        }
                        left -= len as u64;
                    }
                }
            });
        }
    });
    addr
}

/// Asks for `len` bytes on `stream`; returns how many came and how the
/// stream ended if it ended early.
async fn fetch(stream: &mut TcpStream, len: u64) -> (u64, Option<std::io::Result<()>>) {
    stream.write_all(&len.to_be_bytes()).await.unwrap();
    let mut buffer = vec![0_u8; 64 * 1024];
    let mut got = 0;
    while got < len {
        match stream.read(&mut buffer).await {
            Ok(0) => return (got, Some(Ok(()))),
            Ok(read) => got += read as u64,
            Err(error) => return (got, Some(Err(error))),
        }
    }
    (got, None)
}

async fn timed_fetch(stream: &mut TcpStream, len: u64) -> Duration {
    let started = Instant::now();
    let (got, end) = fetch(stream, len).await;
    assert_eq!((got, end.is_none()), (len, true));
    started.elapsed()
}

async fn within_deadline<F: std::future::Future<Output = ()>>(test: F) {
    tokio::time::timeout(DEADLINE, test).await.unwrap();
}

/// The quickest of five one-byte exchanges on `stream` (the first one,
/// which may include connection set-up, is not counted): a busy machine
/// can only make an exchange slower.
async fn quickest_round_trip(stream: &mut TcpStream) -> Duration {
    timed_fetch(stream, 1).await;
    let mut quickest = Duration::MAX;
    for _ in 0..5 {
        quickest = quickest.min(timed_fetch(stream, 1).await);
    }
    quickest
}

#[tokio::test]
async fn latency_adds_the_round_trip() {
    within_deadline(async {
        let upstream = upstream().await;
        let direct = {
            let mut stream = TcpStream::connect(upstream).await.unwrap();
            quickest_round_trip(&mut stream).await
        };
        let shape = Shape {
            latency: Duration::from_millis(30),
            ..Shape::default()
        };
        let proxy = Proxy::start(upstream, shape).unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        let shaped = quickest_round_trip(&mut stream).await;
        assert!(
            shaped >= Duration::from_millis(60)
                && shaped < Duration::from_millis(60) + direct + Duration::from_millis(40),
            "round trip {shaped:?} through 30 ms each way (direct {direct:?})"
        );
    })
    .await;
}

#[tokio::test]
async fn the_delay_does_not_cap_throughput() {
    within_deadline(async {
        let shape = Shape {
            latency: Duration::from_millis(50),
            ..Shape::default()
        };
        let proxy = Proxy::start(upstream().await, shape).unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        // A proxy that waited a round trip per 64 KiB chunk would need
        // 512 × 50 ms = 25 s for this.
        let elapsed = timed_fetch(&mut stream, 32 * MIB).await;
        assert!(elapsed < Duration::from_secs(3), "32 MiB took {elapsed:?}");
        let counters = proxy.counters();
        assert_eq!(
            (counters.bytes_to_client, counters.bytes_to_upstream),
            (32 * MIB, 8)
        );
    })
    .await;
}

#[tokio::test]
async fn the_rate_caps_each_connection_on_its_own() {
    within_deadline(async {
        let rate = 4 * MIB;
        let shape = Shape {
            rate_per_connection: Some(rate),
            ..Shape::default()
        };
        let proxy = Proxy::start(upstream().await, shape).unwrap();
        // Two connections at once: each gets the whole rate (no shared
        // bottleneck), so both take len / rate.
        let len = 2 * MIB;
        let one = || async {
            let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
            timed_fetch(&mut stream, len).await
        };
        let (first, second) = tokio::join!(one(), one());
        for elapsed in [first, second] {
            let measured = len as f64 / elapsed.as_secs_f64();
            assert!(
                measured > rate as f64 * 0.8 && measured < rate as f64 * 1.2,
                "{measured:.0} B/s against a cap of {rate} B/s"
            );
        }
        assert_eq!(proxy.counters().connections, 2);
    })
    .await;
}

#[tokio::test]
async fn a_cut_aborts_after_the_drawn_bytes() {
    within_deadline(async {
        let cut = Cut {
            bytes: 5_000..=90_000,
            seed: 7,
            when: CutWhen::FirstConnections(1),
        };
        let drawn = cut.draw(0).unwrap();
        let shape = Shape {
            cut_after: Some(cut),
            ..Shape::default()
        };
        let proxy = Proxy::start(upstream().await, shape).unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        let (got, end) = fetch(&mut stream, MIB).await;
        // Both directions count: the 8 request bytes, then the response.
        assert_eq!(got, drawn - 8);
        let end = end.unwrap();
        assert!(end.is_err(), "a cut ends with a reset, not {end:?}");
        // The second connection is not among the first one.
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        timed_fetch(&mut stream, MIB).await;
        assert_eq!(proxy.counters().cuts, 1);
    })
    .await;
}

#[test]
fn draws_repeat_and_stay_in_range() {
    let cut = Cut {
        bytes: 100..=199,
        seed: 42,
        when: CutWhen::Probability(0.3),
    };
    let draws: Vec<Option<u64>> = (0..2000).map(|index| cut.draw(index)).collect();
    assert_eq!(
        draws,
        (0..2000).map(|index| cut.draw(index)).collect::<Vec<_>>()
    );
    let chosen: Vec<u64> = draws.iter().flatten().copied().collect();
    assert!(
        (500..700).contains(&chosen.len()),
        "{} of 2000 chosen at 0.3",
        chosen.len()
    );
    assert!(chosen.iter().all(|bytes| (100..=199).contains(bytes)));
    assert!(chosen.iter().any(|bytes| *bytes < 120) && chosen.iter().any(|bytes| *bytes > 180));
    let exact = Cut {
        bytes: 7..=7,
        seed: 1,
        when: CutWhen::FirstConnections(2),
    };
    assert_eq!(
        [0, 1, 2].map(|index| exact.draw(index)),
        [Some(7), Some(7), None]
    );
}

/// Fetches 250 ms worth of bytes at the slow rate, ends the slow phase
/// with `end` (or lets its duration run out), then fetches 16 MiB fast.
async fn slow_then_fast(slow: Slow, end: impl FnOnce(&Proxy)) {
    let shape = Shape {
        slow: Some(slow),
        ..Shape::default()
    };
    let proxy = Proxy::start(upstream().await, shape).unwrap();
    let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
    let took = timed_fetch(&mut stream, slow.rate / 4).await;
    assert!(
        took > Duration::from_millis(200),
        "{} bytes at {} B/s took {took:?}",
        slow.rate / 4,
        slow.rate
    );
    end(&proxy);
    let fast = timed_fetch(&mut stream, 16 * MIB).await;
    assert!(
        fast < Duration::from_secs(2),
        "16 MiB after the slow phase took {fast:?}"
    );
}

#[tokio::test]
async fn slow_caps_until_told_then_lets_go() {
    let slow = Slow {
        rate: MIB,
        duration: None,
    };
    within_deadline(slow_then_fast(slow, Proxy::end_slow)).await;
}

#[tokio::test]
async fn slow_ends_after_its_duration() {
    let slow = Slow {
        rate: 256 * 1024,
        duration: Some(Duration::from_millis(200)),
    };
    within_deadline(slow_then_fast(slow, |_| {})).await;
}

#[tokio::test]
async fn dropping_the_proxy_closes_its_connections() {
    within_deadline(async {
        let proxy = Proxy::start(upstream().await, Shape::default()).unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        timed_fetch(&mut stream, 10).await;
        drop(proxy);
        let mut byte = [0_u8; 1];
        let read = stream.read(&mut byte).await;
        assert!(matches!(read, Ok(0) | Err(_)), "read after drop: {read:?}");
    })
    .await;
}
