//! Many tasks on one store: shared reads and pushes, exclusive deletes,
//! serialised index writes.

use std::sync::Arc;
use std::time::Duration;

use oras_content::{
    Deleter, ErrorKind, Pusher, ReadOnlyStorage, Resolver, TagLister, Tagger, bytes_reader,
    fetch_all,
};
use oras_store_oci::Store;

use crate::common::{files_under, layer, push_image, read_index};

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_of_the_same_blob_store_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).await.unwrap());
    let data: Vec<u8> = (0..256 * 1024).map(|i| (i % 13) as u8).collect();
    let desc = layer(&data);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, desc, data) = (Arc::clone(&store), desc.clone(), data.clone());
            tokio::spawn(async move { store.push(&desc, bytes_reader(data)).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match tokio::time::timeout(LIMIT, task).await.unwrap().unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one push stores the blob");
    assert_eq!(fetch_all(&*store, &desc, 1 << 20).await.unwrap(), data);
    assert!(files_under(&dir.path().join("ingest")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_and_tags_all_land_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).await.unwrap());
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let name = format!("layer {i}");
                let desc = push_image(&*store, &[name.as_bytes()], None).await;
                store.tag(&desc, &format!("t{i:02}")).await.unwrap();
                store.tag(&desc, "contested").await.unwrap();
                desc
            })
        })
        .collect();
    let mut pushed = Vec::new();
    for task in tasks {
        pushed.push(tokio::time::timeout(LIMIT, task).await.unwrap().unwrap());
    }
    let tags = store.tags(None).await.unwrap();
    assert_eq!(tags.len(), 25, "{tags:?}");
    let contested = store.resolve("contested").await.unwrap();
    assert!(pushed.iter().any(|d| d.same_content(&contested)));
    // index.json holds the final state: every tag, each once.
    let index = read_index(dir.path());
    let mut names: Vec<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["annotations"]["org.opencontainers.image.ref.name"].as_str())
        .map(str::to_owned)
        .collect();
    names.sort();
    assert_eq!(names, tags);
    let reopened = Store::open(dir.path()).await.unwrap();
    assert_eq!(reopened.tags(None).await.unwrap(), tags);
    assert!(
        reopened
            .resolve("contested")
            .await
            .unwrap()
            .same_content(&contested)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deletes_run_alone_among_reads_and_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).await.unwrap());
    let mut images = Vec::new();
    for i in 0..8 {
        images.push(push_image(&*store, &[format!("img {i}").as_bytes()], None).await);
    }
    let mut tasks = Vec::new();
    for (i, image) in images.iter().enumerate() {
        let (store, image) = (Arc::clone(&store), image.clone());
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                store.delete(&image).await.unwrap();
            } else {
                store.tag(&image, &format!("keep{i}")).await.unwrap();
                assert!(store.exists(&image).await.unwrap());
                let extra = layer(format!("extra {i}").as_bytes());
                store
                    .push(&extra, bytes_reader(format!("extra {i}").into_bytes()))
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    }
    for (i, image) in images.iter().enumerate() {
        assert_eq!(store.exists(image).await.unwrap(), i % 2 == 1, "image {i}");
    }
    assert_eq!(
        store.tags(None).await.unwrap(),
        vec!["keep1", "keep3", "keep5", "keep7"]
    );
}
