//! Delete with and without auto-GC, and explicit GC.

use oras_content::{
    Deleter, ErrorKind, PredecessorFinder, Pusher, ReadOnlyStorage, Resolver, Tagger, bytes_reader,
};
use oras_spec::Descriptor;
use oras_store_oci::{Options, Store};

use crate::common::{blob_file, files_under, index_of, layer, push, push_image, read_index};

fn listed_digests(root: &std::path::Path) -> Vec<String> {
    // An index saved with no entries says `"manifests":null`, as oras-go's.
    let mut out: Vec<String> = read_index(root)["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["digest"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn delete_removes_tags_file_referrers_and_dangling_content() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let image = push_image(&store, &[b"shared", b"own"], None).await;
    let other = push_image(&store, &[b"shared"], None).await;
    let signature = push_image(&store, &[b"sig"], Some(&image)).await;
    let sig_of_sig = push_image(&store, &[b"sig2"], Some(&signature)).await;
    store.tag(&image, "v1").await.unwrap();
    store.tag(&other, "other").await.unwrap();
    assert_eq!(
        store.predecessors(&image).await.unwrap(),
        vec![signature.clone()]
    );

    store.delete(&image).await.unwrap();
    for gone in [
        &image,
        &signature,
        &sig_of_sig,
        &layer(b"own"),
        &layer(b"sig"),
        &layer(b"sig2"),
    ] {
        assert!(
            !store.exists(gone).await.unwrap(),
            "{} should be deleted",
            gone.digest
        );
    }
    for kept in [&other, &layer(b"shared"), &Descriptor::empty_json()] {
        assert!(
            store.exists(kept).await.unwrap(),
            "{} should be kept",
            kept.digest
        );
    }
    assert_eq!(
        store.resolve("v1").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(listed_digests(dir.path()), vec![other.digest.to_string()]);
    assert_eq!(
        store.predecessors(&layer(b"shared")).await.unwrap(),
        vec![other.clone()]
    );
    assert_eq!(
        store.delete(&image).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn auto_gc_keeps_tagged_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let tagged_child = push_image(&store, &[b"amd64"], None).await;
    let untagged_child = push_image(&store, &[b"arm64"], None).await;
    let (index, bytes) = index_of(&[tagged_child.clone(), untagged_child.clone()]);
    push(&store, &index, &bytes).await;
    store.tag(&index, "multi").await.unwrap();
    store.tag(&tagged_child, "amd64").await.unwrap();

    store.delete(&index).await.unwrap();
    assert!(!store.exists(&index).await.unwrap());
    assert!(!store.exists(&untagged_child).await.unwrap());
    assert!(!store.exists(&layer(b"arm64")).await.unwrap());
    assert!(
        store.exists(&tagged_child).await.unwrap(),
        "tagged manifest kept"
    );
    assert!(store.exists(&layer(b"amd64")).await.unwrap());
    assert_eq!(
        listed_digests(dir.path()),
        vec![tagged_child.digest.to_string()]
    );
}

#[tokio::test]
async fn without_auto_gc_delete_removes_only_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), Options::default().auto_gc(false))
        .await
        .unwrap();
    let image = push_image(&store, &[b"a"], None).await;
    let signature = push_image(&store, &[b"sig"], Some(&image)).await;
    store.delete(&image).await.unwrap();
    assert!(!store.exists(&image).await.unwrap());
    for kept in [&signature, &layer(b"a"), &layer(b"sig")] {
        assert!(store.exists(kept).await.unwrap());
    }
    // Blobs delete too, and leave no index entry behind.
    store.delete(&layer(b"a")).await.unwrap();
    assert!(!blob_file(dir.path(), &layer(b"a").digest).exists());
    assert_eq!(
        listed_digests(dir.path()),
        vec![signature.digest.to_string()]
    );
}

#[tokio::test]
async fn gc_deletes_everything_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let kept = push_image(&store, &[b"kept"], None).await;
    store.tag(&kept, "keep").await.unwrap();
    let referrer = push_image(&store, &[b"ref"], Some(&kept)).await;
    let referrer_of_referrer = push_image(&store, &[b"ref2"], Some(&referrer)).await;
    let untagged = push_image(&store, &[b"untagged"], None).await;
    let orphan_referrer = push_image(&store, &[b"orphan-ref"], Some(&untagged)).await;
    let loose = layer(b"loose blob");
    push(&store, &loose, b"loose blob").await;
    // Not ours: unknown algorithm dirs and names that are not digests.
    std::fs::create_dir_all(dir.path().join("blobs/md5")).unwrap();
    std::fs::write(
        dir.path()
            .join("blobs/md5/d41d8cd98f00b204e9800998ecf8427e"),
        b"",
    )
    .unwrap();
    std::fs::write(dir.path().join("blobs/sha256/README"), b"hands off").unwrap();

    store.gc().await.unwrap();
    for gone in [
        &untagged,
        &orphan_referrer,
        &loose,
        &layer(b"untagged"),
        &layer(b"orphan-ref"),
    ] {
        assert!(
            !store.exists(gone).await.unwrap(),
            "{} should be collected",
            gone.digest
        );
    }
    for keep in [
        &kept,
        &referrer,
        &referrer_of_referrer,
        &layer(b"kept"),
        &layer(b"ref"),
        &layer(b"ref2"),
    ] {
        assert!(
            store.exists(keep).await.unwrap(),
            "{} should be kept",
            keep.digest
        );
    }
    assert!(
        dir.path()
            .join("blobs/md5/d41d8cd98f00b204e9800998ecf8427e")
            .exists()
    );
    assert!(dir.path().join("blobs/sha256/README").exists());
    let mut want = vec![
        kept.digest.to_string(),
        referrer.digest.to_string(),
        referrer_of_referrer.digest.to_string(),
    ];
    want.sort();
    assert_eq!(listed_digests(dir.path()), want);
    assert_eq!(
        store.predecessors(&kept).await.unwrap(),
        vec![referrer.clone()]
    );
    let reopened = Store::open(dir.path()).await.unwrap();
    assert!(reopened.resolve("keep").await.unwrap().same_content(&kept));
    assert!(
        !files_under(dir.path())
            .iter()
            .any(|f| f.starts_with("ingest/"))
    );
}

#[tokio::test]
async fn delete_of_a_manifest_pushed_with_a_missing_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    // The layer was never pushed: auto-GC must not fail on it.
    let (desc, bytes) = crate::common::manifest(&[layer(b"never pushed")], None);
    store.push(&desc, bytes_reader(bytes)).await.unwrap();
    store.delete(&desc).await.unwrap();
    assert!(!store.exists(&desc).await.unwrap());
}

#[tokio::test]
async fn delete_by_digest_under_another_media_type_leaves_no_dangling_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let image = push_image(&store, &[b"a"], None).await;
    store.tag(&image, "v1").await.unwrap();
    let as_blob = Descriptor::new("application/octet-stream", image.digest.clone(), image.size);
    store.delete(&as_blob).await.unwrap();
    assert!(listed_digests(dir.path()).is_empty());
    assert_eq!(
        store.resolve("v1").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(store.predecessors(&layer(b"a")).await.unwrap().is_empty());
    // With auto-GC, what the manifest alone referenced went with it.
    assert!(!store.exists(&layer(b"a")).await.unwrap());
}
