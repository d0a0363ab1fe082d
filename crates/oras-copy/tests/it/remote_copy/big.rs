//! The memory bound: an artifact of 20 layers of 100 MiB, copied
//! between two repositories of the real registry without mounting, keeps
//! the peak resident memory of this process (the registry runs in its own)
//! below 128 MiB, and copies its layers concurrently.
//!
//! Ignored by default (it generates, hashes and moves 4 GiB: 2 GiB pushed
//! to the source repository, 2 GiB copied). Run it with
//! `cargo test -p oras-copy --test it -- --ignored --nocapture twenty_layers`;
//! it prints the peak RSS it measured and the most layers seen in flight.
//! Only memory is asserted, never time (the bound below only stops a hung
//! run).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt, stream};
use oras_content::{BlobReader, ReadOnlyStorage, Resolver, Tagger};
use oras_copy::{CopyEvent, CopyGraphOptions, CopyOptions, copy};
use oras_remote::BlobSource;
use oras_spec::{Algorithm, Descriptor, Digester, media_type};
use oras_testkit::real::{Mode, start_for_test_async};
use tokio::io::{AsyncRead, ReadBuf};

use crate::remote_copy::support::*;

const LAYERS: u64 = 20;
const LAYER_SIZE: u64 = 100 * 1024 * 1024;
/// The peak resident memory allowed, in KiB (128 MiB).
const PEAK_RSS_LIMIT_KIB: u64 = 128 * 1024;
/// Bytes generated per read.
const PIECE: usize = 64 * 1024;
/// Stops a hung run; the test asserts memory, not speed.
const RUN_LIMIT: Duration = Duration::from_secs(45 * 60);

/// The 64-bit word at `index` of the stream seeded with `seed`
/// (SplitMix64 over the word index, so any position can be generated
/// without the ones before it).
fn word(seed: u64, index: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0xD1B5_4A32_D192_ED03)
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fills `out` with the stream's bytes from `position` on.
fn fill(seed: u64, position: u64, out: &mut [u8]) {
    let mut p = position;
    let mut filled = 0;
    while filled < out.len() {
        let bytes = word(seed, p / 8).to_le_bytes();
        let offset = (p % 8) as usize;
        let take = (8 - offset).min(out.len() - filled);
        out[filled..filled + take].copy_from_slice(&bytes[offset..offset + take]);
        filled += take;
        p += take as u64;
    }
}

/// A layer's content, generated as it is read: never held whole.
struct Generated {
    seed: u64,
    position: u64,
    size: u64,
}

impl AsyncRead for Generated {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let left = self.size - self.position;
        let n = (buf.remaining() as u64).min(left).min(PIECE as u64) as usize;
        let out = buf.initialize_unfilled_to(n);
        fill(self.seed, self.position, out);
        buf.advance(n);
        self.position += n as u64;
        Poll::Ready(Ok(()))
    }
}

/// A reopenable source of one generated layer, for `push_from`.
struct LayerSource {
    seed: u64,
}

#[async_trait]
impl BlobSource for LayerSource {
    async fn open(&self) -> oras_content::Result<BlobReader> {
        Ok(BlobReader::new(Generated {
            seed: self.seed,
            position: 0,
            size: LAYER_SIZE,
        }))
    }
}

/// The descriptor of the generated layer `seed`, hashed by streaming.
async fn describe_layer(seed: u64) -> Descriptor {
    let digest = tokio::task::spawn_blocking(move || {
        let mut digester = Digester::new(Algorithm::Sha256);
        let mut piece = vec![0u8; 1 << 20];
        let mut position = 0;
        while position < LAYER_SIZE {
            fill(seed, position, &mut piece);
            digester.update(&piece);
            position += piece.len() as u64;
        }
        digester.finish()
    })
    .await
    .unwrap();
    Descriptor::new(media_type::IMAGE_LAYER, digest, LAYER_SIZE)
}

/// This process's peak resident set size (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Layers in flight (started, not done) now and at most.
#[derive(Default)]
struct InFlight {
    now: usize,
    most: usize,
    /// Last byte count reported per layer.
    bytes: std::collections::BTreeMap<String, u64>,
}

#[test]
fn the_generated_stream_is_deterministic_and_position_independent() {
    let mut whole = vec![0u8; 100];
    fill(7, 0, &mut whole);
    let mut tail = vec![0u8; 61];
    fill(7, 39, &mut tail);
    assert_eq!(&whole[39..], &tail[..]);
    let mut other = vec![0u8; 100];
    fill(8, 0, &mut other);
    assert_ne!(whole, other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "moves 4 GiB through the real registry; run on demand (see the module docs)"]
async fn twenty_layers_of_100_mib_copy_in_bounded_memory_and_concurrently() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    let run = async {
        let src = real_repo(&registry, "big/src");
        let dst = real_repo(&registry, "big/dst");

        // The source artifact, pushed from generated streams.
        let layers: Vec<Descriptor> = stream::iter(0..LAYERS)
            .map(describe_layer)
            .buffered(2)
            .collect()
            .await;
        stream::iter(layers.iter().enumerate())
            .map(|(seed, desc)| {
                let src = &src;
                async move {
                    src.push_from(desc, &LayerSource { seed: seed as u64 })
                        .await
                }
            })
            .buffer_unordered(2)
            .try_collect::<Vec<()>>()
            .await
            .unwrap();
        let mut content = Content::default();
        let config = content
            .push(
                &src,
                "application/vnd.test.config+json",
                b"{\"big\":true}".to_vec(),
            )
            .await;
        let manifest = content
            .push_manifest(&src, &config, layers.clone(), None, ARTIFACT_TYPE)
            .await;
        src.tag(&manifest, "big").await.unwrap();
        let setup_peak = peak_rss_kib();

        // The copy, no mount, watching layers start and finish.
        let flight = Arc::new(Mutex::new(InFlight::default()));
        let sink = flight.clone();
        let mounted = Arc::new(Mutex::new(0usize));
        let mounted_sink = mounted.clone();
        let graph = CopyGraphOptions::default().with_progress(move |event| {
            if event.desc().media_type != media_type::IMAGE_LAYER {
                return;
            }
            let mut flight = sink.lock().unwrap();
            match event {
                CopyEvent::Started(_) => {
                    flight.now += 1;
                    flight.most = flight.most.max(flight.now);
                }
                CopyEvent::Done(_) => flight.now -= 1,
                CopyEvent::Progress { desc, bytes } => {
                    flight.bytes.insert(desc.digest.to_string(), *bytes);
                }
                CopyEvent::Mounted(_) => *mounted_sink.lock().unwrap() += 1,
                _ => {}
            }
        });
        let root = copy(&src, "big", &dst, "big", &CopyOptions::new(graph))
            .await
            .unwrap();
        assert_eq!(root.digest, manifest.digest);
        assert_eq!(dst.resolve("big").await.unwrap().digest, manifest.digest);
        for layer in &layers {
            assert!(dst.exists(layer).await.unwrap(), "{} copied", layer.digest);
        }

        let peak = peak_rss_kib();
        let flight = flight.lock().unwrap();
        println!(
            "peak RSS: {} MiB after pushing the source, {} MiB after the copy (limit {} MiB); \
             at most {} layers in flight",
            setup_peak / 1024,
            peak / 1024,
            PEAK_RSS_LIMIT_KIB / 1024,
            flight.most
        );
        assert_eq!(*mounted.lock().unwrap(), 0, "nothing mounted");
        assert_eq!(flight.now, 0, "every started layer finished");
        assert_eq!(flight.bytes.len(), layers.len(), "every layer moved");
        assert!(flight.bytes.values().all(|b| *b == LAYER_SIZE));
        assert!(
            flight.most >= 2,
            "layers ran concurrently (at most {} at once)",
            flight.most
        );
        assert!(
            peak < PEAK_RSS_LIMIT_KIB,
            "peak RSS {peak} KiB is not below {PEAK_RSS_LIMIT_KIB} KiB"
        );
    };
    tokio::time::timeout(RUN_LIMIT, run)
        .await
        .expect("the large copy hung");
}
