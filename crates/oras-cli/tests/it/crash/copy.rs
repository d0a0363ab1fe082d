//! `oras cp` from the real registry into an OCI layout, killed at random
//! points.

use std::time::{Duration, Instant};

use oras_testkit::crash::check_layout;

use super::support::{
    Rounds, Sandbox, assert_all_files, check_layout_after_kill, push_artifact, refs, registry,
};

const ROUNDS: u32 = 6;

/// Each round copies the artifact into a layout of its own and is killed:
/// the layout is valid after the kill; the same copy run again succeeds,
/// tags the artifact, and the files pull back from the layout complete.
#[test]
fn oras_cp_into_a_layout_killed_at_random_points_leaves_a_usable_layout() {
    let Some(registry) = registry() else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(110);
    let sandbox = Sandbox::new();
    let reference = format!("{}/crash/copy:v1", registry.host());
    let files = push_artifact(&sandbox, "src", 11, &reference);
    let copy = |layout: &str| -> Vec<String> {
        [
            "cp",
            "--from-plain-http",
            &reference,
            "--to-oci-layout",
            &format!("{layout}:v1"),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let full = sandbox.timed_ok(&refs(&copy("calibrate")));
    let mut rounds = Rounds::new(full);
    for round in 0..ROUNDS {
        let layout = format!("layout{round}");
        let args = copy(&layout);
        rounds.kill(&sandbox, &refs(&args));
        check_layout_after_kill(&sandbox.path(&layout), false);
        sandbox.ok(&refs(&args));
        let tags = check_layout(&sandbox.path(&layout)).unwrap();
        assert_eq!(tags, ["v1"], "round {round}");
        let out = format!("out{round}");
        sandbox.ok(&["pull", "--oci-layout", &format!("{layout}:v1"), "-o", &out]);
        assert_all_files(&sandbox.path(&out), &files);
        assert!(Instant::now() < deadline, "rounds did not end in time");
    }
    rounds.assert_some_killed();
}
