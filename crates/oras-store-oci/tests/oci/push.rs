//! Pushing: verification, atomic placement, nothing left behind on
//! failure, read-only blobs, constant memory.

use std::time::Duration;

use oras_content::{
    ErrorKind, Fetcher, PredecessorFinder, Pusher, ReadOnlyStorage, Resolver, bytes_reader,
    fetch_all,
};
use oras_spec::{Algorithm, Descriptor, Digest, media_type};
use oras_store_oci::Store;
use tokio::io::{AsyncRead, ReadBuf};

use crate::common::{Misbehaving, Untouchable, blob_file, files_under, layer, push};

/// No blob under `blobs/` (but `want`) and nothing in `ingest/`.
fn assert_clean(root: &std::path::Path, want: &[&Descriptor]) {
    let mut expected: Vec<String> = want
        .iter()
        .map(|d| format!("blobs/{}/{}", d.digest.algorithm(), d.digest.encoded()))
        .collect();
    expected.sort();
    let blobs: Vec<String> = files_under(root)
        .into_iter()
        .filter(|f| f.starts_with("blobs/"))
        .collect();
    assert_eq!(blobs, expected, "blobs under their final names");
    assert!(
        files_under(&root.join("ingest")).is_empty(),
        "ingest/ is empty"
    );
}

#[tokio::test]
async fn pushes_read_only_blobs_and_sha512() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let blob = layer(b"hello layout");
    push(&store, &blob, b"hello layout").await;
    let data = b"sha512 content";
    let sha512 = Descriptor::new(
        media_type::IMAGE_LAYER,
        Digest::compute(Algorithm::Sha512, data),
        data.len() as u64,
    );
    push(&store, &sha512, data).await;
    assert_eq!(fetch_all(&store, &sha512, 100).await.unwrap(), data);
    assert!(blob_file(dir.path(), &sha512.digest).starts_with(dir.path().join("blobs/sha512")));
    #[cfg(unix)]
    for desc in [&blob, &sha512] {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(blob_file(dir.path(), &desc.digest)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o444);
    }
    assert_clean(dir.path(), &[&blob, &sha512]);
    // Blobs are not listed in the index; manifests are.
    assert_eq!(
        crate::common::read_index(dir.path())["manifests"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn existing_blob_is_already_exists_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let blob = layer(b"once");
    push(&store, &blob, b"once").await;
    let err = store
        .push(&blob, oras_content::BlobReader::new(Untouchable))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
}

#[tokio::test]
async fn failed_pushes_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let data = b"the expected content of this blob";
    let desc = layer(data);

    let mut wrong = data.to_vec();
    wrong[0] ^= 1;
    let err = store.push(&desc, bytes_reader(wrong)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");

    let err = store
        .push(&desc, bytes_reader(&data[..10]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeMismatch, "short: {err}");

    let mut long = data.to_vec();
    long.extend_from_slice(b"and more");
    let err = store.push(&desc, bytes_reader(long)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeMismatch, "long: {err}");

    let err = store
        .push(&desc, Misbehaving::failing(&data[..20]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "reader error: {err}");
    assert!(err.to_string().contains("connection reset midway"), "{err}");

    assert!(!store.exists(&desc).await.unwrap());
    assert_clean(dir.path(), &[]);
    // And the right content still goes in afterwards.
    push(&store, &desc, data).await;
    assert_clean(dir.path(), &[&desc]);
}

#[tokio::test]
async fn a_dropped_push_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let data = vec![7u8; 64 * 1024];
    let desc = layer(&data);
    let stalled = tokio::time::timeout(
        Duration::from_millis(300),
        store.push(&desc, Misbehaving::stalling(&data[..1000])),
    )
    .await;
    assert!(stalled.is_err(), "the push stalls until dropped");
    assert_clean(dir.path(), &[]);
    assert!(!store.exists(&desc).await.unwrap());
    // The store is still usable: the lock was released with the future.
    tokio::time::timeout(Duration::from_secs(10), push(&store, &desc, &data))
        .await
        .unwrap();
}

#[tokio::test]
async fn manifests_are_indexed_and_listed_by_digest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let desc = crate::common::push_image(&store, &[b"a"], None).await;
    let index = crate::common::read_index(dir.path());
    assert_eq!(
        index["manifests"],
        serde_json::json!([{
            "mediaType": media_type::IMAGE_MANIFEST,
            "digest": desc.digest.to_string(),
            "size": desc.size,
        }])
    );
    assert_eq!(
        store.predecessors(&layer(b"a")).await.unwrap(),
        vec![desc.clone()]
    );
    assert_eq!(store.resolve(&desc.digest.to_string()).await.unwrap(), desc);
}

#[tokio::test]
async fn invalid_or_oversized_manifests_are_refused_before_storing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let bogus = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"{not json");
    let err = store
        .push(&bogus, bytes_reader(&b"{not json"[..]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidContent, "{err}");

    let mut huge = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"x");
    huge.size = 4 * 1024 * 1024 + 1;
    let err = store
        .push(&huge, oras_content::BlobReader::new(Untouchable))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    assert_clean(dir.path(), &[]);
    assert_eq!(
        crate::common::read_index(dir.path())["manifests"],
        serde_json::json!([])
    );
}

/// A generated stream of `size` bytes, never held in memory.
struct Generated {
    remaining: u64,
    counter: u64,
}

impl Generated {
    fn new(size: u64) -> Self {
        Generated {
            remaining: size,
            counter: 0,
        }
    }

    fn digest(size: u64) -> Digest {
        let mut digester = Algorithm::Sha256.digester();
        let mut generated = Generated::new(size);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = generated.fill(&mut buf);
            if n == 0 {
                return digester.finish();
            }
            digester.update(&buf[..n]);
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> usize {
        let n = (buf.len() as u64).min(self.remaining) as usize;
        for chunk in buf[..n].chunks_mut(8) {
            self.counter = self
                .counter
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let bytes = self.counter.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        self.remaining -= n as u64;
        n
    }
}

impl AsyncRead for Generated {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let n = self.fill(buf.initialize_unfilled());
        buf.advance(n);
        std::task::Poll::Ready(Ok(()))
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Run on demand: `cargo test -p oras-store-oci --release -- --ignored one_gib`.
#[tokio::test]
#[ignore = "pushes 1 GiB; run on demand"]
async fn one_gib_push_stays_below_64_mib_peak_rss() {
    const SIZE: u64 = 1 << 30;
    let desc = Descriptor::new(media_type::IMAGE_LAYER, Generated::digest(SIZE), SIZE);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store
        .push(&desc, oras_content::BlobReader::new(Generated::new(SIZE)))
        .await
        .unwrap();
    let mut reader = oras_content::VerifyReader::new(store.fetch(&desc).await.unwrap(), &desc);
    let read = tokio::io::copy(&mut reader, &mut tokio::io::sink())
        .await
        .unwrap();
    assert_eq!(read, SIZE);
    let peak_mib = peak_rss_kib() / 1024;
    eprintln!("peak RSS after pushing and reading back 1 GiB: {peak_mib} MiB");
    assert!(peak_mib < 64, "peak RSS {peak_mib} MiB");
}

/// What a push killed mid-way leaves in `ingest/` is removed by the next
/// store opened on the layout, once it is old and no writer holds it; a
/// file another writer holds, and a young one, stay.
#[tokio::test]
async fn stale_ingest_files_are_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).await.unwrap());
    let ingest = dir.path().join("ingest");
    std::fs::create_dir_all(&ingest).unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let old = |name: &str| {
        let path = ingest.join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(an_hour_ago).unwrap();
        (path, file)
    };
    let (stale, stale_file) = old("stale");
    drop(stale_file);
    let (held, held_file) = old("held");
    rustix::fs::flock(&held_file, rustix::fs::FlockOperation::LockExclusive).unwrap();
    let young = ingest.join("young");
    std::fs::write(&young, b"partial").unwrap();

    drop(Store::open(dir.path()).await.unwrap());
    assert!(!stale.exists(), "an old file nobody holds is removed");
    assert!(held.exists(), "a file a writer holds stays");
    assert!(young.exists(), "a young file stays");
    drop(held_file);
}
