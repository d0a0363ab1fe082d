//! Self-heal (oras-go #1212/#1213) against a real Distribution registry:
//! the destination still answers for a manifest whose layer it lost, so
//! the existence check skips it, and the registry then refuses the
//! manifest's re-push (`MANIFEST_BLOB_UNKNOWN`). The copy re-pushes what
//! is missing and succeeds.

use std::time::Duration;

use bytes::Bytes;
use oras_content::{Deleter, Pusher, ReadOnlyStorage, Tagger, bytes_reader};
use oras_copy::{CopyOptions, copy};
use oras_remote::{ClientConfig, Registry, Repository};
use oras_spec::{Descriptor, media_type};
use oras_testkit::real::{Mode, start_for_test_async};

fn repo(host: &str, name: &str) -> Repository {
    Registry::with_config(host, ClientConfig::new().plain_http(true))
        .unwrap()
        .repository(name)
        .unwrap()
}

async fn push(repo: &Repository, media: &str, data: &[u8]) -> Descriptor {
    let desc = Descriptor::from_bytes(media, data);
    repo.push(&desc, bytes_reader(Bytes::copy_from_slice(data)))
        .await
        .unwrap();
    desc
}

/// An image (config, two layers, manifest) tagged `v1` in `repo`.
async fn image(repo: &Repository) -> (Descriptor, Vec<Descriptor>) {
    let config = push(repo, media_type::IMAGE_CONFIG, b"{}").await;
    let a = push(repo, media_type::IMAGE_LAYER, b"layer a").await;
    let b = push(repo, media_type::IMAGE_LAYER, b"layer b").await;
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_MANIFEST,
        "config": config,
        "layers": [a, b],
    });
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let desc = push(repo, media_type::IMAGE_MANIFEST, &bytes).await;
    repo.tag(&desc, "v1").await.unwrap();
    (desc, vec![config, a, b])
}

#[tokio::test]
async fn a_destination_missing_a_layer_is_healed() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    let host = registry.host();
    tokio::time::timeout(Duration::from_secs(60), async {
        let src = repo(&host, "heal/src");
        let dst = repo(&host, "heal/dst");
        let (root, blobs) = image(&src).await;
        copy(&src, "v1", &dst, "v1", &CopyOptions::default())
            .await
            .unwrap();
        // The destination loses a layer; its manifest still answers.
        let lost = &blobs[2];
        dst.blobs().delete(lost).await.unwrap();
        assert!(!dst.exists(lost).await.unwrap());
        assert!(dst.exists(&root).await.unwrap());

        let copied = copy(&src, "v1", &dst, "v1", &CopyOptions::default())
            .await
            .unwrap();
        assert_eq!(copied.digest, root.digest);
        assert!(dst.exists(lost).await.unwrap(), "the lost layer is back");
        // And once more: nothing to heal, nothing fails.
        copy(&src, "v1", &dst, "v2", &CopyOptions::default())
            .await
            .unwrap();
    })
    .await
    .expect("the self-heal copy finished in time");
    registry.stop().unwrap();
}
