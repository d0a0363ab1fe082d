//! An OCI image layout checked on disk, as a process killed mid-write may
//! have left it (image-spec `image-layout.md`: `index.json`, `oci-layout`,
//! `blobs/<alg>/<hex>`).

use std::collections::BTreeSet;
use std::path::Path;

use oras_spec::{Digest, annotation};

/// Checks the layout at `root` and returns its tags (the
/// `org.opencontainers.image.ref.name` annotations of `index.json`).
///
/// Valid means: `index.json` parses; every file under a final blob name
/// (`blobs/<alg>/<hex>`) hashes to that name, so none is partial; and
/// every descriptor reachable from `index.json` (through indexes'
/// `manifests`, manifests' `config` and `layers`) names a blob that
/// exists with its size. A manifest's `subject` need not be in the
/// layout (image-spec allows a referrer without its subject).
///
/// # Errors
/// What is wrong, as text for the test's panic message.
pub fn check_layout(root: &Path) -> Result<Vec<String>, String> {
    let index_path = root.join("index.json");
    let index_bytes =
        std::fs::read(&index_path).map_err(|e| format!("reading {}: {e}", index_path.display()))?;
    let index: serde_json::Value = serde_json::from_slice(&index_bytes).map_err(|e| {
        format!(
            "index.json does not parse ({e}): {}",
            String::from_utf8_lossy(&index_bytes)
        )
    })?;
    check_final_blobs(root)?;
    let mut tags = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in entries(&index, "manifests") {
        if let Some(tag) = entry["annotations"][annotation::REF_NAME].as_str() {
            tags.push(tag.to_owned());
        }
        check_reachable(root, entry, &mut seen)?;
    }
    tags.sort();
    Ok(tags)
}

/// Every file named like a blob hashes to its name.
fn check_final_blobs(root: &Path) -> Result<(), String> {
    let blobs = root.join("blobs");
    let Ok(algorithms) = std::fs::read_dir(&blobs) else {
        return Ok(());
    };
    for algorithm in algorithms {
        let algorithm = algorithm.map_err(|e| format!("listing {}: {e}", blobs.display()))?;
        let dir = algorithm.path();
        let listing =
            std::fs::read_dir(&dir).map_err(|e| format!("listing {}: {e}", dir.display()))?;
        for blob in listing {
            let blob = blob.map_err(|e| format!("listing {}: {e}", dir.display()))?;
            let name = format!(
                "{}:{}",
                algorithm.file_name().to_string_lossy(),
                blob.file_name().to_string_lossy()
            );
            // Temp files (a name no digest has) may be left by a kill.
            let Ok(digest) = name.parse::<Digest>() else {
                continue;
            };
            let data = std::fs::read(blob.path())
                .map_err(|e| format!("reading {}: {e}", blob.path().display()))?;
            if !digest.verifies(&data) {
                return Err(format!(
                    "blob {name} is partial or corrupt ({} bytes)",
                    data.len()
                ));
            }
        }
    }
    Ok(())
}

/// The blob `desc` names exists with its size; a manifest's or an
/// index's children too.
fn check_reachable(
    root: &Path,
    desc: &serde_json::Value,
    seen: &mut BTreeSet<String>,
) -> Result<(), String> {
    let digest_text = desc["digest"]
        .as_str()
        .ok_or_else(|| format!("a descriptor without a digest: {desc}"))?;
    if !seen.insert(digest_text.to_owned()) {
        return Ok(());
    }
    let digest: Digest = digest_text
        .parse()
        .map_err(|e| format!("bad digest {digest_text:?}: {e}"))?;
    let path = root
        .join("blobs")
        .join(digest.algorithm().to_string())
        .join(digest.encoded());
    let data = std::fs::read(&path)
        .map_err(|e| format!("blob {digest} reached from index.json is missing: {e}"))?;
    if desc["size"].as_u64() != Some(data.len() as u64) {
        return Err(format!(
            "blob {digest} has {} bytes, its descriptor says {}",
            data.len(),
            desc["size"]
        ));
    }
    let media_type = desc["mediaType"].as_str().unwrap_or_default();
    if !is_graph_node(media_type) {
        return Ok(());
    }
    let node: serde_json::Value = serde_json::from_slice(&data)
        .map_err(|e| format!("manifest {digest} ({media_type}) does not parse: {e}"))?;
    let config = node.get("config").into_iter();
    for child in config
        .chain(entries(&node, "layers"))
        .chain(entries(&node, "manifests"))
        .chain(entries(&node, "blobs"))
    {
        check_reachable(root, child, seen)?;
    }
    Ok(())
}

/// Whether blobs of `media_type` point at other blobs.
fn is_graph_node(media_type: &str) -> bool {
    use oras_spec::media_type::*;
    [
        IMAGE_MANIFEST,
        IMAGE_INDEX,
        ARTIFACT_MANIFEST,
        DOCKER_MANIFEST,
        DOCKER_MANIFEST_LIST,
    ]
    .contains(&media_type)
}

/// The array `key` of `value`, or nothing.
fn entries<'a>(
    value: &'a serde_json::Value,
    key: &str,
) -> impl Iterator<Item = &'a serde_json::Value> {
    value[key].as_array().into_iter().flatten()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn write_blob(root: &Path, data: &[u8]) -> Digest {
        let digest = Digest::sha256(data);
        let dir = root.join("blobs/sha256");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(digest.encoded()), data).unwrap();
        digest
    }

    fn layout_with_one_tag(root: &Path) -> (Digest, Digest) {
        let layer = write_blob(root, b"layer");
        let config = write_blob(root, b"{}");
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{m}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"x","digest":"{layer}","size":5}}]}}"#,
            m = oras_spec::media_type::IMAGE_MANIFEST
        );
        let digest = write_blob(root, manifest.as_bytes());
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{m}","digest":"{digest}","size":{s},"annotations":{{"org.opencontainers.image.ref.name":"v1"}}}}]}}"#,
            m = oras_spec::media_type::IMAGE_MANIFEST,
            s = manifest.len()
        );
        std::fs::write(root.join("index.json"), index).unwrap();
        (layer, digest)
    }

    #[test]
    fn a_valid_layout_gives_its_tags() {
        let dir = tempfile::tempdir().unwrap();
        layout_with_one_tag(dir.path());
        // A temp file left by a kill is not a blob.
        std::fs::write(dir.path().join("blobs/sha256/.tmp-123"), b"part").unwrap();
        assert_eq!(check_layout(dir.path()).unwrap(), ["v1"]);
    }

    #[test]
    fn a_partial_blob_a_missing_blob_and_a_torn_index_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let (layer, _) = layout_with_one_tag(dir.path());
        let layer_path = dir.path().join("blobs/sha256").join(layer.encoded());
        std::fs::write(&layer_path, b"lay").unwrap();
        assert!(check_layout(dir.path()).unwrap_err().contains("partial"));
        std::fs::remove_file(&layer_path).unwrap();
        assert!(check_layout(dir.path()).unwrap_err().contains("missing"));
        std::fs::write(
            dir.path().join("index.json"),
            b"{\"schemaVersion\":2,\"manif",
        )
        .unwrap();
        assert!(
            check_layout(dir.path())
                .unwrap_err()
                .contains("does not parse")
        );
    }
}
