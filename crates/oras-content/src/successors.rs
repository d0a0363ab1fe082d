//! The successors of a node: what a manifest, index or artifact manifest
//! points at (oras-go `content.Successors`).

use oras_spec::{ArtifactManifest, Descriptor, Index, Manifest, media_type};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::reader::{MAX_METADATA_BYTES, read_all};
use crate::storage::Fetcher;

/// The successors of `node`, fetching its content from `fetcher` when it
/// is a manifest type (at most [`MAX_METADATA_BYTES`]); other types have
/// none.
pub async fn successors<F: Fetcher + ?Sized>(
    fetcher: &F,
    node: &Descriptor,
) -> Result<Vec<Descriptor>> {
    if !media_type::is_manifest(&node.media_type) {
        return Ok(Vec::new());
    }
    let content = fetch_all(fetcher, node, MAX_METADATA_BYTES).await?;
    successors_from_bytes(node, &content)
}

/// The successors of a manifest, index or artifact manifest by role,
/// parsed once from its content (the Go CLI's `internal/graph.Successors`
/// gives the same split: nodes, subject, config). A consumer that treats
/// configs or subjects apart (a pull names the config, follows the subject
/// on request) reads the fields; [`Successors::into_vec`] gives oras-go's
/// flat list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Successors {
    /// The `subject`, as the document carries it (a Docker manifest or
    /// manifest list parsed with the OCI schema may carry one too).
    pub subject: Option<Descriptor>,
    /// The config of an image manifest (OCI or Docker).
    pub config: Option<Descriptor>,
    /// The layers of an image manifest, or the blobs of an artifact
    /// manifest.
    pub layers: Vec<Descriptor>,
    /// The manifests of an index or a Docker manifest list.
    pub manifests: Vec<Descriptor>,
}

impl Successors {
    /// Parses the (already verified) content of `node`; a node that is no
    /// manifest type has no successors.
    ///
    /// A document with a key that Go's case-insensitive decoder would read
    /// as one of these fields without being its exact name (`"Layers"`
    /// beside or instead of `"layers"`), or with a field given twice, is
    /// refused as invalid content: oras-go would see another graph (see
    /// `oras_spec::json`).
    pub fn from_bytes(node: &Descriptor, content: &[u8]) -> Result<Successors> {
        Ok(match node.media_type.as_str() {
            media_type::DOCKER_MANIFEST | media_type::IMAGE_MANIFEST => {
                let what = if node.media_type == media_type::DOCKER_MANIFEST {
                    "docker manifest"
                } else {
                    "image manifest"
                };
                let manifest: Manifest = parse(content, what)?;
                Successors {
                    subject: manifest.subject,
                    config: Some(manifest.config),
                    layers: manifest.layers,
                    manifests: Vec::new(),
                }
            }
            media_type::DOCKER_MANIFEST_LIST | media_type::IMAGE_INDEX => {
                let what = if node.media_type == media_type::DOCKER_MANIFEST_LIST {
                    "docker manifest list"
                } else {
                    "image index"
                };
                let index: Index = parse(content, what)?;
                Successors {
                    subject: index.subject,
                    manifests: index.manifests,
                    ..Successors::default()
                }
            }
            media_type::ARTIFACT_MANIFEST => {
                let artifact: ArtifactManifest = parse(content, "artifact manifest")?;
                Successors {
                    subject: artifact.subject,
                    layers: artifact.blobs,
                    ..Successors::default()
                }
            }
            _ => Successors::default(),
        })
    }

    /// All successors as one list, in oras-go's order: subject, config,
    /// layers (or blobs), manifests.
    pub fn into_vec(self) -> Vec<Descriptor> {
        let mut out = Vec::with_capacity(2 + self.layers.len() + self.manifests.len());
        out.extend(self.subject);
        out.extend(self.config);
        out.extend(self.layers);
        out.extend(self.manifests);
        out
    }
}

/// The successors of `node` given its (already verified) content, in
/// oras-go's order:
/// - Docker manifest: config, layers;
/// - OCI manifest: subject, config, layers;
/// - Docker manifest list: manifests;
/// - OCI index: subject, manifests;
/// - artifact manifest: subject, blobs;
/// - anything else: none.
///
/// Invalid documents are refused as [`Successors::from_bytes`] says.
pub fn successors_from_bytes(node: &Descriptor, content: &[u8]) -> Result<Vec<Descriptor>> {
    let mut successors = Successors::from_bytes(node, content)?;
    // oras-go reads Docker documents with the Docker schema, which has no
    // subject.
    if matches!(
        node.media_type.as_str(),
        media_type::DOCKER_MANIFEST | media_type::DOCKER_MANIFEST_LIST
    ) {
        successors.subject = None;
    }
    Ok(successors.into_vec())
}

/// The `subject` of a manifest, index or artifact manifest, if any.
pub fn subject_from_bytes(node: &Descriptor, content: &[u8]) -> Result<Option<Descriptor>> {
    Ok(match node.media_type.as_str() {
        media_type::IMAGE_MANIFEST | media_type::IMAGE_INDEX | media_type::ARTIFACT_MANIFEST => {
            Successors::from_bytes(node, content)?.subject
        }
        _ => None,
    })
}

/// Fetches the whole verified content of `desc`, refusing more than `limit` bytes.
pub async fn fetch_all<F: Fetcher + ?Sized>(
    fetcher: &F,
    desc: &Descriptor,
    limit: u64,
) -> Result<Vec<u8>> {
    if desc.size > limit {
        return Err(Error::SizeExceedsLimit {
            size: desc.size,
            limit,
        });
    }
    let reader = fetcher.fetch(desc).await?;
    read_all(reader, desc, limit).await
}

fn parse<T: DeserializeOwned>(content: &[u8], what: &'static str) -> Result<T> {
    serde_json::from_slice(content).map_err(|source| oras_spec::Error::Json { what, source }.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_spec::Parsed;
    use std::collections::BTreeMap;

    fn blob(name: &str) -> Descriptor {
        Descriptor::from_bytes(media_type::IMAGE_LAYER, name.as_bytes())
    }

    #[test]
    fn manifest_successors_in_order() {
        let subject = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"s");
        let manifest = Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: String::new(),
            config: blob("c"),
            layers: vec![blob("a"), blob("b")],
            subject: Some(subject.clone()),
            annotations: BTreeMap::new(),
        };
        let parsed = Parsed::from_value(manifest);
        let desc = parsed.descriptor(media_type::IMAGE_MANIFEST);
        let got = successors_from_bytes(&desc, parsed.bytes()).unwrap();
        assert_eq!(got, vec![subject.clone(), blob("c"), blob("a"), blob("b")]);
        // A Docker manifest has no subject, even if the JSON carries one.
        let docker = Descriptor::from_bytes(media_type::DOCKER_MANIFEST, parsed.bytes());
        let got = successors_from_bytes(&docker, parsed.bytes()).unwrap();
        assert_eq!(got, vec![blob("c"), blob("a"), blob("b")]);
        assert_eq!(
            subject_from_bytes(&desc, parsed.bytes()).unwrap(),
            Some(subject)
        );
    }

    #[test]
    fn successors_by_role() {
        let subject = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"s");
        let manifest = Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: String::new(),
            config: blob("c"),
            layers: vec![blob("a"), blob("b")],
            subject: Some(subject.clone()),
            annotations: BTreeMap::new(),
        };
        let parsed = Parsed::from_value(manifest);
        let desc = parsed.descriptor(media_type::IMAGE_MANIFEST);
        let parts = Successors::from_bytes(&desc, parsed.bytes()).unwrap();
        assert_eq!(parts.subject, Some(subject.clone()));
        assert_eq!(parts.config, Some(blob("c")));
        assert_eq!(parts.layers, vec![blob("a"), blob("b")]);
        assert!(parts.manifests.is_empty());
        // The Docker schema read with the OCI one keeps the subject by
        // role; the flat list of oras-go leaves it out.
        let docker = Descriptor::from_bytes(media_type::DOCKER_MANIFEST, parsed.bytes());
        let parts = Successors::from_bytes(&docker, parsed.bytes()).unwrap();
        assert_eq!(parts.subject, Some(subject));
        assert_eq!(
            successors_from_bytes(&docker, parsed.bytes()).unwrap(),
            vec![blob("c"), blob("a"), blob("b")]
        );

        let mut index = Index::new(vec![blob("m1")]);
        index.subject = Some(blob("s"));
        let parsed = Parsed::from_value(index);
        let list = Descriptor::from_bytes(media_type::DOCKER_MANIFEST_LIST, parsed.bytes());
        let parts = Successors::from_bytes(&list, parsed.bytes()).unwrap();
        assert_eq!(parts.manifests, vec![blob("m1")]);
        assert_eq!(parts.config, None);
        assert_eq!(
            successors_from_bytes(&list, parsed.bytes()).unwrap(),
            vec![blob("m1")]
        );
        // Not a manifest type: nothing, and nothing parsed.
        assert_eq!(
            Successors::from_bytes(&blob("x"), b"not json").unwrap(),
            Successors::default()
        );
        let err = Successors::from_bytes(&desc, b"not json").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidContent);
    }

    #[test]
    fn index_and_artifact_successors() {
        let mut index = Index::new(vec![blob("m1"), blob("m2")]);
        index.subject = Some(blob("s"));
        let parsed = Parsed::from_value(index);
        let desc = parsed.descriptor(media_type::IMAGE_INDEX);
        assert_eq!(
            successors_from_bytes(&desc, parsed.bytes()).unwrap(),
            vec![blob("s"), blob("m1"), blob("m2")]
        );
        let artifact = ArtifactManifest {
            media_type: media_type::ARTIFACT_MANIFEST.into(),
            artifact_type: "a/b".into(),
            blobs: vec![blob("x")],
            subject: Some(blob("s")),
            annotations: BTreeMap::new(),
        };
        let parsed = Parsed::from_value(artifact);
        let desc = parsed.descriptor(media_type::ARTIFACT_MANIFEST);
        assert_eq!(
            successors_from_bytes(&desc, parsed.bytes()).unwrap(),
            vec![blob("s"), blob("x")]
        );
        assert!(
            successors_from_bytes(&blob("x"), b"not json")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn keys_go_reads_case_insensitively_are_refused() {
        // Go's decoder would take the second spelling as the layers (or
        // manifests, blobs), so the graph would differ between readers.
        let a = serde_json::to_string(&blob("a")).unwrap();
        let b = serde_json::to_string(&blob("b")).unwrap();
        let config = serde_json::to_string(&blob("c")).unwrap();
        for (media_type, json) in [
            (
                media_type::IMAGE_MANIFEST,
                format!(r#"{{"schemaVersion":2,"config":{config},"layers":[{a}],"Layers":[{b}]}}"#),
            ),
            (
                media_type::DOCKER_MANIFEST,
                format!(r#"{{"schemaVersion":2,"config":{config},"LAYERS":[{b}]}}"#),
            ),
            (
                media_type::IMAGE_INDEX,
                format!(r#"{{"schemaVersion":2,"manifests":[{a}],"Manifests":[{b}]}}"#),
            ),
            (
                media_type::ARTIFACT_MANIFEST,
                format!(r#"{{"blobs":[{a}],"Subject":{b}}}"#),
            ),
        ] {
            let desc = Descriptor::from_bytes(media_type, json.as_bytes());
            let err = successors_from_bytes(&desc, json.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidContent, "{err}");
            assert!(err.to_string().contains("only in case"), "{err}");
        }
        // The exact spelling alone is read as before.
        let json = format!(r#"{{"schemaVersion":2,"config":{config},"layers":[{a}]}}"#);
        let desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, json.as_bytes());
        assert_eq!(
            successors_from_bytes(&desc, json.as_bytes()).unwrap(),
            vec![blob("c"), blob("a")]
        );
    }

    #[test]
    fn malformed_manifest_is_an_error() {
        let desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"{");
        let err = successors_from_bytes(&desc, b"{").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidContent);
    }
}
