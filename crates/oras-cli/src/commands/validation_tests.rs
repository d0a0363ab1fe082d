//! The usage rules of every command, exercised through the real clap tree:
//! arguments are parsed as the binary parses them, then validated.

use clap::FromArgMatches;

use crate::app::{Cli, Command, command};
use crate::commands::{Command as _, ValidateEnv, blob, manifest, repo};
use crate::error::CliError;
use crate::options::{DistributionSpec, ImageSpec, OutputFormat, TargetKind};

const DIGEST: &str = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

fn parse(args: &[&str]) -> Command {
    let mut argv = vec!["oras"];
    argv.extend_from_slice(args);
    let matches = command()
        .try_get_matches_from(argv)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    Cli::from_arg_matches(&matches).unwrap().command
}

fn env() -> ValidateEnv {
    ValidateEnv::default()
}

/// Validates and returns the error message, or "ok".
fn check(args: &[&str]) -> String {
    match validate(args).0 {
        Ok(()) => "ok".into(),
        Err(e) => e.message,
    }
}

/// Validates, returning the outcome and what validation reported.
fn validate(args: &[&str]) -> (Result<(), CliError>, ValidateEnv) {
    let mut env = env();
    let result: Result<(), CliError> = match parse(args) {
        Command::Push(a) => a.validate(&mut env).map(drop),
        Command::Pull(a) => a.validate(&mut env).map(drop),
        Command::Attach(a) => a.validate(&mut env).map(drop),
        Command::Discover(a) => a.validate(&mut env).map(drop),
        Command::Cp(a) => a.validate(&mut env).map(drop),
        Command::Tag(a) => a.validate(&mut env).map(drop),
        Command::Resolve(a) => a.validate(&mut env).map(drop),
        Command::Login(a) => a.validate(&mut env).map(drop),
        Command::Logout(a) => a.validate(&mut env).map(drop),
        Command::Backup(a) => a.validate(&mut env).map(drop),
        Command::Restore(a) => a.validate(&mut env).map(drop),
        Command::Blob(blob::BlobCommand::Fetch(a)) => a.validate(&mut env).map(drop),
        Command::Blob(blob::BlobCommand::Push(a)) => a.validate(&mut env).map(drop),
        Command::Blob(blob::BlobCommand::Delete(a)) => a.validate(&mut env).map(drop),
        Command::Manifest(manifest::ManifestCommand::Fetch(a)) => a.validate(&mut env).map(drop),
        Command::Manifest(manifest::ManifestCommand::FetchConfig(a)) => {
            a.validate(&mut env).map(drop)
        }
        Command::Manifest(manifest::ManifestCommand::Push(a)) => a.validate(&mut env).map(drop),
        Command::Manifest(manifest::ManifestCommand::Delete(a)) => a.validate(&mut env).map(drop),
        Command::Manifest(manifest::ManifestCommand::Index(
            manifest::index::IndexCommand::Create(a),
        )) => a.validate(&mut env).map(drop),
        Command::Manifest(manifest::ManifestCommand::Index(
            manifest::index::IndexCommand::Update(a),
        )) => a.validate(&mut env).map(drop),
        Command::Repo(repo::RepoCommand::Ls(a)) => a.validate(&mut env).map(drop),
        Command::Repo(repo::RepoCommand::Tags(a)) => a.validate(&mut env).map(drop),
        Command::Version(_) | Command::Completion(_) => Ok(()),
    };
    (result, env)
}

#[test]
fn every_command_reports_debug_to_the_dispatcher() {
    let digest_ref = format!("localhost:5000/a@{DIGEST}");
    let commands: [&[&str]; 22] = [
        &["push", "localhost:5000/a:v1"],
        &["pull", "localhost:5000/a:v1"],
        &[
            "attach",
            "--artifact-type",
            "a/b",
            "localhost:5000/a:v1",
            "f",
        ],
        &["discover", "localhost:5000/a:v1"],
        &["cp", "localhost:5000/a:v1", "localhost:5000/b:v1"],
        &["tag", "localhost:5000/a:v1", "v2"],
        &["resolve", "localhost:5000/a:v1"],
        &["login", "-u", "x", "--password-stdin", "localhost:5000"],
        &["logout", "localhost:5000"],
        &["backup", "--output", "out", "localhost:5000/a:v1"],
        &["restore", "--input", "in", "localhost:5000/a:v1"],
        &["blob", "fetch", "--descriptor", &digest_ref],
        &["blob", "push", "localhost:5000/a", "f"],
        &["blob", "delete", &digest_ref],
        &["manifest", "fetch", "localhost:5000/a:v1"],
        &["manifest", "fetch-config", "localhost:5000/a:v1"],
        &["manifest", "push", "localhost:5000/a:v1", "m.json"],
        &["manifest", "delete", "localhost:5000/a:v1"],
        &["manifest", "index", "create", "localhost:5000/a:v1"],
        &[
            "manifest",
            "index",
            "update",
            "--add",
            "x",
            "localhost:5000/a:v1",
        ],
        &["repo", "ls", "localhost:5000"],
        &["repo", "tags", "localhost:5000/a"],
    ];
    for args in commands {
        let (result, env) = validate(args);
        assert!(result.is_ok(), "{args:?}: {result:?}");
        assert!(!env.debug, "{args:?}");
        let mut debug = args.to_vec();
        debug.insert(debug.len() - 1, "-d");
        let (result, env) = validate(&debug);
        assert!(result.is_ok(), "{debug:?}: {result:?}");
        assert!(env.debug, "{debug:?} does not report --debug");
    }
}

#[test]
fn push_image_spec_matrix() {
    let push = |extra: &[&str]| {
        let mut args = vec!["push"];
        args.extend_from_slice(extra);
        args.push("localhost:5000/hello:v1");
        match parse(&args) {
            Command::Push(a) => a.validate(&mut env()),
            _ => unreachable!(),
        }
    };
    // No config, no type: v1.1 with the unknown artifact type.
    let o = push(&[]).unwrap();
    assert_eq!(
        (o.image_spec, o.artifact_type.as_str()),
        (ImageSpec::V1_1, "application/vnd.unknown.artifact.v1")
    );
    // --config without --artifact-type switches to v1.0.
    let o = push(&["--config", "c.json:application/vnd.me.config"]).unwrap();
    assert_eq!(o.image_spec, ImageSpec::V1_0);
    assert_eq!(o.artifact_type, "");
    // ... unless v1.1 was asked for.
    let e = push(&["--config", "c.json", "--image-spec", "v1.1"]).unwrap_err();
    assert_eq!(
        e.message,
        "missing artifact type for OCI image-spec v1.1 artifacts"
    );
    assert!(e.recommendation.is_some());
    // v1.0 with both.
    let e = push(&[
        "--config",
        "c.json",
        "--artifact-type",
        "a/b",
        "--image-spec",
        "v1.0",
    ])
    .unwrap_err();
    assert_eq!(
        e.message,
        "--artifact-type and --config cannot both be provided for 1.0 OCI image"
    );
    // config + type is fine in v1.1.
    let o = push(&["--config", "c.json", "--artifact-type", "a/b"]).unwrap();
    assert_eq!(
        (o.image_spec, o.artifact_type.as_str()),
        (ImageSpec::V1_1, "a/b")
    );
    // config and artifact platform exclude each other.
    let e = push(&[
        "--config",
        "c.json",
        "--artifact-type",
        "a/b",
        "--artifact-platform",
        "linux/amd64",
    ])
    .unwrap_err();
    assert_eq!(
        e.message,
        "--config, --artifact-platform cannot be used at the same time"
    );
    // artifact platform + v1.0 + artifact type.
    let e = push(&[
        "--artifact-platform",
        "linux/amd64",
        "--image-spec",
        "v1.0",
        "--artifact-type",
        "a/b",
    ])
    .unwrap_err();
    assert_eq!(
        e.message,
        "artifact type cannot be customized for OCI image-spec v1.0 when platform is specified"
    );
    let o = push(&["--artifact-platform", "linux/arm/v7"]).unwrap();
    assert!(
        matches!(o.config, crate::commands::push::ConfigSource::Platform(ref p) if p.variant == "v7")
    );
    // the config type defaults.
    let o = push(&["--config", "c.json"]).unwrap();
    assert_eq!(
        o.config,
        crate::commands::push::ConfigSource::File {
            path: "c.json".into(),
            media_type: "application/vnd.unknown.config.v1+json".into()
        }
    );
    assert!(push(&["--artifact-type", "not a type"]).is_err());
}

#[test]
fn push_arguments() {
    let o = match parse(&[
        "push",
        "localhost:5000/hello:t1,t2,t3",
        "hi.txt:text/plain",
        "hi:txt:",
    ]) {
        Command::Push(a) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(o.target.reference, "t1");
    assert_eq!(o.extra_tags, ["t2", "t3"]);
    assert_eq!(o.files[0].path, "hi.txt");
    assert_eq!(o.files[0].media_type, "text/plain");
    assert_eq!(
        (o.files[1].path.as_str(), o.files[1].media_type.as_str()),
        ("hi:txt", "")
    );
    assert_eq!(
        check(&["push"]),
        "\"oras push\" requires at least 1 argument but got 0"
    );
    assert!(
        check(&["push", "localhost:5000/hello:v1", "/abs/file"])
            .starts_with("absolute file paths are insecure and not recommended")
    );
    assert_eq!(
        check(&[
            "push",
            "--disable-path-validation",
            "localhost:5000/hello:v1",
            "/abs/file"
        ]),
        "ok"
    );
    assert_eq!(
        check(&[
            "push",
            "-a",
            "k=v",
            "--annotation-file",
            "a.json",
            "localhost:5000/hello:v1"
        ]),
        "`--annotation` and `--annotation-file` cannot be both specified"
    );
    assert_eq!(
        check(&["push", "-a", "k=1", "-a", "k=2", "localhost:5000/hello:v1"]),
        "duplicate annotation key: k, "
    );
    assert_eq!(
        check(&[
            "push",
            "--format",
            "json",
            "--template",
            "{{.}}",
            "localhost:5000/hello:v1"
        ]),
        "--template must be used with --format go-template"
    );
}

#[test]
fn push_from_stdin() {
    assert_eq!(
        check(&["push", "localhost:5000/hello:v1", "-"]),
        "`--size` must be provided if the blob is read from stdin"
    );
    assert_eq!(
        check(&["push", "--size", "5", "localhost:5000/hello:v1", "-"]),
        "ok"
    );
    assert_eq!(
        check(&["push", "--size", "5", "localhost:5000/hello:v1", "a.txt"]),
        "`--size` can only be used when a file is read from stdin (`-`)"
    );
    assert_eq!(
        check(&["push", "--size", "5", "localhost:5000/hello:v1", "-", "-"]),
        "stdin (`-`) can only be read once"
    );
    assert!(
        check(&[
            "push",
            "--size",
            "5",
            "--password-stdin",
            "localhost:5000/hello:v1",
            "-"
        ])
        .contains("cannot be both used")
    );
}

#[test]
fn remote_flags() {
    assert_eq!(
        check(&["pull", "-p", "x", "--password-stdin", "localhost:5000/a:v1"]),
        "--password, --password-stdin cannot be used at the same time"
    );
    assert_eq!(
        check(&[
            "pull",
            "-u",
            "x",
            "--identity-token",
            "t",
            "localhost:5000/a:v1"
        ]),
        "--username, --identity-token cannot be used at the same time"
    );
    assert_eq!(
        check(&["pull", "--cert-file", "c", "localhost:5000/a:v1"]),
        "--cert-file must be used in conjunction with --key-file"
    );
    assert_eq!(
        check(&["pull", "-H", "bad", "localhost:5000/a:v1"]),
        "invalid header: \"bad\""
    );
    assert_eq!(
        check(&["pull", "--oci-layout", "-H", "A: b", "dir:v1"]),
        "custom header flags cannot be used on an OCI image layout target"
    );
    assert!(
        check(&["pull", "--resolve", "x:1", "localhost:5000/a:v1"])
            .starts_with("failed to parse resolve flag")
    );
    let o = match parse(&[
        "pull",
        "--plain-http=false",
        "-H",
        "X-A: 1",
        "localhost:5000/a:v1",
    ]) {
        Command::Pull(a) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert!(!o.target.remote.plain_http_for("localhost:5000"));
    assert_eq!(o.target.remote.headers[0].value, "1");
}

#[test]
fn pull_rules() {
    assert_eq!(
        check(&["pull", "localhost:5000/a"]),
        "\"localhost:5000/a\": no tag or digest specified"
    );
    assert_eq!(
        check(&["pull", "-o", "-", "--format", "json", "localhost:5000/a:v1"]),
        "`--output -` cannot be used with `--format json` at the same time"
    );
    assert_eq!(
        check(&[
            "pull",
            "--to-oci-layout",
            "--config",
            "c.json",
            "localhost:5000/a:v1"
        ]),
        "--to-oci-layout, --config cannot be used at the same time"
    );
    let o = match parse(&[
        "pull",
        "--oci-layout",
        "layout.tar:v1",
        "--platform",
        "linux/arm64",
        "-o",
        "-",
    ]) {
        Command::Pull(a) => a
            .validate(&mut ValidateEnv {
                stderr_is_tty: true,
                ..ValidateEnv::default()
            })
            .unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(o.target.kind, TargetKind::OciLayout);
    assert!(o.to_stdout);
    assert!(!o.tty, "no progress when content goes to stdout");
    assert_eq!(o.platform.unwrap().architecture, "arm64");
    assert_eq!(o.concurrency, 3);
}

#[test]
fn attach_rules() {
    assert_eq!(
        check(&["attach", "localhost:5000/a:v1", "f.txt"]),
        "required flag(s) \"artifact-type\" not set"
    );
    assert_eq!(
        check(&[
            "attach",
            "--artifact-type",
            "doc/example",
            "localhost:5000/a:v1"
        ]),
        "neither file nor annotation provided in the command"
    );
    assert_eq!(
        check(&[
            "attach",
            "--artifact-type",
            "doc/example",
            "-a",
            "k=v",
            "localhost:5000/a:v1"
        ]),
        "ok"
    );
    assert_eq!(
        check(&[
            "attach",
            "--artifact-type",
            "doc/example",
            "--config",
            "c",
            "--platform",
            "linux/amd64",
            "localhost:5000/a:v1",
            "f"
        ]),
        "--config, --platform cannot be used at the same time"
    );
    assert_eq!(
        check(&[
            "attach",
            "--artifact-type",
            "doc/example",
            "localhost:5000/a",
            "f"
        ]),
        "\"localhost:5000/a\": no tag or digest specified"
    );
    let o = match parse(&[
        "attach",
        "--artifact-type",
        "doc/example",
        "--distribution-spec",
        "v1.1-referrers-tag",
        "localhost:5000/a:v1",
        "f",
    ]) {
        Command::Attach(a) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(
        o.target.remote.distribution_spec,
        Some(DistributionSpec::ReferrersTag)
    );
}

#[test]
fn discover_rules() {
    assert_eq!(
        check(&["discover", "--depth", "0", "localhost:5000/a:v1"]),
        "depth value should be at least 1"
    );
    let mut e = env();
    let o = match parse(&["discover", "--format", "table", "localhost:5000/a:v1"]) {
        Command::Discover(a) => a.validate(&mut e).unwrap(),
        _ => unreachable!(),
    };
    assert_eq!((o.format, o.depth), (OutputFormat::Table, Some(1)));
    assert_eq!(e.notes.len(), 1);
    assert_eq!(
        check(&[
            "discover",
            "--format",
            "json",
            "-o",
            "json",
            "localhost:5000/a:v1"
        ]),
        "--format, --output cannot be used at the same time"
    );
    assert_eq!(
        check(&["discover", "--format", "text", "localhost:5000/a:v1"]),
        "ok"
    );
    assert!(
        check(&["discover", "--format", "yaml", "localhost:5000/a:v1"])
            .starts_with("invalid format type")
    );
}

#[test]
fn copy_rules() {
    let o = match parse(&[
        "cp",
        "--from-oci-layout",
        "--to-plain-http",
        "--resolve",
        "a:1:127.0.0.1",
        "dir:v1",
        "localhost:5000/b:t1,t2",
    ]) {
        Command::Cp(a) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(o.from.kind, TargetKind::OciLayout);
    assert_eq!(o.to.remote.plain_http, Some(true));
    assert_eq!(o.to.remote.resolve.len(), 1);
    assert_eq!(o.extra_tags, ["t2"]);
    assert_eq!(
        check(&["copy", "localhost:5000/a", "localhost:5000/b"]),
        "\"localhost:5000/a\": no tag or digest specified"
    );
    assert_eq!(
        check(&["cp", "localhost:5000/a:v1"]),
        "\"oras cp\" requires exactly 2 arguments but got 1"
    );
}

#[test]
fn tag_rules() {
    assert_eq!(
        check(&["tag", "list"]),
        "there is no \"list\" sub-command for \"oras tag\" command"
    );
    assert_eq!(check(&["tag", "localhost:5000/a:v1", "v2"]), "ok");
    // Go 1.3.6: a new tag is required (our --delete needs only the reference).
    assert_eq!(
        check(&["tag", "localhost:5000/a:v1"]),
        "\"oras tag\" requires at least 2 arguments but got 1"
    );
    assert_eq!(check(&["tag", "--delete", "localhost:5000/a:v1"]), "ok");
    let o = match parse(&["tag", "--delete", "localhost:5000/a:v1", "latest"]) {
        Command::Tag(a) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(o.tags, ["v1", "latest"]);
    assert!(o.delete);
    let digest_ref = format!("localhost:5000/a@{DIGEST}");
    assert!(check(&["tag", "--delete", &digest_ref]).starts_with("no tag to delete"));
    assert!(
        check(&["tag", "localhost:5000/A:v1", "x"])
            .starts_with("unable to add tag for 'localhost:5000/A:v1'")
    );
}

#[test]
fn manifest_rules() {
    assert_eq!(
        check(&["manifest", "delete", "--descriptor", "localhost:5000/a:v1"]),
        "must apply --force to confirm the deletion if the descriptor is outputted"
    );
    assert_eq!(
        check(&[
            "manifest",
            "rm",
            "--descriptor",
            "-f",
            "localhost:5000/a:v1"
        ]),
        "ok"
    );
    assert_eq!(
        check(&[
            "manifest",
            "fetch",
            "--format",
            "json",
            "--pretty",
            "localhost:5000/a:v1"
        ]),
        "--format, --pretty cannot be used at the same time"
    );
    assert_eq!(
        check(&[
            "manifest",
            "get",
            "--format",
            "json",
            "--descriptor",
            "localhost:5000/a:v1"
        ]),
        "--format, --descriptor cannot be used at the same time"
    );
    assert_eq!(
        check(&[
            "manifest",
            "fetch",
            "-o",
            "-",
            "--descriptor",
            "localhost:5000/a:v1"
        ]),
        "`--descriptor` cannot be used with `--output -` at the same time"
    );
    assert_eq!(
        check(&[
            "manifest",
            "fetch-config",
            "-o",
            "-",
            "--descriptor",
            "localhost:5000/a:v1"
        ]),
        "`--output -` cannot be used with `--descriptor` at the same time"
    );
    let o = match parse(&[
        "manifest",
        "fetch",
        "--media-type",
        "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json",
        "localhost:5000/a:v1",
    ]) {
        Command::Manifest(manifest::ManifestCommand::Fetch(a)) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(o.media_types.len(), 2);
    assert!(
        check(&[
            "manifest",
            "push",
            "--password-stdin",
            "localhost:5000/a:v1",
            "-"
        ])
        .contains("cannot be both used")
    );
    assert_eq!(
        check(&[
            "manifest",
            "index",
            "update",
            "--tag",
            "x",
            "-o",
            "f",
            "localhost:5000/a:v1"
        ]),
        "--tag, --output cannot be used at the same time"
    );
    assert_eq!(
        check(&[
            "manifest",
            "index",
            "update",
            "--remove",
            "v1",
            "localhost:5000/a:v1"
        ]),
        "remove: v1 is not a digest"
    );
    assert_eq!(
        check(&[
            "manifest",
            "index",
            "pack",
            "localhost:5000/a:v1",
            "amd64",
            "arm64"
        ]),
        "ok"
    );
}

#[test]
fn blob_rules() {
    let r = format!("localhost:5000/a@{DIGEST}");
    assert_eq!(
        check(&["blob", "fetch", &r]),
        "either `--output` or `--descriptor` must be provided"
    );
    assert_eq!(
        check(&["blob", "get", "-o", "-", "--descriptor", &r]),
        "`--output -` cannot be used with `--descriptor` at the same time"
    );
    assert_eq!(
        check(&["blob", "fetch", "--descriptor", "localhost:5000/a"]),
        "\"localhost:5000/a\": no digest specified"
    );
    assert_eq!(
        check(&["blob", "push", "localhost:5000/a", "-"]),
        "`--size` must be provided if the blob is read from stdin"
    );
    assert_eq!(check(&["blob", "push", "--size", "5", &r, "-"]), "ok");
    assert_eq!(
        check(&["blob", "delete", "--descriptor", &r]),
        "must apply --force to confirm the deletion if the descriptor is outputted"
    );
}

#[test]
fn repo_backup_restore_login() {
    assert_eq!(
        check(&["repo", "ls", "localhost:5000/a:v1"]),
        "could not parse repository path: tags or digests should not be provided"
    );
    assert_eq!(check(&["repository", "list", "localhost:5000"]), "ok");
    assert_eq!(check(&["repo", "show-tags", "--oci-layout", "dir"]), "ok");
    assert_eq!(
        check(&["backup", "localhost:5000/a:v1"]),
        "required flag(s) \"output\" not set"
    );
    assert_eq!(
        check(&[
            "backup",
            "-o",
            "x.tar",
            &format!("localhost:5000/a@{DIGEST}")
        ])
        .split(':')
        .next(),
        Some("digest references are not supported")
    );
    assert_eq!(
        check(&["restore", "localhost:5000/a"]),
        "required flag(s) \"input\" not set"
    );
    assert_eq!(
        check(&[
            "restore",
            "--input",
            "x",
            "--dry-run",
            "localhost:5000/a:v1,v2"
        ]),
        "ok"
    );
    assert_eq!(
        check(&["login", "-u", "x", "--password-stdin", "localhost:5000"]),
        "ok"
    );
    assert_eq!(
        check(&["login"]),
        "\"oras login\" requires exactly 1 argument but got 0"
    );
    assert_eq!(
        check(&["logout", "--registry-config", "a.json", "localhost:5000"]),
        "ok"
    );
    assert_eq!(
        check(&["resolve", "localhost:5000/a"]),
        "\"localhost:5000/a\": no tag or digest specified"
    );
    assert_eq!(check(&["digest", "-l", "localhost:5000/a:v1"]), "ok");
}

#[test]
fn backup_output_kind() {
    let o = match parse(&[
        "backup",
        "--output",
        "OUT.TAR",
        "--include-referrers",
        "localhost:5000/a:v1,v2",
    ]) {
        Command::Backup(a) => a.validate(&mut env()).unwrap(),
        _ => unreachable!(),
    };
    assert!(o.output_is_tar);
    assert_eq!(o.repo.repository, "localhost:5000/a");
    assert_eq!(o.repo.tags, ["v1", "v2"]);
}

/// Go 1.3.5+: extra tags are checked before anything is sent.
#[test]
fn extra_tags_are_validated_first() {
    let invalid = "invalid extra tag: invalid reference: invalid tag \"bad@tag\"";
    assert_eq!(
        check(&["push", "localhost:5000/a:v1,bad@tag", "f"]),
        invalid
    );
    assert_eq!(
        check(&["push", "localhost:5000/a:v1,", "f"]),
        "empty extra tag"
    );
    assert_eq!(
        check(&[
            "cp",
            "localhost:5000/a:v1",
            "localhost:5000/b:v1,ok,bad@tag"
        ]),
        invalid
    );
    assert_eq!(
        check(&["manifest", "push", "localhost:5000/a:v1,bad@tag", "m.json"]),
        invalid
    );
    assert_eq!(
        check(&["manifest", "index", "create", "localhost:5000/a:v1,bad@tag"]),
        invalid
    );
    assert_eq!(
        check(&[
            "manifest",
            "index",
            "update",
            "localhost:5000/a:v1",
            "--tag",
            "bad@tag"
        ]),
        invalid
    );
    assert_eq!(check(&["push", "localhost:5000/a:v1,v2,v3", "f"]), "ok");
}
