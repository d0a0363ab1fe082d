//! Layouts made by someone else: blobs that are links, directories linked
//! out of the layout, tar entries that are links. None of them may serve
//! a file from elsewhere on the machine.

use std::path::Path;

use oras_content::{ErrorKind, Pusher, ReadOnlyStorage, Resolver, bytes_reader, fetch_all};
use oras_spec::Descriptor;
use oras_store_oci::{ReadOnlyStore, Store};

use crate::common::{blob_file, files_under, layer, push_image};

const SECRET: &[u8] = b"root:x:0:0:secret outside the layout\n";

/// A layout at `root` with one image whose only layer is `layer one`; and a
/// secret file outside it.
async fn layout_and_secret(dir: &Path) -> (std::path::PathBuf, Descriptor, std::path::PathBuf) {
    let root = dir.join("layout");
    let store = Store::open(&root).await.unwrap();
    push_image(&store, &[b"layer one"], None).await;
    let secret = dir.join("passwd");
    std::fs::write(&secret, SECRET).unwrap();
    (root, layer(b"layer one"), secret)
}

/// Fetching `desc` fails with an error about the layout, and nothing of
/// the secret comes out.
async fn assert_refused(store: &impl ReadOnlyStorage, desc: &Descriptor, what: &str) {
    let err = match store.fetch(desc).await {
        Ok(mut reader) => {
            let mut out = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut out).await;
            panic!("fetch served {} bytes", out.len());
        }
        Err(err) => err,
    };
    assert_eq!(err.kind(), ErrorKind::InvalidContent, "{err}");
    assert!(err.to_string().contains(what), "{err}");
    assert!(store.exists(desc).await.is_err());
    assert!(fetch_all(store, desc, 1 << 20).await.is_err());
}

#[cfg(unix)]
#[tokio::test]
async fn a_blob_that_is_a_symlink_is_refused_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (root, desc, secret) = layout_and_secret(dir.path()).await;
    let path = blob_file(&root, &desc.digest);
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&secret, &path).unwrap();

    let read_only = ReadOnlyStore::open(&root).await.unwrap();
    assert_refused(&read_only, &desc, "is a symbolic link").await;
    let store = Store::open(&root).await.unwrap();
    assert_refused(&store, &desc, "is a symbolic link").await;
    // Resolving the digest alone must not report the linked file either.
    let err = store.resolve(&desc.digest.to_string()).await.unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_blob_directory_linked_out_of_the_layout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (root, desc, _secret) = layout_and_secret(dir.path()).await;
    // `blobs/sha256` moves out of the layout, and a link takes its place;
    // the linked directory also holds a secret named as the layer.
    let outside = dir.path().join("elsewhere");
    std::fs::rename(root.join("blobs/sha256"), &outside).unwrap();
    let planted = outside.join(desc.digest.encoded());
    std::fs::set_permissions(
        &planted,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    std::fs::write(&planted, SECRET).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("blobs/sha256")).unwrap();

    // The manifests listed in index.json are read through the link on open.
    let err = ReadOnlyStore::open(&root).await.unwrap_err();
    assert!(err.to_string().contains("outside the layout"), "{err}");
    let err = Store::open(&root).await.unwrap_err();
    assert!(err.to_string().contains("outside the layout"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_inside_the_layout_still_resolving_inside_is_served() {
    // A layout reached through a symlinked root is fine: only what lies
    // below the root matters.
    let dir = tempfile::tempdir().unwrap();
    let (root, desc, _secret) = layout_and_secret(dir.path()).await;
    let alias = dir.path().join("alias");
    std::os::unix::fs::symlink(&root, &alias).unwrap();
    let store = ReadOnlyStore::open(&alias).await.unwrap();
    assert_eq!(fetch_all(&store, &desc, 1024).await.unwrap(), b"layer one");
}

#[cfg(unix)]
#[tokio::test]
async fn pushes_never_write_through_a_directory_linked_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    let store = Store::open(&root).await.unwrap();
    let outside = dir.path().join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("ingest")).unwrap();
    let desc = layer(b"data");
    let err = store
        .push(&desc, bytes_reader(b"data".to_vec()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("outside the layout"), "{err}");
    assert!(files_under(&outside).is_empty());
    assert!(!blob_file(&root, &desc.digest).exists());

    // And the blob directory linked out: refused before anything is written.
    std::fs::remove_file(root.join("ingest")).unwrap();
    std::fs::create_dir_all(root.join("blobs")).unwrap();
    std::fs::remove_dir_all(root.join("blobs/sha256")).ok();
    std::os::unix::fs::symlink(&outside, root.join("blobs/sha256")).unwrap();
    let err = store
        .push(&desc, bytes_reader(b"data".to_vec()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("outside the layout"), "{err}");
    assert!(files_under(&outside).is_empty());
}

#[tokio::test]
async fn tar_link_entries_are_never_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let (root, desc, _secret) = layout_and_secret(dir.path()).await;
    let name = format!("blobs/sha256/{}", desc.digest.encoded());
    for kind in [tar::EntryType::Symlink, tar::EntryType::Link] {
        let tar_path = dir.path().join("layout.tar");
        let mut builder = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
        builder.append_dir_all(".", &root).unwrap();
        // A later entry of the blob's name, a link to a file elsewhere,
        // replaces the regular file.
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(0);
        header.set_mode(0o644);
        builder
            .append_link(&mut header, &name, "/etc/passwd")
            .unwrap();
        builder.finish().unwrap();
        drop(builder);

        let store = ReadOnlyStore::open(&tar_path).await.unwrap();
        assert_refused(&store, &desc, "link in the archive").await;
    }
    // Without the link entry, the same archive serves the blob.
    let tar_path = dir.path().join("plain.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
    builder.append_dir_all(".", &root).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let store = ReadOnlyStore::open(&tar_path).await.unwrap();
    assert_eq!(fetch_all(&store, &desc, 1024).await.unwrap(), b"layer one");
}

#[cfg(unix)]
#[tokio::test]
async fn gc_never_sweeps_a_directory_linked_out() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _desc, _secret) = layout_and_secret(dir.path()).await;
    // `blobs/sha384` is unused by the layout, so the store opens; it links
    // to a directory of someone else's files named as digests.
    let outside = dir.path().join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    let victim =
        outside.join(oras_spec::Digest::compute(oras_spec::Algorithm::Sha384, b"x").encoded());
    std::fs::write(&victim, b"not the layout's").unwrap();
    std::os::unix::fs::symlink(&outside, root.join("blobs/sha384")).unwrap();
    let store = Store::open(&root).await.unwrap();
    let err = store.gc().await.unwrap_err();
    assert!(err.to_string().contains("outside the layout"), "{err}");
    assert!(victim.exists());
}
