//! Per-repository credentials (oras 1.4's per-repository auth cache):
//! the token server grants `team-a` only `team-a/…` and `team-b` only
//! `team-b/…`; `oras cp` from one to the other, with each side's own
//! credentials, must not let one side's token or credential stand in for
//! the other's.

use oras_testkit::real::{Mode, start_for_test_async};

use super::support::Env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_between_repositories_with_their_own_credentials() {
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    let host = registry.host();
    let (a_user, a_password) = registry.scoped_credentials("team-a").unwrap();
    let (b_user, b_password) = registry.scoped_credentials("team-b").unwrap();
    let env = Env::new();
    let src = format!("{host}/team-a/src:v1");
    let dst = format!("{host}/team-b/dst:v1");
    let pushed = tokio::task::block_in_place(|| {
        env.push(
            &src,
            "scoped",
            &["--plain-http", "-u", a_user, "-p", a_password],
        )
    });
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
    registry.stop().unwrap();
}
