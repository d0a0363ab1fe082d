//! Progress events, and blobs streaming through with constant memory.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Fetcher, Pusher, ReadOnlyStorage, Result, VerifyReader, memory,
};
use oras_copy::{CopyEvent, CopyGraphOptions, copy_graph};
use oras_spec::{Descriptor, Digester, media_type};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use crate::support::*;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Started(String),
    Progress(String, u64),
    Done(String),
    Exists(String),
    Skipped(String),
}

fn recorder() -> (Arc<Mutex<Vec<Seen>>>, CopyGraphOptions) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = CopyGraphOptions::default().with_progress(move |e| {
        let d = e.desc().digest.to_string();
        let entry = match e {
            CopyEvent::Started(_) => Seen::Started(d),
            CopyEvent::Progress { bytes, .. } => Seen::Progress(d, *bytes),
            CopyEvent::Done(_) => Seen::Done(d),
            CopyEvent::Exists(_) => Seen::Exists(d),
            CopyEvent::Skipped(_) => Seen::Skipped(d),
            CopyEvent::Mounted(_) | CopyEvent::Retagged(_) => return,
        };
        sink.lock().unwrap().push(entry);
    });
    (seen, opts)
}

#[tokio::test]
async fn each_node_reports_started_progress_done_then_exists_on_a_second_copy() {
    let src = memory::Store::new();
    let l = layer(&src, "some layer bytes");
    let m = manifest(&src, vec![l.clone()]);
    let dst = memory::Store::new();
    let (seen, opts) = recorder();
    copy_graph(&src, &dst, &m, &opts).await.unwrap();
    {
        let seen = seen.lock().unwrap();
        for node in [&l, &m] {
            let d = node.digest.to_string();
            let events: Vec<&Seen> = seen
                .iter()
                .filter(|s| match s {
                    Seen::Started(x) | Seen::Done(x) | Seen::Progress(x, _) => *x == d,
                    _ => false,
                })
                .collect();
            assert_eq!(events.first(), Some(&&Seen::Started(d.clone())));
            assert_eq!(events.last(), Some(&&Seen::Done(d.clone())));
            let last_bytes = events.iter().rev().find_map(|s| match s {
                Seen::Progress(_, b) => Some(*b),
                _ => None,
            });
            assert_eq!(last_bytes, Some(node.size), "bytes counted as they stream");
        }
    }
    seen.lock().unwrap().clear();
    copy_graph(&src, &dst, &m, &opts).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Seen::Exists(m.digest.to_string())]
    );
}

#[tokio::test]
async fn a_skipped_node_reports_skipped() {
    let src = memory::Store::new();
    let l = layer(&src, "x");
    let (seen, opts) = recorder();
    let opts = opts.with_pre_copy(|_| async { Ok(oras_copy::PreCopyAction::Skip) });
    copy_graph(&src, &memory::Store::new(), &l, &opts)
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Seen::Skipped(l.digest.to_string())]
    );
}

/// 64 MiB produced on demand, recording how much was produced.
struct Generated {
    left: u64,
    produced: Arc<AtomicU64>,
}

impl AsyncRead for Generated {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = (buf.remaining() as u64).min(self.left).min(64 * 1024) as usize;
        buf.put_slice(&vec![0x5a; n]);
        self.left -= n as u64;
        self.produced.fetch_add(n as u64, Ordering::SeqCst);
        Poll::Ready(Ok(()))
    }
}

const BIG: u64 = 64 * 1024 * 1024;

struct Source {
    desc: Descriptor,
    produced: Arc<AtomicU64>,
}

#[async_trait]
impl Fetcher for Source {
    async fn fetch(&self, _: &Descriptor) -> Result<BlobReader> {
        Ok(BlobReader::new(Generated {
            left: BIG,
            produced: self.produced.clone(),
        }))
    }
}
#[async_trait]
impl ReadOnlyStorage for Source {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        Ok(target.same_content(&self.desc))
    }
}
impl Capabilities for Source {}

/// Reads what is pushed in small pieces, verifying it, keeping nothing.
struct Sink {
    produced: Arc<AtomicU64>,
    produced_at_first_byte: AtomicU64,
    verified: AtomicU64,
}

#[async_trait]
impl Pusher for Sink {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        let mut reader = VerifyReader::new(content, expected);
        let mut buf = vec![0u8; 16 * 1024];
        let mut first = true;
        loop {
            let n = reader
                .read(&mut buf)
                .await
                .map_err(|e| oras_content::Error::from_io("sink", e))?;
            if first {
                self.produced_at_first_byte
                    .store(self.produced.load(Ordering::SeqCst), Ordering::SeqCst);
                first = false;
            }
            if n == 0 {
                break;
            }
        }
        self.verified.store(reader.bytes_read(), Ordering::SeqCst);
        Ok(())
    }
}
#[async_trait]
impl Fetcher for Sink {
    async fn fetch(&self, d: &Descriptor) -> Result<BlobReader> {
        Err(oras_content::Error::NotFound(d.digest.to_string()))
    }
}
#[async_trait]
impl ReadOnlyStorage for Sink {
    async fn exists(&self, _: &Descriptor) -> Result<bool> {
        Ok(false)
    }
}
impl Capabilities for Sink {}

#[tokio::test]
async fn a_large_blob_streams_from_source_to_destination() {
    let mut digester = Digester::new(oras_spec::Algorithm::Sha256);
    let chunk = vec![0x5a; 1024 * 1024];
    for _ in 0..64 {
        digester.update(&chunk);
    }
    let desc = Descriptor::new(media_type::IMAGE_LAYER, digester.finish(), BIG);
    let produced = Arc::new(AtomicU64::new(0));
    let src = Source {
        desc: desc.clone(),
        produced: produced.clone(),
    };
    let dst = Sink {
        produced: produced.clone(),
        produced_at_first_byte: AtomicU64::new(0),
        verified: AtomicU64::new(0),
    };
    let (seen, opts) = recorder();
    bounded(copy_graph(&src, &dst, &desc, &opts)).await.unwrap();
    assert_eq!(dst.verified.load(Ordering::SeqCst), BIG);
    let at_first = dst.produced_at_first_byte.load(Ordering::SeqCst);
    assert!(
        at_first <= 1024 * 1024,
        "the blob was buffered before the push: {at_first} bytes"
    );
    let progress = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| matches!(s, Seen::Progress(..)))
        .count();
    assert!(
        progress > 100,
        "progress reported per chunk, got {progress}"
    );
}
