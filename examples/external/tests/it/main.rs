//! The facade used from outside the workspace, against a real CNCF
//! Distribution registry on 127.0.0.1.

use std::time::Duration;

use oras_external_user::{NOTES_ARTIFACT_TYPE, fetch_notes, local_repository, publish_notes};
use oras_rs::prelude::*;
use oras_testkit::real::{Mode, start_for_test_async};

/// Every test finishes within this, whatever the registry does.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_pull_and_copy_through_the_facade() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let Some(registry) = start_for_test_async(Mode::Plain).await else {
            return;
        };
        let host = registry.host();
        let work = tempfile::tempdir().unwrap();
        let notes = work.path().join("notes.txt");
        std::fs::write(&notes, "remember the milk").unwrap();

        // Push, then find the artifact by its tag.
        let repo = local_repository(&format!("{host}/external/notes")).unwrap();
        let manifest = publish_notes(&repo, "v1", &[notes.as_path()])
            .await
            .unwrap();
        let resolved = repo.resolve("v1").await.unwrap();
        assert_eq!(resolved.digest, manifest.digest);

        // Pull into a fresh directory: the same bytes under the same name.
        let out = work.path().join("out");
        fetch_notes(&repo, "v1", &out).await.unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "remember the milk"
        );

        // Copy to another repository of the same registry, then read the
        // manifest there and check its artifact type.
        let mirror = local_repository(&format!("{host}/external/mirror")).unwrap();
        let copied = oras_rs::copy_artifact(&repo, "v1", &mirror, "")
            .await
            .unwrap();
        assert_eq!(copied.digest, manifest.digest);
        let bytes = fetch_all(&mirror, &copied, 1 << 20).await.unwrap();
        let parsed: Manifest = parse_manifest(&bytes);
        assert_eq!(parsed.artifact_type, NOTES_ARTIFACT_TYPE);
    })
    .await
    .expect("the test finished in time");
}

/// Parses a manifest with oras-spec's parser, re-exported by the facade.
fn parse_manifest(bytes: &[u8]) -> Manifest {
    oras_rs::spec::Parsed::<Manifest>::from_bytes(bytes.to_vec(), "image manifest")
        .unwrap()
        .value()
        .clone()
}
