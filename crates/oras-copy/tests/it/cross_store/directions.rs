//! `copy` in every direction among the memory store, the OCI layout and
//! the file store, with an index of two platform images: every node lands
//! with its exact bytes, the tag is set, and `with_target_platform` copies
//! only the matching child.

use std::fs;
use std::path::Path;

use oras_content::{ReadOnlyTarget, Resolver, Target, memory};
use oras_copy::{CopyOptions, copy};
use oras_spec::Platform;
use oras_store_file::Store as FileStore;
use oras_store_oci::{ReadOnlyStore, Store as OciStore};

use crate::cross_store::support::*;

/// Copies the whole index as `v1` into `dst` and checks it.
async fn copy_all<S, D>(src: &S, dst: &D, fixture: &Fixture)
where
    S: ReadOnlyTarget + ?Sized,
    D: Target + ?Sized,
{
    let root = copy(src, "v1", dst, "", &CopyOptions::default())
        .await
        .unwrap();
    assert_eq!(root.digest, fixture.index.digest);
    assert_holds(dst, &fixture.nodes(), &fixture.content).await;
    assert_eq!(
        dst.resolve("v1").await.unwrap().digest,
        fixture.index.digest
    );
}

/// Copies the arm64 image of `v1` as `arm` into `dst` and checks that the
/// amd64 image and the index stayed behind.
async fn copy_arm64<S, D>(src: &S, dst: &D, fixture: &Fixture)
where
    S: ReadOnlyTarget + ?Sized,
    D: Target + ?Sized,
{
    let opts = CopyOptions::default().with_target_platform(Platform::new("linux", "arm64"));
    let root = copy(src, "v1", dst, "arm", &opts).await.unwrap();
    let arm = fixture.image("arm64");
    assert_eq!(root.digest, arm.manifest.digest);
    assert_eq!(root.platform, Some(Platform::new("linux", "arm64")));
    assert_holds(dst, &arm.nodes(), &fixture.content).await;
    let amd = fixture.image("amd64");
    assert_lacks(dst, &[fixture.index.clone(), amd.manifest.clone()]).await;
    assert_lacks(dst, &amd.layers).await;
    assert_eq!(
        dst.resolve("arm").await.unwrap().digest,
        arm.manifest.digest
    );
    assert!(dst.resolve("v1").await.is_err(), "only the new tag is set");
}

/// The titled layers landed as files under `dir`: those of `arches`, and
/// nothing else.
fn assert_layer_files(dir: &Path, arches: &[&str]) {
    let mut want = Vec::new();
    for (arch, title, data) in layer_files() {
        if arches.contains(&arch) {
            assert_eq!(fs::read(dir.join(&title)).unwrap(), data, "{title}");
            want.push(title);
        }
    }
    want.sort();
    assert_eq!(names_in(dir), want);
}

async fn fixture_in_memory() -> (memory::Store, Fixture) {
    let store = memory::Store::new();
    let layers = push_layers(&store).await;
    let fixture = Fixture::build(&store, layers).await;
    (store, fixture)
}

async fn fixture_in_layout(dir: &Path) -> (OciStore, Fixture) {
    let store = OciStore::open(dir).await.unwrap();
    let layers = push_layers(&store).await;
    let fixture = Fixture::build(&store, layers).await;
    (store, fixture)
}

#[tokio::test]
async fn memory_to_oci_layout() {
    bounded(async {
        let (src, fixture) = fixture_in_memory().await;
        let dir = tempfile::tempdir().unwrap();
        let dst = OciStore::open(dir.path().join("all")).await.unwrap();
        copy_all(&src, &dst, &fixture).await;
        // What was written is a layout another reader sees whole.
        let reread = ReadOnlyStore::open(dir.path().join("all")).await.unwrap();
        assert_holds(&reread, &fixture.nodes(), &fixture.content).await;
        assert_eq!(
            reread.resolve("v1").await.unwrap().digest,
            fixture.index.digest
        );

        let dst = OciStore::open(dir.path().join("arm")).await.unwrap();
        copy_arm64(&src, &dst, &fixture).await;
    })
    .await;
}

#[tokio::test]
async fn oci_layout_to_memory() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (_, fixture) = fixture_in_layout(dir.path()).await;
        // Read back from disk by a fresh store.
        let src = OciStore::open(dir.path()).await.unwrap();
        let dst = memory::Store::new();
        copy_all(&src, &dst, &fixture).await;
        assert_eq!(dst.len(), fixture.nodes().len());

        let dst = memory::Store::new();
        copy_arm64(&src, &dst, &fixture).await;
        assert_eq!(dst.len(), fixture.image("arm64").nodes().len());
    })
    .await;
}

#[tokio::test]
async fn oci_layout_to_oci_layout() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (src, fixture) = fixture_in_layout(&dir.path().join("src")).await;
        let dst = OciStore::open(dir.path().join("all")).await.unwrap();
        copy_all(&src, &dst, &fixture).await;
        // The same blob files, byte for byte.
        for desc in fixture.nodes() {
            assert_eq!(
                fs::read(blob_path(&dir.path().join("all"), &desc)).unwrap(),
                fs::read(blob_path(&dir.path().join("src"), &desc)).unwrap()
            );
        }

        let dst = OciStore::open(dir.path().join("arm")).await.unwrap();
        copy_arm64(&src, &dst, &fixture).await;
    })
    .await;
}

#[tokio::test]
async fn file_store_to_memory() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let src = FileStore::new(dir.path()).unwrap();
        let layers = add_layers(&src, dir.path()).await;
        let fixture = Fixture::build(&src, layers).await;

        let dst = memory::Store::new();
        copy_all(&src, &dst, &fixture).await;
        assert_eq!(dst.len(), fixture.nodes().len());

        let dst = memory::Store::new();
        copy_arm64(&src, &dst, &fixture).await;
        src.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn memory_to_file_store() {
    bounded(async {
        let (src, fixture) = fixture_in_memory().await;
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path().join("all")).unwrap();
        copy_all(&src, &dst, &fixture).await;
        assert_layer_files(&out.path().join("all"), &ARCHES);

        let dst = FileStore::new(out.path().join("arm")).unwrap();
        copy_arm64(&src, &dst, &fixture).await;
        assert_layer_files(&out.path().join("arm"), &["arm64"]);
    })
    .await;
}

#[tokio::test]
async fn oci_layout_to_file_store() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (_, fixture) = fixture_in_layout(dir.path()).await;
        let src = ReadOnlyStore::open(dir.path()).await.unwrap();
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path().join("all")).unwrap();
        copy_all(&src, &dst, &fixture).await;
        assert_layer_files(&out.path().join("all"), &ARCHES);

        let dst = FileStore::new(out.path().join("arm")).unwrap();
        copy_arm64(&src, &dst, &fixture).await;
        assert_layer_files(&out.path().join("arm"), &["arm64"]);
    })
    .await;
}
