//! `ORAS_CACHE=<dir>`: an OCI layout in front of a read target (Go
//! `internal/cache/target.go`), used by pull, blob fetch, manifest fetch
//! and fetch-config. The decorator is oras-content's [`Cached`] (content
//! served from the cache once there, tags resolved by the source); this
//! opens the layout the variable names.

use oras_content::Cached;

use super::target::{ReadTarget, open_read_target};
use crate::context::Context;
use crate::error::{CliError, quote};
use crate::options::Target;

/// The environment variable naming the cache directory.
pub const CACHE_ENV: &str = "ORAS_CACHE";

/// A read target, with the `ORAS_CACHE` layout in front when set.
pub type CachedTarget = Cached<ReadTarget, oras_store_oci::Store>;

/// Opens `target` for reading, behind the cache `ORAS_CACHE` names (none
/// when unset or empty). The cache directory is created when missing.
pub async fn open_cached_read_target(
    target: &Target,
    ctx: &Context,
) -> anyhow::Result<CachedTarget> {
    let source = open_read_target(target, ctx).await?;
    Ok(CachedTarget::new(source, open_cache().await?))
}

/// The `ORAS_CACHE` layout, when set. ([`open_cached_read_target`] opens
/// it together with the source; blob commands open their registry source
/// themselves, to keep the registry for the blob `HEAD`.)
pub async fn open_cache() -> anyhow::Result<Option<oras_store_oci::Store>> {
    match std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(Some(oras_store_oci::Store::open(&dir).await.map_err(
            |err| {
                CliError::new(format!(
                    "failed to open the cache {}: {err}",
                    quote(&dir.to_string_lossy())
                ))
            },
        )?)),
        None => Ok(None),
    }
}
