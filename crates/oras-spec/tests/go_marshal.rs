//! Packed manifests have Go's exact bytes: the same manifest, index and
//! descriptor marshalled by Go's `encoding/json` (the program in `go/`)
//! and by this crate must be byte for byte equal, strings full of `<`,
//! `>`, `&`, U+2028, U+2029 and control characters included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use oras_spec::{Descriptor, Digest, Index, Manifest, Parsed, Platform, annotation, media_type};
use oras_testkit::reference::go_run;

/// The same string as `tricky` in `go/main.go`.
const TRICKY: &str = "a<b>&c \u{2028}\u{2029} \u{1b}[2J\r\n\t\u{8}\u{c}\u{1} \u{7f} \"q\" \\ é 😀";

/// Runs the Go program and returns its output lines.
fn go_output() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go");
    let out = go_run::<&str>(&dir, &[]).unwrap_or_else(|e| panic!("{e}"));
    out.lines().map(str::to_owned).collect()
}

fn ours() -> Vec<String> {
    let mut layer = Descriptor::new(
        "text/plain",
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
            .parse::<Digest>()
            .unwrap(),
        5,
    );
    layer
        .annotations
        .insert(annotation::TITLE.into(), "<b>&.txt".into());
    layer
        .annotations
        .insert(format!("z{TRICKY}"), TRICKY.into());
    let manifest = Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: "application/vnd.test+<x>&y".into(),
        config: Descriptor::empty_json(),
        layers: vec![layer.clone()],
        subject: Some(Descriptor::new(
            media_type::IMAGE_MANIFEST,
            layer.digest.clone(),
            5,
        )),
        annotations: BTreeMap::from([
            (
                "org.opencontainers.image.created".to_owned(),
                "2000-01-01T00:00:00Z".to_owned(),
            ),
            ("k<&>".to_owned(), TRICKY.to_owned()),
        ]),
    };
    let mut entry = Descriptor::new(media_type::IMAGE_MANIFEST, layer.digest.clone(), 5);
    let mut platform = Platform::new("linux", "amd64");
    platform.os_features = vec!["a&b".into()];
    platform.variant = "<v>".into();
    entry.platform = Some(platform);
    let mut index = Index::new(vec![entry]);
    index.annotations.insert("ref".into(), TRICKY.into());
    [
        Parsed::from_value(manifest).bytes().to_vec(),
        Parsed::from_value(index).bytes().to_vec(),
        layer.to_json(),
    ]
    .into_iter()
    .map(|bytes| String::from_utf8(bytes).unwrap())
    .collect()
}

#[test]
fn packed_json_is_byte_for_byte_what_go_marshals() {
    let go = go_output();
    let ours = ours();
    assert_eq!(go.len(), ours.len(), "go printed {go:?}");
    for (go, ours) in go.iter().zip(&ours) {
        assert_eq!(ours, go, "our JSON differs from Go's");
        assert_eq!(
            Digest::sha256(ours.as_bytes()),
            Digest::sha256(go.as_bytes())
        );
    }
    // And what we pack reads back unchanged.
    let parsed =
        Parsed::<Manifest>::from_bytes(ours[0].clone().into_bytes(), "image manifest").unwrap();
    assert_eq!(parsed.value().annotations["k<&>"], TRICKY);
}
