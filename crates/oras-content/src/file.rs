//! Writing a stream to a file without stalling the runtime or copying in
//! user space: batches of chunks go to a blocking thread, and the next
//! batch is read (and verified) while the previous one is written.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;

use bytes::Bytes;
use oras_spec::Descriptor;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::reader::BlobReader;

/// How many bytes [`write_to_file`] gathers before handing them to the
/// writing thread (two such batches are in use at most).
pub const FILE_BUFFER: usize = 1 << 20;

/// Writes the content of `content`, verified against `expected`, to
/// `file` from its current position. A stream a registry fetch verified
/// already is not hashed again, and its chunks are written as they came,
/// uncopied. Returns once every byte is written (not synced); content
/// that does not match `expected` is an error after which the file holds
/// a prefix of it, so callers write to a temp file.
pub async fn write_to_file(content: BlobReader, expected: &Descriptor, file: &File) -> Result<()> {
    let context = || format!("writing {}", expected.digest);
    let file = Arc::new(
        file.try_clone()
            .map_err(|e| Error::io(format!("{}: duplicating the file handle", context()), e))?,
    );
    let mut content = content.verified(expected);
    let mut writing: Option<JoinHandle<io::Result<()>>> = None;
    loop {
        let gathered = gather(&mut content).await;
        if let Some(task) = writing.take() {
            joined(task).await.map_err(|e| Error::io(context(), e))?;
        }
        let batch = gathered.map_err(|e| Error::from_io(context(), e))?;
        if batch.is_empty() {
            return Ok(());
        }
        let file = file.clone();
        writing = Some(tokio::task::spawn_blocking(move || {
            batch.iter().try_for_each(|chunk| (&*file).write_all(chunk))
        }));
    }
}

/// Chunks of `reader` up to [`FILE_BUFFER`] bytes (fewer at the end).
async fn gather(reader: &mut BlobReader) -> io::Result<Vec<Bytes>> {
    let mut batch = Vec::new();
    let mut size = 0;
    while size < FILE_BUFFER {
        let Some(chunk) = reader.chunk().await? else {
            break;
        };
        size += chunk.len();
        batch.push(chunk);
    }
    Ok(batch)
}

async fn joined(task: JoinHandle<io::Result<()>>) -> io::Result<()> {
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
