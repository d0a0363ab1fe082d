//! The servers of the redirect workload, as most cloud registries work: a
//! registry whose blob GETs answer `307 Temporary Redirect` to another
//! HTTP server (a CDN) that serves the bytes.
//!
//! - The **front** is a small read-only registry for one seeded artifact:
//!   `GET /v2/`, the manifest by tag or digest (`GET`/`HEAD`), `HEAD` of
//!   every blob (size and digest), and `GET` of every blob answered with a
//!   307 to the CDN. Distribution's own `redirect` storage middleware
//!   needs one fixed base URL in its configuration, and each network
//!   profile reaches the CDN at another proxy address; a front per profile
//!   does not.
//! - The **CDN** serves every blob of the artifact's OCI layout at
//!   `/blobs/<digest>` with `Accept-Ranges: bytes` and single byte ranges
//!   (206), as a CDN does.
//!
//! Both are plain HTTP/1.1 with keep-alive on 127.0.0.1, a thread per
//! connection; bodies go from the file to the socket by the kernel where
//! std can (`io::copy`), so the harness adds little CPU to the
//! measurement. Dropping a [`Server`] stops accepting.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use super::seed::{MANIFEST_TYPE, TAG, blob_path};

/// How long a connection may sit idle before its thread gives up.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Request heads above this are refused.
const MAX_HEAD: usize = 64 * 1024;

/// What a server answers.
#[derive(Debug, Clone)]
enum Role {
    /// The registry: the manifest, blob sizes, and redirects to `cdn`.
    Front {
        /// The artifact's OCI layout.
        layout: PathBuf,
        /// `HOST:PORT` of the CDN as clients reach it.
        cdn: String,
        /// The manifest's digest.
        manifest: String,
    },
    /// The CDN: the layout's blobs at `/blobs/<digest>`.
    Cdn {
        /// The artifact's OCI layout.
        layout: PathBuf,
    },
}

/// A running server; dropping it stops accepting connections.
#[derive(Debug)]
pub(crate) struct Server {
    addr: String,
    stopped: Arc<AtomicBool>,
}

impl Server {
    /// The CDN of the blobs in the OCI layout at `layout`.
    pub(crate) fn cdn(layout: &Path) -> Result<Server> {
        Server::start(Role::Cdn {
            layout: layout.to_path_buf(),
        })
    }

    /// The registry front of the artifact in `layout` (tagged [`TAG`]),
    /// redirecting blob GETs to the CDN at `cdn` (`HOST:PORT`).
    pub(crate) fn front(layout: &Path, cdn: &str) -> Result<Server> {
        let manifest = tagged_manifest(layout)?;
        Server::start(Role::Front {
            layout: layout.to_path_buf(),
            cdn: cdn.to_owned(),
            manifest,
        })
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn host(&self) -> &str {
        &self.addr
    }

    fn start(role: Role) -> Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
        let addr = listener.local_addr()?.to_string();
        let stopped = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopped);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let role = role.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &role);
                });
            }
        });
        Ok(Server { addr, stopped })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(&self.addr);
    }
}

/// The digest of the manifest tagged [`TAG`] in the layout's index.
fn tagged_manifest(layout: &Path) -> Result<String> {
    let index_path = layout.join("index.json");
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&index_path).with_context(|| format!("reading {}", index_path.display()))?,
    )?;
    index["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == TAG)
        .and_then(|m| m["digest"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("no manifest tagged {TAG} in {}", index_path.display()))
}

/// One parsed request head.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    method: String,
    path: String,
    range: Option<String>,
    body_len: u64,
    close: bool,
}

/// Serves requests on `stream` until the client closes or asks to.
fn serve(stream: TcpStream, role: &Role) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader)? {
        // GET and HEAD carry no body; skip one if a client sent it.
        std::io::copy(
            &mut (&mut reader).take(request.body_len),
            &mut std::io::sink(),
        )?;
        answer(&mut writer, role, &request)?;
        if request.close {
            break;
        }
    }
    Ok(())
}

/// Reads a request head; `None` at a clean end of the connection.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    let mut head_len = 0;
    let mut next_line = |line: &mut String| -> std::io::Result<usize> {
        line.clear();
        let read = reader.read_line(line)?;
        head_len += read;
        if head_len > MAX_HEAD {
            return Err(std::io::Error::other("request head too long"));
        }
        Ok(read)
    };
    if next_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut words = line.split_whitespace();
    let (method, path, version) = (
        words.next().unwrap_or("").to_owned(),
        words.next().unwrap_or("").to_owned(),
        words.next().unwrap_or("").to_owned(),
    );
    let mut request = Request {
        method,
        path,
        range: None,
        body_len: 0,
        close: version != "HTTP/1.1",
    };
    loop {
        if next_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            return Ok(Some(request));
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "range" => request.range = Some(value.to_owned()),
            "content-length" => request.body_len = value.parse().unwrap_or(0),
            "connection" => request.close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
}

/// A `sha256:<64 hex>` digest, the only kind the layout holds (and no
/// path can hide in it).
fn valid_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Writes the answer to `request`.
fn answer(out: &mut TcpStream, role: &Role, request: &Request) -> std::io::Result<()> {
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        return respond(out, 405, &[], b"", head_only);
    }
    let path = request.path.split('?').next().unwrap_or("");
    match role {
        Role::Cdn { layout } => match path.strip_prefix("/blobs/") {
            Some(digest) if valid_digest(digest) => {
                send_file(out, &blob_path(layout, digest), request, head_only)
            }
            _ => respond(out, 404, &[], b"", head_only),
        },
        Role::Front {
            layout,
            cdn,
            manifest,
        } => {
            if path == "/v2/" || path == "/v2" {
                return respond(
                    out,
                    200,
                    &[("Content-Type", "application/json")],
                    b"{}",
                    head_only,
                );
            }
            if let Some((_, reference)) = path.rsplit_once("/manifests/") {
                if reference != TAG && reference != manifest.as_str() {
                    return respond(out, 404, &[], b"", head_only);
                }
                let bytes = std::fs::read(blob_path(layout, manifest))?;
                let headers = [
                    ("Content-Type", MANIFEST_TYPE),
                    ("Docker-Content-Digest", manifest.as_str()),
                ];
                return respond(out, 200, &headers, &bytes, head_only);
            }
            match path.rsplit_once("/blobs/") {
                Some((_, digest))
                    if valid_digest(digest) && blob_path(layout, digest).is_file() =>
                {
                    if head_only {
                        return send_file(out, &blob_path(layout, digest), request, true);
                    }
                    let location = format!("http://{cdn}/blobs/{digest}");
                    respond(out, 307, &[("Location", &location)], b"", false)
                }
                _ => respond(out, 404, &[], b"", head_only),
            }
        }
    }
}

/// Writes a status, headers and a body from memory.
fn respond(
    out: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let mut head = status_head(status, headers);
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(body)?;
    }
    out.flush()
}

fn status_head(status: u16, headers: &[(&str, &str)]) -> String {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        307 => "Temporary Redirect",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        _ => "",
    };
    let mut head =
        format!("HTTP/1.1 {status} {reason}\r\nDocker-Distribution-API-Version: registry/2.0\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head
}

/// Sends a blob file, whole or the one byte range asked for.
fn send_file(
    out: &mut TcpStream,
    path: &Path,
    request: &Request,
    head_only: bool,
) -> std::io::Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(_) => return respond(out, 404, &[], b"", head_only),
    };
    let size = file.metadata()?.len();
    let digest = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|hex| format!("sha256:{hex}"))
        .unwrap_or_default();
    let base = [
        ("Content-Type", "application/octet-stream"),
        ("Accept-Ranges", "bytes"),
        ("Docker-Content-Digest", digest.as_str()),
    ];
    let (status, first, len, content_range) =
        match request.range.as_deref().map(|r| parse_range(r, size)) {
            None => (200, 0, size, None),
            Some(Some((first, last))) => (
                206,
                first,
                last - first + 1,
                Some(format!("bytes {first}-{last}/{size}")),
            ),
            Some(None) => {
                let range = format!("bytes */{size}");
                return respond(out, 416, &[("Content-Range", &range)], b"", head_only);
            }
        };
    let mut headers = base.to_vec();
    if let Some(range) = &content_range {
        headers.push(("Content-Range", range));
    }
    let mut head = status_head(status, &headers);
    head.push_str(&format!("Content-Length: {len}\r\n\r\n"));
    out.write_all(head.as_bytes())?;
    if !head_only {
        file.seek(SeekFrom::Start(first))?;
        let sent = std::io::copy(&mut file.take(len), out)?;
        if sent != len {
            return Err(std::io::Error::other("the blob file ended early"));
        }
    }
    out.flush()
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`: the inclusive
/// range, or `None` when it cannot be satisfied (or is not one range).
fn parse_range(value: &str, size: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.checked_sub(n.min(size))?, size - 1)
        }
        (first, "") => (first.parse().ok()?, size - 1),
        (first, last) => (first.parse().ok()?, last.parse::<u64>().ok()?.min(size - 1)),
    };
    (first <= last && first < size).then_some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{self, Body};
    use crate::seed::{Layer, image, write_layout};

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=50-500", 100), Some((50, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }

    #[test]
    fn the_front_redirects_blob_gets_to_the_cdn_which_serves_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"0123456789".repeat(100);
        let file = dir.path().join("blob.bin");
        std::fs::write(&file, &bytes).unwrap();
        let digest = crate::data::sha256_bytes(&bytes);
        let layers = vec![Layer {
            path: file,
            digest: digest.clone(),
            size: bytes.len() as u64,
            media_type: crate::seed::LAYER_TYPE,
            annotations: Vec::new(),
            diff_id: digest.clone(),
        }];
        let (config, manifest) = image(&layers).unwrap();
        let layout = dir.path().join("layout");
        write_layout(&layout, &layers, &config, &manifest).unwrap();

        let cdn = Server::cdn(&layout).unwrap();
        let front = Server::front(&layout, cdn.host()).unwrap();
        let get = |host: &str, path: &str, headers: &[(&str, &str)]| {
            http::request(host, "GET", path, headers, Body::Empty).unwrap()
        };
        let answer = get(
            front.host(),
            &format!("/v2/seed/large/manifests/{TAG}"),
            &[],
        );
        assert_eq!((answer.status, answer.body), (200, manifest));
        let answer = get(front.host(), &format!("/v2/seed/large/blobs/{digest}"), &[]);
        assert_eq!(answer.status, 307);
        let location = answer.header("location").unwrap().to_owned();
        assert_eq!(location, format!("http://{}/blobs/{digest}", cdn.host()));
        let whole = get(cdn.host(), &http::location_path(&location), &[]);
        assert_eq!((whole.status, whole.body), (200, bytes.clone()));
        let part = get(
            cdn.host(),
            &http::location_path(&location),
            &[("Range", "bytes=10-19")],
        );
        assert_eq!((part.status, &part.body[..]), (206, &bytes[10..20]));
        assert_eq!(part.header("content-range"), Some("bytes 10-19/1000"));
        let head = http::request(
            front.host(),
            "HEAD",
            &format!("/v2/seed/large/blobs/{digest}"),
            &[],
            Body::Empty,
        )
        .unwrap();
        assert_eq!(
            (head.status, head.header("content-length")),
            (200, Some("1000"))
        );
        let missing = get(cdn.host(), "/blobs/sha256:../../etc/passwd", &[]);
        assert_eq!(missing.status, 404);
    }
}
