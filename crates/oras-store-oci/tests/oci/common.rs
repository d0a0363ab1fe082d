//! Helpers shared by the tests: descriptors, manifests, hand-made layouts
//! and misbehaving readers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use oras_content::{BlobReader, Pusher, bytes_reader};
use oras_spec::{Algorithm, Descriptor, Digest, Index, Manifest, Parsed, media_type};
use tokio::io::{AsyncRead, ReadBuf};

pub(crate) fn layer(data: &[u8]) -> Descriptor {
    Descriptor::from_bytes(media_type::IMAGE_LAYER, data)
}

pub(crate) async fn push(store: &impl Pusher, desc: &Descriptor, data: &[u8]) {
    store
        .push(desc, bytes_reader(data.to_vec()))
        .await
        .unwrap_or_else(|e| panic!("push {}: {e}", desc.digest));
}

/// An image manifest over the empty config and `layers`, optionally
/// referring to `subject`.
pub(crate) fn manifest(
    layers: &[Descriptor],
    subject: Option<&Descriptor>,
) -> (Descriptor, Vec<u8>) {
    let parsed = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.to_owned(),
        artifact_type: if subject.is_some() {
            "application/vnd.test.sig".into()
        } else {
            String::new()
        },
        config: Descriptor::empty_json(),
        layers: layers.to_vec(),
        subject: subject.map(Descriptor::plain),
        annotations: BTreeMap::new(),
    });
    (
        parsed.descriptor(media_type::IMAGE_MANIFEST),
        parsed.bytes().to_vec(),
    )
}

pub(crate) fn index_of(manifests: &[Descriptor]) -> (Descriptor, Vec<u8>) {
    let parsed = Parsed::from_value(Index::new(manifests.to_vec()));
    (
        parsed.descriptor(media_type::IMAGE_INDEX),
        parsed.bytes().to_vec(),
    )
}

/// Pushes the empty config, `layers` (whose content is their own name)
/// and a manifest over them; returns the manifest.
pub(crate) async fn push_image(
    store: &impl Pusher,
    layers: &[&[u8]],
    subject: Option<&Descriptor>,
) -> Descriptor {
    push_once(store, &Descriptor::empty_json(), b"{}").await;
    let mut descs = Vec::new();
    for data in layers {
        let desc = layer(data);
        push_once(store, &desc, data).await;
        descs.push(desc);
    }
    let (desc, bytes) = manifest(&descs, subject);
    push(store, &desc, &bytes).await;
    desc
}

/// Pushes unless already there.
pub(crate) async fn push_once(store: &impl Pusher, desc: &Descriptor, data: &[u8]) {
    match store.push(desc, bytes_reader(data.to_vec())).await {
        Ok(()) => {}
        Err(e) if e.kind() == oras_content::ErrorKind::AlreadyExists => {}
        Err(e) => panic!("push {}: {e}", desc.digest),
    }
}

pub(crate) fn blob_file(root: &Path, digest: &Digest) -> PathBuf {
    root.join("blobs")
        .join(digest.algorithm().as_str())
        .join(digest.encoded())
}

/// Writes `data` as a blob of a hand-made layout.
pub(crate) fn write_blob(root: &Path, algorithm: Algorithm, data: &[u8]) -> Digest {
    let digest = Digest::compute(algorithm, data);
    let path = blob_file(root, &digest);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
    digest
}

/// Every file below `dir`, relative to it, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

pub(crate) fn read_index(root: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(root.join("index.json")).unwrap()).unwrap()
}

/// Yields `data`, then fails (`error`) or stalls forever (`None`).
pub(crate) struct Misbehaving {
    data: Vec<u8>,
    pos: usize,
    error: Option<std::io::ErrorKind>,
}

impl Misbehaving {
    pub(crate) fn failing(data: &[u8]) -> BlobReader {
        BlobReader::new(Misbehaving {
            data: data.to_vec(),
            pos: 0,
            error: Some(std::io::ErrorKind::ConnectionReset),
        })
    }

    pub(crate) fn stalling(data: &[u8]) -> BlobReader {
        BlobReader::new(Misbehaving {
            data: data.to_vec(),
            pos: 0,
            error: None,
        })
    }
}

impl AsyncRead for Misbehaving {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.data.len() {
            let n = (self.data.len() - self.pos).min(buf.remaining()).min(7);
            let start = self.pos;
            buf.put_slice(&self.data[start..start + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        match self.error {
            Some(kind) => Poll::Ready(Err(std::io::Error::new(kind, "connection reset midway"))),
            None => Poll::Pending,
        }
    }
}

/// A reader that must never be read (for pushes refused up front).
pub(crate) struct Untouchable;

impl AsyncRead for Untouchable {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        panic!("content read although the push should have been refused first")
    }
}
