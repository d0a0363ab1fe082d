//! pack_manifest: oras-go's fields, defaults, errors and exact bytes.

use std::collections::BTreeMap;

use oras_content::{ErrorKind, ReadOnlyStorage, fetch_all, memory};
use oras_copy::{Error, PackManifestOptions, PackManifestVersion, pack_manifest};
use oras_spec::{Descriptor, Manifest, annotation, media_type};

use crate::support::*;

const ARTIFACT: &str = "application/vnd.example+type";

fn fixed_time() -> PackManifestOptions {
    let mut opts = PackManifestOptions::default();
    opts.manifest_annotations
        .insert(annotation::CREATED.into(), "2000-01-01T00:00:00Z".into());
    opts
}

#[tokio::test]
async fn golden_v1_1_matches_oras_go() {
    let store = memory::Store::new();
    let desc = pack_manifest(&store, PackManifestVersion::V1_1, ARTIFACT, &fixed_time())
        .await
        .unwrap();
    assert_eq!(
        desc.digest.to_string(),
        "sha256:c259a195a48d8029d75449579c81269ca6225cd5b57d36073a7de6458afdfdbd"
    );
    assert_eq!(desc.size, 528);
    assert_eq!(desc.artifact_type, ARTIFACT);
    assert_eq!(
        desc.annotations[annotation::CREATED],
        "2000-01-01T00:00:00Z"
    );
    let content = fetch_all(&store, &desc, 1 << 20).await.unwrap();
    assert_eq!(
        std::str::from_utf8(&content).unwrap(),
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example+type","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}],"annotations":{"org.opencontainers.image.created":"2000-01-01T00:00:00Z"}}"#
    );
    assert!(store.exists(&Descriptor::empty_json()).await.unwrap());
}

#[tokio::test]
async fn golden_v1_0_matches_oras_go() {
    let store = memory::Store::new();
    let desc = pack_manifest(&store, PackManifestVersion::V1_0, ARTIFACT, &fixed_time())
        .await
        .unwrap();
    assert_eq!(
        desc.digest.to_string(),
        "sha256:da221a11559704e4971c3dcf6564303707a333c8de8cb5475fc48b0072b36c19"
    );
    assert_eq!(desc.size, 308);
    assert_eq!(desc.artifact_type, ARTIFACT, "the config media type");
    let content = fetch_all(&store, &desc, 1 << 20).await.unwrap();
    assert_eq!(
        std::str::from_utf8(&content).unwrap(),
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.example+type","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"org.opencontainers.image.created":"2000-01-01T00:00:00Z"}}"#
    );
    assert!(
        store
            .exists(&Descriptor::from_bytes(ARTIFACT, b"{}"))
            .await
            .unwrap()
    );
}

async fn packed(store: &memory::Store, desc: &Descriptor) -> Manifest {
    serde_json::from_slice(&fetch_all(store, desc, 1 << 20).await.unwrap()).unwrap()
}

#[tokio::test]
async fn v1_1_needs_an_artifact_type_when_the_config_is_empty() {
    let store = memory::Store::new();
    let err = pack_manifest(&store, PackManifestVersion::V1_1, "", &fixed_time())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingArtifactType), "{err}");
    assert_eq!(err.to_string(), "missing artifact type");

    let mut opts = fixed_time();
    opts.config_descriptor = Some(Descriptor::empty_json());
    let err = pack_manifest(&store, PackManifestVersion::V1_1, "", &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingArtifactType));

    // A real config needs no artifact type; none is written.
    let config = put(&store, "application/vnd.example.config+json", b"{\"a\":1}");
    opts.config_descriptor = Some(config.clone());
    let desc = pack_manifest(&store, PackManifestVersion::V1_1, "", &opts)
        .await
        .unwrap();
    let m = packed(&store, &desc).await;
    assert_eq!(m.config, config);
    assert!(m.artifact_type.is_empty());
    assert!(desc.artifact_type.is_empty());
    assert!(
        !String::from_utf8(fetch_all(&store, &desc, 1 << 20).await.unwrap())
            .unwrap()
            .contains("artifactType")
    );
}

#[tokio::test]
async fn v1_1_keeps_layers_subject_and_config_annotations() {
    let store = memory::Store::new();
    let subject = manifest(&store, vec![]);
    let l = layer(&store, "file");
    let mut opts = fixed_time();
    opts.layers = vec![l.clone()];
    opts.subject = Some(subject.clone());
    opts.config_annotations = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
    let desc = pack_manifest(&store, PackManifestVersion::V1_1, ARTIFACT, &opts)
        .await
        .unwrap();
    let m = packed(&store, &desc).await;
    assert_eq!(m.layers, vec![l]);
    assert_eq!(m.subject, Some(subject));
    assert_eq!(m.config.annotations["k"], "v");
    assert!(m.config.is_empty_json());
}

#[tokio::test]
async fn v1_0_rules() {
    let store = memory::Store::new();
    let mut opts = fixed_time();
    // No artifact type: the unknown config type.
    let desc = pack_manifest(&store, PackManifestVersion::V1_0, "", &opts)
        .await
        .unwrap();
    assert_eq!(
        packed(&store, &desc).await.config.media_type,
        media_type::UNKNOWN_CONFIG
    );
    assert_eq!(desc.artifact_type, media_type::UNKNOWN_CONFIG);
    // A given config wins over the artifact type.
    let config = put(&store, "application/vnd.example.config+json", b"{\"a\":1}");
    opts.config_descriptor = Some(config.clone());
    let desc = pack_manifest(&store, PackManifestVersion::V1_0, ARTIFACT, &opts)
        .await
        .unwrap();
    assert_eq!(packed(&store, &desc).await.config, config);
    assert_eq!(desc.artifact_type, config.media_type);
    // No subject in 1.0.
    opts.subject = Some(desc.clone());
    let err = pack_manifest(&store, PackManifestVersion::V1_0, ARTIFACT, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn malformed_types_and_times_are_refused() {
    let store = memory::Store::new();
    for version in [PackManifestVersion::V1_0, PackManifestVersion::V1_1] {
        let err = pack_manifest(&store, version, "not a type", &fixed_time())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidMediaType {
                    what: "artifactType",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(err.kind(), ErrorKind::InvalidMediaType);
        let mut opts = fixed_time();
        opts.config_descriptor = Some(Descriptor::from_bytes("bad/type/x", b"{}"));
        let err = pack_manifest(&store, version, ARTIFACT, &opts)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidMediaType {
                    what: "config mediaType",
                    ..
                }
            ),
            "{err}"
        );
        let mut opts = PackManifestOptions::default();
        opts.manifest_annotations
            .insert(annotation::CREATED.into(), "2000-01-01".into());
        let err = pack_manifest(&store, version, ARTIFACT, &opts)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidDateTimeFormat(_)), "{err}");
    }
    assert!(store.is_empty(), "nothing pushed for refused input");
}

#[tokio::test]
async fn created_is_added_when_absent() {
    let store = memory::Store::new();
    let desc = pack_manifest(
        &store,
        PackManifestVersion::V1_1,
        ARTIFACT,
        &PackManifestOptions::default(),
    )
    .await
    .unwrap();
    let created = &packed(&store, &desc).await.annotations[annotation::CREATED];
    assert!(
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
}

#[tokio::test]
async fn empty_blobs_are_pushed_once_and_only_when_missing() {
    let dst = Fake::plain();
    pack_manifest(&dst, PackManifestVersion::V1_1, ARTIFACT, &fixed_time())
        .await
        .unwrap();
    let empty = Descriptor::empty_json().digest.to_string();
    let pushed = dst.pushed_digests();
    assert_eq!(
        pushed.iter().filter(|d| **d == empty).count(),
        1,
        "{pushed:?}"
    );
    assert_eq!(pushed.len(), 2);

    let mut opts = fixed_time();
    opts.manifest_annotations
        .insert("again".into(), "yes".into());
    pack_manifest(&dst, PackManifestVersion::V1_1, ARTIFACT, &opts)
        .await
        .unwrap();
    let pushed = dst.pushed_digests();
    assert_eq!(
        pushed.iter().filter(|d| **d == empty).count(),
        1,
        "exists: not pushed again"
    );
    // Re-packing the same manifest is not an error.
    pack_manifest(&dst, PackManifestVersion::V1_1, ARTIFACT, &opts)
        .await
        .unwrap();
}
