//! Creating and opening layouts: the files we write, and layouts written
//! by other tools (extra fields, annotations, nested indexes, sha512).

use std::collections::BTreeMap;

use oras_content::{ErrorKind, Fetcher, PredecessorFinder, Resolver, TagLister, Tagger, fetch_all};
use oras_spec::{Algorithm, Descriptor, Index, Manifest, annotation, media_type};
use oras_store_oci::{Error, ReadOnlyStore, Store};

use crate::common::{files_under, read_index, write_blob};

#[tokio::test]
async fn creates_a_layout_every_oci_tool_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("new").join("layout");
    let store = Store::open(&root).await.unwrap();
    assert_eq!(store.root(), root);
    assert_eq!(
        std::fs::read_to_string(root.join("oci-layout")).unwrap(),
        r#"{"imageLayoutVersion":"1.0.0"}"#
    );
    assert_eq!(
        std::fs::read_to_string(root.join("index.json")).unwrap(),
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#
    );
    assert!(root.join("blobs").is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for file in ["oci-layout", "index.json"] {
            let mode = std::fs::metadata(root.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o444, 0o444, "{file} readable by everyone");
        }
    }
    assert_eq!(
        files_under(&root),
        vec!["index.json", "oci-layout"],
        "no temp files left"
    );
    // Opening again changes nothing.
    drop(store);
    Store::open(&root).await.unwrap();
    assert_eq!(files_under(&root), vec!["index.json", "oci-layout"]);
}

#[tokio::test]
async fn refuses_another_layout_version_and_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .unwrap();
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedVersion { ref found } if found == "2.0.0"),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
    let err = ReadOnlyStore::from_dir(dir.path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);

    std::fs::write(
        dir.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("index.json"), "{not json").unwrap();
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidIndex(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "invalid OCI Image Index: failed to decode index file: invalid character 'n' looking for beginning of object key string"
    );

    // The read-only store never creates anything.
    let empty = tempfile::tempdir().unwrap();
    let err = ReadOnlyStore::from_dir(empty.path()).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidLayout { ref file, .. } if file == "oci-layout"),
        "{err}"
    );
    assert!(files_under(empty.path()).is_empty());
}

/// A layout as another tool might write it: index.json with fields we do
/// not know, annotations, a nested index, sha512 blobs, `manifests` entries
/// with unknown fields, and an entry whose manifest is missing.
struct Foreign {
    dir: tempfile::TempDir,
    layer: Descriptor,
    manifest: Descriptor,
    index: Descriptor,
}

fn foreign_layout() -> Foreign {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("oci-layout"),
        r#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .unwrap();

    let layer_data = b"a sha512 layer";
    let layer = Descriptor::new(
        media_type::IMAGE_LAYER_GZIP,
        write_blob(root, Algorithm::Sha512, layer_data),
        layer_data.len() as u64,
    );
    let config_data = br#"{"architecture":"amd64","os":"linux"}"#;
    let config = Descriptor::new(
        media_type::IMAGE_CONFIG,
        write_blob(root, Algorithm::Sha256, config_data),
        config_data.len() as u64,
    );
    let manifest_json = serde_json::to_vec(&Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: String::new(),
        config,
        layers: vec![layer.clone()],
        subject: None,
        annotations: BTreeMap::from([("made.by".into(), "umoci".into())]),
    })
    .unwrap();
    let manifest = Descriptor::new(
        media_type::IMAGE_MANIFEST,
        write_blob(root, Algorithm::Sha512, &manifest_json),
        manifest_json.len() as u64,
    );
    let mut child = manifest.clone();
    child.platform = Some(oras_spec::Platform::new("linux", "amd64"));
    let index_json = serde_json::to_vec_pretty(&Index::new(vec![child])).unwrap();
    let index = Descriptor::new(
        media_type::IMAGE_INDEX,
        write_blob(root, Algorithm::Sha256, &index_json),
        index_json.len() as u64,
    );
    let missing = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"never written");
    let index_file = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_INDEX,
        "manifests": [
            {
                "mediaType": media_type::IMAGE_INDEX,
                "digest": index.digest.to_string(),
                "size": index.size,
                "annotations": {
                    annotation::REF_NAME: "stable",
                    "org.opencontainers.image.created": "2024-01-01T00:00:00Z"
                },
                "x-unknown-descriptor-field": true
            },
            {
                "mediaType": media_type::IMAGE_MANIFEST,
                "digest": missing.digest.to_string(),
                "size": missing.size,
                "annotations": { annotation::REF_NAME: "gone" }
            }
        ],
        "annotations": { "com.example.layout": "kept" },
        "x-tool-state": { "generation": 7 }
    });
    std::fs::write(
        root.join("index.json"),
        serde_json::to_vec_pretty(&index_file).unwrap(),
    )
    .unwrap();
    Foreign {
        dir,
        layer,
        manifest,
        index,
    }
}

#[tokio::test]
async fn reads_layouts_written_by_other_tools() {
    let foreign = foreign_layout();
    let store = Store::open(foreign.dir.path()).await.unwrap();
    let layout = ReadOnlyStore::from_dir(foreign.dir.path()).await.unwrap();
    for (name, resolver, finder) in [
        (
            "store",
            &store as &dyn Resolver,
            &store as &dyn PredecessorFinder,
        ),
        (
            "read-only",
            &layout as &dyn Resolver,
            &layout as &dyn PredecessorFinder,
        ),
    ] {
        let stable = resolver.resolve("stable").await.unwrap();
        assert_eq!(stable.digest, foreign.index.digest, "{name}");
        assert_eq!(
            stable
                .annotations
                .get("org.opencontainers.image.created")
                .map(String::as_str),
            Some("2024-01-01T00:00:00Z"),
            "{name}: a tag resolves to the full descriptor"
        );
        let by_digest = resolver
            .resolve(&foreign.index.digest.to_string())
            .await
            .unwrap();
        assert_eq!(
            by_digest, foreign.index,
            "{name}: a digest resolves to a plain descriptor"
        );
        // Nested: the layer's manifest is known only through the index.
        // Predecessors are the descriptors as their parents list them
        // (here with the platform the index gives), as in oras-go.
        let preds = finder.predecessors(&foreign.layer).await.unwrap();
        assert_eq!(preds.len(), 1, "{name}");
        assert!(preds[0].same_content(&foreign.manifest), "{name}");
        assert_eq!(
            preds[0].platform,
            Some(oras_spec::Platform::new("linux", "amd64"))
        );
        let preds = finder.predecessors(&foreign.manifest).await.unwrap();
        assert_eq!(preds, vec![foreign.index.clone()], "{name}");
        let sha512 = resolver
            .resolve(&foreign.layer.digest.to_string())
            .await
            .unwrap();
        assert_eq!(
            sha512.media_type,
            media_type::OCTET_STREAM,
            "{name}: blob not in the index"
        );
        assert_eq!(sha512.size, foreign.layer.size);
    }
    assert_eq!(
        fetch_all(&store, &foreign.layer, 1024).await.unwrap(),
        b"a sha512 layer"
    );
    assert_eq!(
        store.tags(None).await.unwrap(),
        vec!["gone".to_owned(), "stable".to_owned()]
    );
    assert!(
        store
            .fetch(&store.resolve("gone").await.unwrap())
            .await
            .is_err()
    );

    // Rewriting the index keeps what we do not know and what others wrote.
    store.tag(&foreign.manifest, "amd64").await.unwrap();
    let index = read_index(foreign.dir.path());
    assert_eq!(index["x-tool-state"]["generation"], 7);
    assert_eq!(index["annotations"]["com.example.layout"], "kept");
    let entries = index["manifests"].as_array().unwrap();
    let stable = entries
        .iter()
        .find(|e| e["annotations"][annotation::REF_NAME] == "stable")
        .unwrap();
    assert_eq!(
        stable["annotations"]["org.opencontainers.image.created"],
        "2024-01-01T00:00:00Z"
    );
    let amd64 = entries
        .iter()
        .find(|e| e["annotations"][annotation::REF_NAME] == "amd64")
        .unwrap();
    assert_eq!(amd64["digest"], foreign.manifest.digest.to_string());
}

#[tokio::test]
async fn a_corrupt_manifest_listed_in_the_index_is_refused_on_open() {
    let foreign = foreign_layout();
    let path = crate::common::blob_file(foreign.dir.path(), &foreign.index.digest);
    let mut bytes = std::fs::read(&path).unwrap();
    let space = bytes.iter().position(|b| *b == b' ').unwrap();
    bytes[space] = b'\t'; // still valid JSON, same size, another digest
    std::fs::write(&path, bytes).unwrap();
    let err = Store::open(foreign.dir.path()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
}
