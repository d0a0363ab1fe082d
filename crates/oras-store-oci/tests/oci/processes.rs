//! Several processes on one layout, and processes killed outright.
//!
//! The children are this test binary run again with `PROCESS_WORKER_*`
//! set: [`process_worker`] then pushes artifacts (blobs, a manifest, a
//! tag each) into the layout and exits; without those variables it does
//! nothing. Afterwards the layout must be valid: `index.json` parses,
//! every blob it reaches exists and matches its digest, no file under a
//! final blob name is partial, and the store can still be used.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use oras_content::TagLister;
use oras_spec::Descriptor;
use oras_store_oci::Store;

use crate::common::{layer, manifest, push, push_once};

const DIR: &str = "PROCESS_WORKER_DIR";
const PREFIX: &str = "PROCESS_WORKER_PREFIX";
const COUNT: &str = "PROCESS_WORKER_COUNT";
const SIZE: &str = "PROCESS_WORKER_SIZE";

/// The child's work; a no-op in a normal test run.
#[tokio::test]
async fn process_worker() {
    let Ok(dir) = std::env::var(DIR) else {
        return;
    };
    let prefix = std::env::var(PREFIX).unwrap();
    let count: usize = std::env::var(COUNT).unwrap().parse().unwrap();
    let size: usize = std::env::var(SIZE).unwrap().parse().unwrap();
    let store = Store::open(&dir).await.unwrap();
    push_once(&store, &Descriptor::empty_json(), b"{}").await;
    for i in 0..count {
        let data: Vec<u8> = format!("{prefix}-{i}:")
            .into_bytes()
            .into_iter()
            .cycle()
            .take(size.max(16))
            .collect();
        let blob = layer(&data);
        push_once(&store, &blob, &data).await;
        let (desc, bytes) = manifest(&[blob], None);
        push_once(&store, &desc, &bytes).await;
        oras_content::Tagger::tag(&store, &desc, &format!("{prefix}-{i}"))
            .await
            .unwrap();
    }
}

/// Starts this binary as a worker pushing `count` artifacts tagged
/// `<prefix>-<i>` with layers of `size` bytes into `dir`.
fn spawn_worker(dir: &Path, prefix: &str, count: usize, size: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "processes::process_worker",
            "--test-threads=1",
            "-q",
        ])
        .env(DIR, dir)
        .env(PREFIX, prefix)
        .env(COUNT, count.to_string())
        .env(SIZE, size.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits for `child` at most until `deadline`; kills it past that.
fn wait_until(child: &mut Child, deadline: Instant) -> std::process::ExitStatus {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("a worker did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Panics unless the layout at `root` is valid (the test kit's crash
/// check, see the module docs) and the store opens it; returns its tags.
async fn check_layout(root: &Path) -> Vec<String> {
    oras_testkit::crash::check_layout(root).unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(root).await.expect("the layout opens");
    store.tags(None).await.unwrap()
}

/// Eight processes push different tags into one layout at once while this
/// one reads `index.json` over and over: every tag is there at the end,
/// and no read ever saw a torn file.
#[tokio::test]
async fn eight_processes_pushing_different_tags_keep_every_tag() {
    let dir = tempfile::tempdir().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut children: Vec<Child> = (0..8)
        .map(|k| spawn_worker(dir.path(), &format!("p{k}"), 5, 4096))
        .collect();
    let mut reads = 0;
    while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
        if let Ok(bytes) = std::fs::read(dir.path().join("index.json")) {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("torn index.json ({e}): {bytes:?}"));
            reads += 1;
        }
        assert!(Instant::now() < deadline, "workers did not finish in time");
        std::thread::sleep(Duration::from_millis(2));
    }
    for child in &mut children {
        assert!(wait_until(child, deadline).success(), "a worker failed");
    }
    assert!(reads > 0);
    let tags = check_layout(dir.path()).await;
    for k in 0..8 {
        for i in 0..5 {
            let tag = format!("p{k}-{i}");
            assert!(tags.contains(&tag), "tag {tag} lost; tags: {tags:?}");
        }
    }
}

/// A push killed with SIGKILL at a random point, again and again, always
/// leaves a valid layout that the next push can use.
#[tokio::test]
async fn pushes_killed_at_random_points_leave_a_valid_layout() {
    let dir = tempfile::tempdir().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut clock = oras_testkit::crash::KillClock::from_env();
    let mut kills = 0;
    for round in 0..8 {
        let delay = clock.between(Duration::from_millis(10), Duration::from_millis(410));
        let mut child = spawn_worker(dir.path(), &format!("k{round}"), 4, 2 << 20);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        check_layout(dir.path()).await;
        assert!(Instant::now() < deadline, "rounds did not finish in time");
    }
    // The layout is still usable: a push after all that succeeds.
    let mut last = spawn_worker(dir.path(), "after", 1, 1024);
    assert!(wait_until(&mut last, deadline).success());
    let tags = check_layout(dir.path()).await;
    assert!(tags.contains(&"after-0".to_owned()), "kills: {kills}");
}

/// The merge keeps other writers' tags when the store's own view is
/// written (a unit-sized check of what the processes above rely on).
#[tokio::test]
async fn a_store_opened_before_another_wrote_keeps_the_others_tags() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).await.unwrap();
    let second = Store::open(dir.path()).await.unwrap();
    push_once(&first, &Descriptor::empty_json(), b"{}").await;
    let (a, a_bytes) = manifest(&[], None);
    push(&first, &a, &a_bytes).await;
    oras_content::Tagger::tag(&first, &a, "from-first")
        .await
        .unwrap();
    let blob = layer(b"second");
    push(&second, &blob, b"second").await;
    let (b, b_bytes) = manifest(&[blob], None);
    push(&second, &b, &b_bytes).await;
    oras_content::Tagger::tag(&second, &b, "from-second")
        .await
        .unwrap();
    let tags = check_layout(dir.path()).await;
    assert!(tags.contains(&"from-first".to_owned()), "{tags:?}");
    assert!(tags.contains(&"from-second".to_owned()), "{tags:?}");
}
