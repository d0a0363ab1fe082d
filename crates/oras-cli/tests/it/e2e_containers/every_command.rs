//! Every command that reads or writes a remote honours the containers
//! configuration: a `blocked` registry is refused before any request (the
//! blocked host has nothing listening, so a request would fail
//! otherwise), a `reject` policy refuses each read, reads are served by
//! the mirror, and writes land on the origin, never on the mirror.

use oras_testkit::real::{Mode, start_for_test};

use super::support::{Env, write_file};

/// A host with nothing listening.
const NOWHERE: &str = "127.0.0.1:9";

/// `oras <args>` for each command, `{r}` standing for a repository and
/// `{d}` for a digest in it.
const READS: &[&[&str]] = &[
    &["resolve", "{r}:v1"],
    &["manifest", "fetch", "{r}:v1"],
    &[
        "manifest",
        "fetch",
        "--media-type",
        "application/vnd.oci.image.manifest.v1+json",
        "{r}:v1",
    ],
    &["blob", "fetch", "--output", "-", "{r}@{d}"],
    &["discover", "{r}:v1"],
    &["repo", "tags", "{r}"],
    &["pull", "-o", "pulled", "{r}:v1"],
    &["cp", "{r}:v1", "{r}:copy"],
];

const WRITES: &[&[&str]] = &[
    &["tag", "{r}:v1", "v9"],
    &["blob", "push", "{r}", "file.txt"],
    &["blob", "delete", "--force", "{r}@{d}"],
    &["manifest", "push", "{r}:m", "manifest.json"],
    &["manifest", "delete", "--force", "{r}:v1"],
    &["push", "{r}:p", "file.txt"],
    &["restore", "--input", "layout", "{r}:v1"],
];

/// A write the real registry does not support (deleting a tag): checked
/// for `blocked` only.
const TAG_DELETE: &[&str] = &["tag", "--delete", "{r}:v1"];

fn fill(args: &[&str], repository: &str, digest: &str) -> Vec<String> {
    args.iter()
        .map(|a| a.replace("{r}", repository).replace("{d}", digest))
        .collect()
}

fn run(env: &Env, args: &[String]) -> super::support::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Env::run(env.oras_containers(), &args)
}

fn inputs(env: &Env) {
    env.write("work/file.txt", b"file");
    env.write(
        "work/manifest.json",
        br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[]}"#,
    );
}

#[test]
fn blocked_and_rejected_for_every_command_before_any_request() {
    let env = Env::new();
    inputs(&env);
    Env::ok(
        env.oras(),
        &["push", "--oci-layout", "layout:v1", "file.txt"],
    );
    let digest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "[[registry]]\nprefix = \"{NOWHERE}/blocked\"\nlocation = \"{NOWHERE}/blocked\"\nblocked = true\n"
        )
        .as_bytes(),
    );
    write_file(
        &env.containers_dir().join("policy.json"),
        format!(
            r#"{{"default":[{{"type":"insecureAcceptAnything"}}],"transports":{{"docker":{{"{NOWHERE}/denied":[{{"type":"reject"}}]}}}}}}"#
        )
        .as_bytes(),
    );
    let blocked = format!("{NOWHERE}/blocked/app");
    for args in READS.iter().chain(WRITES).chain([&TAG_DELETE]) {
        let args = fill(args, &blocked, digest);
        let out = run(&env, &args);
        assert!(
            !out.ok && out.stderr.contains("blocked"),
            "oras {args:?}: {}",
            out.stderr
        );
    }
    let denied = format!("{NOWHERE}/denied/app");
    for args in READS {
        let args = fill(args, &denied, digest);
        let out = run(&env, &args);
        assert!(
            !out.ok && out.stderr.contains("rejected by policy.json"),
            "oras {args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn reads_come_from_the_mirror_and_writes_go_to_the_origin() {
    let (Some(origin), Some(mirror)) = (start_for_test(Mode::Plain), start_for_test(Mode::Plain))
    else {
        return;
    };
    let (o, m) = (origin.host(), mirror.host());
    let env = Env::new();
    inputs(&env);
    // The same tag on each side; only the mirror has "mirrored".
    let on_mirror = env.push(&format!("{m}/team/app:v1"), "mirrored", &["--plain-http"]);
    env.push(&format!("{o}/team/app:v1"), "origin", &["--plain-http"]);
    Env::ok(
        env.oras(),
        &["push", "--oci-layout", "layout:v1", "file.txt"],
    );
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "[[registry]]\nlocation = \"{o}\"\ninsecure = true\n\n[[registry.mirror]]\nlocation = \"{m}\"\ninsecure = true\n"
        )
        .as_bytes(),
    );
    let repository = format!("{o}/team/app");
    // Reads: the mirror's manifest.
    let resolved = Env::ok(
        env.oras_containers(),
        &["resolve", &format!("{repository}:v1")],
    );
    assert_eq!(resolved.trim(), on_mirror);
    let manifest = Env::ok(
        env.oras_containers(),
        &["manifest", "fetch", &format!("{repository}:v1")],
    );
    assert!(manifest.contains("mirrored.txt"), "{manifest}");
    // The blob only the mirror has comes from the mirror.
    let layer =
        serde_json::from_str::<serde_json::Value>(&manifest).unwrap()["layers"][0]["digest"]
            .as_str()
            .unwrap()
            .to_owned();
    let fetched = Env::ok(
        env.oras_containers(),
        &[
            "blob",
            "fetch",
            "--output",
            "-",
            &format!("{repository}@{layer}"),
        ],
    );
    assert_eq!(fetched, "mirrored");
    Env::ok(
        env.oras_containers(),
        &["discover", &format!("{repository}:v1")],
    );

    // Writes: the origin, never the mirror.
    for args in WRITES.iter().filter(|a| !a.contains(&"delete")) {
        let args = fill(args, &repository, &on_mirror);
        let out = run(&env, &args);
        assert!(out.ok, "oras {args:?}: {}", out.stderr);
    }
    for tag in ["v9", "m", "p"] {
        let on_origin = Env::run(
            env.oras(),
            &["resolve", "--plain-http", &format!("{o}/team/app:{tag}")],
        );
        assert!(
            on_origin.ok,
            "{tag} not on the origin: {}",
            on_origin.stderr
        );
        let on_mirror = Env::run(
            env.oras(),
            &["resolve", "--plain-http", &format!("{m}/team/app:{tag}")],
        );
        assert!(!on_mirror.ok, "{tag} went to the mirror");
    }
    // `repo tags` lists the registry itself: a mirror's listing may be
    // partial.
    let tags = Env::ok(env.oras_containers(), &["repo", "tags", &repository]);
    assert!(tags.lines().any(|t| t == "v9"), "{tags}");
    // `tag` read v1 from the origin (writes never read a mirror).
    let v9 = Env::ok(
        env.oras(),
        &["resolve", "--plain-http", &format!("{o}/team/app:v9")],
    );
    assert_ne!(v9.trim(), on_mirror);
    // `manifest delete` deletes on the origin only.
    Env::ok(
        env.oras_containers(),
        &["manifest", "delete", "--force", &format!("{repository}:p")],
    );
    assert!(
        !Env::run(
            env.oras(),
            &["resolve", "--plain-http", &format!("{o}/team/app:p")]
        )
        .ok
    );
}
