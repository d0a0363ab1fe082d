//! The stores behind a [`Target`]: a registry repository, or an OCI image
//! layout (Go `option/target.go` `NewTarget`, `NewReadonlyTarget`).
//!
//! [`WriteTarget`] is for commands that write (push, attach, tag, cp's
//! destination …): the repository, or a read-write layout directory
//! (created when missing). [`ReadTarget`] is for commands that only read
//! (pull, fetch, resolve, discover …): the repository, or a read-only
//! layout that may also be a tar archive (`oci.NewFromTar`).
//!
//! Both implement the storage traits by delegation, so they are used
//! directly as a copy source or destination; [`WriteTarget::repository`]
//! and [`ReadTarget::repository`] give the registry-only operations.

use async_trait::async_trait;
use oras_containers_config::Operation;
use oras_content::{
    BlobReader, Capabilities, Deleter, Fetcher, Mounter, PredecessorFinder, Pusher,
    ReadOnlyStorage, ReferenceFetcher, ReferencePusher, ReferrerLister, Resolver, Result,
    TagLister, Tagger, Untagger,
};
use oras_remote::Repository;
use oras_spec::Descriptor;

use super::endpoints::{ReadOptions, RemoteRead};
pub use super::mirrored::MirroredRepository;
use crate::context::Context;
use crate::error::{CliError, quote};
use crate::options::{Target, TargetKind};

/// A store commands write to.
// A command holds one or two of these: the size of the layout variant
// does not matter, and boxing it would only add a deref.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum WriteTarget {
    /// A registry repository.
    Registry(Repository),
    /// An OCI image layout directory.
    Layout(oras_store_oci::Store),
}

/// A store commands read from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ReadTarget {
    /// A registry repository.
    Registry(Repository),
    /// An OCI image layout, directory or tar archive.
    Layout(oras_store_oci::ReadOnlyStore),
    /// A registry repository read through a mirror of the containers
    /// configuration, with the endpoints after it to fall back to.
    Mirrored(MirroredRepository),
}

/// Opens `target` for writing: the repository (flag credentials are read
/// now, warnings go to `ctx`'s stderr), or the layout directory, created
/// when it does not exist.
pub async fn open_write_target(target: &Target, ctx: &Context) -> anyhow::Result<WriteTarget> {
    match target.kind {
        TargetKind::Registry => Ok(WriteTarget::Registry(
            super::endpoints::open_repository(target, ctx, Operation::Push).await?,
        )),
        TargetKind::OciLayout => {
            let store = oras_store_oci::Store::open(&target.path)
                .await
                .map_err(|err| layout_error(target, err))?;
            Ok(WriteTarget::Layout(store))
        }
    }
}

/// Opens `target` for reading: the repository, or the layout directory or
/// tar archive, which must exist.
pub async fn open_read_target(target: &Target, ctx: &Context) -> anyhow::Result<ReadTarget> {
    match target.kind {
        TargetKind::Registry => Ok(super::endpoints::open_read_remote(target, ctx)
            .await?
            .into()),
        TargetKind::OciLayout => {
            let store = oras_store_oci::ReadOnlyStore::open(&target.path)
                .await
                .map_err(|err| layout_error(target, err))?;
            Ok(ReadTarget::Layout(store))
        }
    }
}

fn layout_error(target: &Target, err: oras_store_oci::Error) -> anyhow::Error {
    // Go `Target.Parse` of a read-only layout stats the path first:
    // `invalid argument "<ref>": failed to find path "<path>": stat <path>:
    // no such file or directory`.
    match std::fs::metadata(&target.path) {
        Err(stat) => {
            return CliError::new(format!(
                "invalid argument {}: failed to find path {}: {}",
                quote(&target.raw_reference),
                quote(&target.path),
                crate::error::path_error("stat", &target.path, &stat)
            ))
            .into();
        }
        // oras-go `oci.NewFromFS` opens `oci-layout` (relative to the
        // layout's file system) first.
        Ok(meta) if meta.is_dir() => {
            if let Err(open) =
                std::fs::File::open(std::path::Path::new(&target.path).join("oci-layout"))
            {
                return CliError::new(format!(
                    "invalid OCI Image Layout: failed to open OCI layout file: {}",
                    crate::error::path_error("open", "oci-layout", &open)
                ))
                .into();
            }
        }
        Ok(_) => {}
    }
    match err {
        // oras `NewReadonlyTarget`: a tar cut short is `"<path>" does not
        // look like a tar archive: unexpected EOF`.
        oras_store_oci::Error::TruncatedTar { .. } => CliError::new(format!(
            "{} does not look like a tar archive: {err}",
            quote(&target.path)
        ))
        .into(),
        // oras-go's own text, which oras prints as is.
        oras_store_oci::Error::InvalidIndex(_) => CliError::new(err.to_string()).into(),
        _ => CliError::new(format!(
            "failed to open OCI layout {}: {err}",
            quote(&target.path)
        ))
        .into(),
    }
}

/// [`open_read_target`] of a registry target with `options`, for the
/// commands that set up their repository themselves (`blob fetch`,
/// `manifest fetch --media-type`).
pub async fn open_remote_read_target(
    target: &Target,
    ctx: &Context,
    options: &ReadOptions,
) -> anyhow::Result<ReadTarget> {
    Ok(
        super::endpoints::open_read_remote_with(target, ctx, options)
            .await?
            .into(),
    )
}

impl From<RemoteRead> for ReadTarget {
    fn from(remote: RemoteRead) -> ReadTarget {
        match remote {
            RemoteRead::Registry(repository) => ReadTarget::Registry(repository),
            RemoteRead::Mirrored(mirrored) => ReadTarget::Mirrored(mirrored),
        }
    }
}

impl WriteTarget {
    /// The repository, for a registry target.
    pub fn repository(&self) -> Option<&Repository> {
        match self {
            WriteTarget::Registry(repo) => Some(repo),
            WriteTarget::Layout(_) => None,
        }
    }

    /// The layout store, for a layout target.
    pub fn layout(&self) -> Option<&oras_store_oci::Store> {
        match self {
            WriteTarget::Layout(store) => Some(store),
            WriteTarget::Registry(_) => None,
        }
    }
}

impl ReadTarget {
    /// The repository, for a registry target (the endpoint that resolved
    /// the reference, for a mirrored one).
    pub fn repository(&self) -> Option<&Repository> {
        match self {
            ReadTarget::Registry(repo) => Some(repo),
            ReadTarget::Mirrored(mirrored) => Some(mirrored.primary()),
            ReadTarget::Layout(_) => None,
        }
    }
}

/// Implements the traits both targets share by forwarding to whichever
/// store the enum holds (`$variant`s), with `$capabilities` (more
/// `Capabilities` methods) for the target that has them.
macro_rules! forward_read_traits {
    ($target:ty: $($variant:ident),+; $($capabilities:tt)*) => {
        #[async_trait]
        impl Fetcher for $target {
            async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
                match self { $(Self::$variant(s) => s.fetch(target).await,)+ }
            }
        }

        #[async_trait]
        impl ReadOnlyStorage for $target {
            async fn exists(&self, target: &Descriptor) -> Result<bool> {
                match self { $(Self::$variant(s) => s.exists(target).await,)+ }
            }
        }

        #[async_trait]
        impl Resolver for $target {
            async fn resolve(&self, reference: &str) -> Result<Descriptor> {
                match self { $(Self::$variant(s) => s.resolve(reference).await,)+ }
            }
        }

        #[async_trait]
        impl PredecessorFinder for $target {
            async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
                match self { $(Self::$variant(s) => s.predecessors(node).await,)+ }
            }
        }

        #[async_trait]
        impl TagLister for $target {
            async fn tags(&self, last: Option<&str>) -> Result<Vec<String>> {
                match self { $(Self::$variant(s) => s.tags(last).await,)+ }
            }
        }

        impl Capabilities for $target {
            fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
                match self { $(Self::$variant(s) => s.as_reference_fetcher(),)+ }
            }
            fn as_tag_lister(&self) -> Option<&dyn TagLister> {
                match self { $(Self::$variant(s) => s.as_tag_lister(),)+ }
            }
            fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
                match self { $(Self::$variant(s) => s.as_referrer_lister(),)+ }
            }
            fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
                match self { $(Self::$variant(s) => s.as_predecessor_finder(),)+ }
            }
            $($capabilities)*
        }
    };
}

/// Forwards a `WriteTarget` method to whichever store it holds.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Self::Registry($store) => $call,
            Self::Layout($store) => $call,
        }
    };
}

forward_read_traits!(WriteTarget: Registry, Layout;
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        delegate!(self, s => s.as_reference_pusher())
    }
    fn as_mounter(&self) -> Option<&dyn Mounter> {
        delegate!(self, s => s.as_mounter())
    }
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        delegate!(self, s => s.as_deleter())
    }
    fn as_untagger(&self) -> Option<&dyn Untagger> {
        delegate!(self, s => s.as_untagger())
    }
);

forward_read_traits!(ReadTarget: Registry, Layout, Mirrored;);

#[async_trait]
impl Pusher for WriteTarget {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        delegate!(self, s => s.push(expected, content).await)
    }
}

#[async_trait]
impl Tagger for WriteTarget {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        delegate!(self, s => s.tag(desc, reference).await)
    }
}

#[async_trait]
impl Deleter for WriteTarget {
    async fn delete(&self, target: &Descriptor) -> Result<()> {
        delegate!(self, s => s.delete(target).await)
    }
}
