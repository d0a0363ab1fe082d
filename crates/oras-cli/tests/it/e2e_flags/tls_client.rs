//! `--cert-file` and `--key-file`: only together.

use crate::e2e_flags::support::Env;

#[test]
fn cert_file_and_key_file_must_be_given_together() {
    let env = Env::new();
    let cert = env.write("client.crt", b"not used");
    let key = env.write("client.key", b"not used");
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());

    let err = env.fails(&["repo", "tags", "--cert-file", cert, "127.0.0.1:1/e2e/x"]);
    assert!(
        err.contains("--cert-file must be used in conjunction with --key-file"),
        "{err}"
    );
    let err = env.fails(&["repo", "tags", "--key-file", key, "127.0.0.1:1/e2e/x"]);
    assert!(
        err.contains("--key-file must be used in conjunction with --cert-file"),
        "{err}"
    );
}

#[test]
fn a_registry_requiring_a_client_certificate_gets_it_from_cert_file_and_key_file() {
    let Some(registry) = oras_testkit::real::start_for_test_with_client_auth() else {
        return;
    };
    let env = Env::new();
    let path = |p: Option<&std::path::Path>| p.unwrap().to_str().unwrap().to_owned();
    let ca = path(registry.ca_path());
    let cert = path(registry.client_cert_path());
    let key = path(registry.client_key_path());
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let reference = format!("{}/e2e/mtls:v1", registry.host());
    let auth = ["--ca-file", &ca, "-u", user, "-p", password];
    let client = ["--cert-file", &cert, "--key-file", &key];

    // Without the client certificate the handshake is refused.
    let err = env.fails(&[&["repo", "tags"][..], &auth, &[&reference]].concat());
    assert!(
        err.contains(&format!("Error: Head \"{}/v2/", registry.url())),
        "{err}"
    );
    assert!(
        registry
            .log_tail()
            .contains("tls: client didn't provide a certificate"),
        "{}",
        registry.log_tail()
    );

    // With it: push, then list the tags.
    env.write("a.txt", b"mtls");
    env.ok(&[&["push"][..], &auth, &client, &[&reference, "a.txt"]].concat());
    let tags = env.ok(&[&["repo", "tags"][..], &auth, &client, &[&reference]].concat());
    assert_eq!(tags, "v1\n");

    // A certificate the registry's client CA did not sign is refused: the
    // server's own certificate and key are no client credential here.
    let server_cert = path(Some(&registry.dir().join("server.pem")));
    let server_key = path(Some(&registry.dir().join("server-key.pem")));
    let wrong = ["--cert-file", &server_cert, "--key-file", &server_key];
    let err = env.fails(&[&["repo", "tags"][..], &auth, &wrong, &[&reference]].concat());
    assert!(err.contains("Error: "), "{err}");
    assert!(
        registry
            .log_tail()
            .contains("failed to verify client certificate"),
        "{}",
        registry.log_tail()
    );
    registry.stop().unwrap();
}
