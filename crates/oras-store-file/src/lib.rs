//! The file store of oras-rs: files and directories on disk as the titled
//! layers of an artifact, with oras-go's `content/file` behaviour.
//!
//! [`Store`] is what `oras push` reads from and `oras pull` writes to.
//! Content described by a title (`org.opencontainers.image.title`) is
//! location-addressed under the working directory; manifests, configs and
//! other untitled content go to a small in-memory store
//! ([`oras_content::memory::Store`] behind [`oras_content::Limited`],
//! 4 MiB per item by default). It implements the storage traits of
//! `oras-content` ([`oras_content::Fetcher`], [`oras_content::Pusher`],
//! [`oras_content::ReadOnlyStorage`], [`oras_content::Resolver`],
//! [`oras_content::Tagger`], [`oras_content::PredecessorFinder`]), so a copy
//! can read from it or write into it like any other target.
//!
//! - [`Store::add`] describes a file in place, hashing it as a stream (no
//!   copy, constant memory), or packs a directory into a gzipped tar in a
//!   temp file with the `io.deis.oras.content.digest` and
//!   `io.deis.oras.content.unpack` annotations.
//! - Pushing a titled blob writes `<working dir>/<title>` through a temp
//!   file and a rename, after the digest was verified; a directory blob is
//!   unpacked under `<title>/`. After a manifest is pushed, titled layers
//!   whose content is already here under another name are restored by
//!   copy ([`Store::take_restored`] lists them).
//! - Hostile titles and archives are refused: `..` and absolute titles
//!   outside the working directory, writes through planted symbolic links
//!   ([`Error::PathTraversal`]); tar entries outside `<title>`, link
//!   targets outside the unpacked directory or not clean
//!   ([`Error::UnsafeEntry`]) (the advisories GHSA-g5v4-5x39-vwhx,
//!   GHSA-8xwf-rjm4-xvhv, GHSA-m37j-52j7-pjw7, GHSA-fxhp-mv3v-67qp).
//! - [`Options`] carries oras-go's switches (`tar_reproducible`,
//!   `allow_path_traversal_on_write`, `disable_overwrite`, `force_cas`,
//!   `ignore_no_name`, `skip_unpack`, `preserve_permissions`) and the
//!   fallback limit.
//! - Temp files are removed by [`Store::close`], when the store is dropped,
//!   and as soon as an operation that made one fails.
//!
//! # Security
//!
//! Unless [`Options::allow_path_traversal_on_write`] is set (the CLI's
//! `--allow-path-traversal`, which restores oras-go's ambient behaviour),
//! whatever the layers of an artifact hold, in whatever order and with
//! whatever timing their bodies arrive:
//!
//! - nothing is created, written, renamed, linked, removed or has its
//!   times or permissions changed outside the working directory: every
//!   such call is resolved beneath one handle on the working directory
//!   (`cap-std`; `openat2` with `RESOLVE_BENEATH` on Linux), which the
//!   kernel refuses to leave through `..` or a symbolic link, so a link
//!   made by another layer after a title was checked is not followed out;
//! - a symbolic or hard link is made only if its text is clean (no `.` or
//!   `..` after a name, no empty component) and lies inside the directory
//!   being unpacked, so a link's meaning cannot change when another layer
//!   makes the hops it names;
//! - every link the store made is checked again after each manifest, on
//!   [`Store::verify_links`] and on [`Store::close`]: one that resolves
//!   outside is removed and the push fails;
//! - a directory blob expands to at most [`UnpackLimits`] (bytes, as a
//!   ratio of the compressed size with a floor and as an absolute cap, and
//!   entries), in its digest pre-check as in its unpacking;
//! - a failed, cancelled (its future dropped) or panicking unpacking is
//!   rolled back: what it made is removed, what it replaced is put back,
//!   its temp files are removed; crafted tar times do not panic.
//!
//! Temp files are named `.oras_file_<pid>_…` beside their target and
//! `oras_file_*` in the temp directory: a process killed outright
//! (`SIGKILL`) leaves them behind, recognisable, for the caller to remove.
//!
//! Nothing but the files persists: tags, names and the predecessor index
//! live in memory, as in oras-go, so a store cannot be reopened.
//!
//! ```
//! use oras_content::{Pusher, ReadOnlyStorage, fetch_all};
//! use oras_store_file::Store;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let source_dir = tempfile::tempdir()?;
//! std::fs::write(source_dir.path().join("hello.txt"), b"hello")?;
//!
//! // Describe a file in place, as `oras push hello.txt` does.
//! let source = Store::new(source_dir.path())?;
//! let desc = source.add("hello.txt", "", "").await?;
//! assert_eq!(desc.title(), Some("hello.txt"));
//! assert_eq!(desc.size, 5);
//!
//! // Push it into another store, as `oras pull` does: it lands as a file.
//! let output_dir = tempfile::tempdir()?;
//! let output = Store::new(output_dir.path())?;
//! output.push(&desc, source.fetch(&desc).await?).await?;
//! assert!(output.exists(&desc).await?);
//! assert_eq!(std::fs::read(output_dir.path().join("hello.txt"))?, b"hello");
//! assert_eq!(fetch_all(&output, &desc, 1024).await?, b"hello");
//!
//! // A title that climbs out of the working directory is refused.
//! let mut hostile = desc.clone();
//! hostile.annotations.insert(
//!     oras_spec::annotation::TITLE.to_owned(),
//!     "../escape.txt".to_owned(),
//! );
//! let err = output.push(&hostile, source.fetch(&desc).await?).await.unwrap_err();
//! assert_eq!(err.kind(), oras_content::ErrorKind::PathTraversal);
//! # use oras_content::Fetcher;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod archive;
mod error;
mod extract;
mod fallback;
mod hashing;
mod options;
mod paths;
mod platform;
mod push;
mod root;
mod store;
mod traits;

pub use error::{Error, Result};
pub use options::{DEFAULT_FALLBACK_LIMIT, Options, UnpackLimits};
pub use store::Store;

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
