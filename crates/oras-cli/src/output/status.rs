//! Transfer status: one line per blob on stdout when stderr is not a
//! terminal (Go `display/status/text.go`), live progress bars on stderr
//! when it is (Go `display/status/progress`, drawn by
//! [`crate::output::progress`]).
//!
//! Commands (and the copy library through them) report [`Event`]s to a
//! [`StatusDisplay`] (both in [`crate::output::event`], re-exported here);
//! [`new_status`] picks the implementation the way the Go CLI's
//! `display.New…Handler` does: progress bars on a terminal, text lines for
//! the text format, nothing for JSON and Go templates.

use std::io;
use std::sync::Arc;

use indicatif::ProgressDrawTarget;
use oras_spec::Descriptor;

use crate::output::Printer;
use crate::output::escape::escape_controls;
use crate::output::event::Prompts;
pub use crate::output::event::{Event, Mode, StatusDisplay, short_digest, title_or_media_type};
pub use crate::output::progress::TtyStatus;

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
            Event::Preparing(name) if self.print_unnamed => self
                .printer
                .println(&format!("Preparing {}", escape_controls(name))),
            Event::Preparing(_) | Event::Progress(..) | Event::Retagged(_) => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::event::titled;

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
    fn hostile_titles_are_escaped_in_status_lines() {
        let (printer, out, _) = Printer::captured();
        let status = TextStatus::new(Mode::Pull, printer, true);
        let d = titled("evil\x1b[2J\rDownloaded  fake\u{9b}0m\n", b"x");
        status.event(Event::Done(&d)).unwrap();
        status.event(Event::Preparing("a\x1b]0;t\x07")).unwrap();
        let text = out.text();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert_eq!(text.lines().count(), 2, "{text:?}");
        assert!(
            text.contains("evil\\x1b[2J\\rDownloaded  fake\\u{9b}0m\\n"),
            "{text:?}"
        );
        assert!(text.contains("Preparing a\\x1b]0;t\\x07"), "{text:?}");
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
