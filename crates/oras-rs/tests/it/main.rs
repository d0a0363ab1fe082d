//! The facade's helpers over the memory store: what `push_files` packs and
//! what `pull_files` writes back.

use std::time::Duration;

use oras_rs::content::memory;
use oras_rs::prelude::*;

/// Every test finishes within this.
const TEST_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn files_and_a_directory_come_back_identical() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let work = tempfile::tempdir().unwrap();
        let file = work.path().join("a.txt");
        std::fs::write(&file, "first").unwrap();
        let dir = work.path().join("docs");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("b.txt"), "second").unwrap();

        let store = memory::Store::new();
        let manifest = oras_rs::push_files(&store, "v1", "application/vnd.example", &[&file, &dir])
            .await
            .unwrap();
        assert_eq!(manifest.media_type, media_type::IMAGE_MANIFEST);
        assert_eq!(manifest.artifact_type, "application/vnd.example");

        // Two titled layers of the default media type.
        let bytes = fetch_all(&store, &manifest, 1 << 20).await.unwrap();
        let parsed =
            oras_rs::spec::Parsed::<Manifest>::from_bytes(bytes, "image manifest").unwrap();
        let titles: Vec<_> = parsed
            .value()
            .layers
            .iter()
            .filter_map(|l| l.title())
            .collect();
        assert_eq!(titles, ["a.txt", "docs"]);
        assert_eq!(
            parsed.value().layers[0].media_type,
            oras_rs::DEFAULT_FILE_MEDIA_TYPE
        );

        let out = work.path().join("out");
        let pulled = oras_rs::pull_files(&store, "v1", &out).await.unwrap();
        assert_eq!(pulled.digest, manifest.digest);
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "first");
        assert_eq!(
            std::fs::read_to_string(out.join("docs/b.txt")).unwrap(),
            "second"
        );
    })
    .await
    .expect("the test finished in time");
}

#[tokio::test]
async fn a_path_without_a_file_name_is_refused_by_name() {
    let store = memory::Store::new();
    let err = oras_rs::push_files(&store, "v1", "application/vnd.example", &["/"])
        .await
        .unwrap_err();
    assert!(matches!(err, oras_rs::Error::NoFileName(_)), "{err:?}");
    assert_eq!(err.to_string(), "/: no file name to title the layer with");
}

#[tokio::test]
async fn pulling_an_unknown_tag_is_a_not_found_error() {
    let store = memory::Store::new();
    let out = tempfile::tempdir().unwrap();
    let err = oras_rs::pull_files(&store, "missing", out.path())
        .await
        .unwrap_err();
    let oras_rs::Error::Copy(copy) = &err else {
        panic!("expected a copy error, got {err:?}");
    };
    assert_eq!(copy.kind(), oras_rs::content::ErrorKind::NotFound, "{err}");
}
