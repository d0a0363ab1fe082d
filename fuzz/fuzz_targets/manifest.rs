//! Manifests, indexes and artifact manifests from a registry or a layout:
//! parsing, listing successors and the subject never panic, and a parsed
//! document keeps its exact bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::{subject_from_bytes, successors_from_bytes};
use oras_spec::{ArtifactManifest, Descriptor, Index, Manifest, Parsed, Platform, media_type};

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = Parsed::<Manifest>::from_bytes(data.to_vec(), "image manifest") {
        assert_eq!(parsed.bytes(), data);
    }
    let _ = Parsed::<Index>::from_bytes(data.to_vec(), "image index");
    let _ = Parsed::<ArtifactManifest>::from_bytes(data.to_vec(), "artifact manifest");
    let _ = serde_json::from_slice::<Platform>(data);
    let _ = serde_json::from_slice::<Descriptor>(data);
    for kind in [
        media_type::IMAGE_MANIFEST,
        media_type::IMAGE_INDEX,
        media_type::ARTIFACT_MANIFEST,
        media_type::DOCKER_MANIFEST,
        media_type::DOCKER_MANIFEST_LIST,
    ] {
        let node = Descriptor::from_bytes(kind, data);
        let _ = successors_from_bytes(&node, data);
        let _ = subject_from_bytes(&node, data);
    }
});
