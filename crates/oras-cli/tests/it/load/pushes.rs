//! 50 `oras push` processes of the same blob to one repository at once.

use std::time::{Duration, Instant};

use crate::crash::support::{Sandbox, content, registry};

use super::support::{RSS_LIMIT_KIB, start};

const PROCESSES: usize = 50;
const SIZE: usize = 4 << 20;

/// What Distribution 2.8 answers a manifest PUT whose layer another
/// upload of the same blob is committing at that moment: its filesystem
/// driver rewrites the repository's blob link in place (truncate, then
/// write), so a concurrent read finds no blob. The Go `oras` 1.3.6 gets
/// the same answer from the same storm (7 to 10 of 50 pushes in our
/// runs); it is the registry's race, not the client's.
const REGISTRY_LINK_RACE: &str = "manifest blob unknown: blob unknown to registry";

/// 50 processes push the same 4 MiB file under 50 tags of one repository
/// at the same time: each stays under the RSS bound; each succeeds or
/// fails only with Distribution's link race (then, run again alone, it
/// succeeds); every tag is there at the end and the blob pulls back
/// intact.
#[test]
fn fifty_processes_push_the_same_blob_to_one_repository() {
    let Some(registry) = registry() else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(100);
    let sandbox = Sandbox::new();
    let data = content(SIZE, 50);
    sandbox.write("same.bin", &data);
    let repository = format!("{}/load/same", registry.host());
    let push = |i: usize| -> Vec<String> {
        [
            "push",
            "--plain-http",
            &format!("{repository}:t{i}"),
            "same.bin",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let started = Instant::now();
    let runs: Vec<_> = (0..PROCESSES)
        .map(|i| start(&sandbox, &crate::crash::support::refs(&push(i))))
        .collect();
    let mut peak = 0;
    let mut raced = Vec::new();
    for (i, run) in runs.into_iter().enumerate() {
        let run = run.finish(deadline);
        peak = peak.max(run.time.max_rss_kib);
        if !run.output.status.success() {
            let stderr = String::from_utf8_lossy(&run.output.stderr).into_owned();
            assert!(stderr.contains(REGISTRY_LINK_RACE), "push t{i}: {stderr}");
            raced.push(i);
        }
    }
    eprintln!(
        "{PROCESSES} pushes in {:.1} s, peak RSS at most {peak} KiB (limit {RSS_LIMIT_KIB}), \
         {} hit the registry's link race",
        started.elapsed().as_secs_f64(),
        raced.len()
    );
    for i in raced {
        sandbox.ok(&crate::crash::support::refs(&push(i)));
    }
    let tags = sandbox.ok(&["repo", "tags", "--plain-http", &repository]);
    assert_eq!(tags.lines().count(), PROCESSES, "{tags}");
    sandbox.ok(&[
        "pull",
        "--plain-http",
        &format!("{repository}:t49"),
        "-o",
        "out",
    ]);
    assert!(std::fs::read(sandbox.path("out/same.bin")).unwrap() == data);
}
