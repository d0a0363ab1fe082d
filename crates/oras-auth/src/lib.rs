//! Registry authentication for oras-rs (being built; see ARCHITECTURE.md).
//! [`Body`] is the request body every layer of the registry client's tower
//! stack carries.

mod body;

pub use body::{Body, BoxError, ChunkStream};
