//! An uncompressed tar of a layout, served in place (oras-go
//! `internal/fs/tarfs`): opening indexes every entry's data offset and
//! size, and each read opens the archive and reads that range, so no blob
//! is ever loaded into memory.
//!
//! Entry names are cleaned (`./blobs/x` and `blobs//x` are `blobs/x`,
//! oras-go#851); a name that is absolute or climbs out of the archive
//! with `..` is never served. Only regular files are served; a later entry
//! of the same name replaces an earlier one, as when extracting. A name
//! whose last entry is a symbolic or hard link is refused with an error
//! rather than followed or reported missing: a link is never a blob.

use std::collections::HashMap;
use std::io::{Read as _, SeekFrom};
use std::path::{Path, PathBuf};

use oras_content::BlobReader;
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
struct Span {
    offset: u64,
    size: u64,
}

/// What a name of the archive is, as far as serving it goes.
#[derive(Debug, Clone, Copy)]
enum Entry {
    /// A regular file: its data in the archive.
    File(Span),
    /// A symbolic or hard link: never served.
    Link(&'static str),
}

/// The index of a tar archive's regular files (and of the links, which
/// are refused when asked for).
#[derive(Debug)]
pub(crate) struct TarArchive {
    path: PathBuf,
    entries: HashMap<String, Entry>,
}

impl TarArchive {
    /// Indexes the archive at `path` (blocking; run off the async runtime).
    pub(crate) fn index(path: &Path) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidTar {
            path: path.display().to_string(),
            reason,
        };
        let mut file = std::fs::File::open(path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
            .len();
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).unwrap_or(0);
        if n >= 2 && magic[..2] == [0x1f, 0x8b] || n == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
            return Err(invalid(
                "compressed archives are not supported; decompress it first".to_owned(),
            ));
        }
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let mut archive = tar::Archive::new(file);
        let entries = archive
            .entries_with_seek()
            .map_err(|e| invalid(e.to_string()))?;
        // The tar crate reports an archive cut inside a block as "failed to
        // read entire block"; Go's archive/tar says io.ErrUnexpectedEOF.
        let broken = |e: std::io::Error| {
            if e.to_string() == "failed to read entire block" {
                Error::TruncatedTar {
                    path: path.display().to_string(),
                }
            } else {
                invalid(e.to_string())
            }
        };
        let mut index = HashMap::new();
        for entry in entries {
            let entry = entry.map_err(broken)?;
            let raw = entry.path().map_err(|e| invalid(e.to_string()))?;
            let Some(name) = raw.to_str().and_then(clean_path) else {
                tracing::warn!(entry = %raw.display(), "skipping tar entry outside the layout");
                continue;
            };
            let kind = entry.header().entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                let what = if kind.is_symlink() {
                    "is a symbolic link in the archive; layout files must be regular files"
                } else {
                    "is a hard link in the archive; layout files must be regular files"
                };
                index.insert(name, Entry::Link(what));
                continue;
            }
            if !kind.is_file() {
                index.remove(&name);
                continue;
            }
            let span = Span {
                offset: entry.raw_file_position(),
                size: entry.size(),
            };
            if span
                .offset
                .checked_add(span.size)
                .is_none_or(|end| end > len)
            {
                return Err(invalid(format!(
                    "entry {name} runs past the end of the archive"
                )));
            }
            index.insert(name, Entry::File(span));
        }
        Ok(TarArchive {
            path: path.to_owned(),
            entries: index,
        })
    }

    /// The data of the regular file `name`, if there is one; an error if
    /// `name` is a link.
    fn span(&self, name: &str) -> Result<Option<Span>> {
        match self.entries.get(name) {
            None => Ok(None),
            Some(Entry::File(span)) => Ok(Some(*span)),
            Some(Entry::Link(reason)) => Err(Error::InvalidLayout {
                file: name.to_owned(),
                reason: (*reason).to_owned(),
            }),
        }
    }

    /// The size of the regular file `name`, if there is one.
    pub(crate) fn size(&self, name: &str) -> Result<Option<u64>> {
        Ok(self.span(name)?.map(|s| s.size))
    }

    /// A reader over the regular file `name`, if there is one.
    pub(crate) async fn open(&self, name: &str) -> Result<Option<BlobReader>> {
        let Some(span) = self.span(name)? else {
            return Ok(None);
        };
        let context = || format!("reading {name} from {}", self.path.display());
        let mut file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| Error::io(context(), e))?;
        file.seek(SeekFrom::Start(span.offset))
            .await
            .map_err(|e| Error::io(context(), e))?;
        Ok(Some(BlobReader::new(file.take(span.size))))
    }
}

/// Cleans a tar entry name as Go's `path.Clean`, refusing absolute names
/// and names that climb out of the archive root.
pub(crate) fn clean_path(name: &str) -> Option<String> {
    if name.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_entry(
        builder: &mut tar::Builder<std::fs::File>,
        name: &str,
        kind: tar::EntryType,
        data: &[u8],
    ) {
        let mut header = tar::Header::new_gnu();
        // Written raw: the tar crate itself refuses to write `..` names.
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }

    #[tokio::test]
    async fn indexes_regular_files_at_clean_names_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layout.tar");
        let mut builder = tar::Builder::new(std::fs::File::create(&path).unwrap());
        raw_entry(
            &mut builder,
            "./oci-layout",
            tar::EntryType::Regular,
            b"marker",
        );
        raw_entry(&mut builder, "./blobs/", tar::EntryType::Directory, b"");
        raw_entry(
            &mut builder,
            "blobs//a/../b",
            tar::EntryType::Regular,
            b"bee",
        );
        raw_entry(&mut builder, "../escaped", tar::EntryType::Regular, b"evil");
        raw_entry(&mut builder, "/absolute", tar::EntryType::Regular, b"evil");
        raw_entry(&mut builder, "link", tar::EntryType::Symlink, b"");
        raw_entry(&mut builder, "hard", tar::EntryType::Regular, b"was a file");
        raw_entry(&mut builder, "hard", tar::EntryType::Link, b"");
        raw_entry(&mut builder, "replaced", tar::EntryType::Regular, b"old");
        raw_entry(&mut builder, "replaced", tar::EntryType::Regular, b"newer");
        builder.finish().unwrap();
        drop(builder);

        let archive = TarArchive::index(&path).unwrap();
        let mut names: Vec<&str> = archive.entries.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(
            names,
            vec!["blobs/b", "hard", "link", "oci-layout", "replaced"]
        );
        assert_eq!(archive.size("replaced").unwrap(), Some(5));
        for link in ["link", "hard"] {
            let err = archive.size(link).unwrap_err();
            assert!(err.to_string().contains("link in the archive"), "{err}");
            assert!(archive.open(link).await.is_err());
        }
        let mut out = Vec::new();
        let mut reader = archive.open("blobs/b").await.unwrap().unwrap();
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut out)
            .await
            .unwrap();
        assert_eq!(out, b"bee");
        assert!(archive.open("escaped").await.unwrap().is_none());
        assert!(archive.open("blobs").await.unwrap().is_none());
    }

    #[test]
    fn cleans_like_go_and_refuses_escapes() {
        assert_eq!(clean_path("./index.json").as_deref(), Some("index.json"));
        assert_eq!(
            clean_path("blobs//sha256/./ab").as_deref(),
            Some("blobs/sha256/ab")
        );
        assert_eq!(clean_path("blobs/x/../y").as_deref(), Some("blobs/y"));
        assert_eq!(clean_path("../index.json"), None);
        assert_eq!(clean_path("blobs/../../x"), None);
        assert_eq!(clean_path("/index.json"), None);
        assert_eq!(clean_path("./"), None);
    }
}
