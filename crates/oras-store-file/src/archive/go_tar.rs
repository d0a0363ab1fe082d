//! Tar headers encoded as Go's `archive/tar` `Writer` encodes the headers
//! oras-go `tarDirectory` gives it, so that a directory packed here is the
//! same tar, byte for byte, as the Go `oras` CLI makes.
//!
//! The rules followed (Go `archive/tar`, `writer.go`, `common.go`,
//! `format.go`, `strconv.go`):
//! - the `Format` is left unspecified, so `WriteHeader` rounds the
//!   modification time to the second (half a second rounds up) and drops
//!   the access and change times;
//! - USTAR is written whenever every field fits: magic `ustar\0`, version
//!   `00`, octal numbers zero-padded to the field's width less one and
//!   NUL-terminated, a name longer than 100 bytes split at a `/` into the
//!   155-byte prefix and the 100-byte name when it is ASCII;
//! - otherwise PAX: an `x` entry named `<dir>/PaxHeaders.0/<file>` holding
//!   the records (sorted by key) of the fields that do not fit, then a
//!   USTAR-magic header whose strings are stripped of non-ASCII bytes and
//!   whose numbers that do not fit are written as zero;
//! - the checksum is six octal digits, a NUL and a space;
//! - the archive ends with two zero blocks and nothing more.
//!
//! GNU headers are never chosen for these entries: Go picks GNU only when
//! the mode or a device number does not fit in octal, which no `stat`
//! mode or Linux device number reaches; such an entry is refused.

use std::io::{self, Write};

/// Size of a tar block.
pub(crate) const BLOCK: usize = 512;

/// Go `maxSpecialFileSize`: the largest PAX record data Go writes.
const MAX_PAX_DATA: usize = 1 << 20;

/// One entry's header fields, as oras-go sets them on the `tar.Header`
/// from `tar.FileInfoHeader` (uid and gid 0, no user or group names).
#[derive(Debug, Clone)]
pub(crate) struct EntryHeader<'a> {
    /// Full name (`<title>/<relpath>`), raw bytes.
    pub(crate) name: &'a [u8],
    /// Link target of a symbolic link, empty otherwise.
    pub(crate) link: &'a [u8],
    /// Type flag (`0`, `2`, `3`, `4`, `5`, `6`).
    pub(crate) typeflag: u8,
    /// Permission bits with set-uid, set-gid and sticky.
    pub(crate) mode: i64,
    /// Size of the data that follows (regular files only).
    pub(crate) size: u64,
    /// Modification time in seconds and nanoseconds since the epoch (the
    /// nanoseconds in `0..1e9`), or `None` for Go's zero `time.Time`
    /// (`TarReproducible`).
    pub(crate) mtime: Option<(i64, u32)>,
    /// Device major number (character and block devices).
    pub(crate) devmajor: i64,
    /// Device minor number (character and block devices).
    pub(crate) devminor: i64,
}

/// Writes a tar stream the way Go's `tar.Writer` does.
pub(crate) struct GoTarWriter<W> {
    inner: W,
}

impl<W: Write> GoTarWriter<W> {
    /// A writer onto `inner`.
    pub(crate) fn new(inner: W) -> Self {
        GoTarWriter { inner }
    }

    /// Writes the header block(s) of `entry`: a PAX entry first when Go
    /// would write one. The caller then writes exactly `entry.size` bytes
    /// with [`Self::write_data`] and pads with [`Self::pad`].
    pub(crate) fn write_header(&mut self, entry: &EntryHeader<'_>) -> io::Result<()> {
        let blocks = encode_header(entry)?;
        self.inner.write_all(&blocks)
    }

    /// Writes file data.
    pub(crate) fn write_data(&mut self, data: &[u8]) -> io::Result<()> {
        self.inner.write_all(data)
    }

    /// Pads `size` bytes of data to a whole block (Go `blockPadding`).
    pub(crate) fn pad(&mut self, size: u64) -> io::Result<()> {
        let rem = (size % BLOCK as u64) as usize;
        if rem == 0 {
            return Ok(());
        }
        self.inner.write_all(&[0u8; BLOCK][..BLOCK - rem])
    }

    /// Ends the archive with two zero blocks (Go `Writer.Close`) and gives
    /// the inner writer back.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(&[0u8; 2 * BLOCK])?;
        Ok(self.inner)
    }
}

/// The header block(s) Go writes for `entry`.
pub(crate) fn encode_header(entry: &EntryHeader<'_>) -> io::Result<Vec<u8>> {
    // Go `Writer.WriteHeader` with `FormatUnknown`: `ModTime.Round(time.Second)`.
    let mtime = entry
        .mtime
        .map(|(secs, nanos)| secs.saturating_add(i64::from(u64::from(nanos) * 2 >= 1_000_000_000)));

    // Go `Header.allowedFormats`, for the fields oras-go sets.
    let mut pax: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut ustar = true;
    let name_fits = entry.name.len() <= 100 && is_ascii(entry.name);
    let split = if name_fits {
        None
    } else {
        split_ustar_path(entry.name)
    };
    if !name_fits {
        if split.is_none() {
            ustar = false;
        }
        pax.push(("path", entry.name.to_vec()));
    }
    if entry.link.len() > 100 || !is_ascii(entry.link) {
        ustar = false;
        pax.push(("linkpath", entry.link.to_vec()));
    }
    for (what, value) in [
        ("mode", entry.mode),
        ("device major number", entry.devmajor),
        ("device minor number", entry.devminor),
    ] {
        if !fits_in_octal(8, value) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{what} {value} does not fit in a USTAR or PAX header"),
            ));
        }
    }
    let size = i64::try_from(entry.size)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file too large for a tar"))?;
    if !fits_in_octal(12, size) {
        ustar = false;
        pax.push(("size", size.to_string().into_bytes()));
    }
    if let Some(secs) = mtime
        && !fits_in_octal(12, secs)
    {
        // Rounded, so `formatPAXTime` writes whole seconds.
        ustar = false;
        pax.push(("mtime", secs.to_string().into_bytes()));
    }
    if pax.iter().any(|(_, v)| v.contains(&0)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a name with a NUL byte cannot be archived",
        ));
    }

    let mut out = Vec::with_capacity(3 * BLOCK);
    if ustar {
        // Go `Writer.writeUSTARHeader`.
        let (prefix, name) = split.unwrap_or((&[][..], entry.name));
        let mut block = template(entry, name, entry.link, mtime, size);
        format_string(&mut block[345..500], prefix);
        finish_block(&mut block);
        out.extend_from_slice(&block);
        return Ok(out);
    }

    // Go `Writer.writePAXHeader`: records sorted by key.
    pax.sort_by(|a, b| a.0.cmp(b.0));
    let mut data = Vec::new();
    for (key, value) in &pax {
        data.extend_from_slice(&pax_record(key, value));
    }
    if data.len() > MAX_PAX_DATA {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "PAX records too long for a tar header",
        ));
    }
    // Go `writeRawFile`: the name `path.Join(dir, "PaxHeaders.0", file)`,
    // made ASCII, cut to 100 bytes, trailing slashes trimmed; numbers zero.
    let (dir, file) = split_last_slash(entry.name);
    let joined = [dir, b"PaxHeaders.0", file]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(&b'/');
    let mut pax_name = to_ascii(&clean(&joined));
    pax_name.truncate(100);
    while pax_name.last() == Some(&b'/') {
        pax_name.pop();
    }
    let mut block = [0u8; BLOCK];
    block[156] = b'x';
    format_string(&mut block[0..100], &pax_name);
    format_octal(&mut block[100..108], 0);
    format_octal(&mut block[108..116], 0);
    format_octal(&mut block[116..124], 0);
    format_octal(&mut block[124..136], data.len() as i64);
    format_octal(&mut block[136..148], 0);
    finish_block(&mut block);
    out.extend_from_slice(&block);
    out.extend_from_slice(&data);
    let rem = data.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }

    let name = to_ascii(entry.name);
    let link = to_ascii(entry.link);
    let mut block = template(entry, &name, &link, mtime, size);
    finish_block(&mut block);
    out.extend_from_slice(&block);
    Ok(out)
}

/// Go `Writer.templateV7Plus` with `formatString` and `formatOctal`: the
/// fields every header has (uid, gid 0; no user or group names).
fn template(
    entry: &EntryHeader<'_>,
    name: &[u8],
    link: &[u8],
    mtime: Option<i64>,
    size: i64,
) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    block[156] = entry.typeflag;
    format_string(&mut block[0..100], name);
    format_string(&mut block[157..257], link);
    format_octal(&mut block[100..108], entry.mode);
    format_octal(&mut block[108..116], 0);
    format_octal(&mut block[116..124], 0);
    format_octal(&mut block[124..136], size);
    // Go writes the zero time as the epoch.
    format_octal(&mut block[136..148], mtime.unwrap_or(0));
    format_octal(&mut block[329..337], entry.devmajor);
    format_octal(&mut block[337..345], entry.devminor);
    block
}

/// Go `block.setFormat(FormatUSTAR | FormatPAX)`: the USTAR magic and
/// version, then the checksum (six octal digits, NUL, space).
fn finish_block(block: &mut [u8; BLOCK]) {
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    let sum: i64 = block
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if (148..156).contains(&i) {
                i64::from(b' ')
            } else {
                i64::from(c)
            }
        })
        .sum();
    format_octal(&mut block[148..155], sum);
    block[155] = b' ';
}

/// Go `formatter.formatString`: the bytes, NUL-terminated when shorter
/// than the field; cut at the field's end, where a cut ending in `/` has
/// its trailing slashes replaced by a NUL.
fn format_string(field: &mut [u8], s: &[u8]) {
    let n = s.len().min(field.len());
    field[..n].copy_from_slice(&s[..n]);
    if s.len() < field.len() {
        field[s.len()] = 0;
    }
    let last = field.len() - 1;
    if s.len() > field.len() && field[last] == b'/' {
        let mut end = last;
        while end > 0 && s[end - 1] == b'/' {
            end -= 1;
        }
        field[end] = 0;
    }
}

/// Go `formatter.formatOctal`: octal digits zero-padded to the field's
/// width less one; zero when the value does not fit.
fn format_octal(field: &mut [u8], value: i64) {
    let value = if fits_in_octal(field.len(), value) {
        value
    } else {
        0
    };
    let digits = format!("{value:o}");
    let pad = field.len().saturating_sub(digits.len() + 1);
    let mut s = vec![b'0'; pad];
    s.extend_from_slice(digits.as_bytes());
    format_string(field, &s);
}

/// Go `fitsInOctal`.
fn fits_in_octal(width: usize, value: i64) -> bool {
    let bits = (width - 1) * 3;
    value >= 0 && (width >= 22 || value < 1i64 << bits)
}

/// Go `isASCII`: no byte at or above 0x80 and no NUL.
fn is_ascii(s: &[u8]) -> bool {
    s.iter().all(|&c| c != 0 && c < 0x80)
}

/// Go `toASCII`: every rune at or above 0x80 (each byte of a multi-byte or
/// invalid sequence) and every NUL dropped.
fn to_ascii(s: &[u8]) -> Vec<u8> {
    s.iter().copied().filter(|&c| c != 0 && c < 0x80).collect()
}

/// Go `splitUSTARPath`: an ASCII name longer than 100 bytes split at a
/// `/` into a prefix of at most 155 bytes and a name of at most 100.
fn split_ustar_path(name: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut length = name.len();
    if length <= 100 || !is_ascii(name) {
        return None;
    }
    if length > 156 {
        length = 156;
    } else if name[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].iter().rposition(|&c| c == b'/')?;
    let suffix_len = name.len() - i - 1;
    if i == 0 || suffix_len > 100 || suffix_len == 0 || i > 155 {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go `formatPAXRecord`: `"<size> <key>=<value>\n"`, the size counting
/// itself.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let base = key.len() + value.len() + 3;
    let mut size = base + base.to_string().len();
    if base + size.to_string().len() != size {
        size = base + size.to_string().len();
    }
    let mut record = format!("{size} {key}=").into_bytes();
    record.extend_from_slice(value);
    record.push(b'\n');
    record
}

/// Go `path.Split`: everything up to and including the last `/`, and the
/// rest.
fn split_last_slash(name: &[u8]) -> (&[u8], &[u8]) {
    match name.iter().rposition(|&c| c == b'/') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => (&[], name),
    }
}

/// Go `path.Clean` on bytes: `.` elements dropped, `..` folded, repeated
/// slashes merged; empty is `.`.
fn clean(path: &[u8]) -> Vec<u8> {
    let rooted = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&c| c == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(last) if *last != b".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(part),
            },
            _ => parts.push(part),
        }
    }
    let mut out = Vec::new();
    if rooted {
        out.push(b'/');
    }
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &[u8]) -> EntryHeader<'_> {
        EntryHeader {
            name,
            link: b"",
            typeflag: b'0',
            mode: 0o644,
            size: 5,
            mtime: Some((1_700_000_000, 0)),
            devmajor: 0,
            devminor: 0,
        }
    }

    #[test]
    fn ustar_header_fields() {
        let block = encode_header(&file(b"t/a.txt")).unwrap();
        assert_eq!(block.len(), BLOCK);
        assert_eq!(&block[0..8], b"t/a.txt\0");
        assert_eq!(&block[100..108], b"0000644\0");
        assert_eq!(&block[108..116], b"0000000\0");
        assert_eq!(&block[124..136], b"00000000005\0");
        assert_eq!(&block[136..148], b"14524770400\0");
        assert_eq!(&block[155..157], b" 0");
        assert_eq!(&block[257..265], b"ustar\x0000");
        assert_eq!(&block[329..345], b"0000000\x000000000\0");
        assert_eq!(block[154], 0);
        let sum: u32 = block
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(c)
                }
            })
            .sum();
        let field = std::str::from_utf8(&block[148..154]).unwrap();
        assert_eq!(u32::from_str_radix(field, 8).unwrap(), sum);
    }

    #[test]
    fn rounding_and_zero_time() {
        let mut entry = file(b"a");
        entry.mtime = Some((10, 500_000_000));
        assert_eq!(&encode_header(&entry).unwrap()[136..148], b"00000000013\0");
        entry.mtime = Some((10, 499_999_999));
        assert_eq!(&encode_header(&entry).unwrap()[136..148], b"00000000012\0");
        entry.mtime = None;
        assert_eq!(&encode_header(&entry).unwrap()[136..148], b"00000000000\0");
        entry.mtime = Some((-2, 0));
        let blocks = encode_header(&entry).unwrap();
        assert_eq!(blocks.len(), 3 * BLOCK);
        assert_eq!(&blocks[0..16], b"PaxHeaders.0/a\0\0");
        assert_eq!(&blocks[BLOCK..BLOCK + 12], b"12 mtime=-2\n");
        assert_eq!(&blocks[2 * BLOCK + 136..2 * BLOCK + 148], b"00000000000\0");
    }

    #[test]
    fn long_and_non_ascii_names() {
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        let block = encode_header(&file(long.as_bytes())).unwrap();
        assert_eq!(block.len(), BLOCK, "split into prefix and name");
        assert_eq!(&block[0..91], format!("{}\0", "f".repeat(90)).as_bytes());
        assert_eq!(
            &block[345..466],
            format!("{}\0", "d".repeat(120)).as_bytes()
        );

        let name = "t/é.txt".as_bytes();
        let blocks = encode_header(&file(name)).unwrap();
        assert_eq!(blocks.len(), 3 * BLOCK);
        assert_eq!(&blocks[0..19], b"t/PaxHeaders.0/.txt");
        assert_eq!(&blocks[BLOCK..BLOCK + 17], "17 path=t/é.txt\n".as_bytes());
        assert_eq!(&blocks[2 * BLOCK..2 * BLOCK + 7], b"t/.txt\0");
    }

    #[test]
    fn sizes_past_eleven_octal_digits_go_in_pax() {
        let mut entry = file(b"big");
        entry.size = 1 << 33;
        let blocks = encode_header(&entry).unwrap();
        assert_eq!(blocks.len(), 3 * BLOCK);
        assert_eq!(&blocks[BLOCK..BLOCK + 19], b"19 size=8589934592\n");
        assert_eq!(&blocks[2 * BLOCK + 124..2 * BLOCK + 136], b"00000000000\0");
        entry.size = (1 << 33) - 1;
        assert_eq!(encode_header(&entry).unwrap().len(), BLOCK);
    }

    #[test]
    fn device_numbers_and_link_names() {
        let mut entry = file(b"t/null");
        entry.typeflag = b'3';
        entry.size = 0;
        (entry.devmajor, entry.devminor) = (1, 3);
        let block = encode_header(&entry).unwrap();
        assert_eq!(&block[329..345], b"0000001\x000000003\0");
        let mut link = file(b"t/l");
        link.typeflag = b'2';
        link.size = 0;
        link.link = b"target";
        let block = encode_header(&link).unwrap();
        assert_eq!(&block[157..164], b"target\0");
    }

    #[test]
    fn pax_record_sizes() {
        assert_eq!(pax_record("path", b"abc"), b"12 path=abc\n");
        let value = vec![b'x'; 92];
        let record = pax_record("path", &value);
        assert_eq!(record.len(), 102);
        assert!(record.starts_with(b"102 "));
    }

    #[test]
    fn go_path_clean() {
        assert_eq!(clean(b"a//b/./../c/"), b"a/c");
        assert_eq!(clean(b"../../x"), b"../../x");
        assert_eq!(clean(b"/../x"), b"/x");
        assert_eq!(clean(b".."), b"..");
        assert_eq!(clean(b"PaxHeaders.0/.."), b".");
    }
}
