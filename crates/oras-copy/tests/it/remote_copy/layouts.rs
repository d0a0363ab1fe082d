//! Remote ↔ OCI layout ↔ file store: a registry repository backed up to
//! an OCI layout on disk and restored from it into another repository;
//! and a directory (packed as tar+gzip, unpacked on pull) and a file
//! pushed from a file store to the registry and pulled into a new file
//! store, over TLS with Basic auth and under token auth.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use oras_content::{ErrorKind, Resolver, TagLister, Tagger};
use oras_copy::{
    CopyEvent, CopyGraphOptions, CopyOptions, PackManifestOptions, PackManifestVersion, copy,
    pack_manifest,
};
use oras_remote::{ClientConfig, ProxyConfig, Registry};
use oras_spec::media_type;
use oras_store_file::Store as FileStore;
use oras_store_oci::Store as OciStore;
use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};

use crate::remote_copy::support::*;

#[tokio::test]
async fn a_repository_goes_to_an_oci_layout_and_back_to_another_repository() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let src = real_repo(&registry, "backup/src");
        let image = MultiPlatform::push(&src, 6).await;
        src.tag(&image.index, "v1").await.unwrap();

        let work = tempfile::tempdir().unwrap();
        let layout_dir = work.path().join("layout");
        {
            let layout = OciStore::open(&layout_dir).await.unwrap();
            let root = copy(&src, "v1", &layout, "", &CopyOptions::default())
                .await
                .unwrap();
            assert_eq!(root.digest, image.index.digest);
            assert_holds(&layout, &image.nodes, &image.content).await;
        }
        // The layout on disk, read by a fresh store, into a new repository.
        let layout = OciStore::open(&layout_dir).await.unwrap();
        assert_eq!(layout.tags(None).await.unwrap(), ["v1"]);
        for node in &image.nodes {
            let path = layout_dir.join("blobs/sha256").join(node.digest.encoded());
            assert!(path.is_file(), "{} on disk", node.digest);
        }
        let dst = real_repo(&registry, "backup/restored");
        assert_lacks(&dst, &image.nodes).await;
        let root = copy(&layout, "v1", &dst, "restored", &CopyOptions::default())
            .await
            .unwrap();
        assert_eq!(root.digest, image.index.digest);
        assert_holds(&dst, &image.nodes, &image.content).await;
        assert_eq!(dst.resolve("restored").await.unwrap().digest, root.digest);
        assert_eq!(dst.tags(None).await.unwrap(), ["restored"]);
    })
    .await;
}

// ---- file store ↔ registry ----

/// Lays out under `root` a directory `tree` (nested files, a symlink, an
/// empty directory, a file large enough to stream in pieces) and a file
/// `single.txt`.
fn make_source(root: &Path) {
    let tree = root.join("tree");
    fs::create_dir_all(tree.join("a/b")).unwrap();
    fs::create_dir_all(tree.join("empty")).unwrap();
    fs::write(tree.join("top.txt"), b"top\n").unwrap();
    fs::write(tree.join("a/b/deep.bin"), data(9, 300_000)).unwrap();
    std::os::unix::fs::symlink("../top.txt", tree.join("a/to-top")).unwrap();
    fs::write(root.join("single.txt"), b"a single file\n").unwrap();
}

/// What a tree holds, path by path.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    File(Vec<u8>),
    Link(PathBuf),
    Dir,
}

/// Every path under `root` (relative), with its bytes, link target or
/// directory mark; links are not followed.
fn snapshot(root: &Path) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let node = if meta.is_symlink() {
                Node::Link(fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                stack.push(path.clone());
                Node::Dir
            } else {
                Node::File(fs::read(&path).unwrap())
            };
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(rel, node);
        }
    }
    out
}

/// Pushes `tree` and `single.txt` from a file store to the registry,
/// pulls them into a new file store, and checks the tree came back.
async fn file_store_round_trip(registry: &RealRegistry) {
    let source_dir = tempfile::tempdir().unwrap();
    make_source(source_dir.path());
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

    let repo = real_repo(registry, "files/app");
    let pushed = copy(&source, "v1", &repo, "v1", &CopyOptions::default())
        .await
        .unwrap();
    assert_eq!(pushed.digest, manifest.digest);
    assert_eq!(repo.resolve("v1").await.unwrap().digest, manifest.digest);

    // Pulled by another client into a new directory.
    let out_dir = tempfile::tempdir().unwrap();
    let out = FileStore::new(out_dir.path()).unwrap();
    let (graph, seen) = recording(CopyGraphOptions::default());
    let pulled = copy(
        &real_repo(registry, "files/app"),
        "v1",
        &out,
        "",
        &CopyOptions::new(graph),
    )
    .await
    .unwrap();
    assert_eq!(pulled.digest, manifest.digest);
    assert_eq!(out.resolve("v1").await.unwrap().digest, manifest.digest);
    let mut names: Vec<String> = fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["single.txt", "tree"], "nothing else on disk");
    let got = snapshot(&out_dir.path().join("tree"));
    assert_eq!(got, snapshot(&source_dir.path().join("tree")));
    assert_eq!(got["empty"], Node::Dir);
    assert_eq!(got["a/to-top"], Node::Link("../top.txt".into()));
    assert_eq!(
        fs::read(out_dir.path().join("single.txt")).unwrap(),
        b"a single file\n"
    );
    {
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.bytes.get(&tree.digest.to_string()),
            Some(&tree.size),
            "the packed tree streamed whole: {seen:?}"
        );
    }
    out.close().unwrap();
    source.close().unwrap();
}

/// A client of `registry` without its credential.
fn anonymous(registry: &RealRegistry) -> Registry {
    let mut config = ClientConfig::new().proxy(ProxyConfig::none());
    config = match registry.mode() {
        Mode::TlsBasic => config
            .without_system_roots()
            .ca_pem(registry.ca_pem().unwrap().as_bytes().to_vec()),
        Mode::Plain | Mode::Token => config.plain_http(true),
    };
    Registry::with_config(&registry.host(), config).unwrap()
}

/// Without the credential the pull fails at once as unauthorized, and
/// leaves nothing in the target directory.
async fn anonymous_pull_is_refused(registry: &RealRegistry) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = FileStore::new(out_dir.path()).unwrap();
    let repo = anonymous(registry).repository("files/app").unwrap();
    let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = started.clone();
    let graph = CopyGraphOptions::default().with_progress(move |e| {
        if matches!(e, CopyEvent::Started(_)) {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let err = copy(&repo, "v1", &out, "", &CopyOptions::new(graph))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert!(err.to_string().contains("on source"), "{err}");
    assert_eq!(started.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(fs::read_dir(out_dir.path()).unwrap().count(), 0);
    out.close().unwrap();
}

#[tokio::test]
async fn a_directory_round_trips_through_a_registry_over_tls_with_basic_auth() {
    let Some(registry) = start_for_test_async(Mode::TlsBasic).await else {
        return;
    };
    assert!(registry.url().starts_with("https://"));
    bounded(async {
        file_store_round_trip(&registry).await;
        anonymous_pull_is_refused(&registry).await;
    })
    .await;
}

#[tokio::test]
async fn a_directory_round_trips_through_a_registry_under_token_auth() {
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    bounded(async {
        file_store_round_trip(&registry).await;
        anonymous_pull_is_refused(&registry).await;
    })
    .await;
    let tokens = registry.token_server().unwrap();
    assert!(tokens.request_count() > 0, "tokens were fetched");
}
