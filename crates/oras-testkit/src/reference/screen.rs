//! A minimal terminal: replays what a program wrote to a pseudo-terminal
//! and keeps the final screen as text, so tests can check what a user
//! sees rather than the escape sequences that drew it (the differential
//! suite's `tty` scenarios and the CLI's own terminal tests).
//!
//! It knows printable characters (each one cell wide; the glyphs of the
//! progress display are), deferred line wrap at the right margin as
//! xterm does, `\r`, `\n`, backspace, and the CSI sequences progress
//! renderers use: cursor up/down/forward/back (`A` `B` `C` `D`), previous
//! and next line (`F` `E`), column (`G`), erase in line (`K`) and display
//! (`J`), DEC save/restore cursor (`ESC 7`/`ESC 8`); colours and mode
//! switches (`m`, `?25l`, …) are ignored. Lines scrolled off the top are
//! kept, so the whole session can be read.

/// The final screen of a terminal session.
#[derive(Debug)]
pub struct Screen {
    width: usize,
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
    wrap_pending: bool,
    saved: (usize, usize),
}

impl Screen {
    /// Replays `bytes` on a terminal `width` columns wide.
    pub fn replay(bytes: &[u8], width: usize) -> Screen {
        let mut screen = Screen {
            width,
            lines: vec![Vec::new()],
            row: 0,
            col: 0,
            wrap_pending: false,
            saved: (0, 0),
        };
        let text = String::from_utf8_lossy(bytes);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => match chars.next() {
                    Some('[') => {
                        let mut params = String::new();
                        let mut end = None;
                        for p in chars.by_ref() {
                            if ('\x40'..='\x7e').contains(&p) {
                                end = Some(p);
                                break;
                            }
                            params.push(p);
                        }
                        if let Some(end) = end {
                            screen.csi(&params, end);
                        }
                    }
                    Some('7') => screen.saved = (screen.row, screen.col),
                    Some('8') => {
                        (screen.row, screen.col) = screen.saved;
                        screen.wrap_pending = false;
                        screen.ensure_row();
                    }
                    _ => {}
                },
                '\r' => {
                    screen.col = 0;
                    screen.wrap_pending = false;
                }
                '\n' => {
                    screen.row += 1;
                    screen.wrap_pending = false;
                    screen.ensure_row();
                }
                '\x08' => {
                    screen.col = screen.col.saturating_sub(1);
                    screen.wrap_pending = false;
                }
                c if c.is_control() => {}
                c => screen.put(c),
            }
        }
        screen
    }

    fn ensure_row(&mut self) {
        while self.lines.len() <= self.row {
            self.lines.push(Vec::new());
        }
    }

    fn put(&mut self, c: char) {
        if self.wrap_pending {
            self.row += 1;
            self.col = 0;
            self.wrap_pending = false;
            self.ensure_row();
        }
        let line = &mut self.lines[self.row];
        while line.len() <= self.col {
            line.push(' ');
        }
        line[self.col] = c;
        if self.col + 1 >= self.width {
            self.wrap_pending = true;
        } else {
            self.col += 1;
        }
    }

    fn csi(&mut self, params: &str, end: char) {
        if params.starts_with('?') {
            return; // mode switches (cursor visibility, …)
        }
        let n = params
            .split(';')
            .next()
            .and_then(|p| p.parse::<usize>().ok());
        let count = n.unwrap_or(1).max(1);
        if end.is_ascii_uppercase() {
            // Cursor moves and erases end a pending wrap; colours (`m`) do not.
            self.wrap_pending = false;
        }
        match end {
            'A' => self.row = self.row.saturating_sub(count),
            'B' => self.row += count,
            'C' => self.col = (self.col + count).min(self.width - 1),
            'D' => self.col = self.col.saturating_sub(count),
            'E' => {
                self.row += count;
                self.col = 0;
            }
            'F' => {
                self.row = self.row.saturating_sub(count);
                self.col = 0;
            }
            'G' => self.col = (count - 1).min(self.width - 1),
            'K' => {
                let line = &mut self.lines[self.row];
                match n.unwrap_or(0) {
                    0 => line.truncate(self.col),
                    1 => line
                        .iter_mut()
                        .take(self.col + 1)
                        .for_each(|cell| *cell = ' '),
                    _ => line.clear(),
                }
            }
            'J' => match n.unwrap_or(0) {
                0 => {
                    self.lines[self.row].truncate(self.col);
                    self.lines.truncate(self.row + 1);
                }
                _ => self.lines.iter_mut().for_each(Vec::clear),
            },
            _ => {} // colours and anything else leave the text alone
        }
        self.ensure_row();
    }

    /// The screen's lines, trailing spaces removed, trailing empty lines
    /// dropped.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .lines
            .iter()
            .map(|l| l.iter().collect::<String>().trim_end().to_owned())
            .collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_replays_wraps_and_cursor_moves() {
        // Lines padded to the width wrap without a newline, as indicatif draws.
        let s = Screen::replay(b"abcd12\x1b[1A\rxy\x1b[1B\r\x1b[2Kzz", 4);
        assert_eq!(s.lines(), ["xycd", "zz"]);
        let s = Screen::replay("a\r\n✓ b\x1b[31mc\x1b[0m\x1b[1F\x1b[Kq".as_bytes(), 10);
        assert_eq!(s.lines(), ["q", "✓ bc"]);
        // A colour change at the right margin keeps the pending wrap.
        let s = Screen::replay(b"abcd\x1b[32mef", 4);
        assert_eq!(s.lines(), ["abcd", "ef"]);
        let s = Screen::replay(b"\x1b7one\n\x1b8\x1b[1Etwo", 10);
        assert_eq!(s.lines(), ["one", "two"]);
    }
}
