//! Shared pieces of the fuzz targets: one async runtime per process, the
//! input split into parts, and an in-process registry whose answers come
//! from the input (the registry client's `ClientConfig::transport`).
//!
//! The invariants every target checks: no panic, no hang (libFuzzer's
//! `-timeout`), bounded memory (`-rss_limit_mb`), and what the target
//! names (round trips, nothing written outside a directory).

pub mod containers;

use std::sync::{Arc, OnceLock};

use http::{Request, Response};
use oras_remote::{BoxError, ClientConfig, RealmPolicy, Repository, ResponseBody, RetryPolicy};

/// The registry host the fake transport answers for.
pub const REGISTRY: &str = "registry.example";

/// The repository the targets use.
pub const REPOSITORY: &str = "registry.example/fuzz";

/// A current-thread runtime kept for the life of the process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => panic!("cannot start a tokio runtime: {e}"),
        }
    })
}

/// `data` cut at its first NUL byte (a separator neither JSON nor header
/// values contain): the part before and the part after (empty if none).
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// What the fake registry answers to one request.
pub type Answer = Response<ResponseBody>;

/// A repository whose every request is answered by `answer` (called with
/// the request and how many requests came before it). No retries, no
/// realm restrictions: the fuzzed answers are the only input.
pub fn repository<F>(answer: F) -> Repository
where
    F: Fn(&Request<oras_auth::Body>, usize) -> Answer + Send + Sync + 'static,
{
    let answer = Arc::new(answer);
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let transport = tower::service_fn(move |request: Request<oras_auth::Body>| {
        let answer = Arc::clone(&answer);
        let count = Arc::clone(&count);
        async move {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, BoxError>(answer(&request, n))
        }
    });
    let config = ClientConfig::new()
        .transport(transport)
        .retry(RetryPolicy::none())
        .realm_policy(RealmPolicy::blocking([]));
    match Repository::with_config(REPOSITORY, config) {
        Ok(repository) => repository,
        Err(e) => panic!("a fixed reference must parse: {e}"),
    }
}

/// A response with `status`, the `headers` that are valid header values
/// (others are left out), and `body`.
pub fn response(status: u16, headers: &[(&str, &[u8])], body: &[u8]) -> Answer {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        if let Ok(value) = http::HeaderValue::from_bytes(value) {
            builder = builder.header(*name, value);
        }
    }
    builder
        .header("content-length", body.len())
        .body(ResponseBody::full(bytes::Bytes::copy_from_slice(body)))
        .unwrap_or_else(|_| Response::new(ResponseBody::empty()))
}

/// Unpacks `gzip` (a directory layer: tar+gzip) with the file store into
/// a working directory inside a sandbox, then checks the store's promises:
/// nothing appears or changes in the sandbox outside the working
/// directory, every symbolic link left stays inside it, and a refused
/// layer leaves nothing behind once the store is closed.
pub fn unpack_and_check(gzip: &[u8]) {
    use oras_content::{Pusher, bytes_reader};
    use oras_spec::{Descriptor, annotation, media_type};

    let Ok(sandbox) = tempfile::tempdir() else {
        return;
    };
    let work = sandbox.path().join("work");
    let sentinel = sandbox.path().join("outside");
    if std::fs::create_dir(&work).is_err() || std::fs::write(&sentinel, b"sentinel").is_err() {
        return;
    }
    let Ok(store) = oras_store_file::Store::new(&work) else {
        return;
    };
    let mut desc = Descriptor::from_bytes(media_type::IMAGE_LAYER_GZIP, gzip);
    desc.annotations
        .insert(annotation::TITLE.to_owned(), "dir".to_owned());
    desc.annotations
        .insert(annotation::CONTENT_UNPACK.to_owned(), "true".to_owned());
    let pushed = runtime().block_on(store.push(&desc, bytes_reader(gzip.to_vec())));
    let closed = store.close();

    let mut top: Vec<_> = std::fs::read_dir(sandbox.path())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect()
        })
        .unwrap_or_default();
    top.sort();
    assert_eq!(
        top,
        ["outside", "work"],
        "something was made beside the working directory"
    );
    assert_eq!(
        std::fs::read(&sentinel).ok().as_deref(),
        Some(&b"sentinel"[..])
    );
    check_links_inside(&work, &work);
    if pushed.is_err() || closed.is_err() {
        let left: Vec<_> = walk(&work);
        assert!(left.is_empty(), "a refused layer left {left:?}");
    }
}

/// Every path under `dir` (not following links).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        out.push(path.clone());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&path));
        }
    }
    out
}

/// Panics on a symbolic link under `dir` whose target, read lexically
/// from its own directory, leaves `root`.
fn check_links_inside(root: &std::path::Path, dir: &std::path::Path) {
    use std::path::Component;
    for path in walk(dir) {
        let Ok(target) = std::fs::read_link(&path) else {
            continue;
        };
        assert!(
            !target.is_absolute(),
            "absolute link {path:?} -> {target:?}"
        );
        let mut resolved: Vec<Component<'_>> = path
            .parent()
            .map(|p| p.components().collect())
            .unwrap_or_default();
        for part in target.components() {
            match part {
                Component::ParentDir => {
                    resolved.pop();
                }
                Component::CurDir => {}
                other => resolved.push(other),
            }
        }
        let resolved: std::path::PathBuf = resolved.iter().collect();
        assert!(
            resolved.starts_with(root),
            "link {path:?} -> {target:?} leaves the working directory"
        );
    }
}
