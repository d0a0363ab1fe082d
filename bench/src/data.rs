//! The benchmark's input files: random bytes generated once and cached
//! under `target/bench/data`, with their SHA-256 digests.
//!
//! A data set is a directory `NAME/` with `files/` (what the tools push)
//! and `digests` (one `sha256:HEX SIZE PATH` line per file, written last).
//! It is built in a temporary sibling directory and renamed into place, so
//! a set that exists is complete; a set whose listing does not match the
//! files on disk is rebuilt.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest as _, Sha256};

/// Bytes written or hashed per call.
const BUFFER: usize = 1 << 20;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataFile {
    /// Path relative to the set's `files/` directory (`/`-separated).
    pub(crate) name: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// `sha256:HEX`.
    pub(crate) digest: String,
}

/// A generated set of files.
#[derive(Debug, Clone)]
pub(crate) struct DataSet {
    /// The set's directory.
    pub(crate) dir: PathBuf,
    /// The files, in name order.
    pub(crate) files: Vec<DataFile>,
}

impl DataSet {
    /// The `files/` directory (working directory of pushes).
    pub(crate) fn files_dir(&self) -> PathBuf {
        self.dir.join("files")
    }

    /// Absolute path of one file.
    pub(crate) fn path(&self, file: &DataFile) -> PathBuf {
        self.files_dir().join(&file.name)
    }

    /// The file called `name`.
    pub(crate) fn file(&self, name: &str) -> Result<&DataFile> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .with_context(|| format!("{name} is not in {}", self.dir.display()))
    }
}

/// A small, fast, deterministic generator (SplitMix64): the data only has
/// to be incompressible and the same on every machine.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fills `buf` with random bytes.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// `sha256:HEX` of `bytes`.
pub(crate) fn sha256_bytes(bytes: &[u8]) -> String {
    hex_digest(&Sha256::digest(bytes))
}

/// `sha256:HEX` of a file, read in 1 MiB blocks.
pub(crate) fn sha256_file(path: &Path) -> Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUFFER];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex_digest(&hasher.finalize()))
}

fn hex_digest(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Writes `size` random bytes from `rng` to `path`.
fn write_random(path: &Path, size: u64, rng: &mut SplitMix64) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(BUFFER, file);
    let mut buf = vec![0u8; BUFFER];
    let mut left = size;
    while left > 0 {
        let n = usize::try_from(left.min(BUFFER as u64)).unwrap_or(BUFFER);
        rng.fill(&mut buf[..n]);
        out.write_all(&buf[..n])
            .with_context(|| format!("writing {}", path.display()))?;
        left -= n as u64;
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The `digests` listing of `files`.
pub(crate) fn render_listing(files: &[DataFile]) -> String {
    files
        .iter()
        .map(|f| format!("{} {} {}\n", f.digest, f.size, f.name))
        .collect()
}

/// Parses a `digests` listing.
pub(crate) fn parse_listing(text: &str) -> Result<Vec<DataFile>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let (Some(digest), Some(size), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                bail!("malformed listing line {line:?}");
            };
            if !digest.starts_with("sha256:") || digest.len() != 71 {
                bail!("malformed digest in {line:?}");
            }
            Ok(DataFile {
                name: name.to_owned(),
                size: size
                    .parse()
                    .with_context(|| format!("malformed size in {line:?}"))?,
                digest: digest.to_owned(),
            })
        })
        .collect()
}

/// The set at `dir` if its listing matches the files on disk.
fn cached(dir: &Path) -> Option<DataSet> {
    let text = std::fs::read_to_string(dir.join("digests")).ok()?;
    let files = parse_listing(&text).ok()?;
    let all_there = files.iter().all(|f| {
        std::fs::metadata(dir.join("files").join(&f.name)).is_ok_and(|m| m.len() == f.size)
    });
    (all_there && !files.is_empty()).then(|| DataSet {
        dir: dir.to_path_buf(),
        files,
    })
}

/// Returns the set `root/name`, building it with `build` (which fills the
/// `files/` directory it is given) when it is missing or incomplete.
fn ensure_set(
    root: &Path,
    name: &str,
    build: impl FnOnce(&Path) -> Result<Vec<String>>,
) -> Result<DataSet> {
    let dir = root.join(name);
    if let Some(set) = cached(&dir) {
        return Ok(set);
    }
    eprintln!("bench: generating {}", dir.display());
    let staging = root.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let files_dir = staging.join("files");
    std::fs::create_dir_all(&files_dir)
        .with_context(|| format!("creating {}", files_dir.display()))?;
    let names = build(&files_dir)?;
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let path = files_dir.join(&name);
        let size = std::fs::metadata(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .len();
        files.push(DataFile {
            digest: sha256_file(&path)?,
            name,
            size,
        });
    }
    std::fs::write(staging.join("digests"), render_listing(&files))
        .context("writing the digest listing")?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::rename(&staging, &dir)
        .with_context(|| format!("renaming {} to {}", staging.display(), dir.display()))?;
    cached(&dir).with_context(|| format!("{} is incomplete after generation", dir.display()))
}

/// Stable seed for a set name, so every machine makes the same bytes.
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One file `file_name` of `size` random bytes.
pub(crate) fn single_file(root: &Path, file_name: &str, size: u64) -> Result<DataSet> {
    let set = format!("single-{size}");
    ensure_set(root, &set, |files| {
        write_random(
            &files.join(file_name),
            size,
            &mut SplitMix64::new(seed_of(&set)),
        )?;
        Ok(vec![file_name.to_owned()])
    })
}

/// `count` files `PREFIX0000.bin...` of `size` random bytes each.
pub(crate) fn many_files(root: &Path, prefix: &str, count: usize, size: u64) -> Result<DataSet> {
    let set = format!("{prefix}-{count}x{size}");
    ensure_set(root, &set, |files| {
        let mut rng = SplitMix64::new(seed_of(&set));
        (0..count)
            .map(|i| {
                let name = format!("{prefix}{i:04}.bin");
                write_random(&files.join(&name), size, &mut rng)?;
                Ok(name)
            })
            .collect()
    })
}

/// A directory `tree/` of `count` files (100 per sub-directory) of
/// `size` random bytes, plus `tree.tar` and `tree.tar.gz` of it made by
/// GNU tar and gzip with fixed owners and times (the seeded layer). The
/// tar has no record padding after its end (`--blocking-factor=1`), as
/// Go's archive/tar writes it: the Go `oras` checks the digest of what
/// its tar reader consumed, which stops at the end-of-archive blocks.
/// Listed files: `tree.tar`, `tree.tar.gz` (the tree itself is pushed as
/// a directory).
pub(crate) fn directory(root: &Path, count: usize, size: u64) -> Result<DataSet> {
    let set = format!("dir-{count}x{size}-b1");
    ensure_set(root, &set, |files| {
        let mut rng = SplitMix64::new(seed_of(&set));
        for i in 0..count {
            let path = files.join(format!("tree/d{:02}/f{i:04}.bin", i / 100));
            write_random(&path, size, &mut rng)?;
        }
        let packed = files.join("..");
        run(Command::new("tar")
            .args([
                "--sort=name",
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "--mtime=@0",
                "--blocking-factor=1",
                "-cf",
            ])
            .arg(packed.join("tree.tar"))
            .arg("-C")
            .arg(files)
            .arg("tree"))?;
        run(Command::new("gzip")
            .args(["-n", "-k", "-f"])
            .arg(packed.join("tree.tar")))?;
        for name in ["tree.tar", "tree.tar.gz"] {
            std::fs::rename(packed.join(name), files.join(name))
                .with_context(|| format!("moving {name}"))?;
        }
        Ok(vec!["tree.tar".to_owned(), "tree.tar.gz".to_owned()])
    })
}

fn run(command: &mut Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_fills_odd_lengths() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let mut x = [0u8; 13];
        let mut y = [0u8; 13];
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 13]);
        assert_ne!(SplitMix64::new(8).next_u64(), SplitMix64::new(7).next_u64());
    }

    #[test]
    fn digests_match_known_values() {
        assert_eq!(
            sha256_bytes(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn listings_round_trip_and_reject_garbage() {
        let files = vec![DataFile {
            name: "a b.bin".into(),
            size: 3,
            digest: sha256_bytes(b"abc"),
        }];
        assert_eq!(parse_listing(&render_listing(&files)).unwrap(), files);
        assert!(parse_listing("sha256:00 3 x\n").is_err());
        assert!(parse_listing("garbage\n").is_err());
    }

    #[test]
    fn sets_are_generated_once_and_then_reused() {
        let root = tempfile::tempdir().unwrap();
        let set = many_files(root.path(), "f", 3, 5000).unwrap();
        assert_eq!(set.files.len(), 3);
        assert_eq!(set.files[2].name, "f0002.bin");
        let path = set.path(&set.files[0]);
        assert_eq!(sha256_file(&path).unwrap(), set.files[0].digest);
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let again = many_files(root.path(), "f", 3, 5000).unwrap();
        assert_eq!(again.files, set.files);
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            modified
        );
        // A truncated file makes the set be rebuilt with the same bytes.
        std::fs::write(&path, b"short").unwrap();
        let rebuilt = many_files(root.path(), "f", 3, 5000).unwrap();
        assert_eq!(rebuilt.files, set.files);
    }

    #[test]
    fn a_directory_set_has_its_tree_and_both_archives() {
        let root = tempfile::tempdir().unwrap();
        let set = directory(root.path(), 150, 100).unwrap();
        let names: Vec<&str> = set.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["tree.tar", "tree.tar.gz"]);
        assert!(set.files_dir().join("tree/d01/f0149.bin").is_file());
        assert!(set.file("tree.tar.gz").unwrap().size > 0);
    }
}
