//! Progress bars on a terminal stderr (Go `display/status/progress`), and
//! the switches that turn them off: `--no-tty`, `-d` and `-o -` (Go
//! `option.Terminal.DisableTTY`).

use oras_testkit::real::{Mode, start_for_test};

use crate::e2e_tty::support::{Env, Output, TTY_COLS, digest_of, sha256, short};
use oras_testkit::reference::Screen;

const EMPTY_CONFIG: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// The spinner glyphs of a running bar.
const SPINNER: &[char] = &['⠁', '⠂', '⠄', '⡀', '⢀', '⠠', '⠐', '⠈'];

/// What the terminal shows at the end of a run.
fn screen(out: &Output) -> Vec<String> {
    Screen::replay(&out.stderr, TTY_COLS).lines()
}

/// Bytes as a finished bar shows them, `done/total` in Go's
/// `humanize.Bytes` (the sizes of these tests are bytes or whole MiB).
fn done_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes}/{bytes}  B")
    } else {
        assert_eq!(bytes % (1 << 20), 0, "not whole MiB");
        let mib = bytes >> 20;
        format!("{mib}/{mib} MB")
    }
}

/// Checks that the screen has a finished bar for `name` with `action`,
/// its size, and its digest on the line below (Go's two-line layout).
fn assert_done_bar(screen: &[String], action: &str, name: &str, size: u64, digest: &str) {
    let at = screen
        .iter()
        .position(|l| {
            l.starts_with("✓ ")
                && l.split_whitespace().nth(1) == Some(action)
                && l.split_whitespace().nth(2) == Some(name)
        })
        .unwrap_or_else(|| {
            panic!(
                "no finished `{action} {name}` bar on the screen:\n{}",
                screen.join("\n")
            )
        });
    // Right-aligned to the terminal width: ` <done>/<total> 100.00% <time>`.
    let right = screen[at]
        .split(&format!(" {name} "))
        .nth(1)
        .unwrap_or_default()
        .trim_start();
    assert!(
        right.starts_with(&format!("{} 100.00% ", done_size(size))),
        "bar without `{} 100.00%`: {:?}",
        done_size(size),
        screen[at]
    );
    assert_eq!(screen[at].chars().count(), TTY_COLS, "{:?}", screen[at]);
    assert_eq!(
        screen.get(at + 1).map(|l| l.trim_end()),
        Some(format!("  └─ {digest}").as_str()),
        "the line under {:?} is not its digest:\n{}",
        screen[at],
        screen.join("\n")
    );
}

/// No bar of any kind was drawn.
fn assert_no_bars(out: &Output) {
    let raw = out.err();
    assert!(
        !raw.contains('✓') && !raw.contains("└─") && !raw.contains(SPINNER),
        "progress drawn on stderr:\n{raw}"
    );
}

/// Status lines a non-terminal run prints, none of which may be on stdout
/// when the bars are on.
fn assert_no_status_lines(stdout: &str) {
    for word in [
        "Preparing",
        "Uploading",
        "Uploaded",
        "Exists",
        "Skipped",
        "Downloading",
        "Downloaded",
        "Processing",
        "Restored",
    ] {
        assert!(
            !stdout.lines().any(|l| l.starts_with(word)),
            "status line `{word}` on stdout:\n{stdout}"
        );
    }
}

#[test]
fn push_and_pull_on_a_layout_draw_two_line_bars_on_stderr() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    env.write("a/b.txt", b"bee\n");
    let big = env.write_random("big.bin", 3 << 20);
    let big_digest = sha256(&std::fs::read(&big).unwrap());

    let out = env
        .run_tty(&[
            "push",
            "--oci-layout",
            "lay:v1",
            "hi.txt",
            "a/b.txt:text/plain",
            "big.bin",
        ])
        .success("push on a terminal");
    let stdout = out.out();
    let digest = digest_of(&stdout);
    assert_eq!(
        stdout,
        format!(
            "Pushed [oci-layout] lay:v1\nArtifactType: application/vnd.unknown.artifact.v1\nDigest: {digest}\n"
        )
    );
    let raw = out.err();
    assert!(
        raw.contains("Uploading") || raw.contains(SPINNER),
        "no running bar was ever drawn:\n{raw}"
    );
    let lines = screen(&out);
    assert_done_bar(&lines, "Uploaded", "hi.txt", 3, &sha256(b"hi\n"));
    assert_done_bar(&lines, "Uploaded", "a/b.txt", 4, &sha256(b"bee\n"));
    assert_done_bar(&lines, "Uploaded", "big.bin", 3 << 20, &big_digest);
    assert_done_bar(
        &lines,
        "Uploaded",
        "application/vnd.oci.empty.v1+json",
        2,
        EMPTY_CONFIG,
    );
    let manifest_size = std::fs::metadata(
        env.path("lay/blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
    .len();
    assert_done_bar(
        &lines,
        "Uploaded",
        "application/vnd.oci.image.manifest.v1+json",
        manifest_size,
        &digest,
    );
    // Two lines per blob and nothing else.
    assert_eq!(lines.len(), 10, "{}", lines.join("\n"));

    let out = env
        .run_tty(&["pull", "--oci-layout", "lay:v1", "-o", "out"])
        .success("pull on a terminal");
    assert_eq!(
        out.out(),
        format!("Pulled [oci-layout] lay:v1\nDigest: {digest}\n")
    );
    let lines = screen(&out);
    assert_done_bar(&lines, "Pulled", "hi.txt", 3, &sha256(b"hi\n"));
    assert_done_bar(&lines, "Pulled", "a/b.txt", 4, &sha256(b"bee\n"));
    assert_done_bar(&lines, "Pulled", "big.bin", 3 << 20, &big_digest);
    assert_eq!(env.read("out/hi.txt"), b"hi\n");
    assert_eq!(env.read("out/a/b.txt"), b"bee\n");
    assert_eq!(env.read("out/big.bin"), std::fs::read(&big).unwrap());

    // Pushed again: everything exists, still drawn as finished bars.
    let out = env
        .run_tty(&["push", "--oci-layout", "lay:v2", "hi.txt"])
        .success("second push");
    assert_no_status_lines(&out.out());
    assert_done_bar(&screen(&out), "Exists", "hi.txt", 3, &sha256(b"hi\n"));
}

#[test]
fn no_tty_puts_status_lines_back_on_stdout() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    let hi = sha256(b"hi\n");

    let out = env
        .run_tty(&["push", "--no-tty", "--oci-layout", "lay:v1", "hi.txt"])
        .success("push --no-tty");
    assert_no_bars(&out);
    let stdout = out.out();
    let digest = digest_of(&stdout);
    for line in [
        "Preparing hi.txt".to_owned(),
        format!("Uploading {} hi.txt", short(&hi)),
        format!("Uploaded  {} hi.txt", short(&hi)),
        format!(
            "Uploaded  {} application/vnd.oci.empty.v1+json",
            short(EMPTY_CONFIG)
        ),
        format!(
            "Uploaded  {} application/vnd.oci.image.manifest.v1+json",
            short(&digest)
        ),
        "Pushed [oci-layout] lay:v1".to_owned(),
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no `{line}` in:\n{stdout}"
        );
    }

    let out = env
        .run_tty(&["pull", "--no-tty", "--oci-layout", "lay:v1", "-o", "out"])
        .success("pull --no-tty");
    assert_no_bars(&out);
    let stdout = out.out();
    assert!(
        stdout.contains(&format!("Downloaded  {} hi.txt\n", short(&hi))),
        "{stdout}"
    );
    assert!(stdout.ends_with(&format!("Pulled [oci-layout] lay:v1\nDigest: {digest}\n")));

    // `--no-tty=false` is the default on a terminal: bars again.
    let out = env
        .run_tty(&[
            "pull",
            "--no-tty=false",
            "--oci-layout",
            "lay:v1",
            "-o",
            "out2",
        ])
        .success("pull --no-tty=false");
    assert_no_status_lines(&out.out());
    assert_done_bar(&screen(&out), "Pulled", "hi.txt", 3, &hi);
}

#[test]
fn json_on_stdout_bars_on_stderr() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    let hi = sha256(b"hi\n");
    // Go `display.NewPushHandler`: the TTY status handler whatever the
    // format, the JSON metadata handler on stdout.
    let out = env
        .run_tty(&[
            "push",
            "--oci-layout",
            "lay:v1",
            "hi.txt",
            "--format",
            "json",
        ])
        .success("push --format json on a terminal");
    let model = crate::e2e_tty::support::json(&out.out());
    assert_eq!(model["referenceAsTags"], serde_json::json!(["lay:v1"]));
    assert_done_bar(&screen(&out), "Uploaded", "hi.txt", 3, &hi);
    let out = env
        .run_tty(&[
            "pull",
            "--oci-layout",
            "lay:v1",
            "-o",
            "out",
            "--format",
            "json",
        ])
        .success("pull --format json on a terminal");
    let model = crate::e2e_tty::support::json(&out.out());
    assert_eq!(model["files"][0]["digest"], hi.as_str());
    assert_done_bar(&screen(&out), "Pulled", "hi.txt", 3, &hi);
}

#[test]
fn debug_implies_no_tty() {
    let env = Env::new();
    env.write("hi.txt", b"hi\n");
    let out = env
        .run_tty(&["push", "-d", "--oci-layout", "lay:v1", "hi.txt"])
        .success("push -d");
    assert_no_bars(&out);
    let stdout = out.out();
    assert!(
        stdout.contains(&format!("Uploaded  {} hi.txt\n", short(&sha256(b"hi\n")))),
        "{stdout}"
    );
    let out = env
        .run_tty(&["pull", "--debug", "--oci-layout", "lay:v1", "-o", "out"])
        .success("pull --debug");
    assert_no_bars(&out);
    assert!(out.out().contains("Downloaded  "), "{}", out.out());
}

#[test]
fn output_to_stdout_draws_no_bars_unless_forced() {
    let env = Env::new();
    let big = env.write_random("big.bin", 1 << 20);
    let data = std::fs::read(&big).unwrap();
    let digest = sha256(&data);
    env.ok(&["push", "--oci-layout", "lay:v1", "big.bin"]);

    // pull -o - (beyond the Go CLI): the file on stdout, nothing drawn.
    let out = env
        .run_tty(&["pull", "--oci-layout", "lay:v1", "-o", "-"])
        .success("pull -o -");
    assert!(out.stdout == data, "stdout is not the file");
    assert_no_bars(&out);
    // … and `--no-tty=false` draws the layer's bar, as blob fetch does.
    let out = env
        .run_tty(&[
            "pull",
            "--no-tty=false",
            "--oci-layout",
            "lay:v1",
            "-o",
            "-",
        ])
        .success("pull -o - --no-tty=false");
    assert!(out.stdout == data, "stdout is not the file");
    let lines = screen(&out);
    assert!(
        lines.iter().any(|l| l.starts_with("✓ ")),
        "no finished bar for the pulled file:\n{}",
        lines.join("\n")
    );

    // blob fetch -o - (Go): the same, and `--no-tty=false` brings the bar back.
    let reference = format!("lay@{digest}");
    let out = env
        .run_tty(&["blob", "fetch", "--oci-layout", &reference, "-o", "-"])
        .success("blob fetch -o -");
    assert!(out.stdout == data, "stdout is not the blob");
    assert_no_bars(&out);
    let out = env
        .run_tty(&[
            "blob",
            "fetch",
            "--no-tty=false",
            "--oci-layout",
            &reference,
            "-o",
            "-",
        ])
        .success("blob fetch -o - --no-tty=false");
    assert!(out.stdout == data, "stdout is not the blob");
    let lines = screen(&out);
    assert!(
        lines.iter().any(|l| l.starts_with("✓ "))
            && lines
                .iter()
                .any(|l| l.trim_end() == format!("  └─ {digest}")),
        "no finished bar for the blob:\n{}",
        lines.join("\n")
    );
}

#[test]
fn a_20_mib_push_and_pull_through_a_registry() {
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let big = env.write_random("big.bin", 20 << 20);
    let data = std::fs::read(&big).unwrap();
    let blob = sha256(&data);
    let repo = format!("{}/tty/big", registry.host());
    let reference = format!("{repo}:v1");

    let out = env
        .run_tty(&["push", "--plain-http", &reference, "big.bin"])
        .success("push to the registry");
    let stdout = out.out();
    let digest = digest_of(&stdout);
    assert_eq!(
        stdout,
        format!(
            "Pushed [registry] {reference}\nArtifactType: application/vnd.unknown.artifact.v1\nDigest: {digest}\n"
        )
    );
    let lines = screen(&out);
    assert_done_bar(&lines, "Uploaded", "big.bin", 20 << 20, &blob);
    assert_done_bar(
        &lines,
        "Uploaded",
        "application/vnd.oci.image.manifest.v1+json",
        lines_size_of_manifest(&env, &reference),
        &digest,
    );

    let out = env
        .run_tty(&["pull", "--plain-http", &reference, "-o", "out"])
        .success("pull from the registry");
    assert_eq!(
        out.out(),
        format!("Pulled [registry] {reference}\nDigest: {digest}\n")
    );
    assert_done_bar(&screen(&out), "Pulled", "big.bin", 20 << 20, &blob);
    assert!(env.read("out/big.bin") == data, "pulled file differs");
    registry.stop().unwrap();
}

/// The size of the manifest `reference` points at.
fn lines_size_of_manifest(env: &Env, reference: &str) -> u64 {
    let out = env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--descriptor",
        reference,
    ]);
    crate::e2e_tty::support::json(&out)["size"]
        .as_u64()
        .unwrap()
}
