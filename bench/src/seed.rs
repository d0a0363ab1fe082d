//! The artifacts every tool pulls or copies, written by the harness itself
//! (so a pull benchmark never depends on one of the tools under test
//! having pushed): an OCI image manifest whose config is a valid image
//! config (skopeo needs one) and whose layers carry
//! `org.opencontainers.image.title` (what `oras pull` and oras-py write
//! files from). Each artifact is written both as an OCI image layout (the
//! source of skopeo pushes and layout copies; blobs hard-linked to the
//! data files) and into the registry over plain HTTP.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;

use super::data::{DataSet, sha256_bytes};
use super::http::{self, Body};

/// OCI image manifest media type.
pub(crate) const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Uncompressed layer media type (oras push's default for files).
pub(crate) const LAYER_TYPE: &str = "application/vnd.oci.image.layer.v1.tar";
/// Compressed layer media type (oras push's type for directories).
pub(crate) const LAYER_GZIP_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The tag every seeded artifact has.
pub(crate) const TAG: &str = "v1";

/// One layer of a seeded artifact.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    /// The file holding its bytes.
    pub(crate) path: PathBuf,
    /// `sha256:HEX`.
    pub(crate) digest: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// Media type.
    pub(crate) media_type: &'static str,
    /// Layer annotations.
    pub(crate) annotations: Vec<(String, String)>,
    /// The uncompressed digest, for the image config's `diff_ids`.
    pub(crate) diff_id: String,
}

impl Layer {
    /// An uncompressed layer per file of `set`, titled with the file name.
    pub(crate) fn files(set: &DataSet) -> Vec<Layer> {
        set.files
            .iter()
            .map(|f| Layer {
                path: set.path(f),
                digest: f.digest.clone(),
                size: f.size,
                media_type: LAYER_TYPE,
                annotations: vec![("org.opencontainers.image.title".to_owned(), f.name.clone())],
                diff_id: f.digest.clone(),
            })
            .collect()
    }

    /// The directory layer the way `oras push DIR` makes it: the tar.gz,
    /// titled with the directory name, marked for unpacking, with the tar's
    /// digest in `io.deis.oras.content.digest`.
    pub(crate) fn directory(set: &DataSet, title: &str) -> Result<Layer> {
        let tar = set.file("tree.tar")?;
        let gz = set.file("tree.tar.gz")?;
        Ok(Layer {
            path: set.path(gz),
            digest: gz.digest.clone(),
            size: gz.size,
            media_type: LAYER_GZIP_TYPE,
            annotations: vec![
                ("io.deis.oras.content.digest".to_owned(), tar.digest.clone()),
                ("io.deis.oras.content.unpack".to_owned(), "true".to_owned()),
                (
                    "org.opencontainers.image.title".to_owned(),
                    title.to_owned(),
                ),
            ],
            diff_id: tar.digest.clone(),
        })
    }
}

/// A seeded artifact.
#[derive(Debug, Clone)]
pub(crate) struct Artifact {
    /// Its repository in the registry.
    pub(crate) repo: String,
    /// Its OCI layout (tagged [`TAG`]).
    pub(crate) layout: PathBuf,
    /// Its layers.
    pub(crate) layers: Vec<Layer>,
}

impl Artifact {
    /// `HOST/REPO:v1`.
    pub(crate) fn reference(&self, host: &str) -> String {
        format!("{host}/{}:{TAG}", self.repo)
    }
}

/// The image config and manifest bytes for `layers`.
pub(crate) fn image(layers: &[Layer]) -> Result<(Vec<u8>, Vec<u8>)> {
    let diff_ids: Vec<&str> = layers.iter().map(|l| l.diff_id.as_str()).collect();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    }))?;
    let layer_json: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            let annotations: serde_json::Map<String, serde_json::Value> = l
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            json!({
                "mediaType": l.media_type,
                "digest": l.digest,
                "size": l.size,
                "annotations": annotations,
            })
        })
        .collect();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": sha256_bytes(&config),
            "size": config.len(),
        },
        "layers": layer_json,
    }))?;
    Ok((config, manifest))
}

/// Path of a blob inside an OCI layout.
pub(crate) fn blob_path(layout: &Path, digest: &str) -> PathBuf {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    layout.join("blobs").join("sha256").join(hex)
}

/// Writes an OCI image layout at `dir` (replacing what is there) holding
/// the image, tagged [`TAG`]. Layer blobs are hard links to their files
/// (copies across file systems).
pub(crate) fn write_layout(
    dir: &Path,
    layers: &[Layer],
    config: &[u8],
    manifest: &[u8],
) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir.join("blobs").join("sha256"))
        .with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    for layer in layers {
        let target = blob_path(dir, &layer.digest);
        if target.exists() {
            continue;
        }
        if std::fs::hard_link(&layer.path, &target).is_err() {
            std::fs::copy(&layer.path, &target)
                .with_context(|| format!("copying {} into the layout", layer.path.display()))?;
        }
    }
    std::fs::write(blob_path(dir, &sha256_bytes(config)), config)?;
    let manifest_digest = sha256_bytes(manifest);
    std::fs::write(blob_path(dir, &manifest_digest), manifest)?;
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": MANIFEST_TYPE,
            "digest": manifest_digest,
            "size": manifest.len(),
            "annotations": { "org.opencontainers.image.ref.name": TAG },
        }],
    }))?;
    std::fs::write(dir.join("index.json"), index)?;
    Ok(())
}

/// Writes the layout at `layout` and pushes the artifact to `repo` on
/// `host` (blobs, config, then the manifest tagged [`TAG`]).
pub(crate) fn seed(host: &str, repo: &str, layout: &Path, layers: Vec<Layer>) -> Result<Artifact> {
    let (config, manifest) = image(&layers)?;
    write_layout(layout, &layers, &config, &manifest)?;
    for layer in &layers {
        http::push_blob(host, repo, &layer.digest, Body::File(&layer.path))
            .with_context(|| format!("seeding {repo} with {}", layer.path.display()))?;
    }
    http::push_blob(host, repo, &sha256_bytes(&config), Body::Bytes(&config))?;
    http::push_manifest(host, repo, TAG, MANIFEST_TYPE, &manifest)?;
    Ok(Artifact {
        repo: repo.to_owned(),
        layout: layout.to_path_buf(),
        layers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(name: &str, bytes: &[u8], dir: &Path) -> Layer {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Layer {
            path,
            digest: sha256_bytes(bytes),
            size: bytes.len() as u64,
            media_type: LAYER_TYPE,
            annotations: vec![("org.opencontainers.image.title".into(), name.into())],
            diff_id: sha256_bytes(bytes),
        }
    }

    #[test]
    fn the_manifest_references_the_config_and_titled_layers() {
        let dir = tempfile::tempdir().unwrap();
        let layers = vec![layer("a.bin", b"aaa", dir.path())];
        let (config, manifest) = image(&layers).unwrap();
        let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        assert_eq!(m["mediaType"], MANIFEST_TYPE);
        assert_eq!(m["config"]["digest"], sha256_bytes(&config).as_str());
        assert_eq!(m["layers"][0]["size"], 3);
        assert_eq!(
            m["layers"][0]["annotations"]["org.opencontainers.image.title"],
            "a.bin"
        );
        let c: serde_json::Value = serde_json::from_slice(&config).unwrap();
        assert_eq!(c["rootfs"]["diff_ids"][0], sha256_bytes(b"aaa").as_str());
    }

    #[test]
    fn the_layout_holds_every_blob_and_the_tag() {
        let dir = tempfile::tempdir().unwrap();
        let layers = vec![
            layer("a.bin", b"aaa", dir.path()),
            layer("b.bin", b"bbb", dir.path()),
        ];
        let (config, manifest) = image(&layers).unwrap();
        let layout = dir.path().join("layout");
        write_layout(&layout, &layers, &config, &manifest).unwrap();
        // Written twice: the second replaces the first.
        write_layout(&layout, &layers, &config, &manifest).unwrap();
        for digest in [
            sha256_bytes(b"aaa"),
            sha256_bytes(b"bbb"),
            sha256_bytes(&config),
            sha256_bytes(&manifest),
        ] {
            let bytes = std::fs::read(blob_path(&layout, &digest)).unwrap();
            assert_eq!(sha256_bytes(&bytes), digest);
        }
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
        assert_eq!(
            index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
            TAG
        );
        assert!(layout.join("oci-layout").is_file());
    }
}
