//! Transfer status: one line per blob on stdout when stderr is not a
//! terminal (Go `display/status/text.go`), live progress bars on stderr
//! when it is (Go `display/status/progress`).
//!
//! Commands (and the copy library through them) report [`Event`]s to a
//! [`StatusDisplay`]; [`new_status`] picks the implementation the way the
//! Go CLI's `display.New…Handler` does: progress bars on a terminal, text
//! lines for the text format, nothing for JSON and Go templates.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use oras_spec::{Algorithm, Descriptor};

use crate::output::Printer;

/// Which command transfers, deciding the words of the status lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// push, attach, manifest push, blob push: `Uploading`/`Uploaded`/`Exists`/`Skipped`.
    Push,
    /// pull: `Downloading`/`Downloaded`/`Processing`/`Skipped`/`Restored`.
    Pull,
    /// cp: `Copying`/`Copied`/`Exists`/`Skipped`/`Mounted`.
    Copy,
    /// backup: `Pulling`/`Pulled`/`Exists`/`Skipped`.
    Backup,
    /// restore: `Pushing`/`Pushed`/`Exists`/`Skipped`.
    Restore,
}

/// The padded prompts of one mode, exactly as the Go CLI aligns them.
#[derive(Clone, Copy, Debug)]
struct Prompts {
    started: &'static str,
    done: &'static str,
    exists: &'static str,
    skipped: &'static str,
    mounted: &'static str,
    restored: &'static str,
    processing: &'static str,
}

impl Mode {
    fn prompts(self) -> Prompts {
        match self {
            Mode::Push => Prompts {
                started: "Uploading",
                done: "Uploaded ",
                exists: "Exists   ",
                skipped: "Skipped  ",
                mounted: "Mounted  ",
                restored: "Restored ",
                processing: "Uploading",
            },
            Mode::Pull => Prompts {
                started: "Downloading",
                done: "Downloaded ",
                exists: "Exists     ",
                skipped: "Skipped    ",
                mounted: "Mounted    ",
                restored: "Restored   ",
                processing: "Processing ",
            },
            Mode::Copy => Prompts {
                started: "Copying",
                done: "Copied ",
                exists: "Exists ",
                skipped: "Skipped",
                mounted: "Mounted",
                restored: "Copied ",
                processing: "Copying",
            },
            Mode::Backup => Prompts {
                started: "Pulling  ",
                done: "Pulled   ",
                exists: "Exists   ",
                skipped: "Skipped  ",
                mounted: "Mounted  ",
                restored: "Pulled   ",
                processing: "Pulling  ",
            },
            Mode::Restore => Prompts {
                started: "Pushing  ",
                done: "Pushed   ",
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

/// Picks the display as the Go CLI does: progress bars when `tty`,
/// otherwise text lines for the text formats, otherwise nothing.
/// `print_unnamed` controls lines of blobs without a title.
pub fn new_status(
    mode: Mode,
    tty: bool,
    text_format: bool,
    printer: &Printer,
    print_unnamed: bool,
) -> Arc<dyn StatusDisplay> {
    if tty {
        Arc::new(TtyStatus::new(mode, ProgressDrawTarget::stderr_with_hz(5)))
    } else if text_format {
        Arc::new(TextStatus::new(mode, printer.clone(), print_unnamed))
    } else {
        Arc::new(DiscardStatus)
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

/// The title of a descriptor, or its media type when it has none; the
/// flag says whether it was a title.
pub fn title_or_media_type(desc: &Descriptor) -> (&str, bool) {
    match desc.title() {
        Some(title) => (title, true),
        None => (&desc.media_type, false),
    }
}

/// `<prompt> <short digest> <title-or-mediaType>`.
pub fn status_line(prompt: &str, desc: &Descriptor) -> String {
    format!(
        "{prompt} {} {}",
        short_digest(desc),
        title_or_media_type(desc).0
    )
}

/// Text lines on stdout.
pub struct TextStatus {
    prompts: Prompts,
    printer: Printer,
    print_unnamed: bool,
}

impl TextStatus {
    /// A text display for `mode`.
    pub fn new(mode: Mode, printer: Printer, print_unnamed: bool) -> Self {
        TextStatus {
            prompts: mode.prompts(),
            printer,
            print_unnamed,
        }
    }

    fn line(&self, prompt: &str, desc: &Descriptor) -> io::Result<()> {
        let (_, titled) = title_or_media_type(desc);
        if !titled && !self.print_unnamed {
            return Ok(());
        }
        self.printer.println(&status_line(prompt, desc))
    }
}

impl StatusDisplay for TextStatus {
    fn event(&self, event: Event<'_>) -> io::Result<()> {
        let p = self.prompts;
        match event {
            Event::Preparing(name) if self.print_unnamed => {
                self.printer.println(&format!("Preparing {name}"))
            }
            Event::Preparing(_) | Event::Progress(..) => Ok(()),
            Event::EmptyArtifact => self.printer.println("Uploading empty artifact"),
            Event::Started(d) => self.line(p.started, d),
            Event::Done(d) => self.line(p.done, d),
            Event::Exists(d) => self.line(p.exists, d),
            Event::Skipped(d) => self.line(p.skipped, d),
            Event::Mounted(d) => self.line(p.mounted, d),
            Event::Restored(d) => self.line(p.restored, d),
            Event::Processing(d) => self.line(p.processing, d),
        }
    }
}

/// Shows nothing (JSON and template formats without a terminal).
pub struct DiscardStatus;

impl StatusDisplay for DiscardStatus {
    fn event(&self, _event: Event<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// Progress bars on stderr: a spinner, a 20-cell bar, speed, the action
/// and name, bytes done and total, percentage and elapsed time, and the
/// digest on a second line.
pub struct TtyStatus {
    prompts: Prompts,
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    running: ProgressStyle,
    finished: ProgressStyle,
}

const RUNNING_TEMPLATE: &str = "{spinner:.yellow} [{bar:20.blue/white}]({binary_bytes_per_sec:>11}) {prefix} {bytes:>10}/{total_bytes} {percent:>3}% {elapsed:>4}\n  └─ {msg}";
const FINISHED_TEMPLATE: &str =
    "{prefix:.green} {total_bytes}/{total_bytes} 100% {elapsed:>4}\n  └─ {msg}";

impl TtyStatus {
    /// A progress display drawing to `target`.
    pub fn new(mode: Mode, target: ProgressDrawTarget) -> Self {
        let style = |template: &str| {
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("█ ")
        };
        TtyStatus {
            prompts: mode.prompts(),
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
            running: style(RUNNING_TEMPLATE),
            finished: style(FINISHED_TEMPLATE),
        }
    }

    fn key(desc: &Descriptor) -> String {
        format!("{}{}", desc.digest, desc.title().unwrap_or_default())
    }

    fn bar(&self, desc: &Descriptor, prompt: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        bars.entry(Self::key(desc))
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(desc.size));
                bar.set_style(self.running.clone());
                bar.set_message(desc.digest.to_string());
                bar.set_prefix(format!(
                    "{} {}",
                    prompt.trim_end(),
                    title_or_media_type(desc).0
                ));
                bar
            })
            .clone()
    }

    fn finish_with(&self, desc: &Descriptor, prompt: &str) {
        let bar = self.bar(desc, prompt);
        bar.set_style(self.finished.clone());
        bar.set_prefix(format!(
            "✓ {} {}",
            prompt.trim_end(),
            title_or_media_type(desc).0
        ));
        bar.finish();
    }

    /// How many nodes have a bar (for tests and diagnostics).
    pub fn bar_count(&self) -> usize {
        self.bars.lock().map(|b| b.len()).unwrap_or_default()
    }

    /// Whether every bar has finished.
    pub fn all_finished(&self) -> bool {
        self.bars
            .lock()
            .map(|b| b.values().all(ProgressBar::is_finished))
            .unwrap_or(false)
    }
}

impl StatusDisplay for TtyStatus {
    fn event(&self, event: Event<'_>) -> io::Result<()> {
        let p = self.prompts;
        match event {
            Event::Preparing(_) | Event::EmptyArtifact => {}
            Event::Started(d) | Event::Processing(d) => {
                self.bar(d, p.started)
                    .enable_steady_tick(std::time::Duration::from_millis(200));
            }
            Event::Progress(d, bytes) => self.bar(d, p.started).set_position(bytes),
            Event::Done(d) => self.finish_with(d, p.done),
            Event::Exists(d) => self.finish_with(d, p.exists),
            Event::Skipped(d) => self.finish_with(d, p.skipped),
            Event::Mounted(d) => self.finish_with(d, p.mounted),
            Event::Restored(d) => self.finish_with(d, p.restored),
        }
        Ok(())
    }

    fn finish(&self) -> io::Result<()> {
        let bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        for bar in bars.values() {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_spec::annotation;

    fn titled(name: &str, data: &[u8]) -> Descriptor {
        let mut d = Descriptor::from_bytes("application/vnd.oci.image.layer.v1.tar", data);
        d.annotations.insert(annotation::TITLE.into(), name.into());
        d
    }

    #[test]
    fn status_lines_like_go() {
        let d = titled("hi.txt", b"hi");
        let short = &d.digest.encoded()[..12];
        assert_eq!(short_digest(&d), short);
        assert_eq!(
            status_line("Uploaded ", &d),
            format!("Uploaded  {short} hi.txt")
        );
        let m = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"{}");
        assert_eq!(
            status_line("Exists   ", &m),
            format!(
                "Exists    {} application/vnd.oci.image.manifest.v1+json",
                &m.digest.encoded()[..12]
            )
        );
    }

    #[test]
    fn text_push_sequence() {
        let (printer, out, _) = Printer::captured();
        let status = TextStatus::new(Mode::Push, printer, true);
        let file = titled("hi.txt", b"hi");
        let manifest = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"{}");
        status.event(Event::Preparing("hi.txt")).unwrap();
        status.event(Event::Started(&file)).unwrap();
        status.event(Event::Progress(&file, 1)).unwrap();
        status.event(Event::Done(&file)).unwrap();
        status.event(Event::Exists(&manifest)).unwrap();
        let f = &file.digest.encoded()[..12];
        let m = &manifest.digest.encoded()[..12];
        assert_eq!(
            out.text(),
            format!(
                "Preparing hi.txt\nUploading {f} hi.txt\nUploaded  {f} hi.txt\nExists    {m} application/vnd.oci.image.manifest.v1+json\n"
            )
        );
    }

    #[test]
    fn unnamed_lines_can_be_hidden() {
        let (printer, out, _) = Printer::captured();
        let status = TextStatus::new(Mode::Copy, printer, false);
        let manifest = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"{}");
        status.event(Event::Done(&manifest)).unwrap();
        status.event(Event::Mounted(&titled("a", b"a"))).unwrap();
        assert!(out.text().starts_with("Mounted "));
        assert_eq!(out.text().lines().count(), 1);
    }

    #[test]
    fn pull_prompts() {
        let (printer, out, _) = Printer::captured();
        let status = TextStatus::new(Mode::Pull, printer, true);
        let d = titled("a", b"a");
        for e in [
            Event::Started(&d),
            Event::Done(&d),
            Event::Skipped(&d),
            Event::Restored(&d),
            Event::Processing(&d),
        ] {
            status.event(e).unwrap();
        }
        let prompts: Vec<String> = out.text().lines().map(|l| l[..12].to_owned()).collect();
        assert_eq!(
            prompts,
            [
                "Downloading ",
                "Downloaded  ",
                "Skipped     ",
                "Restored    ",
                "Processing  "
            ]
        );
    }

    #[test]
    fn tty_bars_follow_events() {
        let status = TtyStatus::new(Mode::Push, ProgressDrawTarget::hidden());
        let a = titled("a", b"aaaa");
        let b = titled("b", b"b");
        status.event(Event::Started(&a)).unwrap();
        status.event(Event::Progress(&a, 2)).unwrap();
        status.event(Event::Exists(&b)).unwrap();
        assert_eq!(status.bar_count(), 2);
        assert!(!status.all_finished());
        status.event(Event::Done(&a)).unwrap();
        assert!(status.all_finished());
        status.finish().unwrap();
    }

    #[test]
    fn picks_display() {
        let (printer, out, _) = Printer::captured();
        let d = titled("a", b"a");
        new_status(Mode::Push, false, false, &printer, true)
            .event(Event::Done(&d))
            .unwrap();
        assert!(out.text().is_empty());
        new_status(Mode::Push, false, true, &printer, true)
            .event(Event::Done(&d))
            .unwrap();
        assert!(out.text().starts_with("Uploaded "));
    }
}
