//! Writing a stream to a file without stalling the runtime or copying
//! twice: buffers go to a blocking thread, and the next buffer is read
//! (and verified) while the previous one is written.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;

use oras_spec::Descriptor;
use tokio::io::AsyncReadExt;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::reader::BlobReader;

/// The largest buffer [`write_to_file`] fills before handing it to the
/// writing thread (two are in use at most).
pub const FILE_BUFFER: usize = 1 << 20;

/// Writes the content of `content`, verified against `expected`, to
/// `file` from its current position. A stream a registry fetch verified
/// already is not hashed again. Returns once every byte is written (not
/// synced); content that does not match `expected` is an error after
/// which the file holds a prefix of it, so callers write to a temp file.
pub async fn write_to_file(content: BlobReader, expected: &Descriptor, file: &File) -> Result<()> {
    let context = || format!("writing {}", expected.digest);
    let file = Arc::new(
        file.try_clone()
            .map_err(|e| Error::io(format!("{}: duplicating the file handle", context()), e))?,
    );
    let capacity = usize::try_from(expected.size)
        .unwrap_or(FILE_BUFFER)
        .clamp(1, FILE_BUFFER);
    let mut content = content.verified(expected);
    let mut spare: Option<Vec<u8>> = None;
    let mut writing: Option<JoinHandle<io::Result<Vec<u8>>>> = None;
    loop {
        let mut buf = spare.take().unwrap_or_else(|| Vec::with_capacity(capacity));
        buf.clear();
        let filled = fill(&mut content, &mut buf).await;
        if let Some(task) = writing.take() {
            spare = Some(joined(task).await.map_err(|e| Error::io(context(), e))?);
        }
        filled.map_err(|e| Error::from_io(context(), e))?;
        if buf.is_empty() {
            return Ok(());
        }
        let file = file.clone();
        writing = Some(tokio::task::spawn_blocking(move || {
            (&*file).write_all(&buf)?;
            Ok(buf)
        }));
    }
}

/// Reads into the spare capacity of `buf` until it is full or the stream
/// ends (never growing it).
async fn fill(reader: &mut BlobReader, buf: &mut Vec<u8>) -> io::Result<()> {
    while buf.len() < buf.capacity() {
        if reader.read_buf(buf).await? == 0 {
            break;
        }
    }
    Ok(())
}

async fn joined(task: JoinHandle<io::Result<Vec<u8>>>) -> io::Result<Vec<u8>> {
    task.await.map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::reader::bytes_reader;
    use std::io::{Read, Seek};

    fn written(file: &mut File) -> Vec<u8> {
        file.rewind().unwrap();
        let mut out = Vec::new();
        file.read_to_end(&mut out).unwrap();
        out
    }

    #[tokio::test]
    async fn writes_content_of_any_size() {
        for size in [
            0,
            1,
            4096,
            FILE_BUFFER - 1,
            FILE_BUFFER,
            3 * FILE_BUFFER + 17,
        ] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let desc = Descriptor::from_bytes("a/b", &data);
            let mut file = tempfile::tempfile().unwrap();
            write_to_file(bytes_reader(data.clone()), &desc, &file)
                .await
                .unwrap();
            assert_eq!(written(&mut file), data, "size {size}");
        }
    }

    #[tokio::test]
    async fn refuses_content_that_does_not_match() {
        let data = vec![5u8; 2 * FILE_BUFFER + 3];
        let desc = Descriptor::from_bytes("a/b", &data);
        let mut wrong = data.clone();
        wrong[FILE_BUFFER + 1] = 6;
        let file = tempfile::tempfile().unwrap();
        let err = write_to_file(bytes_reader(wrong), &desc, &file)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
        let err = write_to_file(bytes_reader(data[1..].to_vec()), &desc, &file)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ShortContent { .. }), "{err}");
    }
}
