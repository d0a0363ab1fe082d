//! The glue between the parsed command line and the libraries: every
//! command opens its stores, reports progress and maps errors through
//! here, so the Go CLI's conventions live in one place.
//!
//! * [`remote`] builds a registry client from a [`Target`](crate::options::Target)
//!   and its [`RemoteSettings`](crate::options::RemoteSettings) (Go
//!   `option/remote.go`): plain HTTP (the default for `localhost`),
//!   `--insecure`, `--ca-file`, the client certificate, `-H` headers
//!   (sent to the registry's origin only), `--resolve`, credentials from
//!   flags or from the Docker config, one token cache per process,
//!   `--distribution-spec` and the `oras/<version>` user agent.
//! * [`target`] has [`WriteTarget`] (a repository or a read-write OCI layout)
//!   and [`ReadTarget`] (a repository or a read-only layout directory or
//!   tar), each usable directly as a copy source or destination.
//! * [`cache`] has the `ORAS_CACHE` decorator, an OCI layout in front of a
//!   read target ([`open_cached_read_target`]).
//! * [`progress`] turns [`CopyEvent`](oras_copy::CopyEvent)s to the status
//!   display of [`crate::output::status`] events.
//! * [`errors`] gives the Go CLI's error shapes (`Error response from
//!   registry:`, `Error from source registry for "<ref>":`, the
//!   `--allow-path-traversal` and docker.io namespace hints).
//! * [`listener`] reports tags as they are set (`Tagged <tag>`), and
//!   [`fs`] writes files atomically.
//! * [`debug`] sets up `-d/--debug` tracing on stderr.
//!
//! ```
//! use oras_cli::commands::Context;
//! use oras_cli::connect::{self, WriteTarget};
//! use oras_cli::options::TargetOptions;
//! use oras_cli::output::Printer;
//! use oras_content::Resolver;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("layout");
//! let opts = TargetOptions { oci_layout: true, ..Default::default() };
//! let target = opts.parse(&format!("{}:v1", path.display()))?;
//! let (printer, _out, _err) = Printer::captured();
//! let ctx = Context { printer, stderr_is_tty: false };
//! let store = connect::open_write_target(&target, &ctx).await?;
//! assert!(matches!(store, WriteTarget::Layout(_)));
//! // The layout exists now, with no tag yet.
//! assert!(store.resolve("v1").await.is_err());
//! # Ok::<(), anyhow::Error>(())
//! # }).unwrap();
//! ```

pub mod blobs;
pub mod cache;
pub mod containers;
pub mod debug;
pub mod delete;
pub mod descriptor;
pub mod endpoints;
pub mod errors;
pub mod file_output;
pub mod fs;
pub mod graph;
pub mod listener;
pub mod mirrored;
pub mod progress;
pub mod remote;
mod resolve;
pub mod target;
pub mod union;

pub use cache::{CACHE_ENV, CachedTarget, open_cache, open_cached_read_target};
pub use debug::init_debug;
pub use errors::{
    RegistryErrorScope, copy_error, path_traversal_hint, registry_error, target_error,
};
pub use listener::TagListener;
pub use progress::{copy_progress, status_event, with_status};
pub use remote::{
    USER_AGENT, client_config, credential_store, open_registry, shared_token_cache, warning_handler,
};
pub use target::{
    MirroredRepository, ReadTarget, WriteTarget, open_read_target, open_write_target,
};
pub use union::Union;
