//! The Ginkgo suite's test data, generated per run
//! from the seed.
//!
//! Kept as upstream: 16 configs and 16 manifests (`numWorkflows` is
//! `1<<iota` = 16), each config an amd64/linux image config with a random
//! 16-character `author`; each manifest tab-indented, with the config
//! descriptor carrying `data` and `newUnspecifiedField` and the layer
//! descriptor `newUnspecifiedField: null`; one fixed small tar+gzip layer;
//! blobs A and B of 42 bytes; the empty-layer manifest without
//! `mediaType`; the referrer fixtures A/B/C and the index.

use std::collections::BTreeMap;

use bytes::Bytes;
use oras_spec::{Digest, media_type};
use serde_json::{Value, json};

use crate::json::{base64, descriptor, indented};
use crate::random::Rng;

/// The empty JSON descriptor's digest the suite asserts.
pub const EMPTY_JSON_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// The annotation key of the referrer fixtures.
pub const ANNOTATION_KEY: &str = "org.opencontainers.conformance.test";

/// Artifact type A.
pub const TYPE_A: &str = "application/vnd.nhl.peanut.butter.bagel";
/// Artifact type B.
pub const TYPE_B: &str = "application/vnd.nba.strawberry.jam.croissant";
/// The referrers index's artifact type.
pub const TYPE_INDEX: &str = "application/vnd.food.stand";

/// A fixed, valid gzip of an empty tar (1024 zero bytes).
const LAYER: [u8; 29] = [
    31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 99, 96, 24, 5, 163, 96, 20, 140, 84, 0, 0, 46, 175, 181, 239,
    0, 4, 0, 0,
];

/// The manifests and configs upstream generates.
pub const NUM_WORKFLOWS: usize = 16;

/// Content with its digest.
#[derive(Clone, Debug)]
pub struct Blob {
    /// `sha256:…` (or the value of `OCI_*_DIGEST`).
    pub digest: String,
    /// The bytes.
    pub data: Bytes,
}

impl Blob {
    /// A blob of `data` under its sha256 digest.
    pub fn new(data: impl Into<Bytes>) -> Blob {
        let data = data.into();
        Blob {
            digest: Digest::sha256(&data).to_string(),
            data,
        }
    }

    /// Its length as the decimal text of a `Content-Length`.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn digest(&self) -> Digest {
        // Generated blobs always carry a valid digest.
        self.digest
            .parse()
            .unwrap_or_else(|_| Digest::sha256(&self.data))
    }

    fn descriptor(&self, media_type: &str) -> Value {
        descriptor(media_type, &self.digest(), self.len())
    }
}

/// All the data of one Ginkgo run.
#[derive(Clone, Debug)]
pub struct Fixtures {
    /// Image configs.
    pub configs: Vec<Blob>,
    /// Image manifests (`manifests[i]` uses `configs[i]`).
    pub manifests: Vec<Blob>,
    /// The layer every manifest uses.
    pub layer: Blob,
    /// 42 bytes for the streamed upload and the mount.
    pub blob_a: Blob,
    /// 42 bytes (or `2*min-2`) for the chunked upload.
    pub blob_b: Blob,
    /// Length of chunk 1 of blob B (`len/2 + 1`).
    pub chunk1_len: usize,
    /// sha256("hello world").
    pub dummy_digest: String,
    /// The manifest with `layers: []` and no `mediaType`.
    pub empty_layer_manifest: Blob,
    /// `{}`.
    pub empty_json: Blob,
    /// Blob of referrer A.
    pub ref_blob_a: Blob,
    /// Blob of referrer B.
    pub ref_blob_b: Blob,
    /// Manifest with config type A.
    pub ref_a_config: Blob,
    /// Manifest with artifactType A.
    pub ref_a_layer: Blob,
    /// Manifest with config type B.
    pub ref_b_config: Blob,
    /// Manifest with artifactType B.
    pub ref_b_layer: Blob,
    /// B-layer shape whose subject is `manifests[3]`.
    pub ref_c_layer: Blob,
    /// The referrers index.
    pub ref_index: Blob,
    /// Expected annotation per referrer digest.
    pub annotations: BTreeMap<String, String>,
    seed: u64,
}

impl Fixtures {
    /// Generates everything from `seed`.
    pub fn generate(seed: u64) -> Fixtures {
        let mut rng = Rng::new(seed);
        let layer = Blob::new(Bytes::from_static(&LAYER));
        let mut configs = Vec::new();
        let mut manifests = Vec::new();
        for _ in 0..NUM_WORKFLOWS {
            let config = Blob::new(indented(&json!({
                "architecture": "amd64",
                "os": "linux",
                "author": rng.string(16),
                "rootfs": { "type": "layers", "diff_ids": [] },
            })));
            let mut config_desc = config.descriptor(media_type::IMAGE_CONFIG);
            config_desc["data"] = json!(base64(&config.data));
            config_desc["newUnspecifiedField"] = json!(base64(b"hello world"));
            let mut layer_desc = layer.descriptor(media_type::IMAGE_LAYER_GZIP);
            layer_desc["newUnspecifiedField"] = Value::Null;
            manifests.push(Blob::new(indented(&json!({
                "schemaVersion": 2,
                "mediaType": media_type::IMAGE_MANIFEST,
                "config": config_desc,
                "layers": [layer_desc],
            }))));
            configs.push(config);
        }
        let empty_layer_manifest = Blob::new(indented(&json!({
            "schemaVersion": 2,
            "config": configs[1].descriptor(media_type::IMAGE_CONFIG),
            "layers": [],
        })));
        let empty_json = Blob::new(Bytes::from_static(b"{}"));
        let ref_blob_a = Blob::new(Bytes::from_static(b"NHL Peanut Butter on my NHL bagel"));
        let ref_blob_b = Blob::new(Bytes::from_static(
            b"NBA Strawberry Jam on my NBA croissant",
        ));
        let subject = manifests[4].descriptor(media_type::IMAGE_MANIFEST);
        let missing_subject = manifests[3].descriptor(media_type::IMAGE_MANIFEST);
        let empty_desc = empty_json.descriptor(media_type::EMPTY_JSON);
        let annotated = |text: Option<&str>| text.map(|t| json!({ ANNOTATION_KEY: t }));
        let config_shape = |artifact: &str, blob: &Blob, note: &str| {
            Blob::new(indented(&json!({
                "schemaVersion": 2,
                "mediaType": media_type::IMAGE_MANIFEST,
                "config": blob.descriptor(artifact),
                "layers": [empty_desc.clone()],
                "subject": subject.clone(),
                "annotations": annotated(Some(note)),
            })))
        };
        let layer_shape = |artifact: &str, blob: &Blob, subject: &Value, note: Option<&str>| {
            let mut value = json!({
                "schemaVersion": 2,
                "mediaType": media_type::IMAGE_MANIFEST,
                "artifactType": artifact,
                "config": empty_desc.clone(),
                "layers": [blob.descriptor(artifact)],
                "subject": subject.clone(),
            });
            if let Some(annotations) = annotated(note) {
                value["annotations"] = annotations;
            }
            Blob::new(indented(&value))
        };
        let ref_a_config = config_shape(TYPE_A, &ref_blob_a, "test config a");
        let ref_a_layer = layer_shape(TYPE_A, &ref_blob_a, &subject, Some("test layer a"));
        let ref_b_config = config_shape(TYPE_B, &ref_blob_b, "test config b");
        let ref_b_layer = layer_shape(TYPE_B, &ref_blob_b, &subject, Some("test layer b"));
        let ref_c_layer = layer_shape(TYPE_B, &ref_blob_b, &missing_subject, None);
        let ref_index = Blob::new(indented(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_INDEX,
            "artifactType": TYPE_INDEX,
            "manifests": [
                ref_a_config.descriptor(media_type::IMAGE_MANIFEST),
                ref_a_layer.descriptor(media_type::IMAGE_MANIFEST),
            ],
            "subject": subject,
            "annotations": { ANNOTATION_KEY: "test index" },
        })));
        let annotations = [
            (&ref_a_config, "test config a"),
            (&ref_a_layer, "test layer a"),
            (&ref_b_config, "test config b"),
            (&ref_b_layer, "test layer b"),
            (&ref_index, "test index"),
        ]
        .iter()
        .map(|(blob, note)| (blob.digest.clone(), (*note).to_owned()))
        .collect();
        let mut fixtures = Fixtures {
            configs,
            manifests,
            layer,
            blob_a: Blob::new(Rng::new(seed.wrapping_add(1)).bytes(42)),
            blob_b: Blob::new(Bytes::new()),
            chunk1_len: 0,
            dummy_digest: Digest::sha256(b"hello world").to_string(),
            empty_layer_manifest,
            empty_json,
            ref_blob_a,
            ref_blob_b,
            ref_a_config,
            ref_a_layer,
            ref_b_config,
            ref_b_layer,
            ref_c_layer,
            ref_index,
            annotations,
            seed,
        };
        fixtures.setup_chunked_blob(42);
        fixtures
    }

    /// Regenerates blob B at `size` bytes, chunk 1 being `size/2 + 1`
    /// (upstream's `setupChunkedBlob`).
    pub fn setup_chunked_blob(&mut self, size: usize) {
        self.blob_b = Blob::new(Rng::new(self.seed.wrapping_add(2)).bytes(size));
        self.chunk1_len = size / 2 + 1;
    }

    /// Chunk 1 of blob B.
    pub fn chunk1(&self) -> Bytes {
        self.blob_b.data.slice(..self.chunk1_len)
    }

    /// Chunk 2 of blob B.
    pub fn chunk2(&self) -> Bytes {
        self.blob_b.data.slice(self.chunk1_len..)
    }

    /// `0-<end of chunk 1>`.
    pub fn chunk1_range(&self) -> String {
        format!("0-{}", self.chunk1_len - 1)
    }

    /// `<start of chunk 2>-<end>`.
    pub fn chunk2_range(&self) -> String {
        format!("{}-{}", self.chunk1_len, self.blob_b.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_have_upstream_shape() {
        let f = Fixtures::generate(42);
        assert_eq!(f.configs.len(), 16);
        assert_eq!(f.manifests.len(), 16);
        assert_eq!(f.empty_json.digest, EMPTY_JSON_DIGEST);
        assert_eq!(
            f.dummy_digest,
            "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            (f.chunk1_range(), f.chunk2_range()),
            ("0-21".to_owned(), "22-41".to_owned())
        );
        assert_eq!(f.blob_a.len(), 42);
        let manifest: Value = serde_json::from_slice(&f.manifests[0].data).unwrap();
        assert!(manifest["layers"][0]["newUnspecifiedField"].is_null());
        assert_eq!(
            manifest["config"]["newUnspecifiedField"],
            "aGVsbG8gd29ybGQ="
        );
        assert!(f.manifests[0].data.starts_with(b"{\n\t\""));
        let empty: Value = serde_json::from_slice(&f.empty_layer_manifest.data).unwrap();
        assert!(empty.get("mediaType").is_none());
        assert_eq!(f.annotations.len(), 5);
        let mut g = f.clone();
        g.setup_chunked_blob(2 * 30 - 2);
        assert_eq!(g.chunk1().len(), 30);
        assert_eq!(g.chunk2_range(), "30-57");
    }
}
