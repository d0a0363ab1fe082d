//! tag, tag_n, tag_bytes(_n), push_bytes, fetch, fetch_bytes.

use bytes::Bytes;
use oras_content::{ErrorKind, Resolver, Tagger, memory};
use oras_copy::{
    Error, FetchBytesOptions, ResolveOptions, TagBytesNOptions, TagNOptions, fetch, fetch_bytes,
    push_bytes, tag, tag_bytes, tag_bytes_n, tag_n,
};
use oras_spec::media_type;

use crate::support::*;

#[tokio::test]
async fn tag_resolves_then_tags_or_puts_by_reference() {
    let store = Fake::plain();
    let m = manifest(&store.store, vec![]);
    store.store.tag(&m, "v1").await.unwrap();
    assert_eq!(tag(&store, "v1", "v2").await.unwrap().digest, m.digest);
    assert_eq!(store.resolve("v2").await.unwrap().digest, m.digest);
    assert_eq!(store.calls().tag.len(), 1);

    let registry = Fake::registry();
    let m = manifest(&registry.store, vec![]);
    registry.store.tag(&m, "v1").await.unwrap();
    tag(&registry, "v1", "v2").await.unwrap();
    let calls = registry.calls();
    assert_eq!(calls.fetch_reference, vec!["v1".to_owned()]);
    assert_eq!(calls.push_reference.len(), 1);
    assert_eq!(calls.push_reference[0].1, "v2");
    assert!(calls.tag.is_empty());
}

#[tokio::test]
async fn tag_n_sets_every_tag_and_needs_at_least_one() {
    let store = Fake::new(Behaviour::default());
    let m = manifest(&store.store, vec![]);
    store.store.tag(&m, "v1").await.unwrap();
    let err = tag_n(&store, "v1", &[] as &[&str], &TagNOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingReference);
    let tags: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
    tag_n(&store, "v1", &tags, &TagNOptions::default())
        .await
        .unwrap();
    for t in &tags {
        assert_eq!(store.resolve(t).await.unwrap().digest, m.digest);
    }
    assert_eq!(
        store.calls().resolve.iter().filter(|r| *r == "v1").count(),
        1
    );

    let registry = Fake::registry();
    let m = manifest(&registry.store, vec![]);
    registry.store.tag(&m, "v1").await.unwrap();
    tag_n(&registry, "v1", &["a", "b", "c"], &TagNOptions::default())
        .await
        .unwrap();
    let calls = registry.calls();
    assert_eq!(calls.fetch_reference.len(), 1, "manifest fetched once");
    let mut refs: Vec<&str> = calls
        .push_reference
        .iter()
        .map(|(_, r)| r.as_str())
        .collect();
    refs.sort();
    assert_eq!(refs, ["a", "b", "c"]);
}

#[tokio::test]
async fn tag_n_on_a_registry_refuses_manifests_over_the_limit() {
    let registry = Fake::registry();
    let m = manifest(&registry.store, vec![layer(&registry.store, "l")]);
    registry.store.tag(&m, "v1").await.unwrap();
    let opts = TagNOptions {
        concurrency: 0,
        max_metadata_bytes: 10,
    };
    let err = tag_n(&registry, "v1", &["a", "b"], &opts)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::SizeExceedsLimit { limit: 10, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("MaxMetadataBytes"), "{err}");
}

#[tokio::test]
async fn tag_failures_name_the_reference() {
    let store = memory::Store::new();
    let m = manifest(&store, vec![]);
    store.tag(&m, "v1").await.unwrap();
    let err = tag_n(&store, "v1", &["ok", ""], &TagNOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("failed to tag v1 as : "),
        "{err}"
    );
}

#[tokio::test]
async fn tag_bytes_and_push_bytes() {
    let store = Fake::plain();
    let content = Bytes::from_static(br#"{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#);
    let desc = tag_bytes(&store, media_type::IMAGE_MANIFEST, content.clone(), "v1")
        .await
        .unwrap();
    assert_eq!(store.resolve("v1").await.unwrap().digest, desc.digest);
    // Pushing again under more tags tolerates the existing content.
    tag_bytes_n(
        &store,
        media_type::IMAGE_MANIFEST,
        content.clone(),
        &["a", "b"],
        &TagBytesNOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(store.resolve("b").await.unwrap().digest, desc.digest);

    // No references: a plain push, which refuses existing content as the store does.
    let blob = tag_bytes_n(
        &store,
        "",
        Bytes::from_static(b"blob"),
        &[] as &[&str],
        &TagBytesNOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(blob.media_type, media_type::OCTET_STREAM);
    let err = push_bytes(&store, "", Bytes::from_static(b"blob"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);

    let registry = Fake::registry();
    tag_bytes_n(
        &registry,
        media_type::IMAGE_MANIFEST,
        content,
        &["x", "y"],
        &TagBytesNOptions::default(),
    )
    .await
    .unwrap();
    let calls = registry.calls();
    assert_eq!(calls.push_reference.len(), 2);
    assert!(calls.push.is_empty());
}

#[tokio::test]
async fn fetch_and_fetch_bytes_with_the_size_cap() {
    let registry = Fake::registry();
    let small = layer(&registry.store, "small");
    registry.store.tag(&small, "small").await.unwrap();
    let big_data = vec![7u8; 5 * 1024 * 1024];
    let big = put(&registry.store, media_type::IMAGE_LAYER, &big_data);
    registry.store.tag(&big, "big").await.unwrap();

    let (desc, _) = fetch(&registry, "small", &ResolveOptions::default())
        .await
        .unwrap();
    assert_eq!(desc.digest, small.digest);
    assert_eq!(registry.calls().fetch_reference, vec!["small".to_owned()]);

    let (_, content) = fetch_bytes(&registry, "small", &FetchBytesOptions::default())
        .await
        .unwrap();
    assert_eq!(&content[..], b"small");
    let err = fetch_bytes(&registry, "big", &FetchBytesOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::SizeExceedsLimit { limit, .. } if limit == 4 * 1024 * 1024),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit);
    let opts = FetchBytesOptions {
        max_bytes: 6 * 1024 * 1024,
        ..FetchBytesOptions::default()
    };
    let (_, content) = bounded(fetch_bytes(&registry, "big", &opts)).await.unwrap();
    assert_eq!(content.len(), big_data.len());

    let plain = memory::Store::new();
    let l = layer(&plain, "plain");
    plain.tag(&l, "p").await.unwrap();
    let (_, content) = fetch_bytes(&plain, "p", &FetchBytesOptions::default())
        .await
        .unwrap();
    assert_eq!(&content[..], b"plain");
}
