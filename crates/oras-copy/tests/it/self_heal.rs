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

/// The oras-go case on the in-process fake registry: the destination
/// reports a child manifest present (it holds the manifest but not its
/// blobs) and refuses the index that references it once with
/// `MANIFEST_BLOB_UNKNOWN`. The copy re-pushes the child, whose own
/// refusal brings its missing blobs, then the index.
#[tokio::test]
async fn an_index_refused_for_a_child_re_pushes_the_child_and_its_blobs() {
    use http::Method;
    use oras_content::memory::Store as MemoryStore;
    use oras_testkit::fake::{ErrorCode, FakeConfig, FakeRegistry, Fault, FaultAction};

    let src = MemoryStore::new();
    let push_src = |media: &'static str, data: Vec<u8>| {
        let src = &src;
        async move {
            let desc = Descriptor::from_bytes(media, &data);
            src.push(&desc, bytes_reader(Bytes::from(data)))
                .await
                .unwrap();
            desc
        }
    };
    let config = push_src(media_type::IMAGE_CONFIG, b"{}".to_vec()).await;
    let layer = push_src(media_type::IMAGE_LAYER, b"child layer".to_vec()).await;
    let child_bytes = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_MANIFEST,
        "config": config,
        "layers": [layer],
    }))
    .unwrap();
    let child = push_src(media_type::IMAGE_MANIFEST, child_bytes.clone()).await;
    let index_bytes = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_INDEX,
        "manifests": [child],
    }))
    .unwrap();
    let index = push_src(media_type::IMAGE_INDEX, index_bytes).await;
    src.tag(&index, "v1").await.unwrap();

    let refuse_index = Fault::new(
        Method::PUT,
        "/v2/dst/manifests/*",
        FaultAction::Respond {
            status: http::StatusCode::BAD_REQUEST,
            retry_after: None,
            code: Some(ErrorCode::ManifestBlobUnknown),
        },
    );
    let fake = FakeRegistry::start(FakeConfig::with_faults(vec![refuse_index])).await;
    // The child "exists" at the destination, without its blobs.
    fake.put_manifest("dst", media_type::IMAGE_MANIFEST, child_bytes);
    let dst = repo(&fake.host(), "dst");
    tokio::time::timeout(Duration::from_secs(30), async {
        let copied = copy(&src, "v1", &dst, "v1", &CopyOptions::default())
            .await
            .unwrap();
        assert_eq!(copied.digest, index.digest);
    })
    .await
    .expect("the copy finished in time");
    assert!(
        dst.exists(&layer).await.unwrap(),
        "the child's layer was healed"
    );
    let manifest_puts: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == Method::PUT && r.path.contains("/manifests/"))
        .map(|r| format!("{} {}", r.status, r.path))
        .collect();
    let child_path = format!("/v2/dst/manifests/{}", child.digest);
    assert!(
        manifest_puts.iter().any(|p| p.ends_with(&child_path)),
        "the child was re-pushed: {manifest_puts:?}"
    );
    assert!(
        manifest_puts
            .iter()
            .filter(|p| p.ends_with("/v2/dst/manifests/v1"))
            .count()
            == 2,
        "the index was refused once, then pushed: {manifest_puts:?}"
    );
}
