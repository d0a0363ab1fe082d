//! `oras push --oci-layout` killed at random points, into one layout that
//! keeps the tags of the rounds before.

use std::time::{Duration, Instant};

use oras_testkit::crash::check_layout;

use super::support::{
    PUSHED_NAMES, Rounds, Sandbox, artifact_files, assert_all_files, check_layout_after_kill, refs,
    write_files,
};

const ROUNDS: u32 = 6;

/// `oras push --oci-layout <layout>:<tag>` of the artifact's files.
fn push_args(target: &str) -> Vec<String> {
    let mut args = vec![
        "push".to_owned(),
        "--oci-layout".to_owned(),
        target.to_owned(),
    ];
    args.extend(PUSHED_NAMES.iter().map(|name| (*name).to_owned()));
    args
}

/// Each round pushes new content (a new large blob) with its own tag into
/// the same layout, is killed, and is run again: after the kill the layout
/// is valid and keeps every earlier tag; after the rerun the tag is there
/// and pulls back the files pushed.
#[test]
fn oras_push_to_a_layout_killed_at_random_points_leaves_a_usable_layout() {
    let deadline = Instant::now() + Duration::from_secs(110);
    let sandbox = Sandbox::new();
    write_files(&sandbox, ".", &artifact_files(100));
    let full = sandbox.timed_ok(&refs(&push_args("calibrate:v1")));
    let mut rounds = Rounds::new(full);
    let mut tags = Vec::new();
    for round in 0..ROUNDS {
        let files = artifact_files(round);
        write_files(&sandbox, ".", &files);
        let tag = format!("r{round}");
        let args = push_args(&format!("layout:{tag}"));
        rounds.kill(&sandbox, &refs(&args));
        let found = check_layout_after_kill(&sandbox.path("layout"), round > 0);
        for earlier in &tags {
            assert!(found.contains(earlier), "tag {earlier} lost: {found:?}");
        }
        sandbox.ok(&refs(&args));
        let found = check_layout(&sandbox.path("layout")).unwrap();
        assert!(found.contains(&tag), "round {round}: {found:?}");
        tags.push(tag.clone());
        let out = format!("out{round}");
        sandbox.ok(&["pull", "--oci-layout", &format!("layout:{tag}"), "-o", &out]);
        assert_all_files(&sandbox.path(&out), &files);
        assert!(Instant::now() < deadline, "rounds did not end in time");
    }
    rounds.assert_some_killed();
}
