//! The live tree on the terminal: each result is printed as soon as it is
//! known, under the containers (suite, workflow, context) it belongs to;
//! a run of disabled checks in one workflow is folded into one line.

use std::io::Write;

use crate::outcome::{CheckResult, Status};
use crate::runner::Progress;

/// Prints results as a tree to a writer (stdout for the binary).
pub struct TreePrinter<W: Write> {
    out: W,
    color: bool,
    path: Vec<String>,
    disabled: Option<(String, usize)>,
}

impl<W: Write> std::fmt::Debug for TreePrinter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreePrinter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl<W: Write> TreePrinter<W> {
    /// A printer; `color` adds ANSI colours to the status words.
    pub fn new(out: W, color: bool) -> TreePrinter<W> {
        TreePrinter {
            out,
            color,
            path: Vec::new(),
            disabled: None,
        }
    }

    /// Prints any pending folded line.
    pub fn flush(&mut self) {
        if let Some((workflow, n)) = self.disabled.take() {
            let indent = "  ".repeat(self.path.len().min(2));
            let word = self.word(Status::Disabled);
            let _ = writeln!(self.out, "{indent}{word} {workflow}: {n} checks");
        }
        let _ = self.out.flush();
    }

    fn word(&self, status: Status) -> String {
        let text = format!("{:<8}", status.as_str().to_uppercase());
        if !self.color {
            return text;
        }
        let code = match status {
            Status::Pass => "32",
            Status::Fail | Status::Error => "31",
            Status::Skip => "33",
            Status::Disabled => "90",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    fn print_containers(&mut self, path: &[String]) {
        let common = self
            .path
            .iter()
            .zip(path)
            .take_while(|(a, b)| a == b)
            .count();
        for (depth, part) in path.iter().enumerate().skip(common) {
            let _ = writeln!(self.out, "{}{part}", "  ".repeat(depth));
        }
        self.path = path.to_vec();
    }
}

impl<W: Write> Progress for TreePrinter<W> {
    fn result(&mut self, r: &CheckResult) {
        if r.status == Status::Disabled {
            let workflow = r
                .meta
                .path
                .get(..2)
                .map(|p| p.join(" / "))
                .unwrap_or_default();
            match &mut self.disabled {
                Some((w, n)) if *w == workflow => *n += 1,
                _ => {
                    self.flush();
                    self.print_containers(&r.meta.path[..r.meta.path.len().min(1)]);
                    self.disabled = Some((workflow, 1));
                }
            }
            return;
        }
        self.flush();
        self.print_containers(&r.meta.path);
        let indent = "  ".repeat(r.meta.path.len());
        let word = self.word(r.status);
        let _ = writeln!(
            self.out,
            "{indent}{word} {} ({} ms)",
            r.meta.name, r.duration_ms
        );
        if let Some(message) = &r.message
            && r.status != Status::Pass
        {
            let _ = writeln!(self.out, "{indent}  - {message}");
        }
        for w in &r.warnings {
            let _ = writeln!(self.out, "{indent}  - warning: {w}");
        }
        let _ = self.out.flush();
    }
}
