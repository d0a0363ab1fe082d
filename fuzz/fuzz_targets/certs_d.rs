//! certs.d (containers-certs.d(5)): the input is a host (`host[:port]`),
//! a NUL byte, then file names, one a line, made in that host's
//! directory. Only hosts a reference accepts as its registry are used, as
//! the endpoints ask for them; `.` and `..` get nothing. Invariants: the directory found is the
//! host's, under a certs.d root; every CA is a `*.crt` file in it; a client
//! pair is a `<name>.cert` and `<name>.key` of it; a refusal names a file
//! of it; nothing panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use oras_containers_config::{Error, TlsFiles, tls_files};
use oras_fuzz::containers::Sandbox;
use oras_fuzz::split;
use oras_spec::Reference;

fuzz_target!(|data: &[u8]| {
    let (host, names) = split(data);
    let Ok(host) = std::str::from_utf8(host) else {
        return;
    };
    let is_registry =
        Reference::parse(&format!("{host}/app:v1")).is_ok_and(|r| r.registry() == host);
    if !is_registry {
        return;
    }
    let Some(sandbox) = Sandbox::new() else {
        return;
    };
    let roots = sandbox.env().certs_dirs();
    let Some(root) = roots.get(1) else {
        return;
    };
    // A registry may be named `.` or `..` (as in Go's reference parsing):
    // such a host is no directory of certs.d and gets no TLS files.
    if host == "." || host == ".." {
        assert!(matches!(tls_files(&roots, host), Ok(files) if files == TlsFiles::default()));
        return;
    }
    let dir = root.join(host);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    for name in String::from_utf8_lossy(names).lines().take(32) {
        let plain = !name.is_empty() && name != "." && name != ".." && !name.contains('/');
        if plain {
            let _ = std::fs::write(dir.join(name), b"x");
        }
    }
    let inside = |path: &Path| path.parent() == Some(dir.as_path()) && path.is_file();
    match tls_files(&roots, host) {
        Ok(files) => {
            assert_eq!(files.dir.as_deref(), Some(dir.as_path()));
            for ca in &files.ca_files {
                assert!(inside(ca), "{ca:?}");
                assert_eq!(
                    ca.extension().and_then(|e| e.to_str()),
                    Some("crt"),
                    "{ca:?}"
                );
            }
            if let Some((cert, key)) = &files.client {
                assert!(inside(cert) && inside(key), "{cert:?} {key:?}");
                assert_eq!(cert.with_extension("key"), *key);
                assert_eq!(cert.extension().and_then(|e| e.to_str()), Some("cert"));
            }
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let partner = match path.extension().and_then(|e| e.to_str()) {
                    Some("cert") => path.with_extension("key"),
                    Some("key") => path.with_extension("cert"),
                    _ => continue,
                };
                assert!(
                    partner.is_file(),
                    "{path:?} has no partner but was accepted"
                );
            }
        }
        Err(Error::Certificates { path, .. }) => assert!(inside(&path), "{path:?}"),
        Err(err) => panic!("{host:?}: {err}"),
    }
});
