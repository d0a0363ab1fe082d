//! Blob size never bounds memory: a 1 GiB file is added and stored with a
//! small peak RSS. Ignored by default (it writes 1 GiB to disk); run with
//! `cargo test -p oras-store-file --test file_store -- --ignored one_gib`.

use oras_content::{Fetcher, Pusher};
use oras_store_file::Store;

/// Peak resident set size of this process, in bytes (`VmHWM`).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
#[ignore = "writes 1 GiB; run on demand"]
async fn one_gib_file_is_added_and_stored_in_bounded_memory() {
    const SIZE: u64 = 1 << 30;
    let source_dir = tempfile::tempdir().unwrap();
    // A sparse file: reads as zeros, takes no disk.
    std::fs::File::create(source_dir.path().join("big.bin"))
        .unwrap()
        .set_len(SIZE)
        .unwrap();
    let source = Store::new(source_dir.path()).unwrap();
    let desc = source.add("big.bin", "", "").await.unwrap();
    assert_eq!(desc.size, SIZE);

    let output_dir = tempfile::tempdir().unwrap();
    let output = Store::new(output_dir.path()).unwrap();
    output
        .push(&desc, source.fetch(&desc).await.unwrap())
        .await
        .unwrap();
    let written = std::fs::metadata(output_dir.path().join("big.bin")).unwrap();
    assert_eq!(written.len(), SIZE);

    let peak = peak_rss();
    eprintln!("peak RSS: {} MiB", peak / (1024 * 1024));
    assert!(
        peak < 64 * 1024 * 1024,
        "peak RSS {} MiB is not below 64 MiB",
        peak / (1024 * 1024)
    );
}
