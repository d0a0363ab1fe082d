//! oras_remote (being built).

pub mod client;
mod errcode;
mod error;
mod registry;
mod remote;
mod repository;

pub use client::{Client, ClientConfig, ProxyConfig, ResponseBody, RetryPolicy};
pub use errcode::{ErrorDetail, MAX_ERROR_BODY_BYTES, ResponseError};
pub use error::{BoxError, Error};
pub use registry::Registry;
pub use repository::{BlobSource, FileSource, Repository, RepositoryOptions};
