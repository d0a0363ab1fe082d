//! Helpers: hand-made (and hostile) tar archives, descriptors, pushes.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use oras_content::{Pusher, bytes_reader};
use oras_spec::{Descriptor, Digest, annotation, media_type};
use oras_store_file::{Options, Store};

/// Bounds every async test in time.
pub(crate) async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(120), f)
        .await
        .expect("test timed out")
}

/// One entry of a hand-made tar: raw name, type, link name, mode, data.
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) kind: u8,
    pub(crate) link: String,
    pub(crate) mode: u32,
    pub(crate) mtime: u64,
    pub(crate) data: Vec<u8>,
}

pub(crate) fn dir(name: &str) -> Entry {
    Entry {
        name: name.into(),
        kind: b'5',
        link: String::new(),
        mode: 0o755,
        mtime: 1_000_000_000,
        data: Vec::new(),
    }
}

pub(crate) fn file(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.into(),
        kind: b'0',
        link: String::new(),
        mode: 0o644,
        mtime: 1_000_000_000,
        data: data.to_vec(),
    }
}

pub(crate) fn symlink(name: &str, target: &str) -> Entry {
    Entry {
        kind: b'2',
        link: target.into(),
        ..file(name, b"")
    }
}

pub(crate) fn hard_link(name: &str, target: &str) -> Entry {
    Entry {
        kind: b'1',
        link: target.into(),
        ..file(name, b"")
    }
}

pub(crate) fn special(name: &str, kind: u8) -> Entry {
    Entry {
        kind,
        ..file(name, b"")
    }
}

/// A tar with names written verbatim (no sanitising), as an attacker would.
pub(crate) fn raw_tar(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for e in entries {
        let mut header = tar::Header::new_gnu();
        let name = e.name.as_bytes();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        let link = e.link.as_bytes();
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        header.set_entry_type(tar::EntryType::new(e.kind));
        header.set_mode(e.mode);
        header.set_mtime(e.mtime);
        // GNU headers carry an access time; make it differ from mtime.
        header
            .as_gnu_mut()
            .unwrap()
            .set_atime(e.mtime.saturating_add(5));
        header.set_size(e.data.len() as u64);
        header.set_cksum();
        builder.append(&header, &e.data[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub(crate) fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A directory blob over `entries` titled `title`, with a correct
/// uncompressed digest annotation.
pub(crate) fn dir_blob(title: &str, entries: &[Entry]) -> (Descriptor, Vec<u8>) {
    let tar = raw_tar(entries);
    let gz = gzip(&tar);
    let mut desc = Descriptor::from_bytes(media_type::IMAGE_LAYER_GZIP, &gz);
    desc.annotations = BTreeMap::from([
        (annotation::TITLE.to_owned(), title.to_owned()),
        (
            annotation::CONTENT_DIGEST.to_owned(),
            Digest::sha256(&tar).to_string(),
        ),
        (annotation::CONTENT_UNPACK.to_owned(), "true".to_owned()),
    ]);
    (desc, gz)
}

/// A plain file blob titled `title`.
pub(crate) fn file_blob(title: &str, data: &[u8]) -> Descriptor {
    oras_content::test_suite::titled_blob(title, data)
}

pub(crate) async fn push(
    store: &Store,
    desc: &Descriptor,
    data: &[u8],
) -> oras_content::Result<()> {
    store.push(desc, bytes_reader(data.to_vec())).await
}

/// A store over a fresh temp dir, with its temp files in another.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) temps: tempfile::TempDir,
    pub(crate) store: Store,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        Self::with(Options::default())
    }

    pub(crate) fn with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let temps = tempfile::tempdir().unwrap();
        let options = Options {
            temp_dir: Some(temps.path().to_path_buf()),
            ..options
        };
        let store = Store::with_options(dir.path(), options).unwrap();
        Fixture { dir, temps, store }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Files whose names start with `oras_file_` or `.oras_file_` anywhere
    /// under the working dir, plus everything in the temp dir.
    pub(crate) fn leftovers(&self) -> Vec<PathBuf> {
        let mut found = list(self.temps.path());
        found.extend(walk(self.dir.path()).into_iter().filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".oras_file_"))
        }));
        found
    }
}

pub(crate) fn list(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

/// Every path under `root` (not following links), sorted.
pub(crate) fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if std::fs::symlink_metadata(&path).unwrap().is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The kind of an error that crossed the traits, and our error inside it.
pub(crate) fn file_error(err: &oras_content::Error) -> Option<&oras_store_file::Error> {
    err.external_source()
        .and_then(|e| e.downcast_ref::<oras_store_file::Error>())
        .map(oras_store_file::Error::refusal)
}

/// A refusal of either kind: a title outside the working directory, or
/// an unsafe archive entry.
pub(crate) fn assert_traversal(err: &oras_content::Error) {
    assert_eq!(
        err.kind(),
        oras_content::ErrorKind::PathTraversal,
        "expected path traversal, got: {err}"
    );
    assert!(
        matches!(
            file_error(err),
            Some(
                oras_store_file::Error::PathTraversal { .. }
                    | oras_store_file::Error::UnsafeEntry { .. }
            )
        ),
        "{err}"
    );
}

/// A refusal that path traversal being allowed would lift.
pub(crate) fn assert_title_traversal(err: &oras_content::Error) {
    assert!(
        matches!(
            file_error(err),
            Some(oras_store_file::Error::PathTraversal { .. })
        ),
        "expected a title-level refusal, got: {err}"
    );
}

/// A refusal of an archive entry, whatever the options.
pub(crate) fn assert_unsafe_entry(err: &oras_content::Error) {
    assert!(
        matches!(
            file_error(err),
            Some(oras_store_file::Error::UnsafeEntry { .. })
        ),
        "expected an unsafe archive entry, got: {err}"
    );
}
