//! The shared trait-level suite, run against the memory store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oras_content::{
    Deleter, ErrorKind, PredecessorFinder, ReadOnlyStorage, Resolver, Tagger, memory, test_suite,
};

#[tokio::test]
async fn memory_store_passes_the_suite() {
    test_suite::run_all(&memory::Store::new()).await;
}

#[tokio::test]
async fn delete_removes_content_tags_and_edges() {
    let store = memory::Store::new();
    let config = oras_spec::Descriptor::empty_json();
    let manifest = test_suite::manifest_of(&config, &[]);
    let desc = manifest.descriptor(oras_spec::media_type::IMAGE_MANIFEST);
    store
        .push_bytes(&config, bytes::Bytes::from_static(b"{}"))
        .unwrap();
    store
        .push_bytes(&desc, manifest.bytes().to_vec().into())
        .unwrap();
    store.tag(&desc, "t").await.unwrap();
    assert_eq!(store.predecessors(&config).await.unwrap().len(), 1);
    store.delete(&desc).await.unwrap();
    assert!(!store.exists(&desc).await.unwrap());
    assert_eq!(
        store.resolve("t").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(store.predecessors(&config).await.unwrap().is_empty());
    assert_eq!(
        store.delete(&desc).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn limited_and_read_only_decorators() {
    use oras_content::{Limited, Pusher, ReadOnly, bytes_reader, fetch_all};
    let limited = Limited::new(memory::Store::new(), 4);
    let big = oras_spec::Descriptor::from_bytes("a/b", b"hello");
    let err = limited
        .push(&big, bytes_reader(&b"hello"[..]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit);
    let small = oras_spec::Descriptor::from_bytes("a/b", b"hey");
    limited
        .push(&small, bytes_reader(&b"hey"[..]))
        .await
        .unwrap();
    let read_only = ReadOnly::new(limited.into_inner());
    assert_eq!(fetch_all(&read_only, &small, 10).await.unwrap(), b"hey");
    assert!(read_only.exists(&small).await.unwrap());
}
