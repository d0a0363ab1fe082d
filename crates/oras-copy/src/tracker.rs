//! The concurrency primitives of a copy: a per-node
//! single flight (oras-go `status.Tracker`) and the concurrency limit,
//! whose permit a node gives back while it waits for its children
//! (oras-go `syncutil.LimitedRegion`).

use std::collections::HashMap;
use std::sync::Mutex;

use oras_spec::{Descriptor, DescriptorKey};
use tokio::sync::{Semaphore, SemaphorePermit, watch};

use crate::error::{Error, Result};

/// Which node is being copied by whom, and which are done.
#[derive(Default)]
pub(crate) struct Tracker {
    nodes: Mutex<HashMap<DescriptorKey, watch::Receiver<bool>>>,
}

/// The right to copy a node, given to exactly one caller per node. Dropping
/// it without [`Commit::done`] marks the node failed for its waiters.
pub(crate) struct Commit(watch::Sender<bool>);

impl Commit {
    /// Marks the node copied (or present) for everyone waiting on it.
    pub(crate) fn done(self) {
        self.0.send_replace(true);
    }
}

impl Tracker {
    /// The right to copy `desc`, unless someone already has it.
    pub(crate) fn try_commit(&self, desc: &Descriptor) -> Option<Commit> {
        let mut nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
        let key = desc.key();
        if nodes.contains_key(&key) {
            return None;
        }
        let (sender, receiver) = watch::channel(false);
        nodes.insert(key, receiver);
        Some(Commit(sender))
    }

    /// Waits until whoever copies `desc` is done.
    pub(crate) async fn wait(&self, desc: &Descriptor) -> Result<()> {
        let receiver = {
            let nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
            nodes.get(&desc.key()).cloned()
        };
        let Some(mut receiver) = receiver else {
            return Err(Error::SuccessorNotCopied(desc.digest.to_string()));
        };
        receiver
            .wait_for(|done| *done)
            .await
            .map(|_| ())
            .map_err(|_| Error::SuccessorNotCopied(desc.digest.to_string()))
    }
}

/// Takes one place of the concurrency limit.
pub(crate) async fn acquire(limiter: &Semaphore) -> Result<SemaphorePermit<'_>> {
    limiter.acquire().await.map_err(|_| {
        Error::Content(oras_content::Error::Unsupported(
            "concurrency limiter closed".into(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_commit_per_node_and_waiters_see_the_outcome() {
        let tracker = Tracker::default();
        let a = Descriptor::from_bytes("a/b", b"a");
        let b = Descriptor::from_bytes("a/b", b"b");
        let commit = tracker.try_commit(&a).unwrap();
        assert!(tracker.try_commit(&a).is_none());
        let waiter = tracker.wait(&a);
        commit.done();
        waiter.await.unwrap();
        let failed = tracker.try_commit(&b).unwrap();
        drop(failed);
        assert!(matches!(
            tracker.wait(&b).await,
            Err(Error::SuccessorNotCopied(_))
        ));
        let unknown = Descriptor::from_bytes("a/b", b"c");
        assert!(tracker.wait(&unknown).await.is_err());
    }
}
