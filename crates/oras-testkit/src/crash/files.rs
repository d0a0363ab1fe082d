//! A directory a killed writer (a pull, an unpacking) left behind: no file
//! under its final name is partial.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oras_spec::Digest;

/// Checks every regular file under `dir` (recursively): one whose name
/// `is_temp` says is a temp file is allowed whatever it holds; any other
/// must be one of `expected` (paths relative to `dir`) and match its
/// digest. Returns the expected files found complete.
///
/// # Errors
/// The first partial or unexpected file, as text for a panic message.
pub fn check_no_partial_files(
    dir: &Path,
    expected: &BTreeMap<PathBuf, Digest>,
    is_temp: impl Fn(&str) -> bool,
) -> Result<Vec<PathBuf>, String> {
    let mut complete = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let listing = std::fs::read_dir(&current)
            .map_err(|e| format!("listing {}: {e}", current.display()))?;
        for entry in listing {
            let entry = entry.map_err(|e| format!("listing {}: {e}", current.display()))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("inspecting {}: {e}", path.display()))?;
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            if !kind.is_file() || is_temp(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let relative = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            let digest = expected
                .get(&relative)
                .ok_or_else(|| format!("unexpected file {}", relative.display()))?;
            let data =
                std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            if !digest.verifies(&data) {
                return Err(format!(
                    "{} is partial or corrupt under its final name ({} bytes)",
                    relative.display(),
                    data.len()
                ));
            }
            complete.push(relative);
        }
    }
    complete.sort();
    Ok(complete)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn temp_files_pass_and_partial_or_unknown_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/a.txt"), b"abc").unwrap();
        std::fs::write(dir.path().join(".tmp_1"), b"ab").unwrap();
        let expected = BTreeMap::from([
            (PathBuf::from("d/a.txt"), Digest::sha256(b"abc")),
            (PathBuf::from("big.bin"), Digest::sha256(b"big")),
        ]);
        let is_temp = |name: &str| name.starts_with(".tmp_");
        assert_eq!(
            check_no_partial_files(dir.path(), &expected, is_temp).unwrap(),
            [PathBuf::from("d/a.txt")]
        );
        std::fs::write(dir.path().join("big.bin"), b"bi").unwrap();
        let partial = check_no_partial_files(dir.path(), &expected, is_temp).unwrap_err();
        assert!(partial.contains("big.bin is partial"), "{partial}");
        std::fs::remove_file(dir.path().join("big.bin")).unwrap();
        std::fs::write(dir.path().join("other"), b"").unwrap();
        let unknown = check_no_partial_files(dir.path(), &expected, is_temp).unwrap_err();
        assert!(unknown.contains("unexpected file other"), "{unknown}");
    }
}
