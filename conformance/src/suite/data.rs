//! The data sets of the redesigned runner, built per run from the seed: images,
//! indexes, artifacts, subjects, embedded data, custom fields, no layers,
//! non-distributable layers, sparse indexes, sha512, tag parameters and a
//! manifest pushed under a wrong digest.

use bytes::Bytes;
use oras_spec::{Algorithm, Digest, media_type};
use serde_json::{Value, json};

use super::upload::BlobData;
use crate::config::{Apis, Data};
use crate::json::{base64, descriptor};
use crate::random::Rng;

/// A manifest of a data set.
#[derive(Clone, Debug)]
pub(crate) struct Doc {
    /// Digest (of the set's algorithm).
    pub(crate) digest: Digest,
    /// The exact bytes pushed.
    pub(crate) bytes: Bytes,
    /// Its `mediaType` (also the `Content-Type` pushed).
    pub(crate) media_type: String,
    /// Its tag.
    pub(crate) tag: String,
    /// The `subject` digest.
    pub(crate) subject: Option<Digest>,
    /// The descriptor a referrers list must show for it.
    pub(crate) referrer: Value,
}

/// What is special about pushing a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Push by digest and by tag.
    Normal,
    /// Push by digest with `?tag=` parameters (end-7b).
    TagParams,
    /// The manifest PUT names a wrong digest: 400 expected.
    BadDigest,
}

/// A data set.
#[derive(Clone, Debug)]
pub(crate) struct DataSet {
    pub(crate) name: &'static str,
    /// Whether its switch is on, or the variable that turned it off.
    pub(crate) enabled: Result<(), &'static str>,
    pub(crate) kind: Kind,
    pub(crate) blobs: Vec<BlobData>,
    pub(crate) docs: Vec<Doc>,
}

impl DataSet {
    /// The distinct subjects of the set, in push order.
    pub(crate) fn subjects(&self) -> Vec<Digest> {
        let mut out: Vec<Digest> = Vec::new();
        for d in &self.docs {
            if let Some(s) = &d.subject
                && !out.contains(s)
            {
                out.push(s.clone());
            }
        }
        out
    }
}

/// Builds one set.
struct Builder {
    name: &'static str,
    algorithm: Algorithm,
    rng: Rng,
    blobs: Vec<BlobData>,
    docs: Vec<Doc>,
}

impl Builder {
    fn new(name: &'static str, algorithm: Algorithm, seed: u64) -> Builder {
        Builder {
            name,
            algorithm,
            rng: Rng::new(seed),
            blobs: Vec::new(),
            docs: Vec::new(),
        }
    }

    /// Adds a blob; its descriptor.
    fn blob(&mut self, media_type: &str, data: impl Into<Bytes>) -> Value {
        let blob = BlobData::new(self.algorithm, data);
        let desc = descriptor(media_type, &blob.digest, blob.data.len());
        if !self.blobs.iter().any(|b| b.digest == blob.digest) {
            self.blobs.push(blob);
        }
        desc
    }

    fn random_layer(&mut self, media_type: &str) -> Value {
        let data = self.rng.bytes(256);
        self.blob(media_type, data)
    }

    fn config(&mut self) -> Value {
        let config = json!({
            "architecture": "amd64",
            "os": "linux",
            "author": self.rng.string(16),
            "rootfs": { "type": "layers", "diff_ids": [] },
        });
        self.blob(media_type::IMAGE_CONFIG, config.to_string())
    }

    fn empty_config(&mut self) -> Value {
        self.blob(media_type::EMPTY_JSON, Bytes::from_static(b"{}"))
    }

    /// Adds a manifest; its descriptor.
    fn doc(&mut self, value: Value) -> Value {
        let bytes = Bytes::from(value.to_string());
        let digest = Digest::compute(self.algorithm, &bytes);
        let media = value["mediaType"]
            .as_str()
            .unwrap_or(media_type::IMAGE_MANIFEST)
            .to_owned();
        let mut referrer = descriptor(&media, &digest, bytes.len());
        let artifact_type = value
            .get("artifactType")
            .or_else(|| {
                (media == media_type::IMAGE_MANIFEST).then(|| &value["config"]["mediaType"])
            })
            .filter(|v| v.is_string());
        if let Some(t) = artifact_type {
            referrer["artifactType"] = t.clone();
        }
        if let Some(a) = value.get("annotations") {
            referrer["annotations"] = a.clone();
        }
        let subject = value["subject"]["digest"]
            .as_str()
            .and_then(|d| d.parse().ok());
        let tag = format!("{}-{}", self.name, self.docs.len());
        self.docs.push(Doc {
            digest,
            bytes,
            media_type: media.clone(),
            tag,
            subject,
            referrer,
        });
        let last = &self.docs[self.docs.len() - 1];
        descriptor(&media, &last.digest, last.bytes.len())
    }

    fn image(&mut self, layer_type: &str) -> Value {
        let config = self.config();
        let layer = self.random_layer(layer_type);
        self.doc(json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_MANIFEST,
            "config": config,
            "layers": [layer],
        }))
    }

    fn artifact(&mut self, artifact_type: &str, subject: Option<&Value>, note: &str) -> Value {
        let config = self.empty_config();
        let layer = self.random_layer(&format!("{artifact_type}.layer"));
        let mut value = json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_MANIFEST,
            "artifactType": artifact_type,
            "config": config,
            "layers": [layer],
            "annotations": { "org.opencontainers.conformance.test": note },
        });
        if let Some(subject) = subject {
            value["subject"] = subject.clone();
        }
        self.doc(value)
    }

    fn build(self, enabled: Result<(), &'static str>, kind: Kind) -> DataSet {
        DataSet {
            name: self.name,
            enabled,
            kind,
            blobs: self.blobs,
            docs: self.docs,
        }
    }
}

fn gate(on: bool, variable: &'static str) -> Result<(), &'static str> {
    if on { Ok(()) } else { Err(variable) }
}

const ARTIFACT_A: &str = "application/vnd.oras-conformance.artifact-a";
const ARTIFACT_B: &str = "application/vnd.oras-conformance.artifact-b";

/// Every data set, in the redesign's order.
pub(crate) fn all(data: &Data, api: &Apis, seed: u64) -> Vec<DataSet> {
    let mut rng = Rng::new(seed);
    let mut next = || rng.next_u64();
    let sha = Algorithm::Sha256;
    let mut sets = Vec::new();

    let mut b = Builder::new("image", sha, next());
    b.image(media_type::IMAGE_LAYER_GZIP);
    sets.push(b.build(gate(data.image, "OCI_DATA_IMAGE"), Kind::Normal));

    let mut b = Builder::new("image-uncompressed", sha, next());
    b.image(media_type::IMAGE_LAYER);
    sets.push(b.build(gate(data.image, "OCI_DATA_IMAGE"), Kind::Normal));

    let mut b = Builder::new("large-manifest", sha, next());
    let config = b.config();
    let layers: Vec<Value> = (0..4)
        .map(|_| b.random_layer(media_type::IMAGE_LAYER_GZIP))
        .collect();
    // About 3.5 MiB: below the 4 MiB every registry must accept.
    let padding = "x".repeat(7000);
    let many: Vec<Value> = (0..500)
        .map(|i| {
            let mut layer = layers[i % layers.len()].clone();
            layer["annotations"] =
                json!({ "org.opencontainers.conformance.padding": format!("{i}-{padding}") });
            layer
        })
        .collect();
    b.doc(json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_MANIFEST, "config": config, "layers": many }));
    sets.push(b.build(gate(data.image, "OCI_DATA_IMAGE"), Kind::Normal));

    let mut b = Builder::new("index", sha, next());
    let mut children = Vec::new();
    for arch in ["amd64", "arm64"] {
        let mut desc = b.image(media_type::IMAGE_LAYER_GZIP);
        desc["platform"] = json!({ "architecture": arch, "os": "linux" });
        children.push(desc);
    }
    b.doc(
        json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_INDEX, "manifests": children }),
    );
    sets.push(b.build(gate(data.index, "OCI_DATA_INDEX"), Kind::Normal));

    let mut b = Builder::new("nested-index", sha, next());
    let image = b.image(media_type::IMAGE_LAYER_GZIP);
    let inner = b.doc(
        json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_INDEX, "manifests": [image] }),
    );
    b.doc(
        json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_INDEX, "manifests": [inner] }),
    );
    sets.push(b.build(gate(data.index_list, "OCI_DATA_INDEX_LIST"), Kind::Normal));

    let mut b = Builder::new("empty-index", sha, next());
    b.doc(json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_INDEX, "manifests": [] }));
    sets.push(b.build(gate(data.index, "OCI_DATA_INDEX"), Kind::Normal));

    let mut b = Builder::new("artifact", sha, next());
    b.artifact(ARTIFACT_A, None, "artifact");
    sets.push(b.build(gate(data.artifact, "OCI_DATA_ARTIFACT"), Kind::Normal));

    let mut b = Builder::new("artifact-index", sha, next());
    let one = b.artifact(ARTIFACT_A, None, "artifact a");
    let two = b.artifact(ARTIFACT_B, None, "artifact b");
    b.doc(json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_INDEX,
        "artifactType": "application/vnd.oras-conformance.bundle",
        "manifests": [one, two],
    }));
    sets.push(b.build(
        gate(data.artifact_list, "OCI_DATA_ARTIFACT_LIST"),
        Kind::Normal,
    ));

    let mut b = Builder::new("artifact-without-layers", sha, next());
    let config = b.empty_config();
    // The image-spec's guidance: an artifact with no content carries the
    // empty descriptor as its one layer.
    b.doc(json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_MANIFEST,
        "artifactType": ARTIFACT_A,
        "config": config.clone(),
        "layers": [config],
    }));
    sets.push(b.build(gate(data.artifact, "OCI_DATA_ARTIFACT"), Kind::Normal));

    let mut b = Builder::new("artifacts-with-subject", sha, next());
    let subject = b.image(media_type::IMAGE_LAYER_GZIP);
    b.artifact(ARTIFACT_A, Some(&subject), "referrer a");
    b.artifact(ARTIFACT_B, Some(&subject), "referrer b");
    sets.push(b.build(gate(data.subject, "OCI_DATA_SUBJECT"), Kind::Normal));

    let mut b = Builder::new("index-with-subject", sha, next());
    let subject = b.image(media_type::IMAGE_LAYER_GZIP);
    let child = b.artifact(ARTIFACT_A, None, "child");
    b.doc(json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_INDEX,
        "artifactType": "application/vnd.oras-conformance.bundle",
        "manifests": [child],
        "subject": subject,
        "annotations": { "org.opencontainers.conformance.test": "index referrer" },
    }));
    sets.push(b.build(
        gate(data.subject_list, "OCI_DATA_SUBJECT_LIST"),
        Kind::Normal,
    ));

    let mut b = Builder::new("missing-subject", sha, next());
    let never_pushed =
        Bytes::from(json!({ "schemaVersion": 2, "note": b.rng.string(16) }).to_string());
    let subject = descriptor(
        media_type::IMAGE_MANIFEST,
        &Digest::sha256(&never_pushed),
        never_pushed.len(),
    );
    b.artifact(ARTIFACT_A, Some(&subject), "missing subject");
    sets.push(b.build(
        gate(data.subject_missing, "OCI_DATA_SUBJECT_MISSING"),
        Kind::Normal,
    ));

    let mut b = Builder::new("data-field", sha, next());
    let config_bytes =
        json!({ "architecture": "amd64", "os": "linux", "author": b.rng.string(16) }).to_string();
    let mut config = b.blob(media_type::IMAGE_CONFIG, config_bytes.clone());
    config["data"] = json!(base64(config_bytes.as_bytes()));
    let layer_bytes = b.rng.bytes(64);
    let mut layer = b.blob(media_type::IMAGE_LAYER_GZIP, layer_bytes.clone());
    layer["data"] = json!(base64(&layer_bytes));
    b.doc(json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_MANIFEST, "config": config, "layers": [layer] }));
    sets.push(b.build(gate(data.data_field, "OCI_DATA_DATA_FIELD"), Kind::Normal));

    let mut b = Builder::new("non-distributable-layers", sha, next());
    let config = b.config();
    let normal = b.random_layer(media_type::IMAGE_LAYER_GZIP);
    // Described, never pushed: it lives at its URL.
    let foreign = b.rng.bytes(128);
    let mut foreign_desc = descriptor(
        media_type::IMAGE_LAYER_NONDISTRIBUTABLE_GZIP,
        &Digest::sha256(&foreign),
        foreign.len(),
    );
    foreign_desc["urls"] = json!(["https://layers.example.com/conformance/layer.tar.gz"]);
    b.doc(json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_MANIFEST, "config": config, "layers": [foreign_desc, normal] }));
    sets.push(b.build(
        gate(data.nondistributable, "OCI_DATA_NONDISTRIBUTABLE"),
        Kind::Normal,
    ));

    let mut b = Builder::new("custom-fields", sha, next());
    let mut config = b.config();
    config["org.example.unknown"] = json!("a field no spec defines");
    let mut layer = b.random_layer(media_type::IMAGE_LAYER_GZIP);
    layer["newUnspecifiedField"] = Value::Null;
    b.doc(json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_MANIFEST,
        "config": config,
        "layers": [layer],
        "annotations": { "org.example.custom": "value" },
        "org.example.extension": { "nested": [1, 2, 3], "flag": true },
    }));
    sets.push(b.build(
        gate(data.custom_fields, "OCI_DATA_CUSTOM_FIELDS"),
        Kind::Normal,
    ));

    let mut b = Builder::new("no-layers", sha, next());
    let config = b.config();
    b.doc(json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_MANIFEST, "config": config, "layers": [] }));
    sets.push(b.build(gate(data.no_layers, "OCI_DATA_NO_LAYERS"), Kind::Normal));

    let mut b = Builder::new("sparse", sha, next());
    let absent = b.rng.bytes(64);
    let child = descriptor(
        media_type::IMAGE_MANIFEST,
        &Digest::sha256(&absent),
        absent.len(),
    );
    b.doc(
        json!({ "schemaVersion": 2, "mediaType": media_type::IMAGE_INDEX, "manifests": [child] }),
    );
    sets.push(b.build(gate(data.sparse, "OCI_DATA_SPARSE"), Kind::Normal));

    let mut b = Builder::new("sha512", Algorithm::Sha512, next());
    b.image(media_type::IMAGE_LAYER_GZIP);
    sets.push(b.build(gate(data.sha512, "OCI_DATA_SHA512"), Kind::Normal));

    for (name, algorithm) in [
        ("tag-param-sha256", sha),
        ("tag-param-sha512", Algorithm::Sha512),
    ] {
        let mut b = Builder::new(name, algorithm, next());
        b.image(media_type::IMAGE_LAYER_GZIP);
        let on = api.manifests_tag_param && (algorithm == sha || data.sha512);
        let variable = if api.manifests_tag_param {
            "OCI_DATA_SHA512"
        } else {
            "OCI_API_MANIFESTS_TAG_PARAM"
        };
        sets.push(b.build(gate(on, variable), Kind::TagParams));
    }

    let mut b = Builder::new("bad-digest-image", sha, next());
    b.image(media_type::IMAGE_LAYER_GZIP);
    sets.push(b.build(gate(data.image, "OCI_DATA_IMAGE"), Kind::BadDigest));

    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn data_sets_are_well_formed() {
        let config = Config::from_vars(&Default::default()).unwrap();
        let sets = all(&config.data, &config.api, 7);
        assert_eq!(sets.len(), 21);
        let large = sets.iter().find(|s| s.name == "large-manifest").unwrap();
        let size = large.docs[0].bytes.len();
        assert!((3 << 20..4 << 20).contains(&size), "{size}");
        let with_subject = sets
            .iter()
            .find(|s| s.name == "artifacts-with-subject")
            .unwrap();
        assert_eq!(with_subject.subjects().len(), 1);
        assert_eq!(with_subject.docs[1].referrer["artifactType"], ARTIFACT_A);
        let sha512 = sets.iter().find(|s| s.name == "sha512").unwrap();
        assert!(sha512.docs[0].digest.to_string().starts_with("sha512:"));
        assert!(
            sha512
                .blobs
                .iter()
                .all(|b| b.digest.algorithm() == Algorithm::Sha512)
        );
        assert!(
            sets.iter()
                .find(|s| s.name == "sparse")
                .unwrap()
                .enabled
                .is_err()
        );
    }
}
