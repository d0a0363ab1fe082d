//! What a library user does with [`ContainersConfig::endpoints`]: build a
//! client per endpoint, try pulls in order, push to the one endpoint.

use std::time::Duration;

use bytes::Bytes;
use oras_containers_config::{ContainersConfig, Endpoint, Environment, Error, Operation};
use oras_content::{Pusher, ReadOnlyStorage, Resolver, Tagger, bytes_reader};
use oras_remote::{ClientConfig, Registry, Repository};
use oras_spec::Descriptor;
use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};

/// A client for `endpoint`: plain HTTP when it is insecure (the test
/// registries speak plain HTTP), its certs.d CAs, the credentials of its
/// repository.
pub(crate) fn client(endpoint: &Endpoint, config: &ContainersConfig) -> Repository {
    let mut client = ClientConfig::new()
        .plain_http(endpoint.insecure)
        .credentials(config.credentials_for(&endpoint.reference));
    for ca in &endpoint.tls.ca_files {
        client = client.ca_file(ca.clone());
    }
    Registry::with_config(endpoint.reference.registry(), client)
        .unwrap()
        .repository(endpoint.reference.repository())
        .unwrap()
}

/// The first endpoint that resolves the reference.
async fn pull_source(config: &ContainersConfig, reference: &str) -> Option<(Endpoint, Descriptor)> {
    for endpoint in config.endpoints(reference, Operation::Pull).unwrap() {
        let repository = client(&endpoint, config);
        let target = endpoint.reference.reference_string();
        if let Ok(desc) = repository.resolve(&target).await {
            return Some((endpoint, desc));
        }
    }
    None
}

pub(crate) async fn push_blob(
    repository: &Repository,
    data: &'static [u8],
    tag: &str,
) -> Descriptor {
    // A blob tagged through a tiny manifest is more than this test needs:
    // an empty-config image manifest whose one layer is `data`.
    let layer = Descriptor::from_bytes(oras_spec::media_type::IMAGE_LAYER, data);
    repository
        .push(&layer, bytes_reader(Bytes::from_static(data)))
        .await
        .unwrap();
    let config = Descriptor::empty_json();
    repository
        .push(&config, bytes_reader(Bytes::from_static(b"{}")))
        .await
        .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": oras_spec::media_type::IMAGE_MANIFEST,
        "artifactType": "application/vnd.test",
        "config": config,
        "layers": [layer],
    }))
    .unwrap();
    let desc = Descriptor::from_bytes(oras_spec::media_type::IMAGE_MANIFEST, &manifest);
    repository
        .push(&desc, bytes_reader(Bytes::from(manifest)))
        .await
        .unwrap();
    repository.tag(&desc, tag).await.unwrap();
    desc
}

fn plain_repo(registry: &RealRegistry, name: &str) -> Repository {
    Registry::with_config(&registry.host(), ClientConfig::new().plain_http(true))
        .unwrap()
        .repository(name)
        .unwrap()
}

#[tokio::test]
async fn pulls_prefer_the_mirror_and_fall_back_pushes_go_to_the_origin() {
    let (Some(origin), Some(mirror)) = (
        start_for_test_async(Mode::Plain).await,
        start_for_test_async(Mode::Plain).await,
    ) else {
        return;
    };
    let (o, m) = (origin.host(), mirror.host());
    tokio::time::timeout(Duration::from_secs(60), async {
        let on_mirror = push_blob(&plain_repo(&mirror, "mirrored/app"), b"mirror", "v1").await;
        let on_origin = push_blob(&plain_repo(&origin, "app"), b"origin", "v1").await;
        let only_origin = push_blob(&plain_repo(&origin, "app"), b"only", "v2").await;

        let root = tempfile::tempdir().unwrap();
        let etc = root.path().join("etc/containers");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(
            etc.join("registries.conf"),
            format!(
                "[[registry]]\nlocation = \"{o}\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"{m}/mirrored\"\ninsecure = true\n[[registry]]\nlocation = \"blocked.example\"\nblocked = true\n"
            ),
        )
        .unwrap();
        std::fs::write(
            etc.join("policy.json"),
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )
        .unwrap();
        let config = ContainersConfig::load_with(&Environment::rooted(root.path())).unwrap();

        let (endpoint, desc) = pull_source(&config, &format!("{o}/app:v1")).await.unwrap();
        assert!(endpoint.mirror);
        assert_eq!(desc.digest, on_mirror.digest);
        assert_ne!(desc.digest, on_origin.digest);

        let by_digest = format!("{o}/app@{}", only_origin.digest);
        let (endpoint, desc) = pull_source(&config, &by_digest).await.unwrap();
        assert!(!endpoint.mirror, "the mirror lacks the digest");
        assert_eq!(desc.digest, only_origin.digest);

        let push = config.endpoints(&format!("{o}/app:v3"), Operation::Push).unwrap();
        assert_eq!(push.len(), 1);
        let target = client(&push[0], &config);
        push_blob(&target, b"pushed", "v3").await;
        assert!(plain_repo(&origin, "app").resolve("v3").await.is_ok());
        let mirror_repo = plain_repo(&mirror, "mirrored/app");
        assert!(mirror_repo.resolve("v3").await.is_err());
        assert!(!mirror_repo.exists(&only_origin).await.unwrap());

        let err = config
            .endpoints("blocked.example/app:v1", Operation::Pull)
            .unwrap_err();
        assert!(matches!(err, Error::Blocked { .. }), "{err}");
    })
    .await
    .expect("the test finished in time");
    origin.stop().unwrap();
    mirror.stop().unwrap();
}
