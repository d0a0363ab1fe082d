//! Files the commands write (`--export-manifest`, pulled configs): written
//! to a temp file in the same directory, then renamed into place, so no
//! partial file is ever left under the final name.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temp file and rename). The file
/// gets the default mode of new files (0666 less the umask), as Go's
/// `os.WriteFile(path, data, 0666)`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".oras_")
        .tempfile_in(dir)
        // Go `os.WriteFile` opens the file itself: `open <path>: <errno>`.
        .map_err(|e| anyhow::anyhow!(crate::error::path_error("open", path, &e)))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    set_default_mode(temp.path())?;
    temp.persist(path)
        .map_err(|e| anyhow::anyhow!("failed to write {}: {}", path.display(), e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_default_mode(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile creates 0600; widen to what a new file would get. The umask
    // cannot be read safely without changing it, so use the common 022.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_mode(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        write_atomic(&path, b"{}").unwrap();
        write_atomic(&path, b"[1]").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"[1]");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("no/such/dir/x"), b"").is_err());
    }
}
