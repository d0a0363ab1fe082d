//! What kind of content a descriptor names, by its media type (Go
//! `internal/descriptor`).

use oras_spec::{Descriptor, media_type};

/// Go `descriptor.IsManifest`: image manifests and indexes, OCI or Docker.
pub fn is_manifest(desc: &Descriptor) -> bool {
    matches!(
        desc.media_type.as_str(),
        media_type::DOCKER_MANIFEST
            | media_type::DOCKER_MANIFEST_LIST
            | media_type::IMAGE_MANIFEST
            | media_type::IMAGE_INDEX
    )
}

/// Go `descriptor.IsImageManifest`.
pub fn is_image_manifest(desc: &Descriptor) -> bool {
    matches!(
        desc.media_type.as_str(),
        media_type::DOCKER_MANIFEST | media_type::IMAGE_MANIFEST
    )
}

/// Go `descriptor.IsIndex`.
pub fn is_index(desc: &Descriptor) -> bool {
    matches!(
        desc.media_type.as_str(),
        media_type::IMAGE_INDEX | media_type::DOCKER_MANIFEST_LIST
    )
}
