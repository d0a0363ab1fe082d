//! `oras pull` from the real registry into a directory, killed at random
//! points.

use std::time::{Duration, Instant};

use oras_testkit::crash::check_no_partial_files;

use super::support::{
    Rounds, Sandbox, assert_all_files, digests, is_file_store_temp, push_artifact, registry,
};

const ROUNDS: u32 = 6;

/// A pull of a large file, small files and a directory into one output
/// directory, killed at random points round after round: no file is ever
/// partial under its final name (only the file store's temp files may be
/// left), and the same pull run again into that directory succeeds with
/// every file complete.
#[test]
fn oras_pull_killed_at_random_points_leaves_no_partial_file() {
    let Some(registry) = registry() else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(110);
    let sandbox = Sandbox::new();
    let reference = format!("{}/crash/pull:v1", registry.host());
    let files = push_artifact(&sandbox, "src", 7, &reference);
    let pull = |out: &str| sandbox.timed_ok(&["pull", "--plain-http", &reference, "-o", out]);
    let mut rounds = Rounds::new(pull("calibrate"));
    assert_all_files(&sandbox.path("calibrate"), &files);
    let expected = digests(&files);
    let args = ["pull", "--plain-http", reference.as_str(), "-o", "out"];
    for round in 0..ROUNDS {
        rounds.kill(&sandbox, &args);
        if sandbox.path("out").exists() {
            check_no_partial_files(&sandbox.path("out"), &expected, is_file_store_temp)
                .unwrap_or_else(|e| panic!("round {round}, after the kill: {e}"));
        }
        sandbox.ok(&args);
        assert_all_files(&sandbox.path("out"), &files);
        assert!(Instant::now() < deadline, "rounds did not end in time");
    }
    rounds.assert_some_killed();
}
