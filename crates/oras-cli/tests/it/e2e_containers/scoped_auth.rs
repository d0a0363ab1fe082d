//! Per-repository credentials (oras 1.4's per-repository auth cache):
//! the token server grants `team-a` only `team-a/…` and `team-b` only
//! `team-b/…`; `oras cp` from one to the other, with each side's own
//! credentials, must not let one side's token or credential stand in for
//! the other's.

use oras_testkit::real::Mode;

use super::support::{Env, Teams};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_between_repositories_with_their_own_credentials() {
    let Some(teams) = Teams::start("scoped").await else {
        return;
    };
    let env = &teams.env;
    let (src, dst, pushed) = (teams.src.clone(), teams.dst.clone(), teams.pushed.clone());
    let (a_user, a_password) = (teams.a.0.as_str(), teams.a.1.as_str());
    let (b_user, b_password) = (teams.b.0.as_str(), teams.b.1.as_str());
    // Each user sees its own namespace only.
    let refused = Env::run(
        env.oras(),
        &[
            "resolve",
            "--plain-http",
            "-u",
            b_user,
            "-p",
            b_password,
            &src,
        ],
    );
    assert!(
        !refused.ok,
        "team-b must not read team-a: {}",
        refused.stdout
    );

    let out = tokio::task::block_in_place(|| {
        Env::ok(
            env.oras(),
            &[
                "cp",
                "--from-plain-http",
                "--to-plain-http",
                "--from-username",
                a_user,
                "--from-password",
                a_password,
                "--to-username",
                b_user,
                "--to-password",
                b_password,
                &src,
                &dst,
            ],
        )
    });
    assert!(out.contains(&format!("Digest: {pushed}")), "{out}");
    let resolved = Env::ok(
        env.oras(),
        &[
            "resolve",
            "--plain-http",
            "-u",
            b_user,
            "-p",
            b_password,
            &dst,
        ],
    );
    assert_eq!(resolved.trim(), pushed);
    teams.registry.stop().unwrap();
}

/// On a Basic registry the token cache keeps one credential per origin:
/// the destination's own (wrong) credentials must be the ones sent, not
/// the source's that the cache already holds.
#[test]
fn the_destination_never_borrows_the_source_credential() {
    let Some(registry) = oras_testkit::real::start_for_test(Mode::TlsBasic) else {
        return;
    };
    let host = registry.host();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let ca = registry.ca_path().unwrap().to_str().unwrap().to_owned();
    let env = Env::new();
    let src = format!("{host}/basic/src:v1");
    env.push(
        &src,
        "basic",
        &["--ca-file", &ca, "-u", user, "-p", password],
    );
    let copy = |to_password: &str| {
        Env::run(
            env.oras(),
            &[
                "cp",
                "--from-ca-file",
                &ca,
                "--to-ca-file",
                &ca,
                "--from-username",
                user,
                "--from-password",
                password,
                "--to-username",
                user,
                "--to-password",
                to_password,
                &src,
                &format!("{host}/basic/dst:v1"),
            ],
        )
    };
    let wrong = copy("not-the-password");
    assert!(
        !wrong.ok,
        "the destination used the source's credential: {}",
        wrong.stdout
    );
    let right = copy(password);
    assert!(right.ok, "{}", right.stderr);
    registry.stop().unwrap();
}
