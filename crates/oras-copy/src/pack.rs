//! [`pack_manifest`]: build and push an image manifest for an artifact,
//! with exactly oras-go's `PackManifest` fields, defaults and errors,
//! so the same inputs give the same bytes and digest.

use std::collections::BTreeMap;

use bytes::Bytes;
use oras_content::{ErrorKind, Storage, bytes_reader};
use oras_spec::{Descriptor, Manifest, Parsed, annotation, media_type};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};

/// Which image-spec manifest to pack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PackManifestVersion {
    /// image-spec v1.0.2: the artifact type becomes the config media type;
    /// no `subject`.
    V1_0,
    /// image-spec v1.1.1: `artifactType`, `subject`, the empty descriptor.
    #[default]
    V1_1,
}

impl std::fmt::Display for PackManifestVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PackManifestVersion::V1_0 => "v1.0",
            PackManifestVersion::V1_1 => "v1.1",
        })
    }
}

/// Optional parts of a packed manifest (oras-go `PackManifestOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackManifestOptions {
    /// The manifest this one refers to (v1.1 only).
    pub subject: Option<Descriptor>,
    /// The layers, already pushed.
    pub layers: Vec<Descriptor>,
    /// The config, already pushed; when `None` an empty `{}` config is pushed.
    pub config_descriptor: Option<Descriptor>,
    /// Annotations of the generated config descriptor (ignored when
    /// `config_descriptor` is given).
    pub config_annotations: BTreeMap<String, String>,
    /// Annotations of the manifest. Set `org.opencontainers.image.created`
    /// (RFC 3339) for a reproducible manifest; otherwise the current time is
    /// added.
    pub manifest_annotations: BTreeMap<String, String>,
}

/// Packs an image manifest of `version` and pushes it, with the config and
/// empty blobs it needs, to `pusher`. Returns the manifest's descriptor,
/// carrying its `artifactType` (v1.0: the config media type) and annotations.
///
/// Errors: v1.1 without `artifact_type` while the config is absent or the
/// empty descriptor is [`Error::MissingArtifactType`]; a malformed artifact
/// or config type is [`Error::InvalidMediaType`]; a `subject` in v1.0 is
/// [`Error::Unsupported`]; a `created` annotation that is not RFC 3339 is
/// [`Error::InvalidDateTimeFormat`].
pub async fn pack_manifest<P: Storage + ?Sized>(
    pusher: &P,
    version: PackManifestVersion,
    artifact_type: &str,
    opts: &PackManifestOptions,
) -> Result<Descriptor> {
    match version {
        PackManifestVersion::V1_0 => pack_v1_0(pusher, artifact_type, opts).await,
        PackManifestVersion::V1_1 => pack_v1_1(pusher, artifact_type, opts).await,
    }
}

async fn pack_v1_1<P: Storage + ?Sized>(
    pusher: &P,
    artifact_type: &str,
    opts: &PackManifestOptions,
) -> Result<Descriptor> {
    let config_is_empty = opts
        .config_descriptor
        .as_ref()
        .is_none_or(|c| c.media_type == media_type::EMPTY_JSON);
    if artifact_type.is_empty() && config_is_empty {
        return Err(Error::MissingArtifactType);
    }
    if !artifact_type.is_empty() {
        validate("artifactType", artifact_type)?;
    }
    // Checked before anything is pushed (oras-go pushes the config first).
    let annotations = ensure_created(&opts.manifest_annotations)?;
    let mut empty_pushed = false;
    let config = match &opts.config_descriptor {
        Some(config) => {
            validate("config mediaType", &config.media_type)?;
            config.clone()
        }
        None => {
            let mut config = Descriptor::empty_json();
            config.annotations = opts.config_annotations.clone();
            push_if_not_exist(pusher, &config, EMPTY_JSON, "config").await?;
            empty_pushed = true;
            config
        }
    };
    let layers = if opts.layers.is_empty() {
        let empty = Descriptor::empty_json();
        if !empty_pushed {
            push_if_not_exist(pusher, &empty, EMPTY_JSON, "layer").await?;
        }
        vec![empty]
    } else {
        opts.layers.clone()
    };
    let manifest = Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.to_owned(),
        artifact_type: artifact_type.to_owned(),
        config,
        layers,
        subject: opts.subject.clone(),
        annotations,
    };
    push_manifest(pusher, manifest, artifact_type.to_owned()).await
}

async fn pack_v1_0<P: Storage + ?Sized>(
    pusher: &P,
    artifact_type: &str,
    opts: &PackManifestOptions,
) -> Result<Descriptor> {
    if opts.subject.is_some() {
        // Go formats the version with `%v`: PackManifestVersion1_0 is the
        // integer 1 and has no String method.
        return Err(Error::Unsupported(
            "subject is not supported for manifest version 1".to_owned(),
        ));
    }
    let annotations = ensure_created(&opts.manifest_annotations)?;
    let config = match &opts.config_descriptor {
        Some(config) => {
            validate("config mediaType", &config.media_type)?;
            config.clone()
        }
        None => {
            let config_type = if artifact_type.is_empty() {
                media_type::UNKNOWN_CONFIG
            } else {
                validate("artifactType", artifact_type)?;
                artifact_type
            };
            // `{}` rather than an empty blob: some registries refuse empty
            // blobs (oras-go#294).
            let mut config = Descriptor::from_bytes(config_type, EMPTY_JSON);
            config.annotations = opts.config_annotations.clone();
            push_if_not_exist(pusher, &config, EMPTY_JSON, "config").await?;
            config
        }
    };
    let config_type = config.media_type.clone();
    let manifest = Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.to_owned(),
        artifact_type: String::new(),
        config,
        layers: opts.layers.clone(),
        subject: None,
        annotations,
    };
    push_manifest(pusher, manifest, config_type).await
}

const EMPTY_JSON: &[u8] = b"{}";

fn validate(what: &'static str, value: &str) -> Result<()> {
    if media_type::is_valid(value) {
        Ok(())
    } else {
        Err(Error::InvalidMediaType {
            what,
            media_type: value.to_owned(),
        })
    }
}

/// The manifest annotations with `created` set to now (UTC, whole seconds)
/// unless given; a given value must be RFC 3339.
fn ensure_created(annotations: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    if let Some(created) = annotations.get(annotation::CREATED) {
        go_parse_rfc3339(created).map_err(Error::InvalidDateTimeFormat)?;
        return Ok(annotations.clone());
    }
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let created = now
        .format(&Rfc3339)
        .map_err(|e| Error::InvalidDateTimeFormat(e.to_string()))?;
    let mut out = annotations.clone();
    out.insert(annotation::CREATED.to_owned(), created);
    Ok(out)
}

/// Go's `time.RFC3339` layout, named in its parse errors.
const RFC3339_LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

/// Accepts exactly what Go's `time.Parse(time.RFC3339, value)` accepts,
/// and fails with its error text. That is more than RFC 3339 in some ways
/// and less in others: after its strict fast path fails, Go parses by the
/// layout `2006-01-02T15:04:05Z07:00`, so a one-digit hour, a `,` before
/// the fraction and offsets up to `+24:60` pass, while a lowercase `t` or
/// `z`, a space for `T` and a leap second (`:60`) fail.
fn go_parse_rfc3339(value: &str) -> std::result::Result<(), String> {
    let b = value.as_bytes();
    let rest = |i: usize| value.get(i..).unwrap_or("");
    // ParseError without a message: the element that did not match.
    let cannot = |i: usize, elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(value),
            go_quote(RFC3339_LAYOUT),
            go_quote(rest(i)),
            go_quote(elem)
        )
    };
    let out_of_range =
        |what: &str| format!("parsing time {}: {what} out of range", go_quote(value));
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    // Go's getnum: one or two digits; `fixed` demands two.
    let num = |i: &mut usize, fixed: bool| -> Option<u32> {
        if !digit(*i) {
            return None;
        }
        let first = u32::from(b[*i] - b'0');
        if !digit(*i + 1) {
            if fixed {
                return None;
            }
            *i += 1;
            return Some(first);
        }
        let n = first * 10 + u32::from(b[*i + 1] - b'0');
        *i += 2;
        Some(n)
    };
    let literal = |i: &mut usize, c: u8, elem: &str| {
        if b.get(*i) == Some(&c) {
            *i += 1;
            Ok(())
        } else {
            Err(cannot(*i, elem))
        }
    };
    let mut i = 0;
    // 2006: exactly four digits.
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return Err(cannot(0, "2006"));
    }
    let year = b[..4]
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    i += 4;
    literal(&mut i, b'-', "-")?;
    let hold = i;
    let month = num(&mut i, true).ok_or_else(|| cannot(hold, "01"))?;
    if !(1..=12).contains(&month) {
        return Err(out_of_range("month"));
    }
    literal(&mut i, b'-', "-")?;
    let hold = i;
    let day = num(&mut i, true).ok_or_else(|| cannot(hold, "02"))?;
    literal(&mut i, b'T', "T")?;
    let hold = i;
    if num(&mut i, false).ok_or_else(|| cannot(hold, "15"))? >= 24 {
        return Err(out_of_range("hour"));
    }
    literal(&mut i, b':', ":")?;
    let hold = i;
    if num(&mut i, true).ok_or_else(|| cannot(hold, "04"))? >= 60 {
        return Err(out_of_range("minute"));
    }
    literal(&mut i, b':', ":")?;
    let hold = i;
    if num(&mut i, true).ok_or_else(|| cannot(hold, "05"))? >= 60 {
        return Err(out_of_range("second"));
    }
    // A fraction the layout does not name: `.` or `,` then digits.
    if matches!(b.get(i), Some(b'.' | b',')) && digit(i + 1) {
        i += 2;
        while digit(i) {
            i += 1;
        }
    }
    // Z07:00: `Z`, or a sign, two digits, `:`, two digits. Go allows an
    // offset hour up to 24 and minute up to 60, and reports a range error
    // before a bad sign.
    if b.get(i) == Some(&b'Z') {
        i += 1;
    } else {
        let hold = i;
        if b.len() < i + 6 || b[i + 3] != b':' {
            return Err(cannot(hold, "Z07:00"));
        }
        let (mut h, mut m) = (i + 1, i + 4);
        let hour = num(&mut h, true);
        let minute = hour.and_then(|_| num(&mut m, true));
        let range = match (hour, minute) {
            (_, Some(mm)) if mm > 60 => Some("time zone offset minute"),
            (Some(hh), _) if hh > 24 => Some("time zone offset hour"),
            _ => None,
        };
        if let Some(what) = range {
            return Err(out_of_range(what));
        }
        if minute.is_none() || !matches!(b[i], b'+' | b'-') {
            return Err(cannot(hold, "Z07:00"));
        }
        i += 6;
    }
    if i < b.len() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            go_quote(value),
            go_quote(rest(i))
        ));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return Err(format!(
            "parsing time {}: day out of range",
            go_quote(value)
        ));
    }
    Ok(())
}

/// Go's `time.quote`: in double quotes, `"` and `\` escaped, and every
/// byte of a non-ASCII or control character as `\xNN`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if !c.is_ascii() || c < ' ' {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

async fn push_if_not_exist<P: Storage + ?Sized>(
    pusher: &P,
    desc: &Descriptor,
    content: &'static [u8],
    what: &'static str,
) -> Result<()> {
    let exists = pusher
        .exists(desc)
        .await
        .map_err(|source| Error::Push { what, source })?;
    if exists {
        return Ok(());
    }
    push_tolerating_existing(pusher, desc, Bytes::from_static(content))
        .await
        .map_err(|source| Error::Push { what, source })
}

async fn push_manifest<P: Storage + ?Sized>(
    pusher: &P,
    manifest: Manifest,
    artifact_type: String,
) -> Result<Descriptor> {
    let annotations = manifest.annotations.clone();
    let parsed = Parsed::from_value(manifest);
    let mut desc = parsed.descriptor(media_type::IMAGE_MANIFEST);
    desc.artifact_type = artifact_type;
    desc.annotations = annotations;
    push_tolerating_existing(pusher, &desc, Bytes::copy_from_slice(parsed.bytes()))
        .await
        .map_err(|source| Error::Push {
            what: "manifest",
            source,
        })?;
    Ok(desc)
}

async fn push_tolerating_existing<P: Storage + ?Sized>(
    pusher: &P,
    desc: &Descriptor,
    content: Bytes,
) -> oras_content::Result<()> {
    match pusher.push(desc, bytes_reader(content)).await {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_is_rfc3339_utc_in_whole_seconds() {
        let out = ensure_created(&BTreeMap::new()).unwrap();
        let created = &out[annotation::CREATED];
        assert_eq!(created.len(), "2000-01-01T00:00:00Z".len(), "{created}");
        assert!(created.ends_with('Z'));
        OffsetDateTime::parse(created, &Rfc3339).unwrap();
        let mut given = BTreeMap::new();
        given.insert(
            annotation::CREATED.to_owned(),
            "2000-01-01T00:00:00+01:00".to_owned(),
        );
        assert_eq!(ensure_created(&given).unwrap(), given);
        given.insert(annotation::CREATED.to_owned(), "yesterday".to_owned());
        assert!(matches!(
            ensure_created(&given),
            Err(Error::InvalidDateTimeFormat(_))
        ));
    }

    #[test]
    fn created_is_checked_as_go_time_parse_rfc3339() {
        for ok in [
            "2000-01-01T00:00:00Z",
            "2000-01-01T1:00:00Z",
            "2000-01-01T00:00:00,5Z",
            "2000-01-01T00:00:00.1234567891234+24:60",
            "2000-02-29T23:59:59-00:00",
            "0000-01-01T00:00:00Z",
        ] {
            assert_eq!(go_parse_rfc3339(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "2000-01-01t00:00:00Z",
            "2000-01-01T00:00:00z",
            "2000-01-01 00:00:00Z",
            "2016-12-31T23:59:60Z",
            "2000-01-01T24:00:00Z",
            "1900-02-29T00:00:00Z",
            "2000-01-01T00:00:00+25:00",
            "2000-01-01T00:00:00+01:61",
            "2000-01-01T00:00:00+0100",
            "2000-01-01T00:00:00.Z",
            "2000-1-01T00:00:00Z",
            "2000-01-01T00:00:00Z ",
            "+200-01-01T00:00:00Z",
        ] {
            assert!(go_parse_rfc3339(bad).is_err(), "{bad}");
        }
        assert_eq!(
            go_parse_rfc3339("2000-01-01t00:00:00Z").unwrap_err(),
            r#"parsing time "2000-01-01t00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "t00:00:00Z" as "T""#
        );
        assert_eq!(
            go_parse_rfc3339("2000-13-01T00:00:00Z").unwrap_err(),
            r#"parsing time "2000-13-01T00:00:00Z": month out of range"#
        );
        assert_eq!(
            go_parse_rfc3339("2000-01-01T00:00:00Zé\"").unwrap_err(),
            r#"parsing time "2000-01-01T00:00:00Z\xc3\xa9\"": extra text: "\xc3\xa9\"""#
        );
    }
}
