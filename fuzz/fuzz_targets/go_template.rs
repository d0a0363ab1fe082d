//! `--template` texts (Go `text/template` with sprig functions): parsing
//! any text, and running a parsed template over a manifest-shaped value,
//! never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_cli::template::Template;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = Template::parse(source) else {
        return;
    };
    let value = serde_json::json!({
        "reference": "registry.example/fuzz:v1",
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "size": 3,
        "annotations": {"a": "b", "n": "1"},
        "layers": [{"digest": "sha256:00", "size": 1}, {"size": 2}],
        "count": 2,
        "flag": true,
        "none": null
    });
    let _ = template.execute(&value);
});
