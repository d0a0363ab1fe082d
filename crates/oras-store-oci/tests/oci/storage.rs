//! `Storage`, the blobs of a layout without an index (oras-go
//! `oci.NewStorage`).

use oras_content::{Deleter, ErrorKind, Fetcher, Pusher, ReadOnlyStorage, bytes_reader, fetch_all};
use oras_spec::Descriptor;
use oras_store_oci::Storage;

#[tokio::test]
async fn blobs_without_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs-only");
    let storage = Storage::new(&root);
    let desc = Descriptor::from_bytes("application/vnd.test", b"content");
    assert!(!storage.exists(&desc).await.unwrap());
    let err = storage.fetch(&desc).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    storage
        .push(&desc, bytes_reader(&b"content"[..]))
        .await
        .unwrap();
    assert!(storage.exists(&desc).await.unwrap());
    assert_eq!(
        fetch_all(&storage, &desc, 1024).await.unwrap(),
        &b"content"[..]
    );
    let path = root.join("blobs/sha256").join(desc.digest.encoded());
    assert_eq!(std::fs::read(&path).unwrap(), b"content");
    assert!(!root.join("index.json").exists());
    assert!(!root.join("oci-layout").exists());

    let again = storage.push(&desc, bytes_reader(&b"content"[..])).await;
    assert_eq!(again.unwrap_err().kind(), ErrorKind::AlreadyExists);

    storage.delete(&desc).await.unwrap();
    assert!(!storage.exists(&desc).await.unwrap());
    let err = storage.delete(&desc).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn wrong_content_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(dir.path());
    let desc = Descriptor::from_bytes("application/vnd.test", b"content");
    let err = storage
        .push(&desc, bytes_reader(&b"CONTENT"[..]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    assert!(!storage.exists(&desc).await.unwrap());
    let ingest = std::fs::read_dir(dir.path().join("ingest"))
        .unwrap()
        .count();
    assert_eq!(ingest, 0, "the temp file is removed");
}
