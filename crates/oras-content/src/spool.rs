//! A read-only store holding one blob read from a one-shot reader (stdin,
//! a pipe): the reader is spooled to a temporary file while it is hashed,
//! so the blob can be fetched as often as a copy needs. The Go CLI reads
//! `oras push … -` the same way (`file.Store` over stdin, with `--size`
//! checked); here it is a store of its own, usable beside any other
//! source.
//!
//! ```
//! use oras_content::{Fetcher, fetch_all, spool::SpooledBlob};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let input = std::io::Cursor::new(b"hello".to_vec());
//! let blob = SpooledBlob::spool(input, 5, "application/vnd.oci.image.layer.v1.tar").await?;
//! assert_eq!(blob.descriptor().size, 5);
//! assert_eq!(fetch_all(&blob, blob.descriptor(), 1024).await?, b"hello");
//! # Ok::<(), oras_content::Error>(())
//! # }).unwrap();
//! ```

use std::io::{Read, Write};

use async_trait::async_trait;
use oras_spec::{Algorithm, Descriptor};

use crate::error::{Error, Result};
use crate::reader::BlobReader;
use crate::storage::{Capabilities, Fetcher, ReadOnlyStorage, Resolver};

/// How much is read from the reader at a time.
const SPOOL_CHUNK: usize = 64 * 1024;

/// One blob, spooled from a one-shot reader to a temporary file (removed
/// when this is dropped). It answers fetches of its own digest only; it
/// has no tags.
#[derive(Debug)]
pub struct SpooledBlob {
    desc: Descriptor,
    file: tempfile::TempPath,
}

impl SpooledBlob {
    /// Reads `reader` to its end on a blocking thread, into a temporary
    /// file, hashing it with SHA-256 as it goes. The content must have
    /// exactly `size` bytes: fewer is [`Error::ShortContent`], more is
    /// [`Error::TrailingData`] (at most `size + 1` bytes are read).
    pub async fn spool<R>(reader: R, size: u64, media_type: &str) -> Result<SpooledBlob>
    where
        R: Read + Send + 'static,
    {
        let media_type = media_type.to_owned();
        tokio::task::spawn_blocking(move || spool_blocking(reader, size, media_type))
            .await
            .map_err(|e| Error::io("spooling content", std::io::Error::other(e)))?
    }

    /// The descriptor of the spooled content.
    pub fn descriptor(&self) -> &Descriptor {
        &self.desc
    }
}

fn spool_blocking<R: Read>(reader: R, size: u64, media_type: String) -> Result<SpooledBlob> {
    let io = |e| Error::io("spooling content to a temporary file", e);
    let mut temp = tempfile::Builder::new()
        .prefix("oras_stdin_")
        .tempfile()
        .map_err(io)?;
    let mut digester = Algorithm::Sha256.digester();
    let mut input = reader.take(size.saturating_add(1));
    let mut buf = vec![0u8; SPOOL_CHUNK];
    let mut total = 0u64;
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| Error::io("reading content to spool", e))?;
        if n == 0 {
            break;
        }
        digester.update(&buf[..n]);
        temp.write_all(&buf[..n]).map_err(io)?;
        total += n as u64;
    }
    if total < size {
        return Err(Error::ShortContent {
            expected: size,
            actual: total,
        });
    }
    if total > size {
        return Err(Error::TrailingData { expected: size });
    }
    temp.as_file().sync_all().map_err(io)?;
    Ok(SpooledBlob {
        desc: Descriptor::new(media_type, digester.finish(), size),
        file: temp.into_temp_path(),
    })
}

#[async_trait]
impl Fetcher for SpooledBlob {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        if target.digest != self.desc.digest {
            return Err(Error::NotFound(target.digest.to_string()));
        }
        let file = tokio::fs::File::open(&self.file)
            .await
            .map_err(|e| Error::io("opening the spooled content", e))?;
        Ok(BlobReader::from_file(file.into_std().await))
    }
}

#[async_trait]
impl ReadOnlyStorage for SpooledBlob {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        Ok(target.digest == self.desc.digest)
    }
}

#[async_trait]
impl Resolver for SpooledBlob {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        Err(Error::NotFound(reference.to_owned()))
    }
}

impl Capabilities for SpooledBlob {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, fetch_all};
    use std::io::Cursor;

    const LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

    #[tokio::test]
    async fn spooled_content_is_served_by_digest_only() {
        let content = vec![7u8; SPOOL_CHUNK * 2 + 3];
        let size = content.len() as u64;
        let blob = SpooledBlob::spool(Cursor::new(content.clone()), size, LAYER)
            .await
            .unwrap();
        let desc = blob.descriptor().clone();
        assert_eq!(desc, Descriptor::from_bytes(LAYER, &content));
        // Fetched as often as asked.
        for _ in 0..2 {
            assert_eq!(fetch_all(&blob, &desc, size).await.unwrap(), content);
        }
        assert!(blob.exists(&desc).await.unwrap());
        let other = Descriptor::from_bytes(LAYER, b"other");
        assert!(!blob.exists(&other).await.unwrap());
        let err = blob.fetch(&other).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(
            blob.resolve("latest").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }

    #[tokio::test]
    async fn a_size_other_than_announced_is_refused() {
        let short = SpooledBlob::spool(Cursor::new(b"abc".to_vec()), 4, LAYER).await;
        assert!(matches!(
            short,
            Err(Error::ShortContent {
                expected: 4,
                actual: 3
            })
        ));
        let long = SpooledBlob::spool(Cursor::new(b"abcde".to_vec()), 4, LAYER).await;
        assert!(matches!(long, Err(Error::TrailingData { expected: 4 })));
        let empty = SpooledBlob::spool(Cursor::new(Vec::new()), 0, LAYER)
            .await
            .unwrap();
        assert_eq!(empty.descriptor().size, 0);
    }
}
