//! The text summaries of each command (Go
//! `cmd/oras/internal/display/metadata/text`), as lines without the
//! trailing newline, plus Go's byte-size and duration formatting.

use std::time::Duration;

use oras_spec::{Descriptor, Digest, annotation};

use crate::output::escape::escape_controls;

/// `Pushed [registry] <ref>` (push).
pub fn pushed(display_reference: &str) -> String {
    format!("Pushed {display_reference}")
}

/// `ArtifactType: …` and `Digest: …` (push).
pub fn push_summary(root: &Descriptor) -> [String; 2] {
    [
        format!("ArtifactType: {}", root.artifact_type),
        digest_line(&root.digest),
    ]
}

/// `Digest: <digest>`.
pub fn digest_line(digest: &Digest) -> String {
    format!("Digest: {digest}")
}

/// `Tagged <tag>`.
pub fn tagged(tag: &str) -> String {
    format!("Tagged {tag}")
}

/// `Tagging [kind] <path>@<digest>` (tag), printed once.
pub fn tagging(kind_and_path: &str, digest: &Digest) -> String {
    format!("Tagging {kind_and_path}@{digest}")
}

/// The pull summary: `Pulled [kind] <ref>` and `Digest:`, or, when
/// untitled layers were skipped, the hint to use `oras copy`.
pub fn pull_summary(
    display_reference: &str,
    raw_reference: &str,
    root: &Digest,
    layers_skipped: bool,
) -> Vec<String> {
    if layers_skipped {
        vec![
            format!(
                "Skipped pulling layers without file name in \"{}\"",
                annotation::TITLE
            ),
            format!(
                "Use 'oras copy {raw_reference} --to-oci-layout <layout-dir>' to pull all layers."
            ),
        ]
    } else {
        vec![format!("Pulled {display_reference}"), digest_line(root)]
    }
}

/// `Attached to [kind] <ref>` and `Digest:` (attach).
pub fn attach_summary(subject_display_reference: &str, root: &Digest) -> [String; 2] {
    [
        format!("Attached to {subject_display_reference}"),
        digest_line(root),
    ]
}

/// `Copied [kind] <from> => [kind] <to>` (cp).
pub fn copied(from_display: &str, to_display: &str) -> String {
    format!("Copied {from_display} => {to_display}")
}

/// `Pushed: [kind] <ref>` (blob push, manifest push).
pub fn pushed_with_colon(display_reference: &str) -> String {
    format!("Pushed: {display_reference}")
}

/// `Deleted [kind] <ref>` (blob/manifest delete).
pub fn deleted(display_reference: &str) -> String {
    format!("Deleted {display_reference}")
}

/// `Missing <ref>` (delete with `--force` of something absent).
pub fn missing(raw_reference: &str) -> String {
    format!("Missing {raw_reference}")
}

/// What `resolve` prints: the digest, or `<path>@<digest>` with `-l`.
pub fn resolved(path: &str, digest: &Digest, full_reference: bool) -> String {
    if full_reference {
        format!("{path}@{digest}")
    } else {
        digest.to_string()
    }
}

/// `oras repo ls` text: the repository without the namespace prefix.
pub fn listed_repository(namespace: &str, repository: &str) -> String {
    repository
        .strip_prefix(namespace)
        .unwrap_or(repository)
        .to_owned()
}

/// `Found N tag(s) in <repo>: a, b` (backup) — one line up to 5 tags,
/// one tag per line above (Go `BackupHandler.OnTagsFound`).
pub fn tags_found(tags: &[String], container: &str) -> Vec<String> {
    match tags.len() {
        0 => vec![format!("No tags found in {container}")],
        n if n <= 5 => vec![format!(
            "Found {n} tag(s) in {container}: {}",
            tags.iter()
                .map(|t| escape_controls(t))
                .collect::<Vec<_>>()
                .join(", ")
        )],
        // Tags come from the registry: one per line, line feeds escaped.
        n => std::iter::once(format!("Found {n} tag(s) in {container}:"))
            .chain(tags.iter().map(|t| escape_controls(t).into_owned()))
            .collect(),
    }
}

/// `Pulled tag <t> with N referrer(s)` (backup).
pub fn backup_pulled(tag: &str, referrers: usize) -> String {
    format!("Pulled tag {tag} with {referrers} referrer(s)")
}

/// `Successfully backed up N tag(s) from "<repo>" to "<path>" in <d>.`
pub fn backup_completed(tags: usize, repository: &str, path: &str, duration: Duration) -> String {
    format!(
        "Successfully backed up {tags} tag(s) from {} to {} in {}.",
        crate::error::quote(repository),
        crate::error::quote(path),
        format_duration(duration)
    )
}

/// `Exporting to <path>` and `Exported to <path> (<size>)` (backup to tar).
pub fn exported(path: &str, size: u64) -> String {
    format!("Exported to {path} ({})", format_bytes(size))
}

/// `Pushed tag <t> with N referrer(s)`, or the dry-run form (restore).
pub fn restore_pushed(tag: &str, referrers: usize, dry_run: bool) -> String {
    if dry_run {
        format!("Dry run: would push tag {tag} with {referrers} referrer(s)")
    } else {
        format!("Pushed tag {tag} with {referrers} referrer(s)")
    }
}

/// The restore completion line.
pub fn restore_completed(
    tags: usize,
    repository: &str,
    duration: Duration,
    dry_run: bool,
) -> String {
    let repo = crate::error::quote(repository);
    if dry_run {
        format!("Dry run complete: {tags} tag(s) would be restored to {repo} (no data pushed)")
    } else {
        format!(
            "Successfully restored {tags} tag(s) to {repo} in {}",
            format_duration(duration)
        )
    }
}

/// `Loaded backup archive: <path> (<size>)` (restore from tar).
pub fn archive_loaded(path: &str, size: u64) -> String {
    format!("Loaded backup archive: {path} ({})", format_bytes(size))
}

/// `Login Succeeded`.
pub const LOGIN_SUCCEEDED: &str = "Login Succeeded";

/// Nothing to do for `manifest index update`.
pub const NOTHING_TO_UPDATE: &str = "Nothing to update as no change is requested";

/// Go's `humanize.ToBytes(...).String()`: `%g %2s` with units B…TB, the
/// number rounded to at most four characters.
pub fn format_bytes(size: u64) -> String {
    let (value, unit) = humanize_bytes(size);
    format!("{} {unit:>2}", go_g(value))
}

/// Go's `humanize.ToBytes`: the rounded number and its unit (`B`, `KB`,
/// `MB`, `GB`, `TB`, powers of 1024).
pub fn humanize_bytes(size: u64) -> (f64, &'static str) {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let f = size as f64;
    if f < 1024.0 {
        (f, UNITS[0])
    } else {
        let e = ((f.ln() / 1024f64.ln()).floor() as usize).min(UNITS.len() - 1);
        (round_to(f / 1024f64.powi(e as i32)), UNITS[e])
    }
}

/// Rounds so the number has at most four characters (Go `humanize.RoundTo`).
pub fn round_to(size: f64) -> f64 {
    if size < 10.0 {
        (size * 100.0).round() / 100.0
    } else if size < 100.0 {
        (size * 10.0).round() / 10.0
    } else {
        size.round()
    }
}

/// Go's `%g` for the small values of [`format_bytes`]: shortest form.
pub fn go_g(value: f64) -> String {
    crate::template::go_float(value)
}

/// Go's `time.Duration.String()` after the CLI's rounding: to seconds
/// above 1s, to milliseconds above 1ms, else to microseconds.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    // Go's Duration.Round: half away from zero.
    let round = |unit: u128| (nanos + unit / 2) / unit * unit;
    let nanos = if nanos > 1_000_000_000 {
        round(1_000_000_000)
    } else if nanos > 1_000_000 {
        round(1_000_000)
    } else {
        round(1_000)
    };
    go_duration(nanos)
}

fn go_duration(nanos: u128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let frac = |value: u128, digits: u32| {
        let unit = 10u128.pow(digits);
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            whole.to_string()
        } else {
            let text = format!("{rest:0width$}", width = digits as usize);
            format!("{whole}.{}", text.trim_end_matches('0'))
        }
    };
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", frac(nanos, 3));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", frac(nanos, 6));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = (nanos / 60_000_000_000) % 60;
    let seconds = frac(nanos % 60_000_000_000, 9);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let d = Descriptor::from_bytes("a/b", b"x");
        assert_eq!(
            pushed("[registry] localhost:5000/hello:v1"),
            "Pushed [registry] localhost:5000/hello:v1"
        );
        let mut root = d.clone();
        root.artifact_type = "application/vnd.unknown.artifact.v1".into();
        let [a, b] = push_summary(&root);
        assert_eq!(a, "ArtifactType: application/vnd.unknown.artifact.v1");
        assert_eq!(b, format!("Digest: {}", d.digest));
        assert_eq!(
            copied("[registry] a:v1", "[oci-layout] b:v1"),
            "Copied [registry] a:v1 => [oci-layout] b:v1"
        );
        assert_eq!(
            tagging("[registry] localhost:5000/hello", &d.digest),
            format!("Tagging [registry] localhost:5000/hello@{}", d.digest)
        );
        assert_eq!(resolved("r/x", &d.digest, false), d.digest.to_string());
        assert_eq!(
            resolved("r/x", &d.digest, true),
            format!("r/x@{}", d.digest)
        );
        assert_eq!(listed_repository("ns/", "ns/a"), "a");
    }

    #[test]
    fn pull_summaries() {
        let d = Descriptor::from_bytes("a/b", b"x");
        let lines = pull_summary("[registry] r/x:v1", "r/x:v1", &d.digest, false);
        assert_eq!(
            lines,
            vec![
                "Pulled [registry] r/x:v1".to_owned(),
                format!("Digest: {}", d.digest)
            ]
        );
        let lines = pull_summary("[registry] r/x:v1", "r/x:v1", &d.digest, true);
        assert_eq!(
            lines[0],
            "Skipped pulling layers without file name in \"org.opencontainers.image.title\""
        );
        assert_eq!(
            lines[1],
            "Use 'oras copy r/x:v1 --to-oci-layout <layout-dir>' to pull all layers."
        );
    }

    #[test]
    fn tags_found_lines() {
        let tags: Vec<String> = (1..=6).map(|i| format!("v{i}")).collect();
        assert_eq!(
            tags_found(&tags[..2], "r/x"),
            vec!["Found 2 tag(s) in r/x: v1, v2".to_owned()]
        );
        assert_eq!(tags_found(&tags, "r/x").len(), 7);
        assert_eq!(
            tags_found(&[], "r/x"),
            vec!["No tags found in r/x".to_owned()]
        );
    }

    #[test]
    fn bytes_like_go() {
        assert_eq!(format_bytes(0), "0  B");
        assert_eq!(format_bytes(512), "512  B");
        assert_eq!(format_bytes(1024), "1 KB");
        assert_eq!(format_bytes(1536), "1.5 KB");
        assert_eq!(format_bytes(10 * 1024 * 1024 + 300_000), "10.3 MB");
        assert_eq!(format_bytes(123 * 1024 * 1024 * 1024), "123 GB");
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_nanos(1_500)), "2µs");
        assert_eq!(format_duration(Duration::from_micros(1_234_567)), "1s");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12ms");
        assert_eq!(format_duration(Duration::from_micros(500)), "500µs");
        assert_eq!(format_duration(Duration::from_nanos(1_234_567)), "1ms");
        assert_eq!(format_duration(Duration::from_nanos(999_999)), "1ms");
        assert_eq!(format_duration(Duration::from_secs(61)), "1m1s");
        assert_eq!(format_duration(Duration::from_secs(3_600)), "1h0m0s");
    }
}
