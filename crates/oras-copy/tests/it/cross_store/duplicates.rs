//! Two titled files with the same content are one node to the copy engine
//! (same media type, digest and size), so only one of them is pushed; the
//! destination file store restores the other from it once the manifest
//! arrives (oras-go `restoreDuplicates`). Both files come out, through a
//! layout (which holds one blob) or directly.

use std::fs;
use std::path::Path;

use oras_content::{ReadOnlyStorage, Tagger};
use oras_copy::{CopyOptions, PackManifestOptions, PackManifestVersion, copy, pack_manifest};
use oras_spec::Descriptor;
use oras_store_file::Store as FileStore;
use oras_store_oci::Store as OciStore;

use crate::cross_store::support::*;

const SAME: &[u8] = b"same bytes under two names\n";

/// A file store over `dir` with `x.txt` and `y.txt` (same content) and
/// `z.txt`, packed and tagged `v1`.
async fn source(dir: &Path) -> (FileStore, [Descriptor; 3]) {
    fs::write(dir.join("x.txt"), SAME).unwrap();
    fs::write(dir.join("y.txt"), SAME).unwrap();
    fs::write(dir.join("z.txt"), b"other\n").unwrap();
    let store = FileStore::new(dir).unwrap();
    let x = store.add("x.txt", "", "").await.unwrap();
    let y = store.add("y.txt", "", "").await.unwrap();
    let z = store.add("z.txt", "", "").await.unwrap();
    assert!(x.same_content(&y));
    let opts = PackManifestOptions {
        layers: vec![x.clone(), y.clone(), z.clone()],
        manifest_annotations: created(),
        ..Default::default()
    };
    let manifest = pack_manifest(&store, PackManifestVersion::V1_1, ARTIFACT_TYPE, &opts)
        .await
        .unwrap();
    store.tag(&manifest, "v1").await.unwrap();
    (store, [x, y, z])
}

/// Copies `v1` from `src` into a new file store at `out` and checks that
/// all three files are there, one of the twins by restoration.
async fn pull_into<S: oras_content::ReadOnlyTarget + ?Sized>(
    src: &S,
    out: &Path,
    files: &[Descriptor; 3],
) {
    let dst = FileStore::new(out).unwrap();
    copy(src, "v1", &dst, "", &CopyOptions::default())
        .await
        .unwrap();
    assert_eq!(names_in(out), ["x.txt", "y.txt", "z.txt"]);
    assert_eq!(fs::read(out.join("x.txt")).unwrap(), SAME);
    assert_eq!(fs::read(out.join("y.txt")).unwrap(), SAME);
    assert_eq!(fs::read(out.join("z.txt")).unwrap(), b"other\n");
    let restored = dst.take_restored();
    assert_eq!(restored.len(), 1, "{restored:?}");
    assert!(restored[0] == files[0] || restored[0] == files[1]);
    for file in files {
        assert!(dst.exists(file).await.unwrap(), "{:?}", file.title());
    }
    dst.close().unwrap();
}

#[tokio::test]
async fn twins_come_out_through_a_layout() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (src, files) = source(dir.path()).await;
        let layout_dir = tempfile::tempdir().unwrap();
        let layout = OciStore::open(layout_dir.path()).await.unwrap();
        copy(&src, "v1", &layout, "", &CopyOptions::default())
            .await
            .unwrap();
        let blobs = names_in(&layout_dir.path().join("blobs/sha256"));
        // The twins' blob, z, the empty config, the manifest.
        assert_eq!(blobs.len(), 4, "{blobs:?}");
        let out = tempfile::tempdir().unwrap();
        pull_into(&layout, out.path(), &files).await;
        src.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn twins_come_out_from_file_store_to_file_store() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (src, files) = source(dir.path()).await;
        let out = tempfile::tempdir().unwrap();
        pull_into(&src, out.path(), &files).await;
        src.close().unwrap();
    })
    .await;
}
