//! The files of an OCI image layout (image-spec `image-layout.md`): the
//! `oci-layout` marker, `index.json`, and where blobs live.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use oras_spec::{Descriptor, Digest, annotation, media_type};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The marker file at the root of every layout.
pub(crate) const LAYOUT_FILE: &str = "oci-layout";
/// The index of the layout's manifests and tags.
pub(crate) const INDEX_FILE: &str = "index.json";
/// The directory of content-addressed blobs.
pub(crate) const BLOBS_DIR: &str = "blobs";
/// Where pushes write before a blob is moved into place (oras-go `ingest`).
pub(crate) const INGEST_DIR: &str = "ingest";
/// The only layout version there is (image-spec `ImageLayoutVersion`).
pub(crate) const LAYOUT_VERSION: &str = "1.0.0";
/// The most of `index.json` read into memory. The index lists every tag,
/// so it may outgrow the 4 MiB manifest cap; it is still bounded.
pub(crate) const MAX_INDEX_BYTES: u64 = oras_content::MAX_PREALLOCATION;

/// The path of a blob relative to the layout root: `blobs/<alg>/<hex>`.
/// A parsed [`Digest`] is validated hex, so the path cannot escape.
pub(crate) fn blob_path(digest: &Digest) -> String {
    format!("{BLOBS_DIR}/{}/{}", digest.algorithm(), digest.encoded())
}

/// The `oci-layout` file.
#[derive(Debug, Serialize, Deserialize)]
struct LayoutMarker {
    #[serde(rename = "imageLayoutVersion", default)]
    version: String,
}

/// The bytes of a fresh `oci-layout` file.
pub(crate) fn layout_marker_bytes() -> Vec<u8> {
    let marker = LayoutMarker {
        version: LAYOUT_VERSION.to_owned(),
    };
    serde_json::to_vec(&marker).unwrap_or_default()
}

/// Checks an `oci-layout` file: it must declare version 1.0.0.
pub(crate) fn check_layout_marker(bytes: &[u8]) -> Result<()> {
    let marker: LayoutMarker = serde_json::from_slice(bytes).map_err(|e| Error::InvalidLayout {
        file: LAYOUT_FILE.to_owned(),
        reason: e.to_string(),
    })?;
    if marker.version != LAYOUT_VERSION {
        return Err(Error::UnsupportedVersion {
            found: marker.version,
        });
    }
    Ok(())
}

/// `index.json`: an image index whose fields other than `manifests` are
/// kept as read (including fields this crate does not know), so rewriting
/// the file loses nothing another tool put there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IndexFile {
    pub(crate) schema_version: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) media_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) artifact_type: String,
    /// `None` is Go's nil slice, written `null`: oras-go's `saveIndex`
    /// builds the list by appending to a nil slice, so an index saved with
    /// no entries says `"manifests":null`, while a new layout's says `[]`.
    #[serde(default)]
    pub(crate) manifests: Option<Vec<Descriptor>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

impl IndexFile {
    /// The index of a new layout: schema version 2, the index media type,
    /// `manifests: []` (oras-go `loadIndexFile`).
    pub(crate) fn empty() -> Self {
        IndexFile {
            schema_version: 2,
            media_type: media_type::IMAGE_INDEX.to_owned(),
            artifact_type: String::new(),
            manifests: Some(Vec::new()),
            subject: None,
            annotations: BTreeMap::new(),
            extra: serde_json::Map::new(),
        }
    }

    /// Parses `index.json`. It is first read as an image index, which
    /// refuses keys Go's case-insensitive decoder would read differently
    /// (`"Manifests"` beside `"manifests"`; see `oras_spec::json`), so the
    /// layout's graph is the one oras-go sees.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        // oras-go decodes with json.NewDecoder: an empty file is io.EOF,
        // a cut one io.ErrUnexpectedEOF; syntax errors as encoding/json's.
        let invalid = |e: serde_json::Error| {
            Error::InvalidIndex(if e.classify() != serde_json::error::Category::Eof {
                oras_spec::json::go_error_text(&e, bytes)
            } else if bytes.iter().all(u8::is_ascii_whitespace) {
                "EOF".to_owned()
            } else {
                "unexpected EOF".to_owned()
            })
        };
        serde_json::from_slice::<oras_spec::Index>(bytes).map_err(invalid)?;
        serde_json::from_slice(bytes).map_err(invalid)
    }

    /// Serialises as compact JSON with Go's `json.Marshal` bytes (oras-go
    /// writes `index.json` with it, escaping `<`, `>`, `&`).
    pub(crate) fn to_json(&self) -> Result<Vec<u8>> {
        oras_spec::json::to_vec(self).map_err(|e| Error::InvalidLayout {
            file: INDEX_FILE.to_owned(),
            reason: e.to_string(),
        })
    }
}

impl IndexFile {
    /// The entries listed (none for `null`).
    pub(crate) fn entries(&self) -> &[Descriptor] {
        self.manifests.as_deref().unwrap_or_default()
    }

    /// Replaces the entries as oras-go's `saveIndex` does: an empty list
    /// becomes `null`.
    pub(crate) fn set_entries(&mut self, entries: Vec<Descriptor>) {
        self.manifests = (!entries.is_empty()).then_some(entries);
    }
}

/// The tag an `index.json` entry carries, if any.
pub(crate) fn ref_name(desc: &Descriptor) -> Option<&str> {
    desc.annotations
        .get(annotation::REF_NAME)
        .map(String::as_str)
        .filter(|name| !name.is_empty())
}

/// `desc` without its `ref.name` annotation (oras-go `deleteAnnotationRefName`).
pub(crate) fn without_ref_name(desc: &Descriptor) -> Descriptor {
    let mut out = desc.clone();
    out.annotations.remove(annotation::REF_NAME);
    out
}

/// Writes `bytes` to `root/name` atomically: a temp file in the same
/// directory, flushed, then renamed over the old file. Readers see the old
/// or the new file, never a mix. The mode is what oras-go's
/// `os.WriteFile(path, data, 0666)` leaves: an existing file's mode is
/// kept, a new file gets 0666 less the umask.
pub(crate) fn write_atomically(root: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let context = || format!("writing {}", root.join(name).display());
    let existing = std::fs::metadata(root.join(name)).ok();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(root)
        .map_err(|e| Error::io(context(), e))?;
    temp.write_all(bytes).map_err(|e| Error::io(context(), e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io(context(), e))?;
    match existing {
        Some(meta) if meta.is_file() => std::fs::set_permissions(temp.path(), meta.permissions())
            .map_err(|e| Error::io(context(), e))?,
        // Created with 0666 and the umask applied (tempfile's `permissions`).
        _ if cfg!(unix) => {}
        _ => set_mode(temp.path(), 0o644).map_err(|e| Error::io(context(), e))?,
    }
    temp.persist(root.join(name))
        .map_err(|e| Error::io(context(), e.error))?;
    Ok(())
}

/// Sets the permission bits of `path` (only "read-only or not" off Unix).
pub(crate) fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let mut perms = std::fs::metadata(path)?.permissions();
        perms.set_readonly(mode & 0o222 == 0);
        std::fs::set_permissions(path, perms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trip_and_version_check() {
        assert_eq!(layout_marker_bytes(), br#"{"imageLayoutVersion":"1.0.0"}"#);
        assert!(check_layout_marker(&layout_marker_bytes()).is_ok());
        let err = check_layout_marker(br#"{"imageLayoutVersion":"2.0.0"}"#).unwrap_err();
        assert!(matches!(err, Error::UnsupportedVersion { ref found } if found == "2.0.0"));
        let err = check_layout_marker(b"{}").unwrap_err();
        assert!(matches!(err, Error::UnsupportedVersion { .. }));
        let err = check_layout_marker(b"not json").unwrap_err();
        assert!(matches!(err, Error::InvalidLayout { .. }));
    }

    #[test]
    fn empty_index_matches_oras_go() {
        let json = String::from_utf8(IndexFile::empty().to_json().unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#
        );
    }

    #[test]
    fn index_keeps_unknown_fields_and_accepts_null_manifests() {
        let index = IndexFile::parse(
            br#"{"schemaVersion":2,"manifests":null,"annotations":{"a":"b"},"x-tool":{"k":[1,2]}}"#,
        )
        .unwrap();
        assert!(index.entries().is_empty());
        let json = String::from_utf8(index.to_json().unwrap()).unwrap();
        assert_eq!(
            json,
            r#"{"schemaVersion":2,"manifests":null,"annotations":{"a":"b"},"x-tool":{"k":[1,2]}}"#
        );
    }

    #[test]
    fn index_is_written_as_go_and_case_variants_are_refused() {
        let mut index = IndexFile::empty();
        index.annotations.insert("a<&>".into(), "<tag>&".into());
        let json = String::from_utf8(index.to_json().unwrap()).unwrap();
        assert!(
            json.contains(r#""annotations":{"a\u003c\u0026\u003e":"\u003ctag\u003e\u0026"}"#),
            "{json}"
        );
        let err =
            IndexFile::parse(br#"{"schemaVersion":2,"manifests":[],"Manifests":[]}"#).unwrap_err();
        assert!(err.to_string().contains("only in case"), "{err}");
    }

    #[test]
    fn blob_paths() {
        let digest = Digest::sha256(b"hello");
        assert_eq!(
            blob_path(&digest),
            "blobs/sha256/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }
}
