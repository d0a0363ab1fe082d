//! A pull as the CLI does it: `copy` from an OCI
//! layout into a file store with a successor finder that leaves out the
//! subject, the empty config and empty layer, and every untitled leaf.
//! Only titled files land on disk; the manifests stay in the file store's
//! memory.

use std::fs;
use std::sync::{Arc, Mutex};

use oras_content::{
    MAX_METADATA_BYTES, ReadOnlyStorage, Resolver, Tagger, fetch_all, subject_from_bytes,
    successors, successors_from_bytes,
};
use oras_copy::{
    CopyGraphOptions, CopyOptions, PackManifestOptions, PackManifestVersion, copy, pack_manifest,
};
use oras_spec::{Descriptor, Platform, media_type};
use oras_store_file::Store as FileStore;
use oras_store_oci::{ReadOnlyStore, Store as OciStore};

use crate::cross_store::support::*;

/// The successors `oras pull` follows (without `--include-subject` or
/// `--config`); what it leaves out is recorded in `dropped`.
fn pull_successors(dropped: Arc<Mutex<Vec<Descriptor>>>) -> CopyGraphOptions {
    CopyGraphOptions::default().with_find_successors(move |fetcher, desc| {
        let dropped = dropped.clone();
        Box::pin(async move {
            if !desc.is_manifest() {
                return Ok(Vec::new());
            }
            let content = fetch_all(fetcher, desc, MAX_METADATA_BYTES).await?;
            let subject = subject_from_bytes(desc, &content)?;
            let mut kept = Vec::new();
            for node in successors_from_bytes(desc, &content)? {
                if subject.as_ref().is_some_and(|s| s.same_content(&node)) {
                    continue;
                }
                if node.title().is_none() {
                    // The empty config and empty layer go silently; an
                    // untitled node without successors is skipped.
                    let leaf = node.is_empty_json() || successors(fetcher, &node).await?.is_empty();
                    if leaf {
                        dropped.lock().unwrap().push(node);
                        continue;
                    }
                }
                kept.push(node);
            }
            Ok(kept)
        })
    })
}

/// An OCI layout with an index (`v1`) of two packed artifacts:
/// - linux/amd64: `a.txt`, and an untitled layer;
/// - linux/arm64: `b.txt`, `c.txt`, and the empty layer;
///
/// both with the empty config.
struct Source {
    _dir: tempfile::TempDir,
    store: ReadOnlyStore,
    index: Descriptor,
    amd64: Descriptor,
    arm64: Descriptor,
    untitled: Descriptor,
}

const FILES: [(&str, &[u8]); 3] = [
    ("a.txt", b"file a\n"),
    ("b.txt", b"file b\n"),
    ("c.txt", b"file c\n"),
];

async fn source() -> Source {
    let dir = tempfile::tempdir().unwrap();
    let (index, amd64, arm64, untitled) = {
        let store = OciStore::open(dir.path()).await.unwrap();
        let mut files = Vec::new();
        for (title, data) in FILES {
            let desc = titled(Descriptor::from_bytes(media_type::IMAGE_LAYER, data), title);
            put(&store, &desc, data).await;
            files.push(desc);
        }
        let untitled = blob(&store, media_type::IMAGE_LAYER, b"no name").await;
        let pack = |layers: Vec<Descriptor>| PackManifestOptions {
            layers,
            manifest_annotations: created(),
            ..Default::default()
        };
        let v = PackManifestVersion::V1_1;
        let amd64 = pack_manifest(
            &store,
            v,
            ARTIFACT_TYPE,
            &pack(vec![files[0].clone(), untitled.clone()]),
        )
        .await
        .unwrap();
        let arm_layers = vec![files[1].clone(), files[2].clone(), Descriptor::empty_json()];
        let arm64 = pack_manifest(&store, v, ARTIFACT_TYPE, &pack(arm_layers))
            .await
            .unwrap();
        let mut entries = Vec::new();
        for (desc, arch) in [(&amd64, "amd64"), (&arm64, "arm64")] {
            let mut entry = desc.plain();
            entry.platform = Some(Platform::new("linux", arch));
            entries.push(entry);
        }
        let (index, _) = push_index(&store, entries).await;
        store.tag(&index, "v1").await.unwrap();
        (index, amd64, arm64, untitled)
    };
    let store = ReadOnlyStore::open(dir.path()).await.unwrap();
    Source {
        _dir: dir,
        store,
        index,
        amd64,
        arm64,
        untitled,
    }
}

#[tokio::test]
async fn only_titled_files_land_on_disk() {
    bounded(async {
        let src = source().await;
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path()).unwrap();
        let dropped = Arc::new(Mutex::new(Vec::new()));
        let opts = CopyOptions::new(pull_successors(dropped.clone()));
        let root = copy(&src.store, "v1", &dst, "", &opts).await.unwrap();
        assert_eq!(root.digest, src.index.digest);

        assert_eq!(names_in(out.path()), ["a.txt", "b.txt", "c.txt"]);
        for (title, data) in FILES {
            assert_eq!(fs::read(out.path().join(title)).unwrap(), data);
        }
        // Manifests are in the store's memory; what was left out is not.
        for manifest in [&src.index, &src.amd64, &src.arm64] {
            assert!(dst.exists(manifest).await.unwrap(), "{}", manifest.digest);
        }
        assert!(!dst.exists(&src.untitled).await.unwrap());
        assert!(!dst.exists(&Descriptor::empty_json()).await.unwrap());
        assert_eq!(dst.resolve("v1").await.unwrap().digest, src.index.digest);

        let mut dropped: Vec<String> = dropped
            .lock()
            .unwrap()
            .iter()
            .map(|d| d.digest.to_string())
            .collect();
        dropped.sort();
        dropped.dedup();
        let mut want = vec![
            src.untitled.digest.to_string(),
            Descriptor::empty_json().digest.to_string(),
        ];
        want.sort();
        assert_eq!(dropped, want);
        dst.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_platform_pull_writes_only_that_platforms_files() {
    bounded(async {
        let src = source().await;
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path()).unwrap();
        let dropped = Arc::new(Mutex::new(Vec::new()));
        let opts = CopyOptions::new(pull_successors(dropped))
            .with_target_platform(Platform::new("linux", "arm64"));
        let root = copy(&src.store, "v1", &dst, "", &opts).await.unwrap();
        assert_eq!(root.digest, src.arm64.digest);
        assert_eq!(names_in(out.path()), ["b.txt", "c.txt"]);
        assert!(!dst.exists(&src.amd64).await.unwrap());
        assert_eq!(dst.resolve("v1").await.unwrap().digest, src.arm64.digest);
        dst.close().unwrap();
    })
    .await;
}
