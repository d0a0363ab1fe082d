//! The containers configuration that podman, buildah and skopeo share,
//! read and applied for ORAS (the semantics of containers/image and
//! oras-go v3's `registry/remote/config` and `policy` packages):
//!
//! - **registries.conf** v2 ([`RegistriesConf`]): `[[registry]]` prefix and
//!   location rewriting, `insecure`, `blocked`, `[[registry.mirror]]` with
//!   `pull-from-mirror`, `[aliases]` and `unqualified-search-registries`,
//!   merged with the `registries.conf.d` drop-ins and the short-name alias
//!   file;
//! - **certs.d** ([`TlsFiles`]): CAs and client certificates per host;
//! - **auth.json** ([`Credentials`]): the registries.conf
//!   `credential-helpers` in order (default: the auth files), the auth
//!   files in containers' lookup order, then Docker's config; a
//!   repository's namespaced keys (`host/team/app`, `host/team`) before
//!   its registry's ([`ContainersConfig::credentials_for`]);
//! - **policy.json** ([`Policy`]): `insecureAcceptAnything` and `reject` by
//!   scope; signature requirements are refused as not supported, and so
//!   is every read when no policy.json exists.
//!
//! [`ContainersConfig::endpoints`] turns a reference into the ordered
//! endpoints to try, each with its rewritten reference, its insecure flag
//! and its TLS files; the caller builds one registry client per endpoint
//! (this crate sits below the registry client) with the credentials of
//! [`ContainersConfig::credentials_for`] its reference, tries pulls in
//! order and sends pushes to the single endpoint it is given.
//!
//! Where files live is in [`paths`]. Loading reads and checks every
//! file first: a malformed file fails with its path, line and key, and
//! nothing is half applied.
//!
//! # Example
//!
//! ```
//! use oras_containers_config::{ContainersConfig, Environment, Operation};
//!
//! let root = tempfile::tempdir()?;
//! let etc = root.path().join("etc/containers");
//! std::fs::create_dir_all(&etc)?;
//! std::fs::write(
//!     etc.join("registries.conf"),
//!     r#"
//! [[registry]]
//! location = "registry.example"
//! [[registry.mirror]]
//! location = "mirror.example"
//! "#,
//! )?;
//! // Without a policy.json, reads are refused.
//! std::fs::write(
//!     etc.join("policy.json"),
//!     r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
//! )?;
//! let config = ContainersConfig::load_with(&Environment::rooted(root.path()))?;
//! let pull = config.endpoints("registry.example/app:v1", Operation::Pull)?;
//! let order: Vec<String> = pull.iter().map(|e| e.reference.to_string()).collect();
//! assert_eq!(order, ["mirror.example/app:v1", "registry.example/app:v1"]);
//! // Never push to a mirror.
//! let push = config.endpoints("registry.example/app:v1", Operation::Push)?;
//! assert_eq!(push.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod certs;
mod config;
mod error;
mod names;
pub mod paths;
mod policy;
mod registries;
mod shortnames;
mod toml_file;

pub use auth::{AUTH_FILES_HELPER, Credentials, RepositoryCredentials};
pub use certs::{TlsFiles, tls_files};
pub use config::{ContainersConfig, Endpoint, Operation};
pub use error::{Error, Result};
pub use names::is_short_name;
pub use paths::Environment;
pub use policy::{Policy, Requirement};
pub use registries::{Alias, Mirror, PullFromMirror, RegistriesConf, Registry, ShortNameMode};
pub use shortnames::candidates;

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
