//! Where `ORAS_EXPERIMENTAL_CONTAINERS_CONFIG=1` takes credentials from,
//! against the token server that scopes tokens per repository (`team-a`
//! may use `team-a/…` only, `team-b` `team-b/…` only):
//! - namespaced auth.json keys (containers-auth.json(5)): `host/team-a`
//!   and `host/team-b` each answer for their own namespace, so `oras cp`
//!   between them needs no credential flag;
//! - registries.conf `credential-helpers`: a `docker-credential-<name>`
//!   program written by the test, tried in the configured order with the
//!   auth files.

use std::os::unix::fs::PermissionsExt;

use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};

use super::support::{Env, Teams, write_file};

/// An auths entry with the plain `username` and `password` fields
/// (which `auth`, their base64 form, replaces in files `login` writes).
fn auth_entry(user: &str, password: &str) -> String {
    format!(r#"{{"username":"{user}","password":"{password}"}}"#)
}

/// registries.conf marking the (plain-HTTP) token registry insecure, plus
/// `extra` top-level lines (which TOML wants before any table).
fn registries_conf(env: &Env, registry: &RealRegistry, extra: &str) {
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "{extra}\n[[registry]]\nlocation = \"{}\"\ninsecure = true\n",
            registry.host()
        )
        .as_bytes(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaced_auth_json_keys_answer_for_their_namespace() {
    let Some(teams) = Teams::start("namespaced").await else {
        return;
    };
    let env = &teams.env;
    let (src, dst, pushed) = (teams.src.clone(), teams.dst.clone(), teams.pushed.clone());
    let (a_user, a_password) = (teams.a.0.as_str(), teams.a.1.as_str());
    let (b_user, b_password) = (teams.b.0.as_str(), teams.b.1.as_str());
    let host = teams.registry.host();
    registries_conf(env, &teams.registry, "");
    // Only the namespaced keys: no key for the registry as a whole.
    write_file(
        &env.containers_dir().join("auth.json"),
        format!(
            r#"{{"auths":{{"{host}/team-a":{},"{host}/team-b":{}}}}}"#,
            auth_entry(a_user, a_password),
            auth_entry(b_user, b_password)
        )
        .as_bytes(),
    );
    let copied =
        tokio::task::block_in_place(|| Env::run(env.oras_containers(), &["cp", &src, &dst]));
    assert!(copied.ok, "{}", copied.stderr);
    assert!(
        copied.stdout.contains(&format!("Digest: {pushed}")),
        "{}",
        copied.stdout
    );
    let resolved = Env::ok(env.oras_containers(), &["resolve", &dst]);
    assert_eq!(resolved.trim(), pushed);
    // A namespace without a key of its own gets no other namespace's
    // credential (the registry refuses anonymous access).
    let other = Env::run(
        env.oras_containers(),
        &["resolve", &format!("{host}/team-c/app:v1")],
    );
    assert!(!other.ok, "{}", other.stdout);
    // Without the flag the auth.json keys are not read at all.
    let off = Env::run(env.oras(), &["resolve", "--plain-http", &dst]);
    assert!(!off.ok, "{}", off.stdout);
    teams.registry.stop().unwrap();
}

/// Writes `docker-credential-<name>` into `bin`: `get` answers `user` and
/// `password` for any server and counts its runs in `<bin>/<name>.runs`.
fn credential_helper(bin: &std::path::Path, name: &str, user: &str, password: &str) {
    let path = bin.join(format!("docker-credential-{name}"));
    let runs = bin.join(format!("{name}.runs"));
    write_file(
        &path,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\necho \"$server\" >> '{}'\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{password}\"}}' \"$server\"\n",
            runs.display()
        )
        .as_bytes(),
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_helpers_are_tried_in_the_configured_order() {
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    let host = registry.host();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let env = Env::new();
    let reference = format!("{host}/helped/app:v1");
    let pushed = tokio::task::block_in_place(|| {
        env.push(
            &reference,
            "helped",
            &["--plain-http", "-u", user, "-p", password],
        )
    });
    let bin = env.path("bin");
    credential_helper(&bin, "oras-e2e", user, password);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // auth.json holds a wrong password for the registry.
    write_file(
        &env.containers_dir().join("auth.json"),
        format!(r#"{{"auths":{{"{host}":{}}}}}"#, auth_entry(user, "wrong")).as_bytes(),
    );
    let resolve = || {
        let mut cmd = env.oras_containers();
        cmd.env("PATH", &path);
        Env::run(cmd, &["resolve", &reference])
    };
    let runs = || std::fs::read_to_string(bin.join("oras-e2e.runs")).unwrap_or_default();

    // The helper first: its credential is used.
    registries_conf(
        &env,
        &registry,
        "credential-helpers = [\"oras-e2e\", \"containers-auth.json\"]",
    );
    let run = tokio::task::block_in_place(resolve);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), pushed);
    assert!(runs().contains(&host), "the helper was asked for {host}");

    // The auth files first: their (wrong) credential wins, the helper
    // is never run.
    std::fs::remove_file(bin.join("oras-e2e.runs")).unwrap();
    registries_conf(
        &env,
        &registry,
        "credential-helpers = [\"containers-auth.json\", \"oras-e2e\"]",
    );
    let run = tokio::task::block_in_place(resolve);
    assert!(!run.ok, "the auth.json credential was not the one used");
    assert_eq!(runs(), "");

    // The helper alone: the auth files are not read.
    registries_conf(&env, &registry, "credential-helpers = [\"oras-e2e\"]");
    let run = tokio::task::block_in_place(resolve);
    assert!(run.ok, "{}", run.stderr);

    // A malformed entry names the file, line and key.
    registries_conf(&env, &registry, "credential-helpers = [\"\"]");
    let run = tokio::task::block_in_place(resolve);
    assert!(
        !run.ok && run.stderr.contains(":1: key \"credential-helpers\""),
        "{}",
        run.stderr
    );
    registry.stop().unwrap();
}
