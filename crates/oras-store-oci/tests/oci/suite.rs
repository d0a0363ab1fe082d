//! The shared trait-level suite of `oras-content`, on both stores.

use oras_content::{
    Capabilities, Fetcher, PredecessorFinder, ReadOnlyStorage, Resolver, TagLister, fetch_all,
    test_suite,
};
use oras_spec::Descriptor;
use oras_store_oci::{ReadOnlyStore, Store};

use crate::common::manifest;

#[tokio::test]
async fn store_passes_the_shared_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    test_suite::run_all(&store).await;
    // And again after reopening: the same answers from disk alone.
    drop(store);
    let reopened = Store::open(dir.path()).await.unwrap();
    assert_eq!(
        reopened.tags(None).await.unwrap(),
        vec!["v0".to_owned(), "v1".to_owned(), "v2".to_owned()]
    );
}

/// A layout written by the suite, read back read-only (from the directory
/// and from a tar of it) gives the same answers as the writing store.
#[tokio::test]
async fn read_only_store_reads_a_layout_written_by_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    test_suite::run_all(&store).await;

    let tar_path = dir.path().with_extension("tar");
    crate::read_only::tar_layout(dir.path(), &tar_path, "./");
    for layout in [
        ReadOnlyStore::from_dir(dir.path()).await.unwrap(),
        ReadOnlyStore::from_tar(&tar_path).await.unwrap(),
    ] {
        same_reads(&store, &layout).await;
    }
    std::fs::remove_file(tar_path).unwrap();
}

async fn same_reads(store: &Store, layout: &ReadOnlyStore) {
    let tags = store.tags(None).await.unwrap();
    assert_eq!(layout.tags(None).await.unwrap(), tags);
    assert_eq!(
        layout.tags(Some("v0")).await.unwrap(),
        store.tags(Some("v0")).await.unwrap()
    );
    for tag in &tags {
        let desc = store.resolve(tag).await.unwrap();
        // Read from index.json, a tag's descriptor also carries its
        // `ref.name` annotation (as in oras-go); otherwise it is the same.
        let mut resolved = layout.resolve(tag).await.unwrap();
        let ref_name = resolved.annotations.remove(oras_spec::annotation::REF_NAME);
        assert_eq!(ref_name.as_deref(), Some(tag.as_str()));
        assert_eq!(resolved, desc, "resolve {tag}");
        let by_digest = layout.resolve(&desc.digest.to_string()).await.unwrap();
        assert_eq!(by_digest, desc.plain());
        let bytes = fetch_all(layout, &desc, 1 << 20).await.unwrap();
        assert_eq!(bytes, fetch_all(store, &desc, 1 << 20).await.unwrap());
        let layers = oras_content::successors_from_bytes(&desc, &bytes).unwrap();
        for layer in layers {
            assert!(layout.exists(&layer).await.unwrap());
            let mut want = store.predecessors(&layer).await.unwrap();
            let mut got = layout.predecessors(&layer).await.unwrap();
            want.sort_by(|a, b| a.digest.cmp(&b.digest));
            got.sort_by(|a, b| a.digest.cmp(&b.digest));
            assert_eq!(got, want, "predecessors of {}", layer.digest);
            assert!(!got.is_empty());
        }
    }
    let (missing, _) = manifest(&[Descriptor::from_bytes("a/b", b"nope")], None);
    assert!(!layout.exists(&missing).await.unwrap());
    let err = layout.fetch(&missing).await.err().unwrap();
    assert_eq!(err.kind(), oras_content::ErrorKind::NotFound);
    let err = layout.resolve("no-such-tag").await.unwrap_err();
    assert_eq!(err.kind(), oras_content::ErrorKind::NotFound);
    assert!(layout.as_tag_lister().is_some() && layout.as_predecessor_finder().is_some());
}
