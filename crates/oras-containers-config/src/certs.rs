//! certs.d (containers-certs.d(5)): per `host[:port]` directories whose
//! `*.crt` files are extra CAs and whose `*.cert` + `*.key` pairs are
//! client certificates, for that host only. The first root holding a
//! directory for the host is used (containers/image `dockerCertDir`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The TLS files for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// The directory they came from, when one exists.
    pub dir: Option<PathBuf>,
    /// CA certificates (`*.crt`), trusted besides the system roots.
    pub ca_files: Vec<PathBuf>,
    /// The client certificate and its key (`<name>.cert`, `<name>.key`);
    /// the first by name when there are several.
    pub client: Option<(PathBuf, PathBuf)>,
}

/// The TLS files of `host` (`host[:port]`) under the first of `roots`
/// that has a directory for it. A `host` that is not one plain file name
/// (empty, `.`, `..`, or holding `/` or NUL: no registry host is) has
/// none: nothing outside the certs.d roots is ever read.
pub fn tls_files(roots: &[PathBuf], host: &str) -> Result<TlsFiles> {
    let plain_name =
        !host.is_empty() && host != "." && host != ".." && !host.contains(['/', '\\', '\0']);
    if !plain_name {
        return Ok(TlsFiles::default());
    }
    for root in roots {
        let dir = root.join(host);
        if dir.is_dir() {
            return read_dir(&dir);
        }
    }
    Ok(TlsFiles::default())
}

fn read_dir(dir: &Path) -> Result<TlsFiles> {
    let read_error = |source| Error::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        names.push(entry.map_err(read_error)?.path());
    }
    names.sort();
    let mut files = TlsFiles {
        dir: Some(dir.to_path_buf()),
        ..TlsFiles::default()
    };
    for path in &names {
        match path.extension().and_then(|e| e.to_str()) {
            Some("crt") => files.ca_files.push(path.clone()),
            Some("cert") => {
                let key = path.with_extension("key");
                if !key.is_file() {
                    return Err(Error::Certificates {
                        path: path.clone(),
                        message: format!("missing key {} for client certificate", key.display()),
                    });
                }
                if files.client.is_none() {
                    files.client = Some((path.clone(), key));
                }
            }
            Some("key") => {
                let cert = path.with_extension("cert");
                if !cert.is_file() {
                    return Err(Error::Certificates {
                        path: path.clone(),
                        message: format!("missing client certificate {} for key", cert.display()),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_that_is_not_a_plain_name_reads_nothing_outside_the_roots() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("certs.d");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        // Directories a traversing host would reach, each with a CA.
        for dir in [base.path().to_path_buf(), root.clone(), root.join("sub")] {
            std::fs::write(dir.join("ca.crt"), "x").unwrap();
        }
        let roots = vec![root];
        for host in [
            "..",
            ".",
            "",
            "../certs.d",
            "sub/..",
            "/etc",
            "a\\b",
            "a\0b",
        ] {
            assert_eq!(
                tls_files(&roots, host).unwrap(),
                TlsFiles::default(),
                "{host:?}"
            );
        }
    }

    #[test]
    fn cas_and_client_pairs_for_the_host_only() {
        let root = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let host = root.path().join("reg.example:5000");
        std::fs::create_dir(&host).unwrap();
        for name in ["ca.crt", "client.cert", "client.key", "notes.txt"] {
            std::fs::write(host.join(name), "x").unwrap();
        }
        let roots = vec![other.path().to_path_buf(), root.path().to_path_buf()];
        let files = tls_files(&roots, "reg.example:5000").unwrap();
        assert_eq!(files.ca_files, vec![host.join("ca.crt")]);
        assert_eq!(
            files.client,
            Some((host.join("client.cert"), host.join("client.key")))
        );
        assert_eq!(
            tls_files(&roots, "reg.example").unwrap(),
            TlsFiles::default()
        );
        std::fs::remove_file(host.join("client.key")).unwrap();
        let err = tls_files(&roots, "reg.example:5000").unwrap_err();
        assert!(err.to_string().contains("missing key"), "{err}");
        std::fs::remove_file(host.join("client.cert")).unwrap();
        std::fs::write(host.join("lone.key"), "x").unwrap();
        let err = tls_files(&roots, "reg.example:5000").unwrap_err();
        assert!(
            err.to_string().contains("missing client certificate"),
            "{err}"
        );
    }
}
