//! A pull into a directory killed outright: the child is this test binary
//! run again with `KILLED_WORKER_DIR` set ([`killed_pull_worker`] pushes a
//! 16 MiB titled blob arriving over ~0.7 s into a file store, as `oras
//! pull` does); it is killed with SIGKILL at random points. The file under its final name is
//! then either absent or complete; only recognisable temp files
//! (`.oras_file_*`) may be left behind.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use oras_content::{BlobReader, Pusher};
use oras_spec::{Descriptor, annotation, media_type};
use oras_store_file::Store;
use oras_testkit::crash::check_no_partial_files;
use tokio::io::AsyncWriteExt as _;

const DIR: &str = "KILLED_WORKER_DIR";
const SIZE: usize = 16 << 20;

fn content() -> Vec<u8> {
    (0..SIZE).map(|i| (i % 251) as u8).collect()
}

fn descriptor(data: &[u8]) -> Descriptor {
    let mut desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, data);
    desc.annotations
        .insert(annotation::TITLE.to_owned(), "big.bin".to_owned());
    desc
}

/// The child's work; a no-op in a normal test run.
#[tokio::test]
async fn killed_pull_worker() {
    let Ok(dir) = std::env::var(DIR) else {
        return;
    };
    let data = content();
    let store = Store::new(&dir).unwrap();
    // The content arrives in 64 chunks 10 ms apart, as from a registry,
    // so a kill lands while the file is being written.
    let (mut sender, receiver) = tokio::io::duplex(1 << 20);
    let desc = descriptor(&data);
    tokio::spawn(async move {
        for chunk in data.chunks(SIZE / 64) {
            sender.write_all(chunk).await.unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    store.push(&desc, BlobReader::new(receiver)).await.unwrap();
}

#[test]
fn a_pull_killed_at_random_points_leaves_no_partial_file() {
    let data = content();
    let desc = descriptor(&data);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut clock = oras_testkit::crash::KillClock::from_env();
    let expected = BTreeMap::from([(PathBuf::from("big.bin"), desc.digest.clone())]);
    for _round in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let delay = clock.between(Duration::from_millis(100), Duration::from_millis(1100));
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "killed::killed_pull_worker",
                "--test-threads=1",
                "-q",
            ])
            .env(DIR, dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        check_no_partial_files(dir.path(), &expected, |name| {
            name.starts_with(".oras_file_")
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(Instant::now() < deadline, "rounds did not finish in time");
    }
}
