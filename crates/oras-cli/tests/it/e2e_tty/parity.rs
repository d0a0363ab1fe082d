//! The output of non-terminal runs: status lines `<prompt> <12 hex>
//! <title-or-mediaType>` with padded prompts, the text summaries, and the
//! `--format json` models (a descriptor is `reference`, then `mediaType`,
//! `digest`, `size`, `annotations`, `artifactType`; two-space indent,
//! sorted map keys, HTML-safe escapes). The Go CLI's wording of the same
//! runs is compared by the differential suite (`push-*`, `pull-*` and
//! `e2e-*` scenarios); these tests pin ours in detail.
//!
//! Every push fixes `org.opencontainers.image.created`, so manifests and
//! their digests are the same on every run.

use std::path::Path;

use serde_json::{Value, json};

use crate::e2e_tty::support::{Env, digest_of, json, sha256, short};

const CREATED: &str = "org.opencontainers.image.created=2000-01-01T00:00:00Z";
const EMPTY_CONFIG: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// Every object key of a JSON text, in the order written.
fn keys_in_order(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut escaped = false;
        let mut end = start;
        for (i, c) in chars.by_ref() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let rest = text[end + 1..].trim_start();
        if rest.starts_with(':') {
            keys.push(serde_json::from_str(&text[start..=end]).unwrap());
        }
    }
    keys
}

/// Checks that `text` is the pretty JSON of `expected`: the same value,
/// keys in `expected`'s order (serde_json's `json!` keeps it sorted, so
/// the order is given separately as `order`), a trailing newline.
fn assert_go_json(text: &str, expected: &Value, order: &[&str]) {
    assert!(text.ends_with("}\n"), "no trailing newline:\n{text}");
    assert_eq!(&json(text), expected, "value differs:\n{text}");
    assert_eq!(keys_in_order(text), order, "key order differs:\n{text}");
    // Two-space indent, as json.Encoder.SetIndent("", "  ").
    assert!(text.starts_with("{\n  \""), "{text}");
}

/// The index.json entry of `tag` in the layout.
fn index_entry(layout: &Path, tag: &str) -> Value {
    let index = json(&std::fs::read_to_string(layout.join("index.json")).unwrap());
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap_or_else(|| panic!("no tag {tag} in {index}"))
        .clone()
}

/// The size of blob `digest` in the layout.
fn blob_size(layout: &Path, digest: &str) -> u64 {
    std::fs::metadata(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
    .len()
}

/// The status lines of a text run: everything before the summary.
fn status_lines(stdout: &str, summary_starts: &str) -> Vec<String> {
    stdout
        .lines()
        .take_while(|l| !l.starts_with(summary_starts))
        .map(str::to_owned)
        .collect()
}

/// Checks the lines of one blob: `first` before `then`, each once.
fn assert_ordered(lines: &[String], first: &str, then: &str) {
    let at = |line: &str| {
        let found: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| *l == line)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found.len(), 1, "`{line}` not exactly once in {lines:#?}");
        found[0]
    };
    assert!(
        at(first) < at(then),
        "`{first}` after `{then}` in {lines:#?}"
    );
}

#[test]
fn push_text_is_go_line_for_line() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    env.write("a/b.txt", b"bee\n");
    let (hi, bee) = (sha256(b"hi\n"), sha256(b"bee\n"));
    let args = [
        "push",
        "--oci-layout",
        "lay:v1,v2",
        "-a",
        CREATED,
        "hi.txt",
        "a/b.txt:text/plain",
    ];
    let stdout = env.ok(&args);
    let digest = digest_of(&stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    // Files are loaded one by one, in argument order (Go `loadFiles`).
    assert_eq!(lines[..2], ["Preparing hi.txt", "Preparing a/b.txt"]);
    // Blobs go up concurrently: per blob, Uploading before Uploaded.
    let blobs: Vec<String> = lines[2..8].iter().map(|l| l.to_string()).collect();
    for (d, name) in [
        (&hi, "hi.txt"),
        (&bee, "a/b.txt"),
        (&EMPTY_CONFIG.to_owned(), EMPTY),
    ] {
        assert_ordered(
            &blobs,
            &format!("Uploading {} {name}", short(d)),
            &format!("Uploaded  {} {name}", short(d)),
        );
    }
    // Then the manifest, `Pushed` when it is copied, `Tagged` per extra
    // tag, and the rest of the summary (Go `runPush`, text PushHandler).
    let m = short(&digest);
    assert_eq!(
        lines[8..],
        [
            format!("Uploading {m} {MANIFEST}"),
            format!("Uploaded  {m} {MANIFEST}"),
            "Pushed [oci-layout] lay:v1".to_owned(),
            "Tagged v2".to_owned(),
            "ArtifactType: application/vnd.unknown.artifact.v1".to_owned(),
            format!("Digest: {digest}"),
        ]
    );

    // The same push again: the manifest exists, so nothing under it is
    // visited (an existing root is skipped) and nothing is tagged anew
    // but the reference.
    let stdout = env.ok(&[
        "push",
        "--oci-layout",
        "lay:v3",
        "-a",
        CREATED,
        "hi.txt",
        "a/b.txt:text/plain",
    ]);
    assert_eq!(
        stdout,
        format!(
            "Preparing hi.txt\nPreparing a/b.txt\nExists    {m} {MANIFEST}\nPushed [oci-layout] lay:v3\nArtifactType: application/vnd.unknown.artifact.v1\nDigest: {digest}\n"
        )
    );

    // A new manifest over existing blobs: `Exists` for each blob.
    let stdout = env.ok(&["push", "--oci-layout", "lay:v4", "-a", CREATED, "hi.txt"]);
    let digest = digest_of(&stdout);
    let lines = status_lines(&stdout, "Pushed ");
    let mut blobs = lines[1..3].to_vec();
    blobs.sort();
    assert_eq!(
        blobs,
        [
            format!("Exists    {} {EMPTY}", short(EMPTY_CONFIG)),
            format!("Exists    {} hi.txt", short(&hi)),
        ]
    );
    assert_eq!(lines[0], "Preparing hi.txt");
    assert_eq!(
        lines[3..],
        [
            format!("Uploading {} {MANIFEST}", short(&digest)),
            format!("Uploaded  {} {MANIFEST}", short(&digest)),
        ]
    );
}

#[test]
fn pull_text_has_go_lines_and_summary() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    env.write("a/b.txt", b"bee\n");
    let (hi, bee) = (sha256(b"hi\n"), sha256(b"bee\n"));
    let digest = digest_of(&env.ok(&[
        "push",
        "--oci-layout",
        "lay:v1",
        "-a",
        CREATED,
        "hi.txt",
        "a/b.txt",
    ]));
    let stdout = env.ok(&["pull", "--oci-layout", "lay:v1", "-o", "out"]);
    assert!(
        stdout.ends_with(&format!("\nPulled [oci-layout] lay:v1\nDigest: {digest}\n")),
        "{stdout}"
    );
    let lines = status_lines(&stdout, "Pulled ");
    let m = short(&digest);
    for (d, name) in [(&hi, "hi.txt"), (&bee, "a/b.txt")] {
        assert_ordered(
            &lines,
            &format!("Downloading {} {name}", short(d)),
            &format!("Downloaded  {} {name}", short(d)),
        );
    }
    assert!(
        lines.contains(&format!("Processing  {m} {MANIFEST}")),
        "{lines:#?}"
    );
    // The root is written last; the empty config is not pulled at all.
    assert_eq!(
        lines.last().unwrap(),
        &format!("Downloaded  {m} {MANIFEST}")
    );
    assert!(!stdout.contains(short(EMPTY_CONFIG)), "{stdout}");

    // Pulled again into the same directory: written again, same lines.
    let again = env.ok(&["pull", "--oci-layout", "lay:v1", "-o", "out"]);
    assert_eq!(again.lines().count(), stdout.lines().count(), "{again}");

    // An untitled layer is skipped, and the summary becomes a hint (the
    // differential scenario `e2e-pull-untitled-layer-hint` holds the Go
    // CLI's wording).
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": "application/vnd.e2e",
        "config": {"mediaType": EMPTY, "digest": EMPTY_CONFIG, "size": 2},
        "layers": [{"mediaType": LAYER, "digest": hi, "size": 3}],
    });
    env.write("untitled.json", manifest.to_string().as_bytes());
    env.ok(&[
        "manifest",
        "push",
        "--oci-layout",
        "lay:raw",
        "untitled.json",
    ]);
    let stdout = env.ok(&["pull", "--oci-layout", "lay:raw", "-o", "raw"]);
    assert!(
        stdout
            .lines()
            .any(|l| l == format!("Skipped     {} {LAYER}", short(&hi))),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "\nSkipped pulling layers without file name in \"org.opencontainers.image.title\"\nUse 'oras copy lay:raw --to-oci-layout <layout-dir>' to pull all layers.\n"
        ),
        "{stdout}"
    );
    assert!(
        std::fs::read_dir(env.path("raw")).map_or(true, |mut d| d.next().is_none()),
        "an untitled layer was written"
    );
}

/// Go (`root/pull.go` `doPull`) fetches each manifest through a status
/// fetcher inside `FindSuccessors`, before its successors are copied, so
/// a pull prints `Downloading` and `Processing` of the root first, then
/// the layers, then `Downloaded` of the root; ours does the same, from
/// its `find_successors` (`commands/pull.rs`).
#[test]
fn pull_text_is_go_line_for_line() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    let hi = sha256(b"hi\n");
    let digest = digest_of(&env.ok(&["push", "--oci-layout", "lay:v1", "-a", CREATED, "hi.txt"]));
    let stdout = env.ok(&["pull", "--oci-layout", "lay:v1", "-o", "out"]);
    let (m, h) = (short(&digest), short(&hi));
    assert_eq!(
        stdout,
        format!(
            "Downloading {m} {MANIFEST}\nProcessing  {m} {MANIFEST}\nDownloading {h} hi.txt\nDownloaded  {h} hi.txt\nDownloaded  {m} {MANIFEST}\nPulled [oci-layout] lay:v1\nDigest: {digest}\n"
        )
    );
}

#[test]
fn json_models_are_go_models() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    let hi = sha256(b"hi\n");
    let layout = env.path("lay");
    const DESCRIPTOR: [&str; 6] = [
        "reference",
        "mediaType",
        "digest",
        "size",
        "annotations",
        "artifactType",
    ];

    // push: descriptor + referenceAsTags (sorted), HTML-safe escapes.
    let out = env.ok(&[
        "push",
        "--oci-layout",
        "lay:v2,v1",
        "-a",
        CREATED,
        "-a",
        "note=a<b>&c",
        "hi.txt",
        "--format",
        "json",
    ]);
    assert!(out.contains(r#""note": "a\u003cb\u003e\u0026c""#), "{out}");
    let digest = json(&out)["digest"].as_str().unwrap().to_owned();
    let size = blob_size(&layout, &digest);
    let annotations = json!({
        "note": "a<b>&c",
        "org.opencontainers.image.created": "2000-01-01T00:00:00Z",
    });
    assert_go_json(
        &out,
        &json!({
            "reference": format!("lay@{digest}"),
            "mediaType": MANIFEST,
            "digest": digest,
            "size": size,
            "annotations": annotations,
            "artifactType": "application/vnd.unknown.artifact.v1",
            "referenceAsTags": ["lay:v1", "lay:v2"],
        }),
        &[
            &DESCRIPTOR[..5],
            &["note", "org.opencontainers.image.created"],
            &DESCRIPTOR[5..],
            &["referenceAsTags"],
        ]
        .concat(),
    );

    // pull: {reference, files: [{path, …descriptor}]}; no artifactType
    // on a layer, so the key is left out (omitempty).
    let out = env.ok(&[
        "pull",
        "--oci-layout",
        "lay:v1",
        "-o",
        "out",
        "--format",
        "json",
    ]);
    let path = std::fs::canonicalize(env.path("out"))
        .unwrap()
        .join("hi.txt");
    assert_go_json(
        &out,
        &json!({
            "reference": format!("lay@{digest}"),
            "files": [{
                "path": path.to_str().unwrap(),
                "reference": format!("lay@{hi}"),
                "mediaType": LAYER,
                "digest": hi,
                "size": 3,
                "annotations": {"org.opencontainers.image.title": "hi.txt"},
            }],
        }),
        &[
            "reference",
            "files",
            "path",
            "reference",
            "mediaType",
            "digest",
            "size",
            "annotations",
            "org.opencontainers.image.title",
        ],
    );

    // attach: the referrer's descriptor.
    let out = env.ok(&[
        "attach",
        "--oci-layout",
        "lay:v1",
        "--artifact-type",
        "application/vnd.e2e.sig",
        "-a",
        CREATED,
        "hi.txt",
        "--format",
        "json",
    ]);
    let referrer = json(&out)["digest"].as_str().unwrap().to_owned();
    let referrer_model = json!({
        "reference": format!("lay@{referrer}"),
        "mediaType": MANIFEST,
        "digest": referrer,
        "size": blob_size(&layout, &referrer),
        "annotations": {"org.opencontainers.image.created": "2000-01-01T00:00:00Z"},
        "artifactType": "application/vnd.e2e.sig",
    });
    assert_go_json(
        &out,
        &referrer_model,
        &[
            &DESCRIPTOR[..5],
            &["org.opencontainers.image.created"],
            &DESCRIPTOR[5..],
        ]
        .concat(),
    );

    // discover: the subject as resolved (a layout tag resolves to its
    // index.json entry, annotations included) with nested referrers.
    let entry = index_entry(&layout, "v1");
    let subject_annotations: Vec<String> = entry["annotations"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    // `v1` was the second tag of the push, set by TagBytesN from the
    // manifest bytes alone, so its entry has no artifactType and only the
    // ref.name annotation.
    let mut subject = json!({
        "reference": format!("lay@{digest}"),
        "mediaType": MANIFEST,
        "digest": digest,
        "size": size,
        "annotations": entry["annotations"],
    });
    let subject_artifact_type = entry.get("artifactType").cloned();
    if let Some(artifact_type) = &subject_artifact_type {
        subject["artifactType"] = artifact_type.clone();
    }
    let out = env.ok(&["discover", "--oci-layout", "lay:v1", "--format", "json"]);
    let mut expected = subject.clone();
    let mut nested = referrer_model.clone();
    nested["referrers"] = json!([]);
    expected["referrers"] = json!([nested]);
    let subject_order: Vec<&str> = [&DESCRIPTOR[..5]]
        .into_iter()
        .flatten()
        .copied()
        .chain(subject_annotations.iter().map(String::as_str))
        .chain(subject_artifact_type.is_some().then_some(DESCRIPTOR[5]))
        .collect();
    let referrer_order = [
        &DESCRIPTOR[..5],
        &["org.opencontainers.image.created"],
        &DESCRIPTOR[5..],
        &["referrers"],
    ]
    .concat();
    assert_go_json(
        &out,
        &expected,
        &[&subject_order[..], &["referrers"], &referrer_order].concat(),
    );

    // manifest fetch --format json: descriptor + content, the manifest
    // decoded into a Go map (keys sorted at every level).
    let out = env.ok(&[
        "manifest",
        "fetch",
        "--oci-layout",
        "lay:v1",
        "--format",
        "json",
    ]);
    let manifest = json(
        &std::fs::read_to_string(
            layout
                .join("blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap(),
    );
    let mut expected = subject.clone();
    expected["content"] = manifest;
    let content_order = [
        "content",
        "annotations",
        "note",
        "org.opencontainers.image.created",
        "artifactType",
        "config",
        "data",
        "digest",
        "mediaType",
        "size",
        "layers",
        "annotations",
        "org.opencontainers.image.title",
        "digest",
        "mediaType",
        "size",
        "mediaType",
        "schemaVersion",
    ];
    assert_go_json(
        &out,
        &expected,
        &[&subject_order[..], &content_order].concat(),
    );

    // repo tags: {tags}, sorted as the layout lists them.
    let out = env.ok(&["repo", "tags", "--oci-layout", "lay", "--format", "json"]);
    assert_eq!(out, "{\n  \"tags\": [\n    \"v1\",\n    \"v2\"\n  ]\n}\n");
}
