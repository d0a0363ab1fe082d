//! `oras restore` of a backup (an OCI layout) into the real registry,
//! killed at random points.

use std::time::{Duration, Instant};

use oras_testkit::crash::check_layout;

use super::support::{Rounds, Sandbox, assert_all_files, push_artifact, refs, registry};

const ROUNDS: u32 = 6;

/// Each round restores the backup into a repository of its own and is
/// killed: the backup it reads stays a valid layout with its tag; the same
/// restore run again succeeds, the restored tag resolves to the backed-up
/// digest and its files pull back complete.
#[test]
fn oras_restore_killed_at_random_points_can_be_run_again() {
    let Some(registry) = registry() else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(110);
    let sandbox = Sandbox::new();
    let host = registry.host();
    let source = format!("{host}/crash/source:v1");
    let files = push_artifact(&sandbox, "src", 13, &source);
    sandbox.ok(&["backup", "--plain-http", "-o", "backup", &source]);
    let digest = sandbox.ok(&["resolve", "--plain-http", &source]);
    let restore = |repository: &str| -> Vec<String> {
        [
            "restore",
            "--plain-http",
            "--input",
            "backup",
            &format!("{host}/{repository}:v1"),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let full = sandbox.timed_ok(&refs(&restore("crash/calibrate")));
    let mut rounds = Rounds::new(full);
    for round in 0..ROUNDS {
        let repository = format!("crash/restored{round}");
        let args = restore(&repository);
        rounds.kill(&sandbox, &refs(&args));
        let tags = check_layout(&sandbox.path("backup"))
            .unwrap_or_else(|e| panic!("round {round}: the backup after the kill: {e}"));
        assert_eq!(tags, ["v1"], "round {round}");
        sandbox.ok(&refs(&args));
        let restored = format!("{host}/{repository}:v1");
        assert_eq!(
            sandbox.ok(&["resolve", "--plain-http", &restored]),
            digest,
            "round {round}"
        );
        let out = format!("out{round}");
        sandbox.ok(&["pull", "--plain-http", &restored, "-o", &out]);
        assert_all_files(&sandbox.path(&out), &files);
        assert!(Instant::now() < deadline, "rounds did not end in time");
    }
    rounds.assert_some_killed();
}
