//! The round trip: a directory (nested files, a symlink, an empty
//! directory) and a single file, added to a file store and packed, copied
//! into an OCI layout, read back from disk (a fresh store over the
//! directory, and a read-only store over a tar of it), and copied into new
//! file stores: the same tree comes out.

use std::fs;
use std::path::Path;

use oras_content::{Resolver, TagLister, Tagger};
use oras_copy::{CopyOptions, PackManifestOptions, PackManifestVersion, copy, pack_manifest};
use oras_spec::{Descriptor, Manifest, media_type};
use oras_store_file::Store as FileStore;
use oras_store_oci::{ReadOnlyStore, Store as OciStore};

use crate::cross_store::support::*;

/// Lays out the tree to push under `root/tree`, and `root/single.txt`.
fn make_source_tree(root: &Path) {
    let tree = root.join("tree");
    fs::create_dir_all(tree.join("a/b/c")).unwrap();
    fs::create_dir_all(tree.join("empty")).unwrap();
    fs::write(tree.join("top.txt"), b"top level\n").unwrap();
    fs::write(tree.join("a/one.txt"), b"one\n").unwrap();
    let deep: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    fs::write(tree.join("a/b/c/deep.bin"), deep).unwrap();
    std::os::unix::fs::symlink("../top.txt", tree.join("a/to-top")).unwrap();
    fs::write(root.join("single.txt"), b"a single file\n").unwrap();
}

/// Writes an uncompressed tar of the layout at `layout` to `out`, with
/// relative names and no `./` prefix (as the Go CLI's backup writes one).
fn tar_layout(layout: &Path, out: &Path) {
    let file = fs::File::create(out).unwrap();
    let mut builder = tar::Builder::new(file);
    builder.follow_symlinks(false);
    let mut paths = walk(layout);
    paths.sort();
    for path in paths {
        let name = path.strip_prefix(layout).unwrap();
        builder.append_path_with_name(&path, name).unwrap();
    }
    builder.into_inner().unwrap().sync_all().unwrap();
}

/// Checks that `out` holds exactly the source's tree and single file.
fn assert_same_tree(source: &Path, out: &Path) {
    assert_eq!(
        names_in(out),
        ["single.txt", "tree"],
        "nothing else on disk"
    );
    let want = snapshot(&source.join("tree"));
    let got = snapshot(&out.join("tree"));
    assert_eq!(got, want);
    assert_eq!(got["empty"], Node::Dir);
    assert_eq!(got["a/b/c"], Node::Dir);
    assert_eq!(got["a/to-top"], Node::Link("../top.txt".into()));
    assert_eq!(got["a/one.txt"], Node::File(b"one\n".to_vec()));
    assert_eq!(
        fs::read(out.join("single.txt")).unwrap(),
        b"a single file\n"
    );
}

/// Copies `v1` from a layout into a fresh file store at `out` and checks
/// the tree.
async fn pull_into_file_store<S>(layout: &S, source: &Path, out: &Path, manifest: &Descriptor)
where
    S: oras_content::ReadOnlyTarget,
{
    let store = FileStore::new(out).unwrap();
    let root = copy(layout, "v1", &store, "", &CopyOptions::default())
        .await
        .unwrap();
    assert_eq!(root.digest, manifest.digest);
    assert_eq!(store.resolve("v1").await.unwrap().digest, manifest.digest);
    assert_same_tree(source, out);
    store.close().unwrap();
}

#[tokio::test]
async fn a_tree_survives_file_store_to_oci_layout_to_file_store() {
    bounded(async {
        let source_dir = tempfile::tempdir().unwrap();
        make_source_tree(source_dir.path());
        let source = FileStore::new(source_dir.path()).unwrap();
        let tree = source.add("tree", "", "").await.unwrap();
        let single = source.add("single.txt", "", "").await.unwrap();
        assert_eq!(tree.media_type, media_type::IMAGE_LAYER_GZIP);
        let opts = PackManifestOptions {
            layers: vec![tree.clone(), single.clone()],
            manifest_annotations: created(),
            ..Default::default()
        };
        let manifest = pack_manifest(&source, PackManifestVersion::V1_1, ARTIFACT_TYPE, &opts)
            .await
            .unwrap();
        source.tag(&manifest, "v1").await.unwrap();

        // Into a layout directory, which is then closed.
        let work = tempfile::tempdir().unwrap();
        let layout_dir = work.path().join("layout");
        {
            let layout = OciStore::open(&layout_dir).await.unwrap();
            let root = copy(&source, "v1", &layout, "v1", &CopyOptions::default())
                .await
                .unwrap();
            assert_eq!(root.digest, manifest.digest);
        }
        // The layout on disk: every blob, and the tag in index.json.
        for desc in [&tree, &single, &Descriptor::empty_json(), &manifest] {
            assert!(blob_path(&layout_dir, desc).is_file(), "{}", desc.digest);
        }
        let index = fs::read_to_string(layout_dir.join("index.json")).unwrap();
        assert!(index.contains(r#""org.opencontainers.image.ref.name":"v1""#));
        let on_disk: Manifest =
            serde_json::from_slice(&fs::read(blob_path(&layout_dir, &manifest)).unwrap()).unwrap();
        assert_eq!(on_disk.artifact_type, ARTIFACT_TYPE);
        assert_eq!(on_disk.layers, vec![tree.clone(), single.clone()]);

        // A fresh store over the directory.
        let reopened = OciStore::open(&layout_dir).await.unwrap();
        assert_eq!(reopened.tags(None).await.unwrap(), ["v1"]);
        let out1 = tempfile::tempdir().unwrap();
        pull_into_file_store(&reopened, source_dir.path(), out1.path(), &manifest).await;

        // A read-only store over a tar of the directory.
        let tar_path = work.path().join("layout.tar");
        tar_layout(&layout_dir, &tar_path);
        let from_tar = ReadOnlyStore::from_tar(&tar_path).await.unwrap();
        let out2 = tempfile::tempdir().unwrap();
        pull_into_file_store(&from_tar, source_dir.path(), out2.path(), &manifest).await;

        source.close().unwrap();
    })
    .await;
}
