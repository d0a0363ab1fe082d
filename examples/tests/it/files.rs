//! push-files, pull-files, pull-image and attach-blob.

use oras_content::{ReferrerLister, Resolver, fetch_all};
use oras_spec::{Manifest, annotation};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::support::{Example, TEST_LIMIT, repository, word_after};

const PUSH_FILES: &str = env!("CARGO_BIN_EXE_push-files");
const PULL_FILES: &str = env!("CARGO_BIN_EXE_pull-files");
const PULL_IMAGE: &str = env!("CARGO_BIN_EXE_pull-image");
const ATTACH_BLOB: &str = env!("CARGO_BIN_EXE_attach-blob");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_files_then_pull_them_back_as_files_and_as_an_oci_layout() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("hello.txt"), b"hello world\n").unwrap();
        std::fs::write(work.path().join("data.json"), br#"{"answer":42}"#).unwrap();
        let reference = format!("{}/examples/files:v1", registry.host());

        // push-files: the artifact is in the registry under the tag.
        let stdout = Example::new(PUSH_FILES)
            .connect(&registry)
            .args([&reference, "hello.txt", "data.json"])
            .current_dir(work.path())
            .succeeds()
            .await;
        assert!(stdout.contains("file descriptor for hello.txt"), "{stdout}");
        let repo = repository(&registry, "examples/files");
        let root = repo.resolve("v1").await.unwrap();
        assert_eq!(word_after(&stdout, "pushed "), root.digest.to_string());
        let manifest: Manifest =
            serde_json::from_slice(&fetch_all(&repo, &root, 1 << 20).await.unwrap()).unwrap();
        assert_eq!(manifest.artifact_type, "application/vnd.test.artifact");
        let titles: Vec<_> = manifest.layers.iter().map(|l| l.title().unwrap()).collect();
        assert_eq!(titles, ["hello.txt", "data.json"]);
        assert!(
            manifest
                .layers
                .iter()
                .all(|l| l.media_type == "application/vnd.test.file")
        );
        assert_eq!(
            fetch_all(&repo, &manifest.layers[0], 1024).await.unwrap(),
            b"hello world\n"
        );
        assert!(manifest.annotations.contains_key(annotation::CREATED));

        // pull-files: the files are back, byte for byte, and nothing else.
        let out = tempfile::tempdir().unwrap();
        let pulled = out.path().join("pulled");
        let stdout = Example::new(PULL_FILES)
            .connect(&registry)
            .arg(&reference)
            .arg("--output")
            .arg(&pulled)
            .succeeds()
            .await;
        assert!(stdout.contains("wrote hello.txt (12 bytes)"), "{stdout}");
        assert!(stdout.contains(&root.digest.to_string()), "{stdout}");
        assert_eq!(
            std::fs::read(pulled.join("hello.txt")).unwrap(),
            b"hello world\n"
        );
        assert_eq!(
            std::fs::read(pulled.join("data.json")).unwrap(),
            br#"{"answer":42}"#
        );
        let mut names: Vec<_> = std::fs::read_dir(&pulled)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["data.json", "hello.txt"]);

        // pull-image: an OCI layout with the tag and every blob.
        let layout = out.path().join("layout");
        let stdout = Example::new(PULL_IMAGE)
            .connect(&registry)
            .arg(&reference)
            .arg("--oci-layout")
            .arg(&layout)
            .succeeds()
            .await;
        assert!(stdout.contains(&root.digest.to_string()), "{stdout}");
        let store = oras_store_oci::ReadOnlyStore::open(&layout).await.unwrap();
        assert_eq!(store.resolve("v1").await.unwrap().digest, root.digest);
        for layer in manifest.layers.iter().chain([&manifest.config]) {
            let blob = layout.join("blobs/sha256").join(layer.digest.encoded());
            assert!(blob.is_file(), "{} missing", blob.display());
            assert_eq!(
                fetch_all(&store, layer, 1024).await.unwrap(),
                fetch_all(&repo, layer, 1024).await.unwrap()
            );
        }

        // pull-image by digest: the layout knows the manifest by digest.
        let by_digest = format!("{}/examples/files@{}", registry.host(), root.digest);
        let layout = out.path().join("by-digest");
        Example::new(PULL_IMAGE)
            .connect(&registry)
            .arg(&by_digest)
            .arg("--oci-layout")
            .arg(&layout)
            .succeeds()
            .await;
        let store = oras_store_oci::ReadOnlyStore::open(&layout).await.unwrap();
        let found = store.resolve(&root.digest.to_string()).await.unwrap();
        assert_eq!(found.digest, root.digest);
        assert!(
            oras_content::TagLister::tags(&store, None)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_blob_adds_a_referrer_to_an_existing_artifact() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("app.bin"), b"application").unwrap();
        let reference = format!("{}/examples/attach:v1", registry.host());
        Example::new(PUSH_FILES)
            .connect(&registry)
            .args([&reference, "app.bin"])
            .current_dir(work.path())
            .succeeds()
            .await;
        let repo = repository(&registry, "examples/attach");
        let subject = repo.resolve("v1").await.unwrap();

        let by_digest = format!("{}/examples/attach@{}", registry.host(), subject.digest);
        let stdout = Example::new(ATTACH_BLOB)
            .connect(&registry)
            .arg(&by_digest)
            .args(["--blob", "signed by the example"])
            .succeeds()
            .await;

        // The referrer is listed for the subject (through the tag schema on
        // this registry), with the printed digest, type and blob.
        let referrers = repo.referrers(&subject, None).await.unwrap();
        assert_eq!(referrers.len(), 1, "{referrers:?}");
        let referrer = &referrers[0];
        assert_eq!(referrer.artifact_type, "application/vnd.example+type");
        assert_eq!(
            word_after(&stdout, "attached "),
            referrer.digest.to_string()
        );
        let manifest: Manifest =
            serde_json::from_slice(&fetch_all(&repo, referrer, 1 << 20).await.unwrap()).unwrap();
        assert_eq!(manifest.subject.as_ref().unwrap().digest, subject.digest);
        assert_eq!(
            fetch_all(&repo, &manifest.layers[0], 1024).await.unwrap(),
            b"signed by the example"
        );
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}
