//! `Repository::prestage_file`, the push pipeline for large files, against
//! the strict fake registry: a file uploads while it is hashed and the
//! push ends that upload; a blob the registry has already is not uploaded
//! twice; small files and directories are left to the ordinary push.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use oras_content::{Pusher, bytes_reader};
use oras_remote::{Registry, Repository};
use oras_spec::{Descriptor, media_type};
use oras_testkit::fake::{FakeConfig, FakeRegistry};

use crate::support::{bounded, loopback_config};

fn repo(fake: &FakeRegistry) -> Repository {
    Registry::with_config(&fake.host(), loopback_config())
        .unwrap()
        .repository("fake/app")
        .unwrap()
}

fn write_file(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test]
async fn a_file_uploads_while_hashed_and_the_push_ends_it() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake);
    let dir = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..200 * 1024).map(|i| (i % 251) as u8).collect();
    let path = write_file(&dir, "big", &content);
    let stage = bounded(app.prestage_file(&path, 1024))
        .await
        .expect("a file over the minimum is prestaged");
    let sent = stage.sent();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    assert!(bounded(stage.settle(&desc)).await, "left for the push");
    // The push is given other bytes: the prestaged upload is ended instead.
    bounded(app.push(&desc, bytes_reader(vec![0u8; content.len()])))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest).unwrap(), content);
    assert_eq!(sent.load(Ordering::Relaxed), content.len() as u64);
    // The existence check runs beside the upload: order them for the check.
    let mut methods: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    methods.sort();
    assert_eq!(methods, ["HEAD", "PATCH", "POST", "PUT"], "{methods:?}");
    // The upload is over: the caller's count is the last one.
    bounded(async {
        while Arc::strong_count(&sent) > 1 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_blob_the_registry_has_is_not_uploaded_again() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake);
    let dir = tempfile::tempdir().unwrap();
    let content = vec![3u8; 4096];
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    bounded(app.push(&desc, bytes_reader(content.clone())))
        .await
        .unwrap();
    let pushed = fake.requests().len();
    let path = write_file(&dir, "same", &content);
    let stage = bounded(app.prestage_file(&path, 1)).await.unwrap();
    assert!(!bounded(stage.settle(&desc)).await, "abandoned");
    let later: Vec<String> = fake.requests()[pushed..]
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    // The existence check, and the abandoned session (if it opened in
    // time) is deleted: no blob is written twice.
    assert!(later.iter().any(|m| m == "HEAD"), "{later:?}");
    assert!(!later.iter().any(|m| m == "PUT"), "{later:?}");
}

#[tokio::test]
async fn small_files_and_directories_are_not_prestaged() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake);
    let dir = tempfile::tempdir().unwrap();
    let small = write_file(&dir, "small", b"tiny");
    assert!(bounded(app.prestage_file(&small, 5)).await.is_none());
    assert!(bounded(app.prestage_file(dir.path(), 0)).await.is_none());
    assert!(
        bounded(app.prestage_file(dir.path().join("missing"), 0))
            .await
            .is_none()
    );
    assert!(fake.requests().is_empty());
}
