//! Content descriptors, serialised exactly as Go's `ocispec.Descriptor`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::digest::Digest;
use crate::media_type;
use crate::platform::Platform;

/// Describes a piece of content: its type, digest and size, plus optional
/// annotations, URLs, platform, artifact type and embedded data.
///
/// Field order and omission rules follow Go's image-spec types, so a
/// descriptor serialises to the same bytes as in oras-go. Annotations are a
/// sorted map, as Go sorts map keys when marshalling. Deserialising
/// refuses keys Go would read differently (see [`crate::json`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the referenced content.
    #[serde(default)]
    pub media_type: String,
    /// The digest of the referenced content.
    pub digest: Digest,
    /// The size in bytes of the referenced content.
    pub size: u64,
    /// Places the content may also be fetched from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The content itself, embedded (base64 in JSON).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "base64_data")]
    pub data: Option<Vec<u8>>,
    /// The platform of the referenced manifest, in an index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The artifact type of the referenced manifest.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub artifact_type: String,
}

crate::json::strict_serde!(
    Descriptor,
    "descriptor",
    [
        "mediaType",
        "digest",
        "size",
        "urls",
        "annotations",
        "data",
        "platform",
        "artifactType"
    ]
);

/// The identity of a descriptor: two descriptors name the same content
/// when media type, digest and size are equal (oras-go `content.Equal`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DescriptorKey {
    /// Media type.
    pub media_type: String,
    /// Digest.
    pub digest: Digest,
    /// Size.
    pub size: u64,
}

impl Descriptor {
    /// A plain descriptor of `media_type`, `digest` and `size`.
    pub fn new(media_type: impl Into<String>, digest: Digest, size: u64) -> Self {
        Descriptor {
            media_type: media_type.into(),
            digest,
            size,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            data: None,
            platform: None,
            artifact_type: String::new(),
        }
    }

    /// Describes `data` with its SHA-256 digest (oras-go
    /// `content.NewDescriptorFromBytes`); an empty media type becomes
    /// `application/octet-stream`.
    pub fn from_bytes(media_type: &str, data: &[u8]) -> Self {
        let media_type = if media_type.is_empty() {
            media_type::OCTET_STREAM
        } else {
            media_type
        };
        Descriptor::new(media_type, Digest::sha256(data), data.len() as u64)
    }

    /// The empty JSON descriptor of image-spec 1.1
    /// (`application/vnd.oci.empty.v1+json`, `{}`, with `data` embedded).
    pub fn empty_json() -> Self {
        let mut desc = Descriptor::from_bytes(media_type::EMPTY_JSON, EMPTY_JSON_CONTENT);
        desc.data = Some(EMPTY_JSON_CONTENT.to_vec());
        desc
    }

    /// Whether this descriptor is the empty JSON blob (type, digest and size).
    pub fn is_empty_json(&self) -> bool {
        self.media_type == media_type::EMPTY_JSON
            && self.size == EMPTY_JSON_CONTENT.len() as u64
            && self.digest.verifies(EMPTY_JSON_CONTENT)
    }

    /// The identity of this descriptor (media type, digest, size).
    pub fn key(&self) -> DescriptorKey {
        DescriptorKey {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.size,
        }
    }

    /// Whether `self` and `other` name the same content (oras-go `content.Equal`).
    pub fn same_content(&self, other: &Descriptor) -> bool {
        self.size == other.size
            && self.digest == other.digest
            && self.media_type == other.media_type
    }

    /// A copy with only media type, digest and size (oras-go `descriptor.Plain`).
    pub fn plain(&self) -> Descriptor {
        Descriptor::new(self.media_type.clone(), self.digest.clone(), self.size)
    }

    /// Whether the descriptor points at a manifest, index or artifact manifest.
    pub fn is_manifest(&self) -> bool {
        media_type::is_manifest(&self.media_type)
    }

    /// The title annotation, if any.
    pub fn title(&self) -> Option<&str> {
        self.annotations
            .get(crate::annotation::TITLE)
            .map(String::as_str)
    }

    /// Serialises as compact JSON, with the bytes Go's `json.Marshal` gives.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain strings, numbers and maps cannot fail.
        crate::json::to_vec(self).unwrap_or_default()
    }
}

impl From<&Descriptor> for DescriptorKey {
    fn from(desc: &Descriptor) -> Self {
        desc.key()
    }
}

/// The content of the empty JSON blob.
pub(crate) const EMPTY_JSON_CONTENT: &[u8] = b"{}";

mod base64_data {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        data: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match data {
            Some(bytes) => serializer.serialize_str(&STANDARD.encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(deserializer)?;
        match text {
            None => Ok(None),
            Some(t) if t.is_empty() => Ok(None),
            Some(t) => STANDARD
                .decode(t.as_bytes())
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_matches_image_spec() {
        let desc = Descriptor::empty_json();
        assert_eq!(
            desc.digest.to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(desc.size, 2);
        assert_eq!(
            String::from_utf8(desc.to_json()).unwrap(),
            r#"{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}"#
        );
        assert!(desc.is_empty_json());
        let mut other = desc.clone();
        other.media_type = media_type::UNKNOWN_CONFIG.into();
        assert!(!other.is_empty_json());
    }

    #[test]
    fn serialises_in_go_field_order_with_sorted_annotations() {
        let mut desc = Descriptor::from_bytes("text/plain", b"hi");
        desc.annotations.insert("z".into(), "1".into());
        desc.annotations.insert("a".into(), "2".into());
        desc.artifact_type = "application/x".into();
        desc.platform = Some(Platform::new("linux", "amd64"));
        let json = String::from_utf8(desc.to_json()).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"mediaType":"text/plain","digest":"{}","size":2,"annotations":{{"a":"2","z":"1"}},"platform":{{"architecture":"amd64","os":"linux"}},"artifactType":"application/x"}}"#,
                Digest::sha256(b"hi")
            )
        );
    }

    #[test]
    fn accepts_unknown_fields_and_compares_by_identity() {
        let json = format!(
            r#"{{"mediaType":"a/b","digest":"{}","size":5,"future":{{"x":1}}}}"#,
            Digest::sha256(b"hello")
        );
        let desc: Descriptor = serde_json::from_str(&json).unwrap();
        let mut annotated = desc.clone();
        annotated.annotations.insert("k".into(), "v".into());
        assert!(desc.same_content(&annotated));
        assert_eq!(desc.key(), annotated.key());
        let mut other = desc.clone();
        other.media_type = "a/c".into();
        assert!(!desc.same_content(&other));
    }

    #[test]
    fn from_bytes_defaults_to_octet_stream() {
        assert_eq!(
            Descriptor::from_bytes("", b"x").media_type,
            media_type::OCTET_STREAM
        );
    }
}
