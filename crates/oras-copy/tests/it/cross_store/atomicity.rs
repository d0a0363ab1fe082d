//! A copy from a layout whose blob was corrupted on disk (same length,
//! other bytes) fails with a digest mismatch and leaves nothing of that
//! blob under its final name at the destination, and no root or tag.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use oras_content::{ErrorKind, ReadOnlyStorage, Resolver, Tagger, memory};
use oras_copy::{
    CopyOptions, Origin, PackManifestOptions, PackManifestVersion, copy, pack_manifest,
};
use oras_spec::{Descriptor, media_type};
use oras_store_file::Store as FileStore;
use oras_store_oci::{ReadOnlyStore, Store as OciStore};

use crate::cross_store::support::*;

/// A layout with `good.txt` and `bad.bin` packed as `v1`, where the bytes
/// of `bad.bin`'s blob file were then replaced.
struct Corrupted {
    _dir: tempfile::TempDir,
    store: ReadOnlyStore,
    good: Descriptor,
    bad: Descriptor,
    manifest: Descriptor,
}

async fn corrupted_layout() -> Corrupted {
    let dir = tempfile::tempdir().unwrap();
    let bad_bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let (good, bad, manifest) = {
        let store = OciStore::open(dir.path()).await.unwrap();
        let good = titled(
            blob(&store, media_type::IMAGE_LAYER, b"good content\n").await,
            "good.txt",
        );
        let bad = titled(
            blob(&store, media_type::IMAGE_LAYER, &bad_bytes).await,
            "bad.bin",
        );
        let opts = PackManifestOptions {
            layers: vec![good.clone(), bad.clone()],
            manifest_annotations: created(),
            ..Default::default()
        };
        let manifest = pack_manifest(&store, PackManifestVersion::V1_1, ARTIFACT_TYPE, &opts)
            .await
            .unwrap();
        store.tag(&manifest, "v1").await.unwrap();
        (good, bad, manifest)
    };
    // Blob files are read-only; make this one writable and flip its bytes.
    let path = blob_path(dir.path(), &bad);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let flipped: Vec<u8> = bad_bytes.iter().map(|b| !b).collect();
    fs::write(&path, &flipped).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), bad.size);

    let store = ReadOnlyStore::open(dir.path()).await.unwrap();
    Corrupted {
        _dir: dir,
        store,
        good,
        bad,
        manifest,
    }
}

/// The copy fails on the destination's push with a digest mismatch.
fn assert_digest_mismatch(err: &oras_copy::Error) {
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    let copy_error = err.as_copy_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(copy_error.op, "Push", "{err}");
    assert_eq!(copy_error.origin, Origin::Destination, "{err}");
}

/// Every regular file under `dir`, relative.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .filter(|p| fs::symlink_metadata(p).unwrap().is_file())
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn into_a_file_store_nothing_lands_under_the_final_name() {
    bounded(async {
        let src = corrupted_layout().await;
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path()).unwrap();
        let err = copy(&src.store, "v1", &dst, "", &CopyOptions::default())
            .await
            .unwrap_err();
        assert_digest_mismatch(&err);

        // `good.txt` may or may not have landed (the layers run at once);
        // nothing else did, neither `bad.bin` nor a temp file.
        let names = names_in(out.path());
        assert!(
            names.is_empty() || names == ["good.txt"],
            "left on disk: {names:?}"
        );
        if names == ["good.txt"] {
            assert_eq!(
                fs::read(out.path().join("good.txt")).unwrap(),
                b"good content\n"
            );
            assert!(dst.exists(&src.good).await.unwrap());
        }
        assert!(!dst.exists(&src.bad).await.unwrap());
        assert!(!dst.exists(&src.manifest).await.unwrap());
        assert!(dst.resolve("v1").await.is_err(), "no tag after a failure");
        dst.close().unwrap();
        assert_eq!(names_in(out.path()), names, "close removes nothing else");
    })
    .await;
}

#[tokio::test]
async fn into_an_oci_layout_no_blob_is_left() {
    bounded(async {
        let src = corrupted_layout().await;
        let out = tempfile::tempdir().unwrap();
        {
            let dst = OciStore::open(out.path()).await.unwrap();
            let err = copy(&src.store, "v1", &dst, "", &CopyOptions::default())
                .await
                .unwrap_err();
            assert_digest_mismatch(&err);
            assert!(!dst.exists(&src.bad).await.unwrap());
            assert!(!dst.exists(&src.manifest).await.unwrap());
            assert!(dst.resolve("v1").await.is_err());
        }
        assert!(!blob_path(out.path(), &src.bad).exists());
        assert!(!blob_path(out.path(), &src.manifest).exists());
        // Only the layout files, finished blobs, and no ingest leftovers.
        let allowed = [
            blob_path(out.path(), &src.good),
            blob_path(out.path(), &Descriptor::empty_json()),
        ];
        for file in files_under(out.path()) {
            let path = out.path().join(&file);
            assert!(
                file == "oci-layout" || file == "index.json" || allowed.contains(&path),
                "left in the layout: {file}"
            );
        }
        let index = fs::read_to_string(out.path().join("index.json")).unwrap();
        assert!(!index.contains("\"v1\""), "{index}");
        let reopened = ReadOnlyStore::open(out.path()).await.unwrap();
        assert!(!reopened.exists(&src.bad).await.unwrap());
        assert!(reopened.resolve("v1").await.is_err());
    })
    .await;
}

#[tokio::test]
async fn into_memory_the_blob_is_refused() {
    bounded(async {
        let src = corrupted_layout().await;
        let dst = memory::Store::new();
        let err = copy(&src.store, "v1", &dst, "", &CopyOptions::default())
            .await
            .unwrap_err();
        assert_digest_mismatch(&err);
        assert!(!dst.exists(&src.bad).await.unwrap());
        assert!(!dst.exists(&src.manifest).await.unwrap());
        assert!(dst.resolve("v1").await.is_err());
    })
    .await;
}

/// Flips every byte of the (read-only) blob file at `path`, keeping its
/// length.
fn flip_bytes(path: &Path) {
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    let flipped: Vec<u8> = fs::read(path).unwrap().iter().map(|b| !b).collect();
    fs::write(path, flipped).unwrap();
}

#[tokio::test]
async fn a_corrupted_directory_blob_unpacks_nothing() {
    bounded(async {
        // A directory pushed from a file store into a layout, whose
        // tar+gzip blob is then corrupted.
        let source_dir = tempfile::tempdir().unwrap();
        let tree = source_dir.path().join("tree");
        fs::create_dir_all(tree.join("sub")).unwrap();
        fs::write(tree.join("sub/file.txt"), b"inside\n").unwrap();
        let source = FileStore::new(source_dir.path()).unwrap();
        let dir_blob = source.add("tree", "", "").await.unwrap();
        let opts = PackManifestOptions {
            layers: vec![dir_blob.clone()],
            manifest_annotations: created(),
            ..Default::default()
        };
        let manifest = pack_manifest(&source, PackManifestVersion::V1_1, ARTIFACT_TYPE, &opts)
            .await
            .unwrap();
        source.tag(&manifest, "v1").await.unwrap();
        let layout_dir = tempfile::tempdir().unwrap();
        {
            let layout = OciStore::open(layout_dir.path()).await.unwrap();
            copy(&source, "v1", &layout, "", &CopyOptions::default())
                .await
                .unwrap();
        }
        flip_bytes(&blob_path(layout_dir.path(), &dir_blob));
        let layout = ReadOnlyStore::open(layout_dir.path()).await.unwrap();

        let out = tempfile::tempdir().unwrap();
        let temps = tempfile::tempdir().unwrap();
        let dst = FileStore::with_options(
            out.path(),
            oras_store_file::Options {
                temp_dir: Some(temps.path().to_owned()),
                ..Default::default()
            },
        )
        .unwrap();
        let err = copy(&layout, "v1", &dst, "", &CopyOptions::default())
            .await
            .unwrap_err();
        assert_digest_mismatch(&err);
        assert_eq!(names_in(out.path()), Vec::<String>::new(), "no tree/");
        assert_eq!(names_in(temps.path()), Vec::<String>::new(), "no temp gzip");
        assert!(!dst.exists(&dir_blob).await.unwrap());
        source.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_truncated_blob_is_a_size_error_and_leaves_nothing() {
    bounded(async {
        let src = corrupted_layout().await;
        let path = blob_path(src._dir.path(), &src.bad);
        let short = fs::read(&path).unwrap()[..1000].to_vec();
        fs::write(&path, short).unwrap();
        let out = tempfile::tempdir().unwrap();
        let dst = OciStore::open(out.path()).await.unwrap();
        let err = copy(&src.store, "v1", &dst, "", &CopyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SizeMismatch, "{err}");
        assert!(!blob_path(out.path(), &src.bad).exists());
        assert!(!dst.exists(&src.manifest).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_missing_blob_fails_on_the_source() {
    bounded(async {
        let src = corrupted_layout().await;
        fs::remove_file(blob_path(src._dir.path(), &src.bad)).unwrap();
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path()).unwrap();
        let err = copy(&src.store, "v1", &dst, "", &CopyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        let copy_error = err.as_copy_error().unwrap();
        assert_eq!(
            (copy_error.op, copy_error.origin),
            ("Fetch", Origin::Source)
        );
        assert!(!out.path().join("bad.bin").exists());
        assert!(dst.resolve("v1").await.is_err());
    })
    .await;
}
