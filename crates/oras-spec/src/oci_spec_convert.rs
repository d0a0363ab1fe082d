//! Conversions between this crate's types and the `oci-spec` crate's, which
//! the rest of the Rust OCI ecosystem (oci-client, containerd clients,
//! runtimes) speaks.
//!
//! Both directions are `TryFrom` for types holding a digest or embedded
//! data, because each side accepts what the other refuses: `oci-spec`
//! takes any registered digest algorithm and any `data` string, this crate
//! only the algorithms it can compute (sha256, sha384, sha512) and valid
//! base64. [`Platform`] converts with `From` both ways.
//!
//! What the two models represent differently:
//! - an absent optional string (`artifactType`, a manifest's `mediaType`)
//!   is `None` there and the empty string here, as Go's `omitempty` fields;
//! - absent `urls` and `annotations` are `None` there and empty here;
//! - `oci-spec`'s `Platform::features` (reserved by the image spec) has no
//!   field here and is dropped;
//! - `oci-spec` 0.10 reads and writes a platform's `os.version` and
//!   `os.features` under the JSON names `os_version` and `os_features`,
//!   so JSON should be parsed here (or in Go) and converted, not parsed
//!   by `oci-spec`, when those fields matter; the conversions carry them.
//!
//! Converting does not change what a manifest serialises to on this side:
//! JSON written by this crate keeps Go's field order and sorted annotation
//! keys whatever `oci-spec` held.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oci_spec::image as oci;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::{Descriptor, Index, Manifest, Platform};

fn conversion(what: &'static str, reason: impl std::fmt::Display) -> Error {
    Error::OciSpec {
        what,
        reason: reason.to_string(),
    }
}

fn some_if_not_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn media_type_or_none(text: &str) -> Option<oci::MediaType> {
    (!text.is_empty()).then(|| oci::MediaType::from(text))
}

fn annotations_to_oci(annotations: &BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    (!annotations.is_empty()).then(|| annotations.clone().into_iter().collect())
}

fn annotations_from_oci(annotations: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    annotations
        .map(|map| map.clone().into_iter().collect())
        .unwrap_or_default()
}

fn media_type_text(media_type: Option<&oci::MediaType>) -> String {
    media_type.map(ToString::to_string).unwrap_or_default()
}

impl TryFrom<&Digest> for oci::Digest {
    type Error = Error;

    fn try_from(digest: &Digest) -> Result<Self> {
        oci::Digest::try_from(digest.to_string()).map_err(|err| conversion("digest", err))
    }
}

impl TryFrom<&oci::Digest> for Digest {
    type Error = Error;

    fn try_from(digest: &oci::Digest) -> Result<Self> {
        digest.as_ref().parse()
    }
}

impl From<&Platform> for oci::Platform {
    fn from(platform: &Platform) -> Self {
        let mut out = oci::Platform::default();
        out.set_architecture(oci::Arch::from(platform.architecture.as_str()));
        out.set_os(oci::Os::from(platform.os.as_str()));
        out.set_os_version(some_if_not_empty(&platform.os_version));
        out.set_os_features(
            (!platform.os_features.is_empty()).then(|| platform.os_features.clone()),
        );
        out.set_variant(some_if_not_empty(&platform.variant));
        out
    }
}

impl From<&oci::Platform> for Platform {
    fn from(platform: &oci::Platform) -> Self {
        Platform {
            architecture: platform.architecture().to_string(),
            os: platform.os().to_string(),
            os_version: platform.os_version().clone().unwrap_or_default(),
            os_features: platform.os_features().clone().unwrap_or_default(),
            variant: platform.variant().clone().unwrap_or_default(),
        }
    }
}

impl TryFrom<&Descriptor> for oci::Descriptor {
    type Error = Error;

    fn try_from(desc: &Descriptor) -> Result<Self> {
        let digest = oci::Digest::try_from(&desc.digest)?;
        let mut out = oci::Descriptor::new(desc.media_type.as_str().into(), desc.size, digest);
        out.set_urls((!desc.urls.is_empty()).then(|| desc.urls.clone()));
        out.set_annotations(annotations_to_oci(&desc.annotations));
        out.set_platform(desc.platform.as_ref().map(oci::Platform::from));
        out.set_artifact_type(media_type_or_none(&desc.artifact_type));
        out.set_data(desc.data.as_ref().map(|data| STANDARD.encode(data)));
        Ok(out)
    }
}

impl TryFrom<&oci::Descriptor> for Descriptor {
    type Error = Error;

    fn try_from(desc: &oci::Descriptor) -> Result<Self> {
        let data = desc
            .data()
            .as_ref()
            .map(|text| STANDARD.decode(text))
            .transpose()
            .map_err(|err| conversion("descriptor data (base64)", err))?;
        Ok(Descriptor {
            media_type: desc.media_type().to_string(),
            digest: Digest::try_from(desc.digest())?,
            size: desc.size(),
            urls: desc.urls().clone().unwrap_or_default(),
            annotations: annotations_from_oci(desc.annotations().as_ref()),
            data,
            platform: desc.platform().as_ref().map(Platform::from),
            artifact_type: media_type_text(desc.artifact_type().as_ref()),
        })
    }
}

fn descriptors_to_oci(descs: &[Descriptor]) -> Result<Vec<oci::Descriptor>> {
    descs.iter().map(oci::Descriptor::try_from).collect()
}

fn descriptors_from_oci(descs: &[oci::Descriptor]) -> Result<Vec<Descriptor>> {
    descs.iter().map(Descriptor::try_from).collect()
}

fn subject_to_oci(subject: Option<&Descriptor>) -> Result<Option<oci::Descriptor>> {
    subject.map(oci::Descriptor::try_from).transpose()
}

fn subject_from_oci(subject: Option<&oci::Descriptor>) -> Result<Option<Descriptor>> {
    subject.map(Descriptor::try_from).transpose()
}

impl TryFrom<&Manifest> for oci::ImageManifest {
    type Error = Error;

    fn try_from(manifest: &Manifest) -> Result<Self> {
        let mut out = oci::ImageManifestBuilder::default()
            .schema_version(manifest.schema_version)
            .config(oci::Descriptor::try_from(&manifest.config)?)
            .layers(descriptors_to_oci(&manifest.layers)?)
            .build()
            .map_err(|err| conversion("image manifest", err))?;
        out.set_media_type(media_type_or_none(&manifest.media_type));
        out.set_artifact_type(media_type_or_none(&manifest.artifact_type));
        out.set_subject(subject_to_oci(manifest.subject.as_ref())?);
        out.set_annotations(annotations_to_oci(&manifest.annotations));
        Ok(out)
    }
}

impl TryFrom<&oci::ImageManifest> for Manifest {
    type Error = Error;

    fn try_from(manifest: &oci::ImageManifest) -> Result<Self> {
        Ok(Manifest {
            schema_version: manifest.schema_version(),
            media_type: media_type_text(manifest.media_type().as_ref()),
            artifact_type: media_type_text(manifest.artifact_type().as_ref()),
            config: Descriptor::try_from(manifest.config())?,
            layers: descriptors_from_oci(manifest.layers())?,
            subject: subject_from_oci(manifest.subject().as_ref())?,
            annotations: annotations_from_oci(manifest.annotations().as_ref()),
        })
    }
}

impl TryFrom<&Index> for oci::ImageIndex {
    type Error = Error;

    fn try_from(index: &Index) -> Result<Self> {
        let mut out = oci::ImageIndex::default();
        out.set_schema_version(index.schema_version);
        out.set_media_type(media_type_or_none(&index.media_type));
        out.set_artifact_type(media_type_or_none(&index.artifact_type));
        out.set_manifests(descriptors_to_oci(&index.manifests)?);
        out.set_subject(subject_to_oci(index.subject.as_ref())?);
        out.set_annotations(annotations_to_oci(&index.annotations));
        Ok(out)
    }
}

impl TryFrom<&oci::ImageIndex> for Index {
    type Error = Error;

    fn try_from(index: &oci::ImageIndex) -> Result<Self> {
        Ok(Index {
            schema_version: index.schema_version(),
            media_type: media_type_text(index.media_type().as_ref()),
            artifact_type: media_type_text(index.artifact_type().as_ref()),
            manifests: descriptors_from_oci(index.manifests())?,
            subject: subject_from_oci(index.subject().as_ref())?,
            annotations: annotations_from_oci(index.annotations().as_ref()),
        })
    }
}

/// By-value forms of the conversions above, so `.try_into()` works on an
/// owned value as well as on a reference.
macro_rules! by_value {
    ($($from:ty => $to:ty),* $(,)?) => {$(
        impl TryFrom<$from> for $to {
            type Error = Error;

            fn try_from(value: $from) -> Result<Self> {
                <$to>::try_from(&value)
            }
        }
    )*};
}

by_value!(
    Descriptor => oci::Descriptor,
    oci::Descriptor => Descriptor,
    Manifest => oci::ImageManifest,
    oci::ImageManifest => Manifest,
    Index => oci::ImageIndex,
    oci::ImageIndex => Index,
);

impl From<Platform> for oci::Platform {
    fn from(platform: Platform) -> Self {
        oci::Platform::from(&platform)
    }
}

impl From<oci::Platform> for Platform {
    fn from(platform: oci::Platform) -> Self {
        Platform::from(&platform)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media_type;

    fn descriptor_with_everything() -> Descriptor {
        let mut desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"{}");
        desc.urls = vec!["https://example.com/blob".to_owned()];
        desc.annotations = BTreeMap::from([
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "1".to_owned()),
        ]);
        desc.data = Some(b"{}".to_vec());
        desc.platform = Some(Platform {
            architecture: "arm64".to_owned(),
            os: "linux".to_owned(),
            os_version: "10.0".to_owned(),
            os_features: vec!["win32k".to_owned()],
            variant: "v8".to_owned(),
        });
        desc.artifact_type = "application/vnd.example".to_owned();
        desc
    }

    fn manifest() -> Manifest {
        let layer = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"hello");
        Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.to_owned(),
            artifact_type: "application/vnd.example".to_owned(),
            config: Descriptor::empty_json(),
            layers: vec![layer],
            subject: Some(descriptor_with_everything()),
            annotations: BTreeMap::from([("z".to_owned(), "last".to_owned())]),
        }
    }

    #[test]
    fn a_descriptor_survives_the_round_trip() {
        let ours = descriptor_with_everything();
        let theirs = oci::Descriptor::try_from(&ours).unwrap();
        assert_eq!(theirs.digest().to_string(), ours.digest.to_string());
        assert_eq!(theirs.data().as_deref(), Some("e30="));
        assert_eq!(
            theirs.artifact_type().as_ref().map(ToString::to_string),
            Some("application/vnd.example".to_owned())
        );
        assert_eq!(Descriptor::try_from(theirs).unwrap(), ours);
    }

    #[test]
    fn empty_optional_fields_map_to_none_and_back() {
        let ours = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"x");
        let theirs = oci::Descriptor::try_from(&ours).unwrap();
        assert!(theirs.urls().is_none());
        assert!(theirs.annotations().is_none());
        assert!(theirs.artifact_type().is_none());
        assert!(theirs.platform().is_none());
        assert!(theirs.data().is_none());
        assert_eq!(Descriptor::try_from(&theirs).unwrap(), ours);
    }

    #[test]
    fn a_manifest_and_an_index_survive_the_round_trip() {
        let ours = manifest();
        let theirs = oci::ImageManifest::try_from(&ours).unwrap();
        assert_eq!(Manifest::try_from(&theirs).unwrap(), ours);

        let mut index = Index::new(vec![descriptor_with_everything()]);
        index.annotations.insert("k".to_owned(), "v".to_owned());
        let theirs = oci::ImageIndex::try_from(&index).unwrap();
        assert_eq!(Index::try_from(theirs).unwrap(), index);
    }

    #[test]
    fn json_read_by_oci_spec_converts_to_the_same_bytes() {
        // Our serialisation is Go's; oci-spec's (a HashMap of annotations)
        // is not, but what it read converts back to Go's bytes. (oci-spec
        // 0.10 names the platform's `os.version` and `os.features`
        // `os_version` and `os_features` in JSON, so they are left out
        // here; the conversions themselves carry them.)
        let mut ours = manifest();
        if let Some(platform) = ours.subject.as_mut().and_then(|s| s.platform.as_mut()) {
            platform.os_version.clear();
            platform.os_features.clear();
        }
        let go_bytes = serde_json::to_vec(&ours).unwrap();
        let theirs: oci::ImageManifest = serde_json::from_slice(&go_bytes).unwrap();
        let back = Manifest::try_from(&theirs).unwrap();
        assert_eq!(serde_json::to_vec(&back).unwrap(), go_bytes);
    }

    #[test]
    fn a_platform_converts_both_ways() {
        let ours = Platform::new("linux", "amd64");
        let theirs = oci::Platform::from(&ours);
        assert_eq!(theirs.os(), &oci::Os::Linux);
        assert_eq!(theirs.architecture(), &oci::Arch::Amd64);
        assert_eq!(Platform::from(theirs), ours);
    }

    #[test]
    fn what_this_crate_refuses_is_a_clear_error() {
        let unknown_algorithm = oci::Descriptor::new(
            oci::MediaType::ImageLayer,
            1,
            oci::Digest::try_from("blake3:abcd").unwrap(),
        );
        let err = Descriptor::try_from(&unknown_algorithm).unwrap_err();
        assert!(matches!(err, Error::UnsupportedAlgorithm(_)), "{err:?}");

        let mut bad_data = oci::Descriptor::try_from(&descriptor_with_everything()).unwrap();
        bad_data.set_data(Some("not base64!".to_owned()));
        let err = Descriptor::try_from(&bad_data).unwrap_err();
        assert!(
            err.to_string().contains("descriptor data (base64)"),
            "{err}"
        );
    }
}
