//! Runs the built `oras` binary: help texts, `version`, completion, usage
//! errors and exit codes.

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::{contains, starts_with};

fn oras() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oras"));
    cmd.timeout(Duration::from_secs(30));
    cmd
}

#[test]
fn root_help_lists_every_command() {
    let out = oras()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("Usage:\n  oras [command]\n\nAvailable Commands:\n"),
        "{text}"
    );
    for name in [
        "attach",
        "backup",
        "blob",
        "completion",
        "cp",
        "discover",
        "login",
        "logout",
        "manifest",
        "pull",
        "push",
        "repo",
        "resolve",
        "restore",
        "tag",
        "version",
    ] {
        assert!(
            text.contains(&format!("\n  {name} ")),
            "{name} missing in\n{text}"
        );
    }
    assert!(text.contains("  -h, --help   help for oras"));
    assert!(
        text.ends_with("Use \"oras [command] --help\" for more information about a command.\n")
    );
    oras().arg("-h").assert().success().stdout(text);
}

#[test]
fn command_help_reads_like_go() {
    let assert = oras().args(["push", "--help"]).assert().success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        text.starts_with("Push files to a registry or an OCI image layout\n\nExample - "),
        "{text}"
    );
    assert!(text.contains("\nUsage:\n  oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]\n\nFlags:\n"));
    for flag in [
        "-a, --annotation stringArray",
        "--annotation-file string",
        "--artifact-platform",
        "--artifact-type string",
        "--concurrency int",
        "--config path",
        "-d, --debug",
        "--disable-path-validation",
        "--export-manifest path",
        "--format string",
        "-H, --header stringArray",
        "--image-spec string",
        "--oci-layout",
        "--oci-layout-path string",
        "-p, --password string",
        "--password-stdin",
        "--plain-http",
        "--resolve",
        "--template string",
        "-u, --username string",
        "-h, --help",
    ] {
        assert!(text.contains(flag), "{flag} missing in\n{text}");
    }
    oras().args(["push", "-h"]).assert().success().stdout(text);
    oras()
        .args(["help", "push"])
        .assert()
        .success()
        .stdout(contains("Usage:\n  oras push [flags]"));
}

#[test]
fn aliases_and_groups() {
    oras()
        .args(["copy", "--help"])
        .assert()
        .success()
        .stdout(contains("Aliases:\n  cp, copy\n"));
    oras()
        .args(["digest", "--help"])
        .assert()
        .success()
        .stdout(contains("Aliases:\n  resolve, digest\n"));
    oras()
        .args(["manifest", "get", "-h"])
        .assert()
        .success()
        .stdout(contains("Aliases:\n  fetch, get, show\n"));
    oras().arg("blob").assert().success().stdout(
        contains("Usage:\n  oras blob [command]")
            .and(contains("Use \"oras blob [command] --help\"")),
    );
    oras()
        .args(["manifest", "index", "--help"])
        .assert()
        .success()
        .stdout(contains(
            "  create      [Experimental] Create and push an index from provided manifests",
        ));
    oras().args(["cp", "--help"]).assert().success().stdout(
        contains("--from-oci-layout-path string")
            .and(contains("--to-distribution-spec string"))
            .and(contains("--from-username string"))
            .and(contains("-r, --recursive")),
    );
}

#[test]
fn version_prints_aligned_fields() {
    let assert = oras().arg("version").assert().success().stderr("");
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let keys: Vec<&str> = text
        .lines()
        .map(|l| l.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        keys,
        [
            "Version",
            "Go version",
            "OS/Arch",
            "Git commit",
            "Git tree state"
        ]
    );
    let column = text
        .lines()
        .map(|l| l.len() - l.split_once(": ").unwrap().1.trim_start().len())
        .collect::<Vec<_>>();
    assert!(column.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(text.contains(&format!(
        "OS/Arch:        {}/",
        if cfg!(target_os = "macos") {
            "darwin"
        } else {
            std::env::consts::OS
        }
    )));
    oras()
        .args(["version", "foo", "bar"])
        .assert()
        .success()
        .stderr("warning: `oras version` requires no argument, \"foo,bar\" will be ignored\n");
}

#[test]
fn usage_errors_exit_1_with_go_messages() {
    oras().arg("pull").assert().code(1).stdout("").stderr(
        "Error: \"oras pull\" requires exactly 1 argument but got 0\n\
         Usage: oras pull [flags] <name>{:<tag>|@<digest>}\n\
         Please specify exactly 1 argument as the artifact reference you want to pull. Run \"oras pull -h\" for more options and examples\n",
    );
    oras()
        .args(["pull", "--bogus", "x"])
        .assert()
        .code(1)
        .stderr("Error: unknown flag: --bogus\n");
    oras()
        .args(["pull", "-Z", "x"])
        .assert()
        .code(1)
        .stderr("Error: unknown shorthand flag: 'Z' in -Z\n");
    oras()
        .arg("nosuch")
        .assert()
        .code(1)
        .stderr(contains("Error: "));
    oras()
        .args([
            "push",
            "--format",
            "json",
            "--template",
            "{{.digest}}",
            "localhost:5000/a:v1",
        ])
        .assert()
        .code(1)
        .stderr("Error: --template must be used with --format go-template\n");
    oras()
        .args(["blob", "delete", "--descriptor", "localhost:5000/a@sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"])
        .assert()
        .code(1)
        .stderr("Error: must apply --force to confirm the deletion if the descriptor is outputted\n");
    oras()
        .args(["attach", "--artifact-type", "doc/example", "localhost:5000/Hello:v1", "f.txt"])
        .assert()
        .code(1)
        .stderr(
            "Error: \"localhost:5000/Hello:v1\": invalid reference: invalid repository \"Hello\"\n\
             Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]\n",
        );
    oras()
        .args([
            "discover",
            "--distribution-spec",
            "v9",
            "localhost:5000/a:v1",
        ])
        .assert()
        .code(1)
        .stderr(contains("unknown distribution specification flag: v9"));
}

#[test]
fn deprecation_notes_go_to_stderr() {
    let missing = tempfile::tempdir().unwrap();
    let layout = format!("{}:v1", missing.path().join("no-layout").display());
    oras()
        .args(["discover", "--format", "table", "--oci-layout", &layout])
        .assert()
        .code(1)
        .stdout("")
        .stderr(starts_with(
            "Format \"table\" is deprecated and will be removed in a future release.\nError: ",
        ));
}

#[test]
fn completion_scripts() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        oras()
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(contains("oras").and(contains("discover")));
    }
    oras()
        .args(["completion", "bash", "--help"])
        .assert()
        .success()
        .stdout(contains("source <(oras completion bash)"));
}

/// pflag gives a flag that needs a value the next argument whatever it
/// starts with: `-p -abc` is a password, not an unknown flag.
#[test]
fn flag_values_may_start_with_a_dash() {
    let home = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let registry = format!("localhost:{port}");
    for password in [["-p", "-abc"], ["--password", "--abc"]] {
        oras()
            .env("HOME", home.path())
            .args(["login", &registry, "-u", "-user"])
            .args(password)
            .assert()
            .failure()
            .code(1)
            .stderr(contains("failed to validate the credentials"))
            .stderr(contains("unknown").not());
    }
    // A flag whose value is optional still never takes the next argument.
    oras()
        .args(["repo", "tags", "--plain-http", "-x", "localhost:1/r"])
        .assert()
        .failure()
        .stderr(contains("unknown shorthand flag: 'x' in -x"));
}

/// What a run of a binary showed: exit code, stdout, stderr.
type Shown = (Option<i32>, String, String);

/// Runs `binary` with `args` in an empty home, without a terminal.
fn run_binary(binary: &std::path::Path, home: &std::path::Path, args: &[&str]) -> Shown {
    let out = std::process::Command::new(binary)
        .args(args)
        .env("HOME", home)
        .env_remove("DOCKER_CONFIG")
        .env_remove("ORAS_CACHE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", binary.display()));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The reference Go CLI, built (or named by `ORAS_TEST_GO_ORAS`) by the
/// testkit; `None` (the test is skipped) only when it cannot be had and
/// skipping was asked for.
fn go_oras() -> Option<std::path::PathBuf> {
    match oras_testkit::reference::go_oras() {
        Ok(path) => Some(path),
        Err(e) if e.is_not_installed() && oras_testkit::real::skip_requested() => {
            eprintln!("SKIP: no Go oras: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// The subcommands a cobra help text lists under `Available Commands:`.
fn listed_commands(help: &str) -> Vec<String> {
    help.split("Available Commands:\n")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|line| line.starts_with("  "))
                .filter_map(|line| line.split_whitespace().next())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Flags only this implementation has, deliberate extensions of the Go
/// CLI (pull's unpacking limits and layout/permission options, push's
/// size of a layer read from stdin, `tag --delete`): their lines are taken
/// out of our help before comparing. Everything else must be byte-equal.
const EXTENSION_FLAGS: &[(&str, &[&str])] = &[
    (
        "pull",
        &[
            "max-unpack-entries",
            "max-unpack-ratio",
            "max-unpack-size",
            "preserve-permissions",
            "to-oci-layout",
        ],
    ),
    ("push", &["size"]),
    ("tag", &["delete"]),
];

/// Our help of `path` without the lines of its extension flags.
fn without_extensions(path: &[String], help: &str) -> String {
    let joined = path.join(" ");
    let flags: &[&str] = EXTENSION_FLAGS
        .iter()
        .find(|(command, _)| *command == joined)
        .map_or(&[], |(_, flags)| flags);
    help.lines()
        .filter(|line| {
            !flags
                .iter()
                .any(|flag| line.starts_with(&format!("      --{flag} ")))
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Every command's `--help` (found by walking the Go CLI's own command
/// lists, so none is missed) is byte-identical to the Go CLI's.
#[test]
fn every_help_is_the_go_clis() {
    let Some(go) = go_oras() else { return };
    let ours = std::path::PathBuf::from(env!("CARGO_BIN_EXE_oras"));
    let home = tempfile::tempdir().unwrap();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    let mut checked = 0;
    let mut failures = Vec::new();
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let expected = run_binary(&go, home.path(), &args);
        let (code, stdout, stderr) = run_binary(&ours, home.path(), &args);
        let actual = (code, without_extensions(&path, &stdout), stderr);
        if actual != expected {
            failures.push(format!(
                "oras {}:\n--- go\n{}{}--- ours\n{}{}",
                args.join(" "),
                expected.1,
                expected.2,
                actual.1,
                actual.2
            ));
        }
        checked += 1;
        for sub in listed_commands(&expected.1) {
            let mut sub_path = path.clone();
            sub_path.push(sub);
            pending.push(sub_path);
        }
    }
    assert!(checked > 30, "only {checked} commands found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Command-line mistakes (unknown commands and flags, bad flag values,
/// missing values, `help` topics) print what cobra and pflag print, with
/// the same exit code. None of these reaches a registry.
#[test]
fn parse_errors_are_the_go_clis() {
    let Some(go) = go_oras() else { return };
    let ours = std::path::PathBuf::from(env!("CARGO_BIN_EXE_oras"));
    let home = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["nope"],
        &["pul"],
        &["re"],
        &["c"],
        &["Pull"],
        &["--nope"],
        &["-x"],
        &["help"],
        &["help", "nope"],
        &["help", "nope", "x"],
        &["help", "manifest", "nope"],
        &["help", "manifest", "fetch"],
        &["help", "copy"],
        &["help", "help"],
        &["help", "-h"],
        &["manifest"],
        &["manifest", "nope"],
        &["manifest", "nope", "--nope"],
        &["manifest", "--nope"],
        &["repository"],
        &["completion"],
        &["completion", "tcsh"],
        &["completion", "bash", "x"],
        &["pull", "--nope"],
        &["pull", "--help", "--nope"],
        &["pull", "-v"],
        &["blob", "fetch", "-v", "--verbose=false"],
        &["pull", "-h", "--debug=maybe"],
        &["pull", "--concurrency", "abc", "-h"],
        &["pull", "-h", "--platform"],
        &["pull", "-h", "-o"],
        &["push", "-h", "--image-spec", "v9"],
        &["pull", "-o", "-h"],
        &["pull", "-kd=no", "--help"],
        &["pull", "-h", "-kZ"],
        &["-h", "manifest"],
        &["manifest", "-h", "fetch"],
        &["manifest", "-hx", "fetch"],
        &["manifest", "--", "fetch"],
        &["-d", "pull"],
        &["--nope", "x", "pull"],
        &["--help", "nope"],
        &["manifest", "-h", "nope"],
        &["manifest", "--nope", "fetch", "x"],
        &["help", "manifest", "--nope"],
        &["manifest", "index", "update"],
        &["pull", "-Z"],
        &["pull", "-kZ"],
        &["pull", "-kZ=3", "x"],
        &["pull", "---x", "x"],
        &["pull", "--=x", "x"],
        &["pull", "--plain-http=maybe", "x"],
        &["pull", "-v=maybe", "x"],
        &["pull", "-d=maybe", "x"],
        &["pull", "-kd=x", "x"],
        &["pull", "--oci-layout=maybe", "x"],
        &["pull", "--concurrency", "abc", "x"],
        &["pull", "--concurrency", "-1", "x"],
        &["pull", "--concurrency", "0x10", "x"],
        &["tag", "--concurrency", "99999999999999999999", "x", "y"],
        &["cp", "--concurrency", "1.5", "a", "b"],
        &["push", "--image-spec", "v9", "x"],
        &["attach", "--distribution-spec", "x", "y"],
        &["pull", "--platform"],
        &["pull", "--output"],
        &["pull", "-o"],
        &["pull", "-ko"],
        &["repo", "tags", "--last"],
        &["pull"],
        &["cp"],
    ];
    let mut failures = Vec::new();
    for args in cases {
        let expected = run_binary(&go, home.path(), args);
        let actual = run_binary(&ours, home.path(), args);
        if actual != expected {
            failures.push(format!(
                "oras {}:\n--- go ({:?})\n{}{}--- ours ({:?})\n{}{}",
                args.join(" "),
                expected.0,
                expected.1,
                expected.2,
                actual.0,
                actual.1,
                actual.2
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
