//! copy (every scenario), copy-artifact-from-repository and the two
//! extended copies.

use oras_content::{ReferrerLister, Resolver, fetch_all};
use oras_spec::Manifest;
use oras_testkit::real::{Mode, start_for_test_async};

use crate::support::{Example, TEST_LIMIT, repository, word_after};

const COPY: &str = env!("CARGO_BIN_EXE_copy");
const COPY_ARTIFACT_FROM_REPOSITORY: &str = env!("CARGO_BIN_EXE_copy-artifact-from-repository");
const EXTENDED_COPY_TO_REPOSITORY: &str = env!("CARGO_BIN_EXE_extended-copy-to-repository");
const EXTENDED_COPY_FROM_REPOSITORY: &str = env!("CARGO_BIN_EXE_extended-copy-from-repository");

/// The image of oras-go's copy examples, which `copy` rebuilds in memory.
const EXAMPLE_IMAGE: &str =
    "sha256:7cbb44b44e8ede5a89cf193db3f5f2fd019d89697e6b87e8ed2589e60649b0d1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_between_memory_oci_layout_and_repositories() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let host = registry.host();
        let source = format!("{host}/examples/copy-source");

        // memory → repository: the example image, tagged `latest`.
        let stdout = Example::new(COPY)
            .connect(&registry)
            .args(["memory-to-repository", &source])
            .succeeds()
            .await;
        assert_eq!(stdout.trim(), EXAMPLE_IMAGE);
        let src = repository(&registry, "examples/copy-source");
        let root = src.resolve("latest").await.unwrap();
        assert_eq!(root.digest.to_string(), EXAMPLE_IMAGE);
        let manifest: Manifest =
            serde_json::from_slice(&fetch_all(&src, &root, 1 << 20).await.unwrap()).unwrap();
        assert_eq!(
            fetch_all(&src, &manifest.layers[0], 1024).await.unwrap(),
            b"Hello layer"
        );
        assert_eq!(
            fetch_all(&src, &manifest.config, 1024).await.unwrap(),
            b"Hello config"
        );

        // repository → repository with mount: both blobs are mounted.
        let stdout = Example::new(COPY)
            .connect(&registry)
            .args(["repository-to-repository", &source])
            .arg(format!("{host}/examples/copy-mounted"))
            .arg("--mount")
            .succeeds()
            .await;
        assert!(
            stdout.contains(&format!("Final {EXAMPLE_IMAGE}")),
            "{stdout}"
        );
        for blob in [&manifest.config, &manifest.layers[0]] {
            assert!(
                stdout.contains(&format!("mounted {}", blob.digest)),
                "{} not mounted:\n{stdout}",
                blob.digest
            );
        }
        let mounted = repository(&registry, "examples/copy-mounted");
        assert_eq!(mounted.resolve("latest").await.unwrap().digest, root.digest);
        assert_eq!(
            fetch_all(&mounted, &manifest.layers[0], 1024)
                .await
                .unwrap(),
            b"Hello layer"
        );

        // repository → repository without mount: copied, nothing mounted.
        let stdout = Example::new(COPY)
            .connect(&registry)
            .args(["repository-to-repository", &source])
            .arg(format!("{host}/examples/copy-destination:v2"))
            .succeeds()
            .await;
        assert!(
            stdout.contains(&format!("Final {EXAMPLE_IMAGE}")),
            "{stdout}"
        );
        assert!(!stdout.contains("mounted"), "{stdout}");
        let destination = repository(&registry, "examples/copy-destination");
        assert_eq!(destination.resolve("v2").await.unwrap().digest, root.digest);

        // repository → memory: the three nodes arrive. (The connection
        // flags are global: here `--plain-http` follows the subcommand.)
        let stdout = Example::new(COPY)
            .args(["repository-to-memory", &source, "--plain-http"])
            .succeeds()
            .await;
        assert!(stdout.starts_with(EXAMPLE_IMAGE), "{stdout}");
        assert!(
            stdout.contains("3 blobs and manifests in memory"),
            "{stdout}"
        );

        // memory → memory.
        let stdout = Example::new(COPY).arg("memory-to-memory").succeeds().await;
        assert!(stdout.starts_with(EXAMPLE_IMAGE), "{stdout}");
        assert!(
            stdout.contains("exists in the destination: true"),
            "{stdout}"
        );

        // memory → OCI layout: a layout with the tag.
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("layout");
        let stdout = Example::new(COPY)
            .arg("memory-to-oci-layout")
            .arg(&layout)
            .succeeds()
            .await;
        assert_eq!(stdout.trim(), EXAMPLE_IMAGE);
        let store = oras_store_oci::ReadOnlyStore::open(&layout).await.unwrap();
        assert_eq!(store.resolve("latest").await.unwrap().digest, root.digest);
        assert_eq!(
            fetch_all(&store, &manifest.layers[0], 1024).await.unwrap(),
            b"Hello layer"
        );

        // copy_graph by digest into memory.
        let stdout = Example::new(COPY_ARTIFACT_FROM_REPOSITORY)
            .connect(&registry)
            .arg(format!("{source}@{EXAMPLE_IMAGE}"))
            .succeeds()
            .await;
        assert_eq!(stdout.lines().next(), Some("true"), "{stdout}");
        assert!(stdout.contains("copied 3 nodes"), "{stdout}");
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_copy_to_and_from_a_repository_carries_the_referrer() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let reference = format!("{}/examples/extended:v1", registry.host());

        // To the repository: the artifact under `v1`, and its referrer
        // listed for it (through the tag schema on this registry).
        let stdout = Example::new(EXTENDED_COPY_TO_REPOSITORY)
            .connect(&registry)
            .arg(&reference)
            .succeeds()
            .await;
        let repo = repository(&registry, "examples/extended");
        let root = repo.resolve("v1").await.unwrap();
        assert_eq!(word_after(&stdout, "pushed: "), root.digest.to_string());
        assert_eq!(root.artifact_type, "");
        let referrers = repo.referrers(&root, None).await.unwrap();
        assert_eq!(referrers.len(), 1, "{referrers:?}");
        assert_eq!(referrers[0].artifact_type, "sbom/example");
        let referrer_digest = word_after(&stdout, "pushed referrer: ");
        assert_eq!(referrers[0].digest.to_string(), referrer_digest);

        // From the repository into memory: the referrer came along.
        let stdout = Example::new(EXTENDED_COPY_FROM_REPOSITORY)
            .connect(&registry)
            .arg(&reference)
            .succeeds()
            .await;
        assert_eq!(word_after(&stdout, "root: "), root.digest.to_string());
        assert!(stdout.contains("root exists in memory: true"), "{stdout}");
        assert!(
            stdout.contains(&format!("referrer: {referrer_digest} sbom/example")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("copied {referrer_digest}")),
            "{stdout}"
        );
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}
