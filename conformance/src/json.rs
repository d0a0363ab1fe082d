//! JSON helpers for generated manifests: tab-indented output (the Ginkgo
//! suite's `json.MarshalIndent(…, "", "\t")`), compact output, and
//! descriptors.

use base64::Engine as _;
use bytes::Bytes;
use oras_spec::Digest;
use serde::Serialize;
use serde_json::{Value, json};

/// `value` as tab-indented JSON bytes.
pub(crate) fn indented(value: &Value) -> Bytes {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serialising a Value into a Vec cannot fail.
    let _ = value.serialize(&mut serializer);
    Bytes::from(out)
}

/// A descriptor `{mediaType, digest, size}`.
pub(crate) fn descriptor(media_type: &str, digest: &Digest, size: usize) -> Value {
    json!({ "mediaType": media_type, "digest": digest.to_string(), "size": size })
}

/// Standard base64.
pub(crate) fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}
