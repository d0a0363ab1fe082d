//! `--identity-token` and `--identity-token-stdin` against a token-auth
//! registry: a secret without a username is an OAuth2 refresh token (Go
//! `auth.Credential.RefreshToken`), exchanged with
//! `grant_type=refresh_token` at the token server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use oras_testkit::real::{Mode, RealRegistry, start_for_test};

use crate::e2e_flags::support::Env;

/// Percent-encodes a form value (RFC 3986 unreserved bytes kept).
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A refresh token from the registry's token server, through the OAuth2
/// password grant (which always answers one), asked for by a raw,
/// time-bounded HTTP/1.1 POST on loopback.
fn refresh_token(registry: &RealRegistry, repo: &str) -> String {
    let server = registry.token_server().unwrap();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let body = [
        ("grant_type", "password"),
        ("username", user),
        ("password", password),
        ("service", server.service()),
        ("scope", &format!("repository:{repo}:pull,push")),
        ("client_id", "e2e-flags"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", form_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let host = server.url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let json = response.split("\r\n\r\n").nth(1).unwrap();
    let json = crate::e2e_flags::support::json(json);
    json["refresh_token"].as_str().unwrap().to_owned()
}

/// Number of refresh-token grants the token server answered with 200.
fn refresh_grants(registry: &RealRegistry) -> usize {
    registry
        .token_server()
        .unwrap()
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.grant_type.as_deref() == Some("refresh_token")
                && r.status == 200
                && r.user.is_some()
        })
        .count()
}

#[test]
fn identity_token_flag_and_stdin_use_the_refresh_token_grant() {
    let Some(registry) = start_for_test(Mode::Token) else {
        return;
    };
    let env = Env::new();
    let repo = "e2e/identity";
    let reference = format!("{}/{repo}:v1", registry.host());
    let token = refresh_token(&registry, repo);
    registry.token_server().unwrap().clear_requests();
    env.write("a.txt", b"identity token content");

    // No credential at all: the anonymous token grants nothing.
    env.fails(&["push", "--plain-http", &reference, "a.txt"]);
    assert_eq!(refresh_grants(&registry), 0);

    // --identity-token on the command line.
    env.ok(&[
        "push",
        "--plain-http",
        "--identity-token",
        &token,
        &reference,
        "a.txt",
    ]);
    let after_push = refresh_grants(&registry);
    assert!(
        after_push >= 1,
        "{:?}",
        registry.token_server().unwrap().requests()
    );
    let requests = registry.token_server().unwrap().requests();
    assert!(
        requests
            .iter()
            .all(|r| r.grant_type.as_deref() != Some("password")),
        "no password grant without a password: {requests:?}"
    );

    // --identity-token-stdin, for a pull.
    let out = env
        .oras()
        .args([
            "pull",
            "--plain-http",
            "--identity-token-stdin",
            &reference,
            "-o",
            "out",
        ])
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.read("out/a.txt"), b"identity token content");
    assert!(refresh_grants(&registry) > after_push);

    // An unknown refresh token is refused by the token server.
    let before = refresh_grants(&registry);
    env.fails(&[
        "pull",
        "--plain-http",
        "--identity-token",
        "not-a-token",
        &reference,
        "-o",
        "out2",
    ]);
    assert_eq!(refresh_grants(&registry), before);
    assert!(
        registry
            .token_server()
            .unwrap()
            .requests()
            .iter()
            .any(|r| r.grant_type.as_deref() == Some("refresh_token") && r.status == 401)
    );
    assert!(!env.path("out2/a.txt").exists());
    registry.stop().unwrap();
}
