//! Cross-repository mounts (oras-go `MountFrom`): on the
//! real registry the blobs of an artifact are mounted from the source
//! repository, candidates tried in turn; when the registry declines
//! (202, the fake with mounts off) or refuses (401/403) the blobs are
//! copied normally.

use std::sync::{Arc, Mutex};

use oras_content::{Resolver, Tagger};
use oras_copy::{CopyGraphOptions, CopyOptions, copy};
use oras_testkit::fake::{FakeConfig, FakeRegistry, Fault};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::remote_copy::support::*;

/// Copy options mounting from `candidates`, recording `on_mounted` calls.
fn mounting(candidates: Vec<String>) -> (CopyGraphOptions, Arc<Mutex<Vec<String>>>) {
    let hooked = Arc::new(Mutex::new(Vec::new()));
    let sink = hooked.clone();
    let graph = CopyGraphOptions::default()
        .with_mount_from(move |_| {
            let candidates = candidates.clone();
            async move { Ok(candidates) }
        })
        .with_on_mounted(move |desc| {
            sink.lock().unwrap().push(desc.digest.to_string());
            async { Ok(()) }
        });
    (graph, hooked)
}

async fn blobs_are_mounted_on_the_real_registry(mode: Mode) {
    let Some(registry) = start_for_test_async(mode).await else {
        return;
    };
    bounded(async {
        let src = real_repo(&registry, "mount/src");
        let dst = real_repo(&registry, "mount/dst");
        let artifact = Artifact::push(&src, 3).await;
        src.tag(&artifact.manifest, "v1").await.unwrap();

        // The first candidate lacks the blobs (the registry opens an upload
        // instead), the second has them.
        let (graph, hooked) = mounting(vec!["mount/empty".into(), src.name().to_owned()]);
        let (graph, seen) = recording(graph);
        let root = copy(&src, "v1", &dst, "v1", &CopyOptions::new(graph))
            .await
            .unwrap();
        assert_eq!(root.digest, artifact.manifest.digest);
        assert_holds(&dst, &artifact.nodes(), &artifact.content).await;
        assert_eq!(dst.resolve("v1").await.unwrap().digest, root.digest);

        let blobs = digests(&artifact.blobs());
        let seen = seen.lock().unwrap();
        assert_eq!(Seen::set(&seen.mounted), blobs, "{seen:?}");
        assert_eq!(
            Seen::set(&hooked.lock().unwrap()),
            blobs,
            "on_mounted for each"
        );
        // Only the manifest was uploaded: no blob started or sent a byte.
        assert_eq!(seen.started, [root.digest.to_string()], "{seen:?}");
        assert_eq!(seen.done, [root.digest.to_string()], "{seen:?}");
        assert!(
            seen.bytes.keys().all(|d| *d == root.digest.to_string()),
            "{seen:?}"
        );
    })
    .await;
    if let Some(tokens) = registry.token_server() {
        let mount_scope = tokens.requests().iter().any(|r| {
            r.scopes
                .iter()
                .any(|s| s.starts_with("repository:mount/src:") && s.contains("pull"))
        });
        assert!(mount_scope, "a token with pull on the source was asked for");
    }
}

#[tokio::test]
async fn blobs_are_mounted_between_repositories_of_a_real_registry() {
    blobs_are_mounted_on_the_real_registry(Mode::Plain).await;
}

#[tokio::test]
async fn blobs_are_mounted_under_token_auth() {
    blobs_are_mounted_on_the_real_registry(Mode::Token).await;
}

/// Copies an artifact between two repositories of `fake`, mounting from
/// the source; returns what was seen.
async fn copy_with_mount(fake: &FakeRegistry) -> (Artifact, Seen, Vec<String>) {
    let src = fake_repo(fake, "fake/src");
    let dst = fake_repo(fake, "fake/dst");
    let artifact = Artifact::push(&src, 4).await;
    src.tag(&artifact.manifest, "v1").await.unwrap();
    let (graph, hooked) = mounting(vec![src.name().to_owned()]);
    let (graph, seen) = recording(graph);
    let root = copy(&src, "v1", &dst, "v1", &CopyOptions::new(graph))
        .await
        .unwrap();
    assert_eq!(root.digest, artifact.manifest.digest);
    assert_holds(&dst, &artifact.nodes(), &artifact.content).await;
    assert_eq!(dst.resolve("v1").await.unwrap().digest, root.digest);
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let hooked = hooked.lock().unwrap().clone();
    (artifact, seen, hooked)
}

/// The mount requests the fake saw (`POST …/uploads/?mount=`), by status.
fn mount_statuses(fake: &FakeRegistry) -> Vec<u16> {
    fake.requests()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.path.contains("mount="))
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_declined_mount_falls_back_to_a_copy() {
    bounded(async {
        let fake = FakeRegistry::start(FakeConfig {
            mount: false,
            ..FakeConfig::strict()
        })
        .await;
        let (artifact, seen, hooked) = copy_with_mount(&fake).await;
        assert!(seen.mounted.is_empty() && hooked.is_empty(), "{seen:?}");
        assert_eq!(
            Seen::set(&seen.done),
            digests(&artifact.nodes()),
            "{seen:?}"
        );
        for blob in artifact.blobs() {
            assert_eq!(seen.bytes.get(&blob.digest.to_string()), Some(&blob.size));
        }
        assert_eq!(
            mount_statuses(&fake),
            vec![202; artifact.blobs().len()],
            "each blob asked once, each declined"
        );
        assert!(fake.unexpected_requests().is_empty());
        assert!(fake.uploads().is_empty(), "declined sessions were closed");
    })
    .await;
}

#[tokio::test]
async fn a_refused_mount_falls_back_to_a_copy() {
    for status in [401, 403] {
        bounded(async {
            // The first upload POST of the destination is a mount attempt
            // (each blob tries to mount before it uploads): refuse it.
            let fake = FakeRegistry::start(FakeConfig::with_faults(vec![Fault::status(
                "POST".parse().unwrap(),
                "/v2/fake/dst/blobs/uploads/",
                status,
            )]))
            .await;
            let (artifact, seen, hooked) = copy_with_mount(&fake).await;
            assert_eq!(mount_statuses(&fake).first(), Some(&status));
            let blobs = digests(&artifact.blobs());
            // One blob was refused and copied; the others mounted.
            let copied: Vec<&String> = seen.done.iter().filter(|d| blobs.contains(*d)).collect();
            assert_eq!(copied.len(), 1, "{status}: {seen:?}");
            assert_eq!(seen.mounted.len(), blobs.len() - 1, "{status}: {seen:?}");
            assert_eq!(Seen::set(&hooked), Seen::set(&seen.mounted));
            assert!(!seen.mounted.contains(copied[0]));
            assert!(fake.unexpected_requests().is_empty());
        })
        .await;
    }
}
