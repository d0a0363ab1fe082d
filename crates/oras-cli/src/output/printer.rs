//! The printer shared by a command's handlers: stdout for results and
//! status lines, stderr for warnings, both behind one lock so lines from
//! concurrent transfers never interleave (Go `output.Printer`).

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::output::escape::escape_controls_keep_layout;

type Sink = Arc<Mutex<Box<dyn Write + Send>>>;

/// Line-oriented, thread-safe writer to stdout and stderr.
#[derive(Clone)]
pub struct Printer {
    out: Sink,
    err: Sink,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Printer")
    }
}

/// An in-memory sink for tests: what a [`Printer`] wrote.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while printing leaves the buffer usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Printer {
    /// A printer on the process's stdout and stderr.
    pub fn stdio() -> Self {
        Printer::new(Box::new(io::stdout()), Box::new(io::stderr()))
    }

    /// A printer on the given writers.
    pub fn new(out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Self {
        Printer {
            out: Arc::new(Mutex::new(out)),
            err: Arc::new(Mutex::new(err)),
        }
    }

    /// A printer writing into memory, with the two captured streams.
    pub fn captured() -> (Self, Captured, Captured) {
        let out = Captured::default();
        let err = Captured::default();
        (
            Printer::new(Box::new(out.clone()), Box::new(err.clone())),
            out,
            err,
        )
    }

    /// Writes `line` and a newline to stdout, its control characters
    /// other than line feeds and tabs escaped (see [`escape`]): lines are
    /// human-readable text, often holding registry-supplied strings.
    ///
    /// [`escape`]: crate::output::escape
    pub fn println(&self, line: &str) -> io::Result<()> {
        let line = escape_controls_keep_layout(line);
        let mut out = lock(&self.out);
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Writes raw bytes to stdout (JSON, templates, content), unescaped.
    pub fn write_out(&self, bytes: &[u8]) -> io::Result<()> {
        let mut out = lock(&self.out);
        out.write_all(bytes)?;
        out.flush()
    }

    /// Writes `line` and a newline to stderr, escaped as by [`Printer::println`].
    pub fn eprintln(&self, line: &str) -> io::Result<()> {
        let line = escape_controls_keep_layout(line);
        let mut err = lock(&self.err);
        err.write_all(line.as_bytes())?;
        err.write_all(b"\n")?;
        err.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_both_streams() {
        let (p, out, err) = Printer::captured();
        p.println("a").unwrap();
        p.write_out(b"b").unwrap();
        p.eprintln("c").unwrap();
        assert_eq!(out.text(), "a\nb");
        assert_eq!(err.text(), "c\n");
    }

    #[test]
    fn lines_cannot_drive_the_terminal() {
        let (p, out, err) = Printer::captured();
        p.println("Pulled x\x1b[2J\ry").unwrap();
        p.eprintln("Error: a\u{9b}1m\nb").unwrap();
        p.write_out(b"\x1b raw").unwrap();
        assert_eq!(out.text(), "Pulled x\\x1b[2J\\ry\n\x1b raw");
        assert_eq!(err.text(), "Error: a\\u{9b}1m\nb\n");
    }
}
