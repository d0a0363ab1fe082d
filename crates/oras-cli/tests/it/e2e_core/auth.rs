//! Credentials: flags, `login` writing the Docker config that later
//! commands read, `logout`, and wrong credentials, against a TLS registry
//! with Basic auth and a token-auth registry.

use oras_testkit::real::{Mode, start_for_test};

use crate::e2e_core::support::{Env, json};

#[test]
fn tls_basic_with_flags_login_and_logout() {
    let Some(registry) = start_for_test(Mode::TlsBasic) else {
        return;
    };
    let env = Env::new();
    let ca = registry.ca_path().unwrap().to_str().unwrap().to_owned();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let host = registry.host();
    let reference = format!("{host}/e2e/auth:v1");
    env.write("a.txt", b"a");

    // Anonymous: no credential for the Basic challenge, and the hint to
    // check the saved one (Go `DecorateCredentialError`; the differential
    // scenario `auth-anonymous-basic-refused` holds the Go CLI's wording).
    let err = env.fails(&["push", "--ca-file", &ca, &reference, "a.txt"]);
    assert!(err.starts_with("Error: "), "{err}");
    assert!(err.contains("basic credential not found"), "{err}");
    assert!(
        err.contains(
            "Please check whether the registry credential stored in the authentication file at "
        ),
        "{err}"
    );

    // Credentials on the command line.
    let out = env
        .oras()
        .args([
            "push",
            "--ca-file",
            &ca,
            "-u",
            user,
            "-p",
            password,
            &reference,
            "a.txt",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
    );

    // Wrong password.
    let err = env.fails(&[
        "pull",
        "--ca-file",
        &ca,
        "-u",
        user,
        "-p",
        "wrong",
        &reference,
    ]);
    assert!(err.contains("Error response from registry: "), "{err}");

    // Without the CA the certificate is refused; --insecure skips the check.
    let err = env.fails(&["resolve", "-u", user, "-p", password, &reference]);
    assert!(err.contains("\nError: "), "{err}");
    assert!(
        err.contains(
            "/manifests/v1\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n"
        ),
        "{err}"
    );
    env.ok(&[
        "resolve",
        "--insecure",
        "-u",
        user,
        "-p",
        password,
        &reference,
    ]);

    // login with a wrong password fails and saves nothing.
    let out = env
        .oras()
        .args([
            "login",
            "--ca-file",
            &ca,
            "-u",
            user,
            "--password-stdin",
            &host,
        ])
        .write_stdin("wrong\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("Error response from registry: "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!env.docker_config().exists());

    // login saves the credential in DOCKER_CONFIG/config.json ...
    let out = env
        .oras()
        .args([
            "login",
            "--ca-file",
            &ca,
            "-u",
            user,
            "--password-stdin",
            &host,
        ])
        .write_stdin(format!("{password}\n"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Login Succeeded\n");
    let config = json(&std::fs::read_to_string(env.docker_config()).unwrap());
    assert!(config["auths"][&host]["auth"].is_string(), "{config}");

    // ... which later commands use.
    env.ok(&["pull", "--ca-file", &ca, &reference, "-o", "out"]);
    assert_eq!(env.read("out/a.txt"), b"a");

    // logout removes it.
    env.ok(&["logout", &host]);
    let config = json(&std::fs::read_to_string(env.docker_config()).unwrap());
    assert!(config["auths"].get(&host).is_none(), "{config}");
    let err = env.fails(&["resolve", "--ca-file", &ca, &reference]);
    assert!(err.contains("basic credential not found"), "{err}");
    registry.stop().unwrap();
}

#[test]
fn login_prompts_when_stdin_is_not_a_terminal_and_registry_config_is_used() {
    let Some(registry) = start_for_test(Mode::TlsBasic) else {
        return;
    };
    let env = Env::new();
    let ca = registry.ca_path().unwrap().to_str().unwrap().to_owned();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let host = registry.host();
    let config = env.path("auth.json");
    let config = config.to_str().unwrap();
    let out = env
        .oras()
        .args([
            "login",
            "--ca-file",
            &ca,
            "--registry-config",
            config,
            &host,
        ])
        .write_stdin(format!("{user}\n{password}\n"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Username: Password: Login Succeeded\n"
    );
    assert!(!env.docker_config().exists());
    env.write("a.txt", b"a");
    env.ok(&[
        "push",
        "--ca-file",
        &ca,
        "--registry-config",
        config,
        &format!("{host}/e2e/prompted:v1"),
        "a.txt",
    ]);
    // An empty password is refused before anything is sent.
    let err = env
        .oras()
        .args([
            "login",
            "--ca-file",
            &ca,
            "--registry-config",
            config,
            "-u",
            user,
            &host,
        ])
        .write_stdin("\n")
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&err.stderr).contains("password required"));
    registry.stop().unwrap();
}

#[test]
fn token_auth_push_pull_and_login() {
    let Some(registry) = start_for_test(Mode::Token) else {
        return;
    };
    let env = Env::new();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let host = registry.host();
    let reference = format!("{host}/e2e/token:v1");
    env.write("a.txt", b"token");
    env.ok(&[
        "push",
        "--plain-http",
        "-u",
        user,
        "-p",
        password,
        &reference,
        "a.txt",
    ]);
    let err = env.fails(&["pull", "--plain-http", &reference, "-o", "out"]);
    assert!(err.starts_with("Error response from registry: "), "{err}");

    let out = env
        .oras()
        .args([
            "login",
            "--plain-http",
            "-u",
            user,
            "--password-stdin",
            &host,
        ])
        .write_stdin(password.to_owned())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.ok(&["pull", "--plain-http", &reference, "-o", "out"]);
    assert_eq!(env.read("out/a.txt"), b"token");

    let out = env
        .oras()
        .args([
            "login",
            "--plain-http",
            "-u",
            user,
            "--password-stdin",
            &host,
        ])
        .write_stdin("wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    registry.stop().unwrap();
}
