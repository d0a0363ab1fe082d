//! Image manifests, indexes and the legacy artifact manifest, with Go's
//! field order, plus [`Parsed`], which keeps the exact bytes beside the
//! parsed value.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, Result};

/// An OCI image manifest (also the shape of a Docker schema-2 manifest).
///
/// Deserialising refuses keys Go would read differently (see
/// [`crate::json`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// `application/vnd.oci.image.manifest.v1+json` when set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub media_type: String,
    /// The type of artifact this manifest describes (image-spec 1.1).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub artifact_type: String,
    /// The configuration blob.
    pub config: Descriptor,
    /// The layers, in order; never serialised as `null`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub layers: Vec<Descriptor>,
    /// The manifest this one refers to (image-spec 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An OCI image index (also the shape of a Docker manifest list).
///
/// Deserialising refuses keys Go would read differently (see
/// [`crate::json`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Index {
    /// Always 2.
    pub schema_version: u32,
    /// `application/vnd.oci.image.index.v1+json` when set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub media_type: String,
    /// The type of artifact this index describes (image-spec 1.1).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub artifact_type: String,
    /// The manifests, in order; never serialised as `null`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub manifests: Vec<Descriptor>,
    /// The manifest this one refers to (image-spec 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

crate::json::strict_serde!(
    Manifest,
    "image manifest",
    [
        "schemaVersion",
        "mediaType",
        "artifactType",
        "config",
        "layers",
        "subject",
        "annotations"
    ]
);
crate::json::strict_serde!(
    Index,
    "image index",
    [
        "schemaVersion",
        "mediaType",
        "artifactType",
        "manifests",
        "subject",
        "annotations"
    ]
);
crate::json::strict_serde!(
    ArtifactManifest,
    "artifact manifest",
    [
        "mediaType",
        "artifactType",
        "blobs",
        "subject",
        "annotations"
    ]
);

impl Index {
    /// An empty OCI index (`manifests: []`), as written for a new layout
    /// or a new referrers tag-schema index.
    pub fn new(manifests: Vec<Descriptor>) -> Self {
        Index {
            schema_version: 2,
            media_type: crate::media_type::IMAGE_INDEX.to_owned(),
            artifact_type: String::new(),
            manifests,
            subject: None,
            annotations: BTreeMap::new(),
        }
    }
}

/// The legacy OCI artifact manifest (`application/vnd.oci.artifact.manifest.v1+json`),
/// read and copied but no longer packed (oras-go `internal/spec.Artifact`).
///
/// Deserialising refuses keys Go would read differently (see
/// [`crate::json`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ArtifactManifest {
    /// The artifact manifest media type.
    #[serde(default)]
    pub media_type: String,
    /// The type of the artifact.
    #[serde(default)]
    pub artifact_type: String,
    /// The blobs of the artifact.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_empty"
    )]
    pub blobs: Vec<Descriptor>,
    /// The manifest this one refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A JSON document kept as its exact bytes plus a parsed view. Digests and
/// pushes always use [`Parsed::bytes`], never re-serialised JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<T> {
    bytes: Vec<u8>,
    value: T,
}

impl<T: serde::de::DeserializeOwned> Parsed<T> {
    /// Parses `bytes`; `what` names the document in the error.
    pub fn from_bytes(bytes: Vec<u8>, what: &'static str) -> Result<Self> {
        let value =
            serde_json::from_slice(&bytes).map_err(|source| Error::Json { what, source })?;
        Ok(Parsed { bytes, value })
    }
}

impl<T: Serialize> Parsed<T> {
    /// Serialises `value` as compact JSON with Go's `json.Marshal` bytes
    /// (its escaping of `<`, `>`, `&`, U+2028 and U+2029 included, see
    /// [`crate::json::to_vec`]) and keeps both.
    pub fn from_value(value: T) -> Self {
        // Serialising these plain structs cannot fail.
        let bytes = crate::json::to_vec(&value).unwrap_or_default();
        Parsed { bytes, value }
    }
}

impl<T> Parsed<T> {
    /// The exact bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The parsed view.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Splits into bytes and value.
    pub fn into_parts(self) -> (Vec<u8>, T) {
        (self.bytes, self.value)
    }

    /// The SHA-256 digest of the bytes.
    pub fn digest(&self) -> Digest {
        Digest::sha256(&self.bytes)
    }

    /// A descriptor of the bytes with `media_type`.
    pub fn descriptor(&self, media_type: &str) -> Descriptor {
        Descriptor::from_bytes(media_type, &self.bytes)
    }
}

fn null_as_empty<'de, D, T>(deserializer: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media_type;

    #[test]
    fn manifest_serialises_in_go_order() {
        let mut manifest = Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: "application/vnd.example+type".into(),
            config: Descriptor::empty_json(),
            layers: vec![Descriptor::empty_json()],
            subject: None,
            annotations: BTreeMap::new(),
        };
        manifest.annotations.insert(
            "org.opencontainers.image.created".into(),
            "2000-01-01T00:00:00Z".into(),
        );
        let parsed = Parsed::from_value(manifest);
        let text = String::from_utf8(parsed.bytes().to_vec()).unwrap();
        assert!(text.starts_with(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example+type","config":{"#
        ));
        // oras-go's documented example (pack_test.go / example_test.go):
        // this exact manifest is 528 bytes with this digest.
        assert_eq!(parsed.bytes().len(), 528);
        assert_eq!(
            parsed.digest().to_string(),
            "sha256:c259a195a48d8029d75449579c81269ca6225cd5b57d36073a7de6458afdfdbd"
        );
    }

    #[test]
    fn keeps_exact_bytes_and_tolerates_unknown_fields_and_nulls() {
        let raw = br#"{ "schemaVersion": 2, "config": {"mediaType":"a/b","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}, "layers": null, "extra": true }"#;
        let parsed = Parsed::<Manifest>::from_bytes(raw.to_vec(), "image manifest").unwrap();
        assert_eq!(parsed.bytes(), raw);
        assert!(parsed.value().layers.is_empty());
        assert_eq!(parsed.digest(), Digest::sha256(raw));
        let err = Parsed::<Manifest>::from_bytes(b"{".to_vec(), "image manifest").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid image manifest:"),
            "{err}"
        );
    }

    /// A manifest body with `extra` spliced in after the layers.
    fn manifest_json(extra: &str) -> String {
        let config = r#"{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}"#;
        let layer = format!(
            r#"{{"mediaType":"a/b","digest":"{}","size":1}}"#,
            Digest::sha256(b"a")
        );
        format!(r#"{{"schemaVersion":2,"config":{config},"layers":[{layer}]{extra}}}"#)
    }

    #[test]
    fn keys_go_would_fold_onto_a_field_are_refused() {
        let other = format!(
            r#"[{{"mediaType":"a/b","digest":"{}","size":1}}]"#,
            Digest::sha256(b"b")
        );
        // Go reads each of these as `layers` (the last one winning), or
        // as a second config, subject or media type.
        for extra in [
            format!(r#","Layers":{other}"#),
            format!(r#","LAYERS":{other}"#),
            format!(r#","layer\u017f":{other}"#),
            format!(",\"layer\u{17f}\":{other}"),
            format!(r#","layers":{other}"#),
            r#","Config":{}"#.to_owned(),
            r#","SUBJECT":null"#.to_owned(),
            r#","mediatype":"x/y""#.to_owned(),
            r#","ArtifactType":"x/y""#.to_owned(),
        ] {
            let json = manifest_json(&extra);
            let err = Parsed::<Manifest>::from_bytes(json.clone().into_bytes(), "image manifest")
                .expect_err(&json);
            let text = err.to_string();
            assert!(text.starts_with("invalid image manifest:"), "{text}");
            assert!(text.contains("refusing the ambiguous document"), "{text}");
        }
        // The same inside a descriptor: `Digest` would replace the digest.
        let json = manifest_json("").replacen(
            r#""size":1}"#,
            &format!(r#""size":1,"Digest":"{}"}}"#, Digest::sha256(b"c")),
            1,
        );
        let err = serde_json::from_str::<Manifest>(&json).unwrap_err();
        assert!(err.to_string().contains(r#"key "Digest""#), "{err}");
        // Indexes and artifact manifests too.
        let err =
            serde_json::from_str::<Index>(r#"{"schemaVersion":2,"manifests":[],"Manifests":[]}"#)
                .unwrap_err();
        assert!(err.to_string().contains("image index"), "{err}");
        let err =
            serde_json::from_str::<ArtifactManifest>(r#"{"blobs":[],"BLOBS":[]}"#).unwrap_err();
        assert!(err.to_string().contains("artifact manifest"), "{err}");
    }

    #[test]
    fn case_variants_outside_struct_fields_are_kept() {
        // Annotation keys are map keys, matched exactly by Go as by us; an
        // unknown key that folds onto no field is ignored by both.
        let json = manifest_json(r#","annotations":{"a":"1","A":"2"},"layersX":[]"#);
        let parsed = Parsed::<Manifest>::from_bytes(json.into_bytes(), "image manifest").unwrap();
        assert_eq!(parsed.value().layers.len(), 1);
        assert_eq!(parsed.value().annotations.len(), 2);
        // Escaped spellings of the exact name are the exact name.
        let json = manifest_json("").replace(r#""layers""#, r#""l\u0061yers""#);
        let parsed = Parsed::<Manifest>::from_bytes(json.into_bytes(), "image manifest").unwrap();
        assert_eq!(parsed.value().layers.len(), 1);
    }

    #[test]
    fn empty_index_has_array() {
        let index = Parsed::from_value(Index::new(Vec::new()));
        assert_eq!(
            std::str::from_utf8(index.bytes()).unwrap(),
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#
        );
    }
}
