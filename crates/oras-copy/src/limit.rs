//! The concurrency limit of a copy, by node size: at most `concurrency`
//! nodes above the small-blob size work at once (oras-go's limit, 3 by
//! default), and small ones (at most 1 MiB by default) have a larger
//! limit of their own (4 × `concurrency` by default). Across a network
//! a small blob costs round trips, not bandwidth: with 3 in flight, 1,000
//! of them at 80 ms a round trip take half a minute whatever the link, so
//! more of them are kept in flight while large transfers stay limited.

use oras_spec::Descriptor;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::Result;
use crate::options::CopyGraphOptions;
use crate::tracker::acquire;

/// The places of a copy, for large and for small nodes.
pub(crate) struct Limiter {
    large: Semaphore,
    small: Semaphore,
    /// Nodes of at most this many bytes are small; 0: none is.
    small_size: u64,
}

impl Limiter {
    /// The limits `opts` asks for.
    pub(crate) fn new(opts: &CopyGraphOptions) -> Limiter {
        Limiter {
            large: Semaphore::new(opts.effective_concurrency()),
            small: Semaphore::new(opts.effective_small_blob_concurrency()),
            small_size: opts.effective_small_blob_size(),
        }
    }

    /// Takes one place for `desc`, of its size class.
    pub(crate) async fn acquire(&self, desc: &Descriptor) -> Result<SemaphorePermit<'_>> {
        if self.small_size > 0 && desc.size <= self.small_size {
            acquire(&self.small).await
        } else {
            acquire(&self.large).await
        }
    }
}
