//! The vocabulary of transfer status, shared by the text lines
//! ([`crate::output::status`]) and the progress bars
//! ([`crate::output::progress`]): which command transfers ([`Mode`]) and
//! the words it uses, what happened to a node ([`Event`]), the
//! [`StatusDisplay`] that shows it, and how a node is named.

use std::borrow::Cow;
use std::io;

use oras_spec::{Algorithm, Descriptor};

use crate::output::escape::escape_controls;

/// Which command transfers, deciding the words of the status lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// push, attach, manifest push, blob push: `Uploading`/`Uploaded`/`Exists`/`Skipped`.
    Push,
    /// pull: `Downloading`/`Downloaded`/`Processing`/`Skipped`/`Restored`.
    Pull,
    /// blob fetch: pull's words, and `Downloaded` on a finished bar too
    /// (Go `root/blob/fetch.go` tracks the download with
    /// `track.NewReader(…, "Downloading", "Downloaded ", …)`).
    Fetch,
    /// cp: `Copying`/`Copied`/`Exists`/`Skipped`/`Mounted`.
    Copy,
    /// backup: `Pulling`/`Pulled`/`Exists`/`Skipped`.
    Backup,
    /// restore: `Pushing`/`Pushed`/`Exists`/`Skipped`.
    Restore,
}

/// The padded prompts of one mode, exactly as the Go CLI aligns them
/// (Go `display/status/utils.go`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prompts {
    pub(crate) started: &'static str,
    pub(crate) done: &'static str,
    /// `done` on a progress bar: Go's TTY pull handler says `Pulled`
    /// (`PullPromptPulled`) where its text handler says `Downloaded`.
    pub(crate) tty_done: &'static str,
    pub(crate) exists: &'static str,
    pub(crate) skipped: &'static str,
    pub(crate) mounted: &'static str,
    pub(crate) restored: &'static str,
    pub(crate) processing: &'static str,
}

impl Mode {
    pub(crate) fn prompts(self) -> Prompts {
        match self {
            Mode::Push => Prompts {
                started: "Uploading",
                done: "Uploaded ",
                tty_done: "Uploaded ",
                exists: "Exists   ",
                skipped: "Skipped  ",
                mounted: "Mounted  ",
                restored: "Restored ",
                processing: "Uploading",
            },
            Mode::Pull => Prompts {
                started: "Downloading",
                done: "Downloaded ",
                tty_done: "Pulled     ",
                exists: "Exists     ",
                skipped: "Skipped    ",
                mounted: "Mounted    ",
                restored: "Restored   ",
                processing: "Processing ",
            },
            Mode::Fetch => Prompts {
                tty_done: "Downloaded ",
                ..Mode::Pull.prompts()
            },
            Mode::Copy => Prompts {
                started: "Copying",
                done: "Copied ",
                tty_done: "Copied ",
                exists: "Exists ",
                skipped: "Skipped",
                mounted: "Mounted",
                restored: "Copied ",
                processing: "Copying",
            },
            Mode::Backup => Prompts {
                started: "Pulling  ",
                done: "Pulled   ",
                tty_done: "Pulled   ",
                exists: "Exists   ",
                skipped: "Skipped  ",
                mounted: "Mounted  ",
                restored: "Pulled   ",
                processing: "Pulling  ",
            },
            Mode::Restore => Prompts {
                started: "Pushing  ",
                done: "Pushed   ",
                tty_done: "Pushed   ",
                exists: "Exists   ",
                skipped: "Skipped  ",
                mounted: "Mounted  ",
                restored: "Pushed   ",
                processing: "Pushing  ",
            },
        }
    }
}

/// Something that happened to one node of a transfer.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// push: a file is being added (`Preparing <name>`).
    Preparing(&'a str),
    /// push: the artifact has no files (`Uploading empty artifact`).
    EmptyArtifact,
    /// A transfer started.
    Started(&'a Descriptor),
    /// Bytes transferred so far for a started node.
    Progress(&'a Descriptor, u64),
    /// A transfer finished.
    Done(&'a Descriptor),
    /// The destination already had the node.
    Exists(&'a Descriptor),
    /// The node was skipped (already handled under another name, or a
    /// successor of a node that existed).
    Skipped(&'a Descriptor),
    /// The blob was mounted from another repository.
    Mounted(&'a Descriptor),
    /// An existing root manifest was pushed again to tag it: a finished
    /// bar on a terminal (the Go CLI tracks that push), nothing in text.
    Retagged(&'a Descriptor),
    /// pull: a duplicate file was restored from existing content.
    Restored(&'a Descriptor),
    /// pull: a node without a name is being processed.
    Processing(&'a Descriptor),
}

/// Receives transfer events; implementations are safe to share between
/// concurrent transfers.
pub trait StatusDisplay: Send + Sync {
    /// Shows one event.
    fn event(&self, event: Event<'_>) -> io::Result<()>;

    /// Ends the display (clears or freezes progress bars).
    fn finish(&self) -> io::Result<()> {
        Ok(())
    }
}

/// The first 12 hex characters of a SHA-256 digest, or the whole digest
/// for other algorithms (Go `descriptor.ShortDigest`).
pub fn short_digest(desc: &Descriptor) -> String {
    if desc.digest.algorithm() == Algorithm::Sha256 {
        desc.digest.encoded().chars().take(12).collect()
    } else {
        desc.digest.to_string()
    }
}

/// The title of a descriptor, or its media type when it has none, with
/// its control characters escaped (both come from whoever packed the
/// artifact, see [`crate::output::escape`]); the flag says whether it was
/// a title.
pub fn title_or_media_type(desc: &Descriptor) -> (Cow<'_, str>, bool) {
    match desc.title() {
        Some(title) => (escape_controls(title), true),
        None => (escape_controls(&desc.media_type), false),
    }
}

/// A layer of `data` titled `name`, for the status displays' tests.
#[cfg(test)]
pub(crate) fn titled(name: &str, data: &[u8]) -> Descriptor {
    let mut d = Descriptor::from_bytes("application/vnd.oci.image.layer.v1.tar", data);
    d.annotations
        .insert(oras_spec::annotation::TITLE.into(), name.into());
    d
}
