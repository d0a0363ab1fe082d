//! Tags, resolution and the index file.

use oras_content::{ErrorKind, Resolver, TagLister, Tagger, Untagger};
use oras_spec::{Descriptor, annotation, media_type};
use oras_store_oci::{Options, Store};

use crate::common::{layer, push, push_image, read_index};

fn ref_names(root: &std::path::Path) -> Vec<Option<String>> {
    read_index(root)["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["annotations"][annotation::REF_NAME]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn tags_are_ref_names_in_index_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let first = push_image(&store, &[b"a"], None).await;
    let second = push_image(&store, &[b"b"], None).await;
    let mut annotated = first.clone();
    annotated
        .annotations
        .insert("com.example.note".into(), "hi".into());
    store.tag(&annotated, "v1").await.unwrap();
    store.tag(&first, "also v1").await.unwrap();
    // Any non-empty string is a tag, as in oras-go (no tag grammar).
    store.tag(&second, "not:a/valid@tag").await.unwrap();
    assert_eq!(
        ref_names(dir.path()),
        vec![
            Some("also v1".into()),
            Some("not:a/valid@tag".into()),
            Some("v1".into())
        ],
        "tagged entries only: each tagged manifest is listed once per tag"
    );
    let v1 = store.resolve("v1").await.unwrap();
    assert_eq!(v1, annotated, "a tag resolves to the full descriptor");
    let plain = store.resolve(&first.digest.to_string()).await.unwrap();
    assert_eq!(plain, first.plain());

    // Retag moves; the untagged manifest is listed by digest again.
    store.tag(&second, "also v1").await.unwrap();
    store.untag("v1").await.unwrap();
    assert_eq!(
        ref_names(dir.path()),
        vec![Some("also v1".into()), Some("not:a/valid@tag".into()), None]
    );

    // Reopening reads back the same tags, annotations included.
    drop(store);
    let store = Store::open(dir.path()).await.unwrap();
    assert_eq!(
        store.tags(None).await.unwrap(),
        vec!["also v1", "not:a/valid@tag"]
    );
    assert!(
        store
            .resolve("also v1")
            .await
            .unwrap()
            .same_content(&second)
    );
    assert_eq!(
        store.resolve(&first.digest.to_string()).await.unwrap(),
        first.plain()
    );
}

#[tokio::test]
async fn tag_and_untag_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let desc = push_image(&store, &[b"a"], None).await;
    let err = store.tag(&desc, "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingReference);
    let missing = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"missing");
    assert_eq!(
        store.tag(&missing, "x").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let err = store.untag(&desc.digest.to_string()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidReference, "{err}");
    assert_eq!(
        store.untag("unknown").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        store.untag("").await.unwrap_err().kind(),
        ErrorKind::MissingReference
    );
    // Blobs can be tagged too (the content exists).
    store.tag(&layer(b"a"), "layer").await.unwrap();
    assert!(
        store
            .resolve("layer")
            .await
            .unwrap()
            .same_content(&layer(b"a"))
    );
}

#[tokio::test]
async fn resolve_by_tag_digest_and_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let blob = layer(b"just a blob");
    push(&store, &blob, b"just a blob").await;
    let resolved = store.resolve(&blob.digest.to_string()).await.unwrap();
    assert_eq!(
        resolved.media_type,
        media_type::OCTET_STREAM,
        "blob not in the index is stat'ed"
    );
    assert_eq!(
        (resolved.digest, resolved.size),
        (blob.digest.clone(), blob.size)
    );
    let unknown = layer(b"never pushed");
    for reference in [
        unknown.digest.to_string(),
        "no-such-tag".into(),
        "sha256:short".into(),
    ] {
        let err = store.resolve(&reference).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{reference}");
    }
    assert_eq!(
        store.resolve("").await.unwrap_err().kind(),
        ErrorKind::MissingReference
    );
}

#[tokio::test]
async fn tags_are_sorted_paginated_and_exclude_digests() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let desc = push_image(&store, &[b"a"], None).await;
    for tag in ["b", "a", "d", "c"] {
        store.tag(&desc, tag).await.unwrap();
    }
    assert_eq!(store.tags(None).await.unwrap(), vec!["a", "b", "c", "d"]);
    assert_eq!(store.tags(Some("b")).await.unwrap(), vec!["c", "d"]);
    assert_eq!(store.tags(Some("bb")).await.unwrap(), vec!["c", "d"]);
    assert!(store.tags(Some("d")).await.unwrap().is_empty());
}

#[tokio::test]
async fn without_auto_save_the_index_waits_for_save_index() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default().auto_save_index(false);
    let store = Store::open_with(dir.path(), options).await.unwrap();
    assert!(!store.options().auto_save_index && store.options().auto_gc);
    let desc = push_image(&store, &[b"a"], None).await;
    store.tag(&desc, "v1").await.unwrap();
    assert!(ref_names(dir.path()).is_empty(), "nothing written yet");
    store.save_index().await.unwrap();
    assert_eq!(ref_names(dir.path()), vec![Some("v1".into())]);
}
