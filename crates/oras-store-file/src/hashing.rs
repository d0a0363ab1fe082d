//! Blocking readers and writers that hash the bytes passing through, so a
//! stream is hashed once while it is written or read (the tar of a
//! directory and its gzip are each hashed on the way to the temp file).

use std::io::{self, Read, Write};

use oras_spec::{Digest, Digester};

/// A writer that feeds every byte it accepts to a digester.
pub(crate) struct HashingWriter<W> {
    inner: W,
    digester: Digester,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Hashes with SHA-256 what goes into `inner`.
    pub(crate) fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            digester: Digester::new(oras_spec::Algorithm::Sha256),
            written: 0,
        }
    }

    /// The inner writer, the digest and the count of bytes written.
    pub(crate) fn finish(self) -> (W, Digest, u64) {
        (self.inner, self.digester.finish(), self.written)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        // Only what the inner writer took counts.
        self.digester.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that feeds every byte it yields to a digester.
pub(crate) struct HashingReader<R> {
    inner: R,
    digester: Digester,
}

impl<R: Read> HashingReader<R> {
    /// Hashes what is read from `inner` with `algorithm`.
    pub(crate) fn new(inner: R, algorithm: oras_spec::Algorithm) -> Self {
        HashingReader {
            inner,
            digester: Digester::new(algorithm),
        }
    }

    /// Reads the rest of the stream and returns its digest.
    pub(crate) fn drain(mut self) -> io::Result<Digest> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.digester.finish())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digester.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_what_passes() {
        let mut writer = HashingWriter::new(Vec::new());
        writer.write_all(b"hello").unwrap();
        let (out, digest, n) = writer.finish();
        assert_eq!(out, b"hello");
        assert_eq!(n, 5);
        assert_eq!(digest, Digest::sha256(b"hello"));

        let mut reader = HashingReader::new(&b"hello"[..], oras_spec::Algorithm::Sha256);
        let mut first = [0u8; 2];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(reader.drain().unwrap(), Digest::sha256(b"hello"));
    }
}
