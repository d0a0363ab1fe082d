//! A trait-level test suite every store runs against itself, so that the
//! memory store, the OCI layout store, the file store and the registry
//! client agree on behaviour. Enabled with the `test-suite` feature (a
//! dev-dependency of each store); each function panics on the first
//! broken rule, naming it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use oras_spec::{Descriptor, Manifest, Parsed, annotation, media_type};

use crate::{ErrorKind, GraphTarget, bytes_reader, fetch_all};

/// A blob descriptor for `data` with a title annotation, so stores that
/// keep titled content as files (the file store) name it.
pub fn titled_blob(title: &str, data: &[u8]) -> Descriptor {
    let mut desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, data);
    desc.annotations
        .insert(annotation::TITLE.to_owned(), title.to_owned());
    desc
}

/// An image manifest over `config` and `layers`, with its bytes.
pub fn manifest_of(config: &Descriptor, layers: &[Descriptor]) -> Parsed<Manifest> {
    Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.to_owned(),
        artifact_type: String::new(),
        config: config.clone(),
        layers: layers.to_vec(),
        subject: None,
        annotations: BTreeMap::new(),
    })
}

/// Runs every check on `store`, which must start empty.
pub async fn run_all<S: GraphTarget + ?Sized>(store: &S) {
    push_fetch_exists(store).await;
    refuses_bad_content(store).await;
    manifests_tags_and_predecessors(store).await;
}

/// Push, fetch and exists, and a second push of the same content.
pub async fn push_fetch_exists<S: GraphTarget + ?Sized>(store: &S) {
    let blob = titled_blob("suite-hello.txt", b"hello suite");
    assert!(!store.exists(&blob).await.unwrap(), "exists before push");
    let missing = store
        .fetch(&blob)
        .await
        .expect_err("fetch of missing content fails");
    assert_eq!(
        missing.kind(),
        ErrorKind::NotFound,
        "fetch of missing content: {missing}"
    );
    store
        .push(&blob, bytes_reader(&b"hello suite"[..]))
        .await
        .expect("push of valid content");
    assert!(store.exists(&blob).await.unwrap(), "exists after push");
    assert_eq!(
        fetch_all(store, &blob, 1 << 20).await.unwrap(),
        b"hello suite"
    );
    let again = store
        .push(&blob, bytes_reader(&b"hello suite"[..]))
        .await
        .expect_err("second push of the same content");
    assert_eq!(
        again.kind(),
        ErrorKind::AlreadyExists,
        "second push: {again}"
    );
}

/// Content that does not match its descriptor is refused and not kept.
pub async fn refuses_bad_content<S: GraphTarget + ?Sized>(store: &S) {
    let wrong = titled_blob("suite-wrong.txt", b"expected content");
    let err = store
        .push(&wrong, bytes_reader(&b"expected contenT"[..]))
        .await
        .expect_err("push with wrong digest");
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "wrong digest: {err}");
    assert!(
        !store.exists(&wrong).await.unwrap(),
        "mismatched content kept"
    );

    let short = titled_blob("suite-short.txt", b"twelve bytes");
    let err = store
        .push(&short, bytes_reader(&b"twelve"[..]))
        .await
        .expect_err("push of short content");
    assert_eq!(err.kind(), ErrorKind::SizeMismatch, "short content: {err}");
    assert!(!store.exists(&short).await.unwrap(), "short content kept");

    let long = titled_blob("suite-long.txt", b"four");
    let err = store
        .push(&long, bytes_reader(&b"fourteen bytes"[..]))
        .await
        .expect_err("push of long content");
    assert_eq!(err.kind(), ErrorKind::SizeMismatch, "long content: {err}");
    assert!(!store.exists(&long).await.unwrap(), "long content kept");
}

/// Manifests: push, predecessors of their blobs, tag, resolve, retag.
pub async fn manifests_tags_and_predecessors<S: GraphTarget + ?Sized>(store: &S) {
    let config = Descriptor::empty_json();
    let layer_a = titled_blob("suite-a.txt", b"layer a");
    let layer_b = titled_blob("suite-b.txt", b"layer b");
    let first = manifest_of(&config, std::slice::from_ref(&layer_a));
    let second = manifest_of(&config, &[layer_a.clone(), layer_b.clone()]);
    let first_desc = first.descriptor(media_type::IMAGE_MANIFEST);
    let second_desc = second.descriptor(media_type::IMAGE_MANIFEST);

    for (desc, data) in [
        (&config, &b"{}"[..]),
        (&layer_a, &b"layer a"[..]),
        (&layer_b, &b"layer b"[..]),
        (&first_desc, first.bytes()),
        (&second_desc, second.bytes()),
    ] {
        store
            .push(desc, bytes_reader(data.to_vec()))
            .await
            .unwrap_or_else(|e| panic!("push {}: {e}", desc.digest));
    }

    let mut preds = store.predecessors(&layer_a).await.unwrap();
    preds.sort_by(|a, b| a.digest.cmp(&b.digest));
    let mut want = [first_desc.clone(), second_desc.clone()];
    want.sort_by(|a, b| a.digest.cmp(&b.digest));
    let preds: Vec<_> = preds.iter().map(Descriptor::key).collect();
    let want: Vec<_> = want.iter().map(Descriptor::key).collect();
    assert_eq!(preds, want, "predecessors of a shared layer");
    let preds = store.predecessors(&layer_b).await.unwrap();
    assert_eq!(preds.len(), 1, "predecessors of layer b");
    assert!(preds[0].same_content(&second_desc));

    let missing = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"missing");
    let err = store
        .tag(&missing, "nope")
        .await
        .expect_err("tag of missing content");
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "tag of missing content: {err}"
    );

    store.tag(&first_desc, "v1").await.expect("tag v1");
    assert!(store.resolve("v1").await.unwrap().same_content(&first_desc));
    store.tag(&second_desc, "v1").await.expect("retag v1");
    assert!(
        store
            .resolve("v1")
            .await
            .unwrap()
            .same_content(&second_desc),
        "retag moves the tag"
    );
    let by_digest = store
        .resolve(&second_desc.digest.to_string())
        .await
        .unwrap();
    assert_eq!(by_digest.digest, second_desc.digest, "resolve by digest");
    let err = store
        .resolve("unknown-tag")
        .await
        .expect_err("resolve of unknown tag");
    assert_eq!(err.kind(), ErrorKind::NotFound, "resolve unknown: {err}");

    if let Some(lister) = store.as_tag_lister() {
        store.tag(&first_desc, "v0").await.unwrap();
        store.tag(&first_desc, "v2").await.unwrap();
        let tags = lister.tags(None).await.unwrap();
        assert!(
            tags.windows(2).all(|w| w[0] < w[1]),
            "tags sorted: {tags:?}"
        );
        let after = lister.tags(Some("v0")).await.unwrap();
        assert!(
            after.iter().all(|t| t.as_str() > "v0"),
            "tags after last: {after:?}"
        );
        assert!(after.contains(&"v1".to_owned()) && after.contains(&"v2".to_owned()));
    }
    if let Some(untagger) = store.as_untagger() {
        store.tag(&first_desc, "to-remove").await.unwrap();
        untagger.untag("to-remove").await.expect("untag");
        let err = store
            .resolve("to-remove")
            .await
            .expect_err("resolve after untag");
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
}
