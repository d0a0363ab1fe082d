#![cfg_attr(
    all(feature = "remote", feature = "file", feature = "copy"),
    doc = include_str!("../README.md")
)]
#![cfg_attr(
    not(all(feature = "remote", feature = "file", feature = "copy")),
    doc = "ORAS (OCI Registry As Storage) for Rust in one crate; see the README (built with the default features) for the guide."
)]
//!
//! # The layers
//!
//! Each library crate of oras-rs is re-exported as a module, behind the
//! feature of the same name:
//!
//! | module | crate | feature |
//! |---|---|---|
//! | [`spec`] | `oras-spec`: references, digests, descriptors, manifests | always |
//! | [`content`] | `oras-content`: the storage traits, the memory store | always |
//! | `remote`, `auth` | `oras-remote`, `oras-auth`: the registry client | `remote` (default) |
//! | `file` | `oras-store-file`: files and directories as layers | `file` (default) |
//! | `copy` | `oras-copy`: copy, extended copy, pack, tag | `copy` (default) |
//! | `oci_layout` | `oras-store-oci`: OCI image layouts | `oci-layout` |
//! | `credentials` | `oras-credentials`: docker `config.json`, helpers, login | `credentials` |
//!
//! The `oci-spec` feature adds `From`/`TryFrom` conversions between the
//! [`spec`] types and the `oci-spec` crate's.
//!
//! [`prelude`] brings the traits and everyday types into scope; the
//! helpers at the root do the everyday jobs in one call each:
//! `push_files` and `pull_files` (features `file` and `copy`),
//! `copy_artifact` (`copy`), `docker_credentials` (`remote` and
//! `credentials`).

mod error;
#[cfg(all(feature = "file", feature = "copy"))]
mod files;
#[cfg(all(feature = "remote", feature = "credentials"))]
mod login;
pub mod prelude;

pub use error::{Error, Result};
#[cfg(all(feature = "file", feature = "copy"))]
pub use files::{DEFAULT_FILE_MEDIA_TYPE, pull_files, push_files};
#[cfg(all(feature = "remote", feature = "credentials"))]
pub use login::docker_credentials;

/// References, digests, media types, descriptors, manifests, platforms
/// (the `oras-spec` crate).
pub use oras_spec as spec;

/// The storage traits, verifying readers and the memory store (the
/// `oras-content` crate).
pub use oras_content as content;

/// The registry client (the `oras-remote` crate).
#[cfg(feature = "remote")]
pub use oras_remote as remote;

/// Registry authentication as a tower layer (the `oras-auth` crate).
#[cfg(any(feature = "remote", feature = "credentials"))]
pub use oras_auth as auth;

/// The OCI image layout store (the `oras-store-oci` crate).
#[cfg(feature = "oci-layout")]
pub use oras_store_oci as oci_layout;

/// The file store: files and directories as titled layers (the
/// `oras-store-file` crate).
#[cfg(feature = "file")]
pub use oras_store_file as file;

/// Docker `config.json` credentials, credential helpers, login and logout
/// (the `oras-credentials` crate).
#[cfg(feature = "credentials")]
pub use oras_credentials as credentials;

/// Copy, extended copy, pack and tag over any store (the `oras-copy`
/// crate).
#[cfg(feature = "copy")]
pub use oras_copy as copy;

/// The containers configuration shared with podman, buildah and skopeo:
/// registries.conf (mirrors, blocked, insecure, short names,
/// `credential-helpers`), certs.d, auth.json with namespace-scoped keys and
/// policy.json, turned into the endpoints and credentials to use for a
/// reference (the `oras-containers-config` crate).
#[cfg(feature = "containers-config")]
pub use oras_containers_config as containers_config;

/// Copies the artifact `src_ref` names in `src` (a tag or a digest) with
/// everything it references into `dst`, tagged `dst_ref` (the same
/// reference when empty), and returns the descriptor of its root
/// (oras-go `oras.Copy` with default options).
///
/// Sources and destinations are any stores: a registry repository, an OCI
/// layout, a file store, the memory store.
///
/// ```
/// use oras_rs::content::memory;
/// use oras_rs::prelude::*;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> oras_rs::Result<()> {
/// let src = memory::Store::new();
/// let layer = push_bytes(&src, media_type::IMAGE_LAYER, b"hello".to_vec().into()).await?;
/// let opts = PackManifestOptions { layers: vec![layer], ..Default::default() };
/// let manifest = pack_manifest(&src, PackManifestVersion::V1_1, "application/vnd.example", &opts).await?;
/// src.tag(&manifest, "v1").await?;
///
/// let dst = memory::Store::new();
/// let root = oras_rs::copy_artifact(&src, "v1", &dst, "").await?;
/// assert_eq!(root, manifest);
/// assert_eq!(dst.resolve("v1").await?.digest, manifest.digest);
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "copy")]
pub async fn copy_artifact<S, D>(
    src: &S,
    src_ref: &str,
    dst: &D,
    dst_ref: &str,
) -> Result<spec::Descriptor>
where
    S: content::ReadOnlyTarget + ?Sized,
    D: content::Target + ?Sized,
{
    let options = oras_copy::CopyOptions::default();
    Ok(oras_copy::copy(src, src_ref, dst, dst_ref, &options).await?)
}
