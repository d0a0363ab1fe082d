//! Local files written by the fetch commands (`blob fetch -o`, `manifest
//! fetch -o`, `manifest fetch-config -o`, `manifest index create|update -o`).
//!
//! The Go CLI writes straight into the destination (`os.Create`), so a
//! failed or interrupted fetch leaves a partial file behind. Here content
//! goes to a temporary file next to the destination and is renamed over
//! it only once complete (and, for blobs, verified); on any failure the
//! temporary file is removed and the destination is untouched.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use crate::error::{CliError, quote};

/// A file being written: complete it with [`PendingFile::commit`];
/// dropping it instead removes what was written.
pub struct PendingFile {
    temp: tempfile::NamedTempFile,
    file: tokio::fs::File,
    path: PathBuf,
}

impl PendingFile {
    /// Starts a file that will become `path` (in the same directory, so
    /// the final rename stays on one file system).
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".oras-").suffix(".partial");
        // Go's os.Create mode; the umask applies.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(&dir)
            .map_err(|err| open_error(path, err))?;
        let file = temp
            .as_file()
            .try_clone()
            .map_err(|err| open_error(path, err))?;
        Ok(PendingFile {
            temp,
            file: tokio::fs::File::from_std(file),
            path: path.to_path_buf(),
        })
    }

    /// Appends `bytes`.
    pub async fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.file
            .write_all(bytes)
            .await
            .map_err(|err| write_error(&self.path, err))?;
        Ok(())
    }

    /// Flushes and renames the file into place.
    pub async fn commit(mut self) -> anyhow::Result<()> {
        self.file
            .flush()
            .await
            .map_err(|err| write_error(&self.path, err))?;
        self.file
            .sync_all()
            .await
            .map_err(|err| write_error(&self.path, err))?;
        let path = self.path;
        self.temp
            .persist(&path)
            .map_err(|err| write_error(&path, err.error))?;
        Ok(())
    }
}

/// Writes `bytes` to `path` as a whole (temporary file, then rename).
pub async fn write_bytes(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = PendingFile::create(path)?;
    file.write(bytes).await?;
    file.commit().await
}

fn open_error(path: &Path, err: std::io::Error) -> anyhow::Error {
    // Go: `failed to open "<path>": open <path>: <errno>` (`*fs.PathError`).
    CliError::new(format!(
        "failed to open {}: {}",
        quote(&path.to_string_lossy()),
        crate::error::path_error("open", path, &err)
    ))
    .into()
}

fn write_error(path: &Path, err: std::io::Error) -> anyhow::Error {
    CliError::new(format!(
        "failed to write {}: {}",
        quote(&path.to_string_lossy()),
        crate::error::os_error_text(&err)
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn written_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let mut file = PendingFile::create(&path).unwrap();
        file.write(b"hello").await.unwrap();
        assert!(!path.exists());
        file.commit().await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn dropped_files_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        std::fs::write(&path, b"old").unwrap();
        let mut file = PendingFile::create(&path).unwrap();
        file.write(b"partial").await.unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_bytes(&path, b"new").await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn missing_directory_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = PendingFile::create(&dir.path().join("no/such/file"))
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("failed to open "));
    }
}
