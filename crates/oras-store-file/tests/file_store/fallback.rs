//! A file store with a fallback storage of the caller's (oras-go
//! `file.NewWithFallbackStorage`): untitled content goes there, titled
//! content to files, and the fallback limit does not apply.

use std::collections::BTreeMap;
use std::sync::Arc;

use oras_content::{Fetcher, Pusher, ReadOnlyStorage, bytes_reader, fetch_all, memory};
use oras_spec::{Descriptor, annotation, media_type};
use oras_store_file::{Options, Store};

#[tokio::test]
async fn untitled_content_goes_to_the_given_storage() {
    let dir = tempfile::tempdir().unwrap();
    let given = Arc::new(memory::Store::new());
    let options = Options {
        fallback_limit: 4,
        ..Options::default()
    };
    let store = Store::with_fallback_storage(dir.path(), options.clone(), given.clone()).unwrap();

    let mut titled = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"file content");
    titled.annotations = BTreeMap::from([(annotation::TITLE.to_owned(), "a.txt".to_owned())]);
    store
        .push(&titled, bytes_reader(&b"file content"[..]))
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("a.txt")).unwrap(),
        b"file content"
    );
    assert!(!given.exists(&titled).await.unwrap());

    // Larger than the fallback limit: the limit is the memory store's.
    let config = Descriptor::from_bytes(media_type::IMAGE_CONFIG, b"{\"config\":true}");
    store
        .push(&config, bytes_reader(&b"{\"config\":true}"[..]))
        .await
        .unwrap();
    assert!(given.exists(&config).await.unwrap());
    assert!(store.exists(&config).await.unwrap());
    assert_eq!(
        fetch_all(&store, &config, 1024).await.unwrap(),
        &b"{\"config\":true}"[..]
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only a.txt"
    );

    // The memory fallback of a plain store refuses it.
    let plain = Store::with_options(tempfile::tempdir().unwrap().path(), options).unwrap();
    let err = plain
        .push(&config, bytes_reader(&b"{\"config\":true}"[..]))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        oras_content::ErrorKind::SizeExceedsLimit,
        "{err}"
    );
    let fetched = store.fetch(&titled).await;
    assert!(fetched.is_ok());
}
