//! Media types used by ORAS, and the RFC 6838 check oras applies to
//! user-supplied artifact and config types.

/// OCI image manifest.
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image configuration.
pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI layer, uncompressed tar (the default type of a file layer).
pub const IMAGE_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI layer, tar+gzip (the default type of a directory layer).
pub const IMAGE_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI layer, tar+zstd.
pub const IMAGE_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// Non-distributable OCI layer, uncompressed (deprecated by image-spec 1.1).
pub const IMAGE_LAYER_NONDISTRIBUTABLE: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
/// Non-distributable OCI layer, tar+gzip.
pub const IMAGE_LAYER_NONDISTRIBUTABLE_GZIP: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
/// Non-distributable OCI layer, tar+zstd.
pub const IMAGE_LAYER_NONDISTRIBUTABLE_ZSTD: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
/// The empty JSON blob `{}` (image-spec 1.1 `DescriptorEmptyJSON`).
pub const EMPTY_JSON: &str = "application/vnd.oci.empty.v1+json";
/// The legacy OCI artifact manifest (read and copied, never packed).
pub const ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image configuration.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker foreign layer (never copied).
pub const DOCKER_FOREIGN_LAYER: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
/// Default artifactType of an image-spec 1.1 push without one (oras-go `MediaTypeUnknownArtifact`).
pub const UNKNOWN_ARTIFACT: &str = "application/vnd.unknown.artifact.v1";
/// Default config type of an image-spec 1.0 push (oras-go `MediaTypeUnknownConfig`).
pub const UNKNOWN_CONFIG: &str = "application/vnd.unknown.config.v1+json";
/// Type given to a blob whose type is not known (oras-go `internal/descriptor`).
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Manifest types a registry client accepts, in oras-go's order
/// (`registry/remote/manifest.go` `defaultManifestMediaTypes`).
pub const DEFAULT_MANIFEST_ACCEPT: [&str; 5] = [
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    IMAGE_MANIFEST,
    IMAGE_INDEX,
    ARTIFACT_MANIFEST,
];

/// Whether `media_type` is one of the manifest types (anything that has
/// successors and is stored as a manifest rather than a blob).
pub fn is_manifest(media_type: &str) -> bool {
    DEFAULT_MANIFEST_ACCEPT.contains(&media_type)
}

/// Whether `media_type` is a non-distributable (foreign) layer, which
/// copies skip (oras-go `descriptor.IsForeignLayer`).
pub fn is_foreign_layer(media_type: &str) -> bool {
    matches!(
        media_type,
        DOCKER_FOREIGN_LAYER
            | IMAGE_LAYER_NONDISTRIBUTABLE
            | IMAGE_LAYER_NONDISTRIBUTABLE_GZIP
            | IMAGE_LAYER_NONDISTRIBUTABLE_ZSTD
    )
}

/// The RFC 6838 check oras applies to `--artifact-type` and config types:
/// `^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`
/// (oras-go `pack.go` `mediaTypeRegexp`).
pub fn is_valid(media_type: &str) -> bool {
    fn restricted_name(part: &str) -> bool {
        let bytes = part.as_bytes();
        let Some((first, rest)) = bytes.split_first() else {
            return false;
        };
        first.is_ascii_alphanumeric()
            && rest.len() <= 126
            && rest
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(b))
    }
    match media_type.split_once('/') {
        Some((kind, subtype)) => restricted_name(kind) && restricted_name(subtype),
        None => false,
    }
}

/// Validates a media type with [`is_valid`], returning it on success.
pub fn validate(media_type: &str) -> crate::Result<&str> {
    if is_valid(media_type) {
        Ok(media_type)
    } else {
        Err(crate::Error::InvalidMediaType(media_type.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6838_check() {
        for ok in [
            IMAGE_MANIFEST,
            UNKNOWN_ARTIFACT,
            "application/vnd.example+type",
            "a/b",
            "text/plain",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        let long = format!("a/{}", "b".repeat(128));
        for bad in [
            "",
            "application",
            "/json",
            "application/",
            ".a/b",
            "a/b/c",
            "a b/c",
            "application/json; charset=utf-8",
            long.as_str(),
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
        assert!(is_valid(&format!("a/{}", "b".repeat(127))));
    }

    #[test]
    fn classifies_types() {
        assert!(is_manifest(IMAGE_INDEX));
        assert!(is_manifest(DOCKER_MANIFEST));
        assert!(!is_manifest(IMAGE_CONFIG));
        assert!(is_foreign_layer(DOCKER_FOREIGN_LAYER));
        assert!(!is_foreign_layer(IMAGE_LAYER));
    }
}
