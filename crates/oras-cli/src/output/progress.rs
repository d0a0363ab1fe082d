//! Progress bars on stderr, drawn as the Go CLI draws them
//! (`display/status/progress/status.go`, `Render`): two lines per blob,
//! right-aligned to the terminal width:
//!
//! ```text
//! ⠋ [      ..............](  12.5 MB/s) Uploading big.bin     6.00/20 MB  30.00%    480ms
//!   └─ sha256:…
//! ✓ Uploaded  big.bin                                        20/20 MB 100.00%     1s
//!   └─ sha256:…
//! ```
//!
//! The running line has a spinner, a 20-cell bar (filled cells on a light
//! blue background, the rest dots), the speed, the action and the title
//! (or media type), then bytes done and total, the percentage and the
//! elapsed time. A finished line has a green `✓`, a failed one a red `✗`,
//! and its numbers stop at the time it ended. Sizes are Go's
//! `humanize.Bytes` and durations Go's `FormatDuration`
//! ([`crate::output::text::format_bytes`], [`format_duration`]).

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use oras_spec::Descriptor;

use crate::output::event::{Event, Mode, Prompts, StatusDisplay, title_or_media_type};
use crate::output::text::{format_bytes, format_duration, go_g, humanize_bytes, round_to};

/// Cells of the bar (Go `barLength`).
const BAR_LENGTH: usize = 20;

/// Go `spinnerSymbols`.
const SPINNER: &str = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

/// The running line: the wide message is `<action> <name>`, the prefix
/// the digest.
const RUNNING_TEMPLATE: &str = "{spinner:.yellow.bright} [{bar_done:.on_blue.on_bright}{bar_left}]({speed}/s) {wide_msg} {offset}/{total} {percent} {elapsed}\n  └─ {prefix}";

/// Progress bars on stderr, one per node (digest and title).
pub struct TtyStatus {
    prompts: Prompts,
    multi: MultiProgress,
    state: Mutex<Bars>,
    running: ProgressStyle,
}

/// The bars drawn so far, and which of them saw their transfer start.
#[derive(Default)]
struct Bars {
    bars: HashMap<String, ProgressBar>,
    started: HashSet<String>,
}

impl TtyStatus {
    /// A progress display drawing to `target`.
    pub fn new(mode: Mode, target: ProgressDrawTarget) -> Self {
        TtyStatus {
            prompts: mode.prompts(),
            multi: MultiProgress::with_draw_target(target),
            state: Mutex::new(Bars::default()),
            running: running_style(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Bars> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn key(desc: &Descriptor) -> String {
        format!("{}{}", desc.digest, desc.title().unwrap_or_default())
    }

    /// The bar of `desc`, added (not started) if it is new.
    fn bar(&self, bars: &mut Bars, desc: &Descriptor, prompt: &str) -> ProgressBar {
        bars.bars
            .entry(Self::key(desc))
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(desc.size));
                bar.set_style(self.running.clone());
                bar.set_prefix(desc.digest.to_string());
                bar.set_message(action(prompt, desc));
                bar
            })
            .clone()
    }

    fn start(&self, desc: &Descriptor) {
        let mut bars = self.lock();
        let bar = self.bar(&mut bars, desc, self.prompts.started);
        if bars.started.insert(Self::key(desc)) {
            bar.reset_elapsed();
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    /// Freezes the bar of `desc` as done with `prompt`. A node that never
    /// started (it existed, was skipped, …) shows `0s`, as Go's status
    /// without a start time does.
    fn finish_with(&self, desc: &Descriptor, prompt: &str) {
        let mut bars = self.lock();
        let bar = self.bar(&mut bars, desc, prompt);
        let elapsed = if bars.started.contains(&Self::key(desc)) {
            bar.elapsed()
        } else {
            Duration::ZERO
        };
        bar.set_style(finished_style(desc.size, elapsed));
        bar.set_message(action(prompt, desc));
        bar.finish();
    }

    /// How many nodes have a bar (for tests and diagnostics).
    pub fn bar_count(&self) -> usize {
        self.lock().bars.len()
    }

    /// Whether every bar has finished.
    pub fn all_finished(&self) -> bool {
        self.lock().bars.values().all(ProgressBar::is_finished)
    }
}

impl StatusDisplay for TtyStatus {
    fn event(&self, event: Event<'_>) -> io::Result<()> {
        let p = self.prompts;
        match event {
            Event::Preparing(_) | Event::EmptyArtifact => {}
            Event::Started(d) | Event::Processing(d) => self.start(d),
            Event::Progress(d, bytes) => {
                let mut bars = self.lock();
                self.bar(&mut bars, d, p.started).set_position(bytes);
            }
            Event::Done(d) | Event::Retagged(d) => self.finish_with(d, p.tty_done),
            Event::Exists(d) => self.finish_with(d, p.exists),
            Event::Skipped(d) => self.finish_with(d, p.skipped),
            Event::Mounted(d) => self.finish_with(d, p.mounted),
            Event::Restored(d) => self.finish_with(d, p.restored),
        }
        Ok(())
    }

    /// Bars still running when the command ends failed (or were
    /// cancelled): they keep their numbers and get a red `✗`.
    fn finish(&self) -> io::Result<()> {
        let bars = self.lock();
        for bar in bars.bars.values() {
            if !bar.is_finished() {
                bar.set_style(failed_style());
                bar.abandon();
            }
        }
        Ok(())
    }
}

/// `<prompt> <title-or-mediaType>`, the prompt padded as Go pads it.
fn action(prompt: &str, desc: &Descriptor) -> String {
    format!("{prompt} {}", title_or_media_type(desc).0)
}

fn template(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

fn running_style() -> ProgressStyle {
    template(RUNNING_TEMPLATE)
        .tick_chars(&format!(
            "{SPINNER}{}",
            SPINNER.chars().next().unwrap_or(' ')
        ))
        .with_key(
            "bar_done",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&" ".repeat(filled_cells(s)));
            },
        )
        .with_key(
            "bar_left",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&".".repeat(BAR_LENGTH - filled_cells(s)));
            },
        )
        .with_key("speed", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:>7}", format_bytes(s.per_sec() as u64));
        })
        .with_key(
            "offset",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&running_offset(s.pos(), s.len().unwrap_or(0)));
            },
        )
        .with_key("total", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&format_bytes(s.len().unwrap_or(0)));
        })
        .with_key(
            "percent",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:6.2}%", percent(s.pos(), s.len().unwrap_or(0)) * 100.0);
            },
        )
        .with_key(
            "elapsed",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:>6}", format_duration(s.elapsed()));
            },
        )
}

/// The frozen line of a finished node: `✓ <action> <name>`, then the
/// exact total, `100.00%` and the time it took (Go renders `done` with
/// `fmt.Sprint(total.Size)` as the offset).
fn finished_style(size: u64, elapsed: Duration) -> ProgressStyle {
    template(&format!(
        "{{mark:.green.bright}} {{wide_msg}} {}/{} 100.00% {:>6}\n  └─ {{prefix}}",
        go_g(humanize_bytes(size).0),
        format_bytes(size),
        format_duration(elapsed)
    ))
    .with_key("mark", |_: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = w.write_str("✓");
    })
}

/// A bar that never finished: its running line with a red `✗` (Go
/// `failureColor`) instead of the spinner.
fn failed_style() -> ProgressStyle {
    running_style()
        .template(&RUNNING_TEMPLATE.replace("{spinner:.yellow.bright}", "{mark:.red.bright}"))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("mark", |_: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str("✗");
        })
}

/// Done fraction: 1 for an empty blob (Go shows `100%` for 0 bytes).
fn percent(pos: u64, len: u64) -> f64 {
    if len == 0 {
        1.0
    } else {
        (pos.min(len) as f64) / (len as f64)
    }
}

fn filled_cells(s: &ProgressState) -> usize {
    let cells = percent(s.pos(), s.len().unwrap_or(0)) * BAR_LENGTH as f64;
    (cells as usize).min(BAR_LENGTH)
}

/// Bytes done in the unit of the total with two decimals, `-` before the
/// first byte (Go: offset -1 until the transfer reports progress).
fn running_offset(pos: u64, len: u64) -> String {
    if pos == 0 && len > 0 {
        return "-".to_owned();
    }
    format!("{:.2}", round_to(humanize_bytes(len).0 * percent(pos, len)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::event::titled;

    #[test]
    fn running_offsets_like_go() {
        // Go status_test.go: 123456789 of 1234567890 bytes is 0.12 of 1.15 GB.
        assert_eq!(running_offset(123_456_789, 1_234_567_890), "0.12");
        assert_eq!(running_offset(0, 10), "-");
        assert_eq!(running_offset(0, 0), "0.00");
        assert_eq!(format!("{:>7}", format_bytes(0)), "   0  B");
    }

    /// A terminal that keeps what is written (indicatif pads each line to
    /// the width instead of writing newlines).
    #[derive(Debug, Clone, Default)]
    struct Capture(std::sync::Arc<Mutex<String>>);

    impl indicatif::TermLike for Capture {
        fn width(&self) -> u16 {
            80
        }
        fn height(&self) -> u16 {
            24
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The two 80-column lines each bar of `desc` draws, as they are now.
    fn rendered(status: &TtyStatus, desc: &[&Descriptor]) -> Vec<String> {
        let bars = status.lock();
        let mut lines = Vec::new();
        for d in desc {
            let bar = &bars.bars[&TtyStatus::key(d)];
            let term = Capture::default();
            let copy = ProgressBar::with_draw_target(
                bar.length(),
                ProgressDrawTarget::term_like(Box::new(term.clone())),
            );
            copy.set_style(bar.style());
            copy.set_prefix(bar.prefix());
            copy.set_message(bar.message());
            copy.set_position(bar.position());
            copy.abandon();
            let text: Vec<char> = term.0.lock().unwrap().chars().collect();
            let frame = &text[text.len() - 160..];
            lines.push(frame[..80].iter().collect::<String>().trim_end().to_owned());
            lines.push(frame[80..].iter().collect::<String>().trim_end().to_owned());
        }
        lines
    }

    #[test]
    fn finished_and_running_lines_like_go() {
        let status = TtyStatus::new(Mode::Push, ProgressDrawTarget::hidden());
        let a = titled("hello.bin", &[0u8; 3]);
        let b = titled("b", b"bb");
        status.event(Event::Exists(&a)).unwrap();
        status.event(Event::Started(&b)).unwrap();
        status.event(Event::Progress(&b, 1)).unwrap();
        let lines = rendered(&status, &[&a, &b]);
        // Right-aligned to the width, as Go's status_test.go lines.
        assert_eq!(
            lines[0],
            format!(
                "✓ Exists    hello.bin{}3/3  B 100.00%     0s",
                " ".repeat(38)
            )
        );
        assert_eq!(lines[1], format!("  └─ {}", a.digest));
        assert!(
            lines[2].starts_with("⠋ [          ..........]("),
            "{:?}",
            lines[2]
        );
        assert!(lines[2].contains("/s) Uploading b "), "{:?}", lines[2]);
        assert!(lines[2].contains(" 1.00/2  B  50.00% "), "{:?}", lines[2]);
        assert_eq!(lines[2].chars().count(), 80, "{:?}", lines[2]);
        assert_eq!(lines[3], format!("  └─ {}", b.digest));
    }

    #[test]
    fn hostile_titles_cannot_drive_the_terminal() {
        let status = TtyStatus::new(Mode::Pull, ProgressDrawTarget::hidden());
        let a = titled("x\x1b[2J\r\u{9b}2Jy", b"a");
        status.event(Event::Done(&a)).unwrap();
        let lines = rendered(&status, &[&a]);
        assert!(
            lines[0].contains("Pulled      x\\x1b[2J\\r\\u{9b}2Jy "),
            "{lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.chars().any(char::is_control)),
            "{lines:?}"
        );
    }

    #[test]
    fn bars_follow_events_and_failures_are_marked() {
        let status = TtyStatus::new(Mode::Pull, ProgressDrawTarget::hidden());
        let a = titled("a", b"aaaa");
        let b = titled("b", b"b");
        status.event(Event::Started(&a)).unwrap();
        status.event(Event::Progress(&a, 2)).unwrap();
        status.event(Event::Done(&b)).unwrap();
        assert_eq!(status.bar_count(), 2);
        assert!(!status.all_finished());
        let lines = rendered(&status, &[&b]);
        // Go's TTY pull says `Pulled` where the text lines say `Downloaded`.
        assert!(lines[0].starts_with("✓ Pulled      b "), "{lines:?}");
        status.finish().unwrap();
        let lines = rendered(&status, &[&a]);
        assert!(lines[0].starts_with("✗ ["), "{lines:?}");
        status.event(Event::Done(&a)).unwrap();
        assert!(status.all_finished());
    }
}
