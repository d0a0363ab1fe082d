//! Property test: a manifest packed from generated layers, subject,
//! artifact type and annotations (Unicode keys and values included) parses
//! back to exactly what was packed, its bytes match its digest, and the
//! returned descriptor carries the artifact type and annotations. Few
//! cases by default (`PROPTEST_CASES` raises them).

use std::collections::BTreeMap;

use oras_content::{fetch_all, memory};
use oras_copy::{PackManifestOptions, PackManifestVersion, pack_manifest};
use oras_spec::{Descriptor, Manifest, annotation, media_type};
use proptest::prelude::*;

/// A media type as the image spec's grammar allows (RFC 6838 names).
fn media_type() -> impl Strategy<Value = String> {
    "application/vnd\\.[a-z0-9]{1,10}(\\.[a-z0-9]{1,8}){0,2}(\\+(json|tar|gzip))?"
}

fn annotations() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a-z][a-z0-9.\\-]{0,20}|\\PC{1,8}", "\\PC{0,24}", 0..4)
}

fn layer() -> impl Strategy<Value = Descriptor> {
    (
        media_type(),
        prop::collection::vec(any::<u8>(), 0..64),
        annotations(),
    )
        .prop_map(|(kind, data, annotations)| {
            let mut desc = Descriptor::from_bytes(&kind, &data);
            desc.annotations = annotations;
            desc
        })
}

#[derive(Debug, Clone)]
struct Packed {
    version: PackManifestVersion,
    artifact_type: String,
    options: PackManifestOptions,
}

fn packed() -> impl Strategy<Value = Packed> {
    (
        any::<bool>(),
        media_type(),
        prop::collection::vec(layer(), 0..5),
        prop::option::of(layer()),
        annotations(),
    )
        .prop_map(|(v1_0, artifact_type, layers, subject, mut annotations)| {
            // A fixed creation time keeps the manifest reproducible.
            annotations.insert(annotation::CREATED.into(), "2000-01-01T00:00:00Z".into());
            let version = if v1_0 {
                PackManifestVersion::V1_0
            } else {
                PackManifestVersion::V1_1
            };
            let options = PackManifestOptions {
                subject: subject
                    .filter(|_| version == PackManifestVersion::V1_1)
                    .map(|s| {
                        Descriptor::from_bytes(
                            media_type::IMAGE_MANIFEST,
                            s.digest.to_string().as_bytes(),
                        )
                    }),
                layers,
                manifest_annotations: annotations,
                ..PackManifestOptions::default()
            };
            Packed {
                version,
                artifact_type,
                options,
            }
        })
}

fn pack_and_parse(case: &Packed) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = memory::Store::new();
        let desc = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            pack_manifest(&store, case.version, &case.artifact_type, &case.options),
        )
        .await
        .expect("pack timed out")
        .unwrap();
        let bytes = fetch_all(&store, &desc, 1 << 20).await.unwrap();
        assert!(desc.digest.verifies(&bytes));
        let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(manifest.schema_version, 2);
        assert_eq!(manifest.media_type, media_type::IMAGE_MANIFEST);
        assert_eq!(manifest.annotations, case.options.manifest_annotations);
        assert_eq!(desc.annotations, case.options.manifest_annotations);
        assert_eq!(manifest.subject, case.options.subject);
        match case.version {
            PackManifestVersion::V1_1 => {
                assert_eq!(manifest.artifact_type, case.artifact_type);
                assert_eq!(manifest.config.media_type, media_type::EMPTY_JSON);
                if case.options.layers.is_empty() {
                    assert_eq!(manifest.layers, vec![Descriptor::empty_json()]);
                } else {
                    assert_eq!(manifest.layers, case.options.layers);
                }
            }
            PackManifestVersion::V1_0 => {
                assert_eq!(manifest.config.media_type, case.artifact_type);
                assert_eq!(manifest.layers, case.options.layers);
            }
        }
        assert_eq!(desc.artifact_type, case.artifact_type);
    });
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(32),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_packed_manifest_parses_back_to_what_was_packed(case in packed()) {
        pack_and_parse(&case);
    }
}
