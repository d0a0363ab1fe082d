//! `ORAS_EXPERIMENTAL_CONTAINERS_CONFIG=1` against real Distribution
//! registries on loopback: mirrors and fallback, a blocked registry, an
//! insecure plain-HTTP registry, certs.d with a client certificate,
//! auth.json, a `reject` policy and short-name aliases. Each scenario also
//! checks that the flag is what makes the difference.

use oras_testkit::real::{Mode, RealRegistry, start_for_test, start_for_test_with_client_auth};

use super::support::{Env, write_file};

fn plain() -> Option<RealRegistry> {
    start_for_test(Mode::Plain)
}

/// Pulls `reference` into a fresh directory and returns the content of
/// `name` there.
fn pull_file(env: &Env, reference: &str, name: &str) -> Result<String, String> {
    let out = env.path(&format!("out-{}", name.len() + reference.len()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Env::run(
        env.oras_containers(),
        &["pull", "-o", out.to_str().unwrap(), reference],
    );
    if !run.ok {
        return Err(run.stderr);
    }
    Ok(std::fs::read_to_string(out.join(name)).unwrap())
}

#[test]
fn mirrors_serve_pulls_fall_back_to_the_origin_and_never_take_pushes() {
    let (Some(origin), Some(mirror)) = (plain(), plain()) else {
        return;
    };
    let (o, m) = (origin.host(), mirror.host());
    let env = Env::new();
    // The same tag with different content on each side, and a digest
    // only the origin has.
    env.push(&format!("{m}/team/app:v1"), "mirrored", &["--plain-http"]);
    env.push(&format!("{o}/team/app:v1"), "origin", &["--plain-http"]);
    let only_origin = env.push(
        &format!("{o}/team/app:v2"),
        "only-origin",
        &["--plain-http"],
    );
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "[[registry]]\nlocation = \"{o}\"\ninsecure = true\n\n[[registry.mirror]]\nlocation = \"{m}\"\ninsecure = true\n"
        )
        .as_bytes(),
    );
    assert_eq!(
        pull_file(&env, &format!("{o}/team/app:v1"), "mirrored.txt").unwrap(),
        "mirrored",
        "the mirror serves the pull"
    );
    assert_eq!(
        pull_file(
            &env,
            &format!("{o}/team/app@{only_origin}"),
            "only-origin.txt"
        )
        .unwrap(),
        "only-origin",
        "the origin serves what the mirror lacks"
    );
    // Without the flag, the origin itself.
    let out = env.path("no-flag");
    Env::ok(
        env.oras(),
        &[
            "pull",
            "--plain-http",
            "-o",
            out.to_str().unwrap(),
            &format!("{o}/team/app:v1"),
        ],
    );
    assert!(out.join("origin.txt").is_file());
    // A push goes to the origin, never to the mirror.
    let file = env.write("work/pushed.txt", b"pushed");
    let _ = file;
    Env::ok(
        env.oras_containers(),
        &["push", &format!("{o}/team/app:v3"), "pushed.txt"],
    );
    let on_origin = Env::run(
        env.oras(),
        &["resolve", "--plain-http", &format!("{o}/team/app:v3")],
    );
    assert!(on_origin.ok, "{}", on_origin.stderr);
    let on_mirror = Env::run(
        env.oras(),
        &["resolve", "--plain-http", &format!("{m}/team/app:v3")],
    );
    assert!(!on_mirror.ok, "nothing pushed to the mirror");
}

#[test]
fn a_blocked_registry_is_refused_before_any_request() {
    let Some(registry) = plain() else {
        return;
    };
    let host = registry.host();
    let env = Env::new();
    let digest = env.push(&format!("{host}/app:v1"), "blocked", &["--plain-http"]);
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!("[[registry]]\nlocation = \"{host}\"\nblocked = true\n").as_bytes(),
    );
    for args in [
        vec!["resolve", "--plain-http"],
        vec!["pull", "--plain-http", "-o", "out"],
        vec!["push", "--plain-http"],
    ] {
        let mut args = args.clone();
        let reference = format!("{host}/app:v1");
        args.push(&reference);
        let run = Env::run(env.oras_containers(), &args);
        assert!(!run.ok, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains("blocked"), "{args:?}: {}", run.stderr);
    }
    // `repo ls` names the registry alone.
    let run = Env::run(
        env.oras_containers(),
        &["repo", "ls", "--plain-http", &host],
    );
    assert!(!run.ok && run.stderr.contains("blocked"), "{}", run.stderr);
    let resolved = Env::ok(
        env.oras(),
        &["resolve", "--plain-http", &format!("{host}/app:v1")],
    );
    assert_eq!(
        resolved.trim(),
        digest,
        "without the flag nothing is blocked"
    );
    // A prefix may block one namespace only, for pushes as for pulls.
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "[[registry]]\nprefix = \"{host}/secret\"\nlocation = \"{host}/secret\"\nblocked = true\n"
        )
        .as_bytes(),
    );
    env.write("work/ns.txt", b"ns");
    for (repository, allowed) in [("secret/app:v1", false), ("open/app:v1", true)] {
        let reference = format!("{host}/{repository}");
        let run = Env::run(
            env.oras_containers(),
            &["push", "--plain-http", &reference, "ns.txt"],
        );
        assert_eq!(run.ok, allowed, "{reference}: {}", run.stderr);
    }
}

#[test]
fn an_insecure_registry_is_reached_over_plain_http() {
    let Some(registry) = plain() else {
        return;
    };
    let host = registry.host();
    let env = Env::new();
    env.write("work/insecure.txt", b"insecure");
    let reference = format!("{host}/app:v1");
    let refused = Env::run(env.oras(), &["push", &reference, "insecure.txt"]);
    assert!(
        !refused.ok,
        "HTTPS to a plain-HTTP registry fails without the configuration"
    );
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!("[[registry]]\nlocation = \"{host}\"\ninsecure = true\n").as_bytes(),
    );
    Env::ok(env.oras_containers(), &["push", &reference, "insecure.txt"]);
    assert_eq!(
        pull_file(&env, &reference, "insecure.txt").unwrap(),
        "insecure"
    );
}

#[test]
fn an_insecure_tls_registry_is_reached_without_verification() {
    let Some(registry) = start_for_test(Mode::TlsBasic) else {
        return;
    };
    let host = registry.host();
    let env = Env::new();
    env.write("work/unverified.txt", b"unverified");
    let reference = format!("{host}/app:v1");
    let login = [
        "-u",
        registry.username().unwrap(),
        "-p",
        registry.password().unwrap(),
    ];
    let mut args = vec!["push"];
    args.extend_from_slice(&login);
    args.extend_from_slice(&[reference.as_str(), "unverified.txt"]);
    let refused = Env::run(env.oras(), &args);
    assert!(!refused.ok, "the CA is unknown without the configuration");
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!("[[registry]]\nlocation = \"{host}\"\ninsecure = true\n").as_bytes(),
    );
    Env::ok(env.oras_containers(), &args);
}

#[test]
fn certs_d_and_auth_json_reach_a_tls_registry_with_client_certificates() {
    let Some(registry) = start_for_test_with_client_auth() else {
        return;
    };
    let host = registry.host();
    let env = Env::new();
    let certs = env.containers_dir().join("certs.d").join(&host);
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(registry.ca_path().unwrap(), certs.join("ca.crt")).unwrap();
    std::fs::copy(
        registry.client_cert_path().unwrap(),
        certs.join("client.cert"),
    )
    .unwrap();
    std::fs::copy(
        registry.client_key_path().unwrap(),
        certs.join("client.key"),
    )
    .unwrap();
    // auth.json written by `oras login` into the runtime directory.
    let auth_json = env.path("run/containers/auth.json");
    Env::ok(
        env.oras(),
        &[
            "login",
            "--registry-config",
            auth_json.to_str().unwrap(),
            "--ca-file",
            registry.ca_path().unwrap().to_str().unwrap(),
            "--cert-file",
            registry.client_cert_path().unwrap().to_str().unwrap(),
            "--key-file",
            registry.client_key_path().unwrap().to_str().unwrap(),
            "-u",
            registry.username().unwrap(),
            "-p",
            registry.password().unwrap(),
            &host,
        ],
    );
    env.write("work/tls.txt", b"tls");
    let reference = format!("{host}/app:v1");
    let refused = Env::run(env.oras(), &["push", &reference, "tls.txt"]);
    assert!(!refused.ok, "without certs.d the CA is unknown");
    Env::ok(env.oras_containers(), &["push", &reference, "tls.txt"]);
    assert_eq!(pull_file(&env, &reference, "tls.txt").unwrap(), "tls");
    // The certificates are for that host only: another host gets none.
    std::fs::rename(&certs, env.containers_dir().join("certs.d/other.example")).unwrap();
    let run = Env::run(env.oras_containers(), &["resolve", &reference]);
    assert!(!run.ok, "certs.d of another host applied: {}", run.stdout);
}

#[test]
fn a_reject_policy_refuses_pulls_of_its_scope() {
    let Some(registry) = plain() else {
        return;
    };
    let host = registry.host();
    let env = Env::new();
    env.push(
        &format!("{host}/denied/app:v1"),
        "denied",
        &["--plain-http"],
    );
    env.push(
        &format!("{host}/allowed/app:v1"),
        "allowed",
        &["--plain-http"],
    );
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!("[[registry]]\nlocation = \"{host}\"\ninsecure = true\n").as_bytes(),
    );
    write_file(
        &env.containers_dir().join("policy.json"),
        format!(
            r#"{{"default":[{{"type":"insecureAcceptAnything"}}],"transports":{{"docker":{{"{host}/denied":[{{"type":"reject"}}]}}}}}}"#
        )
        .as_bytes(),
    );
    let err = pull_file(&env, &format!("{host}/denied/app:v1"), "denied.txt").unwrap_err();
    assert!(err.contains("rejected by policy.json"), "{err}");
    let backup = Env::run(
        env.oras_containers(),
        &[
            "backup",
            "--output",
            "denied.tar",
            &format!("{host}/denied/app:v1"),
        ],
    );
    assert!(
        !backup.ok && backup.stderr.contains("rejected by policy.json"),
        "{}",
        backup.stderr
    );
    assert_eq!(
        pull_file(&env, &format!("{host}/allowed/app:v1"), "allowed.txt").unwrap(),
        "allowed"
    );
    // Signature requirements fail closed.
    write_file(
        &env.containers_dir().join("policy.json"),
        br#"{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}]}"#,
    );
    let err = pull_file(&env, &format!("{host}/allowed/app:v1"), "allowed.txt").unwrap_err();
    assert!(err.contains("not supported"), "{err}");
}

#[test]
fn short_name_aliases_resolve() {
    let Some(registry) = plain() else {
        return;
    };
    let host = registry.host();
    let env = Env::new();
    env.push(&format!("{host}/team/app:v1"), "aliased", &["--plain-http"]);
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "[[registry]]\nlocation = \"{host}\"\ninsecure = true\n\n[aliases]\n\"oras-e2e-app\" = \"{host}/team/app\"\n"
        )
        .as_bytes(),
    );
    assert_eq!(
        pull_file(&env, "oras-e2e-app:v1", "aliased.txt").unwrap(),
        "aliased"
    );
    let run = Env::run(env.oras(), &["pull", "oras-e2e-app:v1"]);
    assert!(!run.ok, "a short name is no reference without the flag");
}

#[test]
fn a_malformed_registries_conf_names_file_line_and_key() {
    let env = Env::new();
    let path = env.containers_dir().join("registries.conf");
    write_file(
        &path,
        b"[[registry]]\nlocation = \"a.example\"\ninsecure = \"yes\"\n",
    );
    let run = Env::run(env.oras_containers(), &["resolve", "a.example/app:v1"]);
    assert!(!run.ok);
    let expected = format!("{}:3: key \"registry.insecure\"", path.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
}
