//! Progress events: what a copy reports about each node, through a
//! callback the CLI turns into status lines and progress bars. The library
//! never prints.

use std::sync::Arc;

use oras_content::BlobReader;
use oras_spec::Descriptor;

/// Something that happened to one node of a copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyEvent<'a> {
    /// The node's transfer began (after `pre_copy` agreed).
    Started(&'a Descriptor),
    /// `bytes` of the node have been read from the source and handed to the
    /// destination so far (cumulative, counted as the bytes stream through).
    Progress {
        /// The node.
        desc: &'a Descriptor,
        /// Bytes transferred so far.
        bytes: u64,
    },
    /// The node is now at the destination.
    Done(&'a Descriptor),
    /// The node already existed at the destination, so it and everything
    /// below it was skipped (oras-go `OnCopySkipped`, the CLI's `Exists`).
    Exists(&'a Descriptor),
    /// `pre_copy` asked to skip the node (the CLI's `Skipped`).
    Skipped(&'a Descriptor),
    /// The node was mounted from another repository.
    Mounted(&'a Descriptor),
    /// The root already existed and was tagged by pushing its manifest
    /// again under the reference. oras-go calls no `OnCopySkipped` then, so
    /// no `Exists` is reported; the Go CLI's terminal display, which
    /// tracks every push to the destination, shows that push as uploaded.
    Retagged(&'a Descriptor),
}

impl<'a> CopyEvent<'a> {
    /// The node this event is about.
    pub fn desc(&self) -> &'a Descriptor {
        match *self {
            CopyEvent::Started(d)
            | CopyEvent::Done(d)
            | CopyEvent::Exists(d)
            | CopyEvent::Skipped(d)
            | CopyEvent::Mounted(d)
            | CopyEvent::Retagged(d) => d,
            CopyEvent::Progress { desc, .. } => desc,
        }
    }
}

/// The callback that receives [`CopyEvent`]s. It is called from the copy's
/// task, so it should be quick (update a bar, send on a channel).
pub type ProgressFn = Arc<dyn Fn(&CopyEvent<'_>) + Send + Sync>;

/// Sends `event` to `progress`, if there is one.
pub(crate) fn emit(progress: Option<&ProgressFn>, event: CopyEvent<'_>) {
    if let Some(progress) = progress {
        progress(&event);
    }
}

/// Wraps `inner` so that every chunk read reports a
/// [`CopyEvent::Progress`]; without a callback, `inner` is returned as is.
/// The bytes pass unchanged, so a verified stream stays marked as such.
pub(crate) fn counting(
    inner: BlobReader,
    desc: &Descriptor,
    progress: Option<&ProgressFn>,
) -> BlobReader {
    let Some(progress) = progress.cloned() else {
        return inner;
    };
    let desc = desc.clone();
    let mut bytes = 0u64;
    inner.inspect(move |chunk| {
        bytes += chunk.len() as u64;
        progress(&CopyEvent::Progress { desc: &desc, bytes });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn reports_cumulative_bytes_as_they_pass() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let progress: ProgressFn = Arc::new(move |event| {
            if let CopyEvent::Progress { bytes, .. } = event {
                sink.lock().unwrap().push(*bytes);
            }
        });
        let desc = Descriptor::from_bytes("a/b", &[7; 10]);
        // Progress comes per chunk of the source, whatever the reads.
        let chunks = [4, 4, 2].map(|n| Ok(bytes::Bytes::from(vec![7u8; n])));
        let inner = BlobReader::from_stream(futures::stream::iter(chunks));
        let mut reader = counting(inner, &desc, Some(&progress));
        let mut buf = [0u8; 3];
        let mut total = 0;
        loop {
            let n = reader.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, 10);
        assert_eq!(*seen.lock().unwrap(), vec![4, 8, 10]);
    }
}
