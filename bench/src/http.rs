//! A minimal HTTP/1.1 client over `std::net::TcpStream`, for seeding the
//! loopback registry and checking pushes. One request per connection
//! (`Connection: close`), bodies from memory or a file, responses read to
//! the end (capped) with socket timeouts, so nothing here waits forever.
//! It only talks to the plain-HTTP registry the harness started.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Response bytes kept at most (registry answers here are small).
const MAX_RESPONSE: u64 = 4 << 20;

/// Socket read/write timeout.
const IO_TIMEOUT: Duration = Duration::from_secs(120);

/// A request body.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    /// No body.
    Empty,
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// A file's contents, streamed.
    File(&'a Path),
}

/// A response: status, headers and (possibly truncated) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    /// The status code.
    pub(crate) status: u16,
    /// Headers, names lower-cased.
    pub(crate) headers: Vec<(String, String)>,
    /// The raw body bytes after the header block.
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (lower-case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request to `host` (`127.0.0.1:PORT`).
pub(crate) fn request(
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Body<'_>,
) -> Result<Response> {
    let length = match body {
        Body::Empty => 0,
        Body::Bytes(bytes) => bytes.len() as u64,
        Body::File(file) => std::fs::metadata(file)
            .with_context(|| format!("reading {}", file.display()))?
            .len(),
    };
    let mut stream = TcpStream::connect(host).with_context(|| format!("connecting to {host}"))?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" && method != "HEAD" {
        head.push_str(&format!("Content-Length: {length}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    match body {
        Body::Empty => {}
        Body::Bytes(bytes) => stream.write_all(bytes)?,
        Body::File(file) => {
            let mut f =
                std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
            std::io::copy(&mut f, &mut stream)
                .with_context(|| format!("sending {}", file.display()))?;
        }
    }
    stream.flush()?;
    let mut raw = Vec::new();
    stream
        .take(MAX_RESPONSE)
        .read_to_end(&mut raw)
        .with_context(|| format!("reading the answer to {method} {path}"))?;
    parse_response(&raw).with_context(|| format!("answer to {method} {path}"))
}

/// Parses a raw HTTP/1.1 response.
pub(crate) fn parse_response(raw: &[u8]) -> Result<Response> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of headers")?;
    let head = std::str::from_utf8(&raw[..end]).context("headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().context("empty response")?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    })
}

/// The path and query of a `Location` (absolute or relative).
pub(crate) fn location_path(location: &str) -> String {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = location.strip_prefix(scheme) {
            return match rest.find('/') {
                Some(i) => rest[i..].to_owned(),
                None => "/".to_owned(),
            };
        }
    }
    location.to_owned()
}

/// `location` with `digest=DIGEST` added to its query.
pub(crate) fn with_digest(location: &str, digest: &str) -> String {
    let separator = if location.contains('?') { '&' } else { '?' };
    format!("{location}{separator}digest={digest}")
}

/// Starts a blob upload in `repo`; returns the upload `Location` as the
/// registry sent it.
pub(crate) fn start_upload(host: &str, repo: &str) -> Result<String> {
    let response = request(
        host,
        "POST",
        &format!("/v2/{repo}/blobs/uploads/"),
        &[],
        Body::Empty,
    )?;
    if response.status != 202 {
        bail!(
            "POST /v2/{repo}/blobs/uploads/ answered {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
    }
    response
        .header("location")
        .map(str::to_owned)
        .context("upload answer without Location")
}

/// Uploads a blob (POST, then one PUT with the digest).
pub(crate) fn push_blob(host: &str, repo: &str, digest: &str, body: Body<'_>) -> Result<()> {
    let location = start_upload(host, repo)?;
    let path = with_digest(&location_path(&location), digest);
    let response = request(
        host,
        "PUT",
        &path,
        &[("Content-Type", "application/octet-stream")],
        body,
    )?;
    if response.status != 201 {
        bail!(
            "PUT of blob {digest} to {repo} answered {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
    }
    Ok(())
}

/// Puts a manifest under `reference` (a tag or digest).
pub(crate) fn push_manifest(
    host: &str,
    repo: &str,
    reference: &str,
    media_type: &str,
    manifest: &[u8],
) -> Result<()> {
    let response = request(
        host,
        "PUT",
        &format!("/v2/{repo}/manifests/{reference}"),
        &[("Content-Type", media_type)],
        Body::Bytes(manifest),
    )?;
    if response.status != 201 {
        bail!(
            "PUT of manifest {repo}:{reference} answered {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
    }
    Ok(())
}

/// True when `repo:reference` resolves (HEAD answers 200).
pub(crate) fn manifest_exists(host: &str, repo: &str, reference: &str) -> Result<bool> {
    let accept = "application/vnd.oci.image.manifest.v1+json, \
                  application/vnd.oci.image.index.v1+json, \
                  application/vnd.docker.distribution.manifest.v2+json";
    let response = request(
        host,
        "HEAD",
        &format!("/v2/{repo}/manifests/{reference}"),
        &[("Accept", accept)],
        Body::Empty,
    )?;
    Ok(response.status == 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_headers_and_body() {
        let raw = b"HTTP/1.1 202 Accepted\r\nLocation: /v2/a/blobs/uploads/x?_state=1\r\n\
                    Content-Length: 2\r\n\r\nok";
        let r = parse_response(raw).unwrap();
        assert_eq!(r.status, 202);
        assert_eq!(r.header("location"), Some("/v2/a/blobs/uploads/x?_state=1"));
        assert_eq!(r.header("content-length"), Some("2"));
        assert_eq!(r.body, b"ok");
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n").is_err());
        assert!(parse_response(b"garbage\r\n\r\n").is_err());
    }

    #[test]
    fn locations_become_paths_and_take_the_digest() {
        assert_eq!(
            location_path("http://127.0.0.1:5000/v2/a/blobs/uploads/u?_state=s"),
            "/v2/a/blobs/uploads/u?_state=s"
        );
        assert_eq!(
            location_path("/v2/a/blobs/uploads/u"),
            "/v2/a/blobs/uploads/u"
        );
        assert_eq!(location_path("http://h"), "/");
        assert_eq!(
            with_digest("/u?_state=s", "sha256:0"),
            "/u?_state=s&digest=sha256:0"
        );
        assert_eq!(with_digest("/u", "sha256:0"), "/u?digest=sha256:0");
    }

    #[test]
    fn talks_to_a_loopback_server() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            socket
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !seen.ends_with(b"hello") {
                let n = socket.read(&mut buf).unwrap();
                assert!(n > 0, "client closed early");
                seen.extend_from_slice(&buf[..n]);
            }
            socket
                .write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
            String::from_utf8(seen).unwrap()
        });
        let r = request(&host, "PUT", "/x", &[("X-A", "1")], Body::Bytes(b"hello")).unwrap();
        assert_eq!(r.status, 201);
        let seen = server.join().unwrap();
        assert!(seen.starts_with("PUT /x HTTP/1.1\r\n"), "{seen}");
        assert!(seen.contains("Content-Length: 5\r\n"), "{seen}");
        assert!(seen.contains("X-A: 1\r\n"), "{seen}");
    }
}
