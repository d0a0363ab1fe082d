//! Push files as an artifact, pull an artifact's files into a directory
//! (oras-go's `Example_pushFilesToRemoteRepository` and
//! `Example_pullFilesFromRemoteRepository`, each one call).

use std::path::Path;

use oras_content::{ReadOnlyTarget, Tagger, Target};
use oras_copy::{CopyOptions, PackManifestOptions, PackManifestVersion, copy, pack_manifest};
use oras_spec::Descriptor;
use oras_store_file::Store as FileStore;

use crate::error::{Error, Result};

/// The media type of a file layer unless told otherwise, as `oras push`
/// gives a file without `:<type>`.
pub const DEFAULT_FILE_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar";

/// Pushes `files` to `target` as one artifact of `artifact_type`, tagged
/// `tag`, and returns the descriptor of its manifest.
///
/// Each file becomes a layer of [`DEFAULT_FILE_MEDIA_TYPE`] titled with its
/// file name (`org.opencontainers.image.title`), which is where
/// [`pull_files`] writes it back; a directory becomes a gzipped tar that
/// is unpacked on pull, as `oras push` does. Files are hashed and sent as
/// streams, never held whole. The manifest is an image-spec 1.1 manifest
/// with the empty config, byte for byte as oras-go packs it.
///
/// `target` is any store: a registry repository, an OCI layout, the
/// memory store.
pub async fn push_files<T, P>(
    target: &T,
    tag: &str,
    artifact_type: &str,
    files: &[P],
) -> Result<Descriptor>
where
    T: Target + ?Sized,
    P: AsRef<Path>,
{
    // The file store only reads here: every file is added by its own path,
    // so its working directory is never written.
    let store = FileStore::new(std::env::temp_dir())?;
    let mut layers = Vec::with_capacity(files.len());
    for path in files {
        let path = path.as_ref();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| Error::NoFileName(path.to_owned()))?;
        layers.push(store.add(name, DEFAULT_FILE_MEDIA_TYPE, path).await?);
    }
    let options = PackManifestOptions {
        layers,
        ..Default::default()
    };
    let manifest =
        pack_manifest(&store, PackManifestVersion::V1_1, artifact_type, &options).await?;
    store.tag(&manifest, tag).await?;
    let root = copy(&store, tag, target, tag, &CopyOptions::default()).await?;
    store.close()?;
    Ok(root)
}

/// Pulls the artifact `reference` names in `source` (a tag or a digest)
/// and writes every titled layer as a file under `dir` (created when
/// missing), returning the descriptor of its manifest.
///
/// Files are written through a temp file and a rename once their digest
/// is verified; titles that would leave `dir` (absolute, `..`, through a
/// link) are refused, as in `oras pull`. The manifest and config are not
/// written.
pub async fn pull_files<S>(source: &S, reference: &str, dir: impl AsRef<Path>) -> Result<Descriptor>
where
    S: ReadOnlyTarget + ?Sized,
{
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    let store = FileStore::new(dir)?;
    let root = copy(
        source,
        reference,
        &store,
        reference,
        &CopyOptions::default(),
    )
    .await?;
    store.close()?;
    Ok(root)
}
