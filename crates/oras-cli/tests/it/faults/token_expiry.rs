//! Tokens that stop being accepted mid-transfer: the token server issues
//! tokens the real registry refuses 3 s after issue, and a fault front
//! delays every registry request by 1.2 s, so a push and a pull of a few
//! blobs one at a time outlive the token they started with. Once with
//! `expires_in` telling the truth (the client may refresh in time, and
//! the front's delay still makes some tokens arrive late), once with
//! `expires_in: 300` (the client holds a token the registry refuses: a
//! revoked or clock-skewed token). Each transfer completes, the client
//! fetching new tokens, and the content verifies.

use std::time::Duration;

use http::Method;
use oras_testkit::fake::Fault;
use oras_testkit::real::{FaultFront, Mode, start_for_test};

use super::support::describe;
use crate::e2e_core::support::Env;

/// How long the registry accepts a token after issue.
const ACCEPTED_FOR: Duration = Duration::from_secs(3);

/// The delay the front adds to every registry request.
const DELAY: Duration = Duration::from_millis(1200);

/// Push then pull three blobs one at a time, each request delayed, with
/// tokens accepted [`ACCEPTED_FOR`] and advertised for `advertised`.
fn push_and_pull_outliving_tokens(advertised: Duration) {
    let Some(registry) = start_for_test(Mode::Token) else {
        return;
    };
    let tokens = registry.token_server().unwrap();
    tokens.set_token_lifetime(ACCEPTED_FOR, advertised);
    let front = FaultFront::start(registry.addr()).unwrap();
    front
        .set_faults(vec![
            Fault::delay(Method::GET, "/v2/*", DELAY)
                .any_method()
                .always(),
        ])
        .unwrap();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let env = Env::new();
    env.write("one.txt", b"one\n");
    env.write("two.txt", b"two\n");
    let reference = format!("{}/faults/tokens:v1", front.host());
    let login = [
        "--plain-http",
        "-u",
        user,
        "-p",
        password,
        "--concurrency",
        "1",
    ];

    let mut push = env.oras();
    push.args(["push", &reference, "one.txt", "two.txt"])
        .args(login)
        .timeout(Duration::from_secs(120));
    let pushed = push.output().unwrap();
    assert!(pushed.status.success(), "push: {}", describe(&pushed));
    let mut pull = env.oras();
    pull.args(["pull", &reference, "-o", "out"])
        .args(login)
        .timeout(Duration::from_secs(120));
    let pulled = pull.output().unwrap();
    assert!(pulled.status.success(), "pull: {}", describe(&pulled));
    assert_eq!(env.read("out/one.txt"), b"one\n");
    assert_eq!(env.read("out/two.txt"), b"two\n");

    let refused = front.requests().iter().filter(|r| r.status == 401).count();
    eprintln!(
        "advertised {advertised:?}: {} token requests, {refused} requests refused with 401",
        tokens.request_count()
    );
    // More tokens than the push's and the pull's first: the later ones
    // replaced tokens that ran out during the transfer.
    assert!(tokens.request_count() > 2, "{:?}", tokens.requests());
}

#[test]
fn a_push_and_a_pull_outlive_tokens_that_say_when_they_expire() {
    push_and_pull_outliving_tokens(ACCEPTED_FOR);
}

#[test]
fn a_push_and_a_pull_outlive_tokens_refused_before_their_advertised_expiry() {
    push_and_pull_outliving_tokens(Duration::from_secs(300));
}
