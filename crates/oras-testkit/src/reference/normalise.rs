//! Normalisers: what is removed from both runs' observations before they
//! are compared.
//!
//! Always applied: the strings that differ by construction between the two
//! runs (work dir, home, temporary dir, repository path) and the fixed
//! per-suite values (registry address, CA path, passwords) are replaced by
//! their `{placeholder}` names. Everything else is compared as is, unless a
//! scenario lists one of the named [`Normaliser`]s.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

/// A named normaliser a scenario may list in its `normalise = [...]` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normaliser {
    /// The timing of a progress screen (spinner frames, unfinished bars,
    /// speeds, percentages and offsets, elapsed times, padding), each
    /// bar's digest line joined to it: see `tty::normalise_screen`.
    /// Standard streams only; applied before every other normaliser (so
    /// `unordered` sorts whole bars).
    Progress,
    /// `sha256:<64 hex>` → `sha256:<digest>`, bare 64-hex → `<hex>`, and
    /// 12-hex short digests → `<short>`: for content that must differ
    /// (an unpinned creation time, a tar of files with run-specific
    /// metadata).
    Digests,
    /// The value of `org.opencontainers.image.created`, wherever it
    /// appears, → `<created>`.
    Created,
    /// RFC 3339 timestamps → `<time>`.
    Timestamps,
    /// Durations such as `1.5s`, `12ms` → `<duration>`.
    Durations,
    /// Paths under `/tmp/` → `<tmp>`.
    TempPaths,
    /// Lines of stdout and stderr sorted (concurrent progress lines).
    Unordered,
    /// Blob upload session URLs (`.../blobs/uploads/<session>?_state=...`)
    /// → `.../blobs/uploads/<session>`: the registry picks them per upload.
    UploadUrls,
    /// The `manifests` of every `index.json` in the files sorted (the Go
    /// CLI writes an OCI layout's tags in map order); the file is then
    /// shown re-serialised, so only its entries are compared, not its
    /// byte order.
    IndexOrder,
}

/// Which kind of text is normalised (only streams are reordered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Standard output or standard error of a step.
    Stream,
    /// A snapshot of files or of the registry.
    Snapshot,
}

/// Replacements of run-specific strings by placeholder names, longest
/// first, plus the scenario's named normalisers.
#[derive(Debug, Clone, Default)]
pub struct Normalisation {
    substitutions: Vec<(String, String)>,
    named: Vec<Normaliser>,
}

impl Normalisation {
    /// A normalisation replacing each `(actual, placeholder)` (empty
    /// actual strings are ignored) and applying `named`.
    pub fn new(substitutions: Vec<(String, String)>, named: &[Normaliser]) -> Self {
        let mut substitutions: Vec<_> = substitutions
            .into_iter()
            .filter(|(actual, _)| !actual.is_empty())
            .collect();
        substitutions.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut named = named.to_vec();
        named.sort();
        named.dedup();
        Normalisation {
            substitutions,
            named,
        }
    }

    /// Normalises `text`.
    pub fn apply(&self, text: &str, kind: TextKind) -> String {
        let mut out = text.to_owned();
        for (actual, placeholder) in &self.substitutions {
            if out.contains(actual.as_str()) {
                out = out.replace(actual.as_str(), placeholder);
            }
        }
        let re = patterns();
        for named in &self.named {
            out = match named {
                Normaliser::Created => replace(&re.created, &out, "${1}<created>"),
                Normaliser::Timestamps => replace(&re.timestamp, &out, "<time>"),
                Normaliser::Durations => replace(&re.duration, &out, "<duration>"),
                Normaliser::TempPaths => replace(&re.temp, &out, "<tmp>"),
                Normaliser::Digests => {
                    let step = replace(&re.digest, &out, "sha256:<digest>");
                    let step = replace(&re.hex64, &step, "<hex>");
                    replace(&re.short, &step, "<short>")
                }
                Normaliser::Unordered if kind == TextKind::Stream => {
                    let mut lines: Vec<&str> = out.lines().collect();
                    lines.sort_unstable();
                    let mut sorted = lines.join("\n");
                    if out.ends_with('\n') {
                        sorted.push('\n');
                    }
                    sorted
                }
                Normaliser::Unordered => out,
                Normaliser::UploadUrls => replace(&re.upload, &out, "/blobs/uploads/<session>"),
                Normaliser::IndexOrder => out,
                Normaliser::Progress if kind == TextKind::Stream => {
                    super::tty::normalise_screen(&out)
                }
                Normaliser::Progress => out,
            };
        }
        out
    }
}

/// `text` with every match of `re` replaced (unchanged when the pattern
/// did not compile, which the unit tests rule out).
fn replace(re: &Option<Regex>, text: &str, with: &str) -> String {
    match re {
        Some(re) => re.replace_all(text, with).into_owned(),
        None => text.to_owned(),
    }
}

/// The compiled patterns, built once.
struct Patterns {
    created: Option<Regex>,
    timestamp: Option<Regex>,
    duration: Option<Regex>,
    temp: Option<Regex>,
    digest: Option<Regex>,
    hex64: Option<Regex>,
    short: Option<Regex>,
    upload: Option<Regex>,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let compile = |pattern: &str| Regex::new(pattern).ok();
        Patterns {
            created: compile(
                r#"(org\.opencontainers\.image\.created\\?"?\s*[:=]\s*\\?"?)[0-9][^"\\,\s}]*"#,
            ),
            timestamp: compile(
                r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?( [+-]\d{4} \w+)?",
            ),
            duration: compile(r"\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b"),
            temp: compile(r#"/tmp/[^\s"':,]+"#),
            digest: compile(r"sha256:[0-9a-f]{64}"),
            hex64: compile(r"\b[0-9a-f]{64}\b"),
            short: compile(r"\b[0-9a-f]{12}\b"),
            upload: compile(r#"/blobs/uploads/[^\s"]*"#),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_replace_longest_first() {
        let n = Normalisation::new(
            vec![
                ("/tmp/x/work".into(), "{workdir}".into()),
                ("/tmp/x".into(), "{root}".into()),
                ("".into(), "{empty}".into()),
            ],
            &[],
        );
        assert_eq!(
            n.apply("/tmp/x/work/a /tmp/x/b", TextKind::Stream),
            "{workdir}/a {root}/b"
        );
    }

    #[test]
    fn every_pattern_compiles() {
        let p = patterns();
        for re in [
            &p.created,
            &p.timestamp,
            &p.duration,
            &p.temp,
            &p.digest,
            &p.hex64,
            &p.short,
            &p.upload,
        ] {
            assert!(re.is_some());
        }
    }

    #[test]
    fn named_normalisers() {
        let n = Normalisation::new(
            vec![],
            &[
                Normaliser::Created,
                Normaliser::Digests,
                Normaliser::Timestamps,
            ],
        );
        let text = r#"{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"} sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 0123456789ab"#;
        assert_eq!(
            n.apply(text, TextKind::Snapshot),
            r#"{"org.opencontainers.image.created":"<created>"} sha256:<digest> <short>"#
        );
        let sorted = Normalisation::new(vec![], &[Normaliser::Unordered]);
        assert_eq!(sorted.apply("b\na\n", TextKind::Stream), "a\nb\n");
        assert_eq!(sorted.apply("b\na\n", TextKind::Snapshot), "b\na\n");
    }
}
