//! Snapshots of what a run left behind, as sorted text lines: the files
//! of its work dir and home, and the registry's repositories.
//!
//! The registry is read from the filesystem storage of the CNCF
//! Distribution registry the suite started (`docker/registry/v2/`), which
//! holds exactly the bytes it serves, and also what a client cannot list
//! over HTTP: every manifest revision (untagged ones too) and every layer
//! link of the repository.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::real::{Error, Result};

/// Files larger than this are shown by size and digest only.
const INLINE_LIMIT: usize = 2048;

/// Lines describing every entry under `root` (relative paths, sorted):
/// `d 0755 path/`, `l path -> target`, `f 0644 path <content or digest>`.
///
/// # Errors
/// I/O errors while walking.
pub(crate) fn files(root: &Path, sort_indexes: bool) -> Result<String> {
    let mut lines = Vec::new();
    if root.exists() {
        walk(root, root, sort_indexes, &mut lines)?;
    }
    lines.sort();
    Ok(lines.join("\n"))
}

fn walk(root: &Path, dir: &Path, sort_indexes: bool, lines: &mut Vec<String>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let mode = meta.permissions().mode() & 0o7777;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path)
                .map_err(|e| Error::io(format!("reading link {}", path.display()), e))?;
            lines.push(format!("l {rel} -> {}", target.display()));
        } else if meta.is_dir() {
            lines.push(format!("d {mode:04o} {rel}/"));
            walk(root, &path, sort_indexes, lines)?;
        } else {
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            let shown = match sorted_index(&path, &bytes) {
                Some(sorted) if sort_indexes => format!("<manifests sorted> {sorted:?}"),
                _ => describe(&bytes),
            };
            lines.push(format!("f {mode:04o} {rel} {shown}"));
        }
    }
    Ok(())
}

/// An `index.json` with its `manifests` sorted, re-serialised.
fn sorted_index(path: &Path, bytes: &[u8]) -> Option<String> {
    if path.file_name()? != "index.json" {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let manifests = value.get_mut("manifests")?.as_array_mut()?;
    manifests.sort_by_cached_key(|m| m.to_string());
    serde_json::to_string(&value).ok()
}

/// Small UTF-8 content inline (escaped to one line), else size and digest.
pub(crate) fn describe(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if bytes.len() <= INLINE_LIMIT => format!("{text:?}"),
        _ => format!("<{} bytes {}>", bytes.len(), sha256_hex(bytes)),
    }
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = String::from("sha256:");
    for byte in digest.as_ref() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Lines describing every repository at or under `repo_path` in the
/// registry storage `storage_dir`: its tags, manifest revisions (with
/// their bytes) and layer links.
///
/// # Errors
/// I/O errors while reading the storage.
pub(crate) fn registry(storage_dir: &Path, repo_path: &str) -> Result<String> {
    let v2 = storage_dir.join("docker/registry/v2");
    let top = v2.join("repositories").join(repo_path);
    let mut repos = Vec::new();
    if top.is_dir() {
        find_repos(&top, &mut repos)?;
    }
    repos.sort();
    let mut lines = Vec::new();
    for repo in repos {
        let name = repo
            .strip_prefix(v2.join("repositories"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        lines.push(format!("repository {name}"));
        let tags_dir = repo.join("_manifests/tags");
        for tag in sorted_names(&tags_dir)? {
            if let Some(digest) = read_link(&tags_dir.join(&tag).join("current/link"))? {
                lines.push(format!("  tag {tag} -> {digest}"));
            }
        }
        let revisions = repo.join("_manifests/revisions/sha256");
        for hex in sorted_names(&revisions)? {
            if read_link(&revisions.join(&hex).join("link"))?.is_none() {
                continue;
            }
            let data = v2
                .join("blobs/sha256")
                .join(hex.get(..2).unwrap_or_default())
                .join(&hex)
                .join("data");
            let content = match std::fs::read(&data) {
                Ok(bytes) => describe_manifest(&bytes),
                Err(_) => "<missing>".to_owned(),
            };
            lines.push(format!("  manifest sha256:{hex} {content}"));
        }
        let layers = repo.join("_layers/sha256");
        for hex in sorted_names(&layers)? {
            if read_link(&layers.join(&hex).join("link"))?.is_some() {
                lines.push(format!("  blob sha256:{hex}"));
            }
        }
    }
    Ok(lines.join("\n"))
}

/// Manifests are shown whole (they are what must be byte-identical).
fn describe_manifest(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => describe(bytes),
    }
}

/// Directories at or under `dir` holding `_manifests` or `_layers`.
fn find_repos(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    if dir.join("_manifests").is_dir() || dir.join("_layers").is_dir() {
        out.push(dir.to_path_buf());
    }
    for name in sorted_names(dir)? {
        if name.starts_with('_') {
            continue;
        }
        let child = dir.join(name);
        if child.is_dir() {
            find_repos(&child, out)?;
        }
    }
    Ok(())
}

/// Entry names of `dir`, sorted; empty when it does not exist.
fn sorted_names(dir: &Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(format!("listing {}", dir.display()), e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// The content of a link file, `None` when it does not exist.
fn read_link(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_lists_modes_content_and_links() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/a"), "hi\n").unwrap();
        std::fs::set_permissions(
            dir.path().join("d/a"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        std::os::unix::fs::symlink("d/a", dir.path().join("l")).unwrap();
        let text = files(dir.path(), false).unwrap();
        assert!(text.contains("f 0600 d/a \"hi\\n\""), "{text}");
        assert!(text.contains("l l -> d/a"), "{text}");
        assert!(text.contains("/d/") || text.contains("d/"), "{text}");
    }

    #[test]
    fn digests_are_sha256() {
        assert_eq!(
            sha256_hex(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
