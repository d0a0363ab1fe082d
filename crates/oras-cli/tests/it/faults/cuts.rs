//! Connections reset at seeded random points, and a registry slowed to
//! 1 KiB/s for a while, by the test kit's TCP proxy in front of the real
//! registry, during pushes and pulls of the `oras` binary. A run either
//! completes with the content verified (the client retried or resumed)
//! or fails with a clear error and nothing partial under the final name;
//! never a corrupt file. A run through an undisturbed path then works.

use std::process::Output;
use std::time::{Duration, Instant};

use oras_testkit::proxy::{Counters, Cut, CutWhen, Proxy, Shape, Slow};
use oras_testkit::real::{Mode, RealRegistry, start_for_test};

use super::support::{RUN_TIMEOUT, describe, same_content, write_random};
use crate::e2e_core::support::Env;

/// The layer pushed and pulled across the cuts.
const LAYER: usize = 16 * 1024 * 1024;

/// The seeds of the cut points (one run each).
const SEEDS: [u64; 3] = [1, 2, 3];

/// Cuts the first two connections after 256 KiB to 12 MiB (drawn).
fn cutting(seed: u64) -> Shape {
    Shape {
        cut_after: Some(Cut {
            bytes: 256 * 1024..=12 * 1024 * 1024,
            seed,
            when: CutWhen::FirstConnections(2),
        }),
        ..Shape::default()
    }
}

/// `oras args…` with a bounded run time.
fn oras(env: &Env, args: &[&str]) -> Output {
    env.oras().args(args).timeout(RUN_TIMEOUT).output().unwrap()
}

/// A clear failure: exit 1, an `Error` line, no panic.
fn assert_clear_failure(what: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: {}", describe(out));
    assert!(stderr.contains("Error"), "{what}: {}", describe(out));
    assert!(!stderr.contains("panicked"), "{what}: {}", describe(out));
}

/// A registry and the 16 MiB file `big.bin` in `env`.
fn registry_and_layer(env: &Env, seed: u64) -> RealRegistry {
    write_random(env, "big.bin", LAYER, seed);
    start_for_test(Mode::Plain).unwrap()
}

/// One line of the scenario's record.
fn note(what: &str, out: &Output, counters: Counters) -> String {
    format!(
        "{what}: exit {:?}, {} connections, {} cut; stderr: {}",
        out.status.code(),
        counters.connections,
        counters.cuts,
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

#[test]
fn pulls_across_connections_cut_at_random_points_resume_or_fail_clearly() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let registry = registry_and_layer(&env, 5);
    let original = env.path("big.bin");
    let reference = "faults/cut:pull";
    env.ok(&[
        "push",
        "--plain-http",
        &format!("{}/{reference}", registry.host()),
        "big.bin",
    ]);
    let mut record = Vec::new();
    let mut cuts = 0;
    for seed in SEEDS {
        let proxy = Proxy::start(registry.addr(), cutting(seed)).unwrap();
        let dir = format!("pull-{seed}");
        let out = oras(
            &env,
            &[
                "pull",
                "--plain-http",
                &format!("{}/{reference}", proxy.addr()),
                "-o",
                &dir,
            ],
        );
        let counters = proxy.counters();
        cuts += counters.cuts;
        record.push(note(&format!("pull seed {seed}"), &out, counters));
        let pulled = env.path(&dir).join("big.bin");
        if out.status.success() {
            assert!(
                same_content(&pulled, &original),
                "seed {seed}: corrupt pull"
            );
        } else {
            assert_clear_failure(&format!("pull seed {seed}"), &out);
            assert!(
                !pulled.exists() || same_content(&pulled, &original),
                "seed {seed}: a failed pull left a partial big.bin"
            );
            env.ok(&[
                "pull",
                "--plain-http",
                &format!("{}/{reference}", registry.host()),
                "-o",
                &dir,
            ]);
            assert!(same_content(&pulled, &original), "seed {seed}: second pull");
        }
    }
    eprintln!("{}", record.join("\n"));
    assert!(cuts > 0, "no connection was cut:\n{}", record.join("\n"));
}

#[test]
fn pushes_across_connections_cut_at_random_points_resume_or_fail_clearly() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let registry = registry_and_layer(&env, 6);
    let go = oras_testkit::reference::go_oras().unwrap();
    let original = env.path("big.bin");
    let mut record = Vec::new();
    let mut cuts = 0;
    for seed in SEEDS {
        let reference = format!("faults/cut-{seed}:push");
        let proxy = Proxy::start(registry.addr(), cutting(seed)).unwrap();
        let out = oras(
            &env,
            &[
                "push",
                "--plain-http",
                &format!("{}/{reference}", proxy.addr()),
                "big.bin",
            ],
        );
        let counters = proxy.counters();
        cuts += counters.cuts;
        record.push(note(&format!("push seed {seed}"), &out, counters));
        // The Go oras across the same cuts, for the record.
        let go_proxy = Proxy::start(registry.addr(), cutting(seed)).unwrap();
        let go_out = env
            .command(&go)
            .args([
                "push",
                "--plain-http",
                &format!("{}/faults/go-cut-{seed}:push", go_proxy.addr()),
                "big.bin",
            ])
            .timeout(RUN_TIMEOUT)
            .output()
            .unwrap();
        record.push(note(
            &format!("Go push seed {seed}"),
            &go_out,
            go_proxy.counters(),
        ));
        let direct = format!("{}/{reference}", registry.host());
        if !out.status.success() {
            assert_clear_failure(&format!("push seed {seed}"), &out);
            env.ok(&["push", "--plain-http", &direct, "big.bin"]);
        }
        let dir = format!("check-{seed}");
        env.ok(&["pull", "--plain-http", &direct, "-o", &dir]);
        assert!(
            same_content(&env.path(&dir).join("big.bin"), &original),
            "seed {seed}: the registry holds other content"
        );
    }
    eprintln!("{}", record.join("\n"));
    assert!(cuts > 0, "no connection was cut:\n{}", record.join("\n"));
}

#[test]
fn a_push_and_a_pull_through_a_registry_slowed_to_1_kib_per_s_complete() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let registry = start_for_test(Mode::Plain).unwrap();
    let original = write_random(&env, "small.bin", 64 * 1024, 7);
    let slow = Shape {
        slow: Some(Slow {
            rate: 1024,
            duration: Some(Duration::from_secs(3)),
        }),
        ..Shape::default()
    };

    let proxy = Proxy::start(registry.addr(), slow.clone()).unwrap();
    let reference = format!("{}/faults/slow:v1", proxy.addr());
    let started = Instant::now();
    let pushed = oras(&env, &["push", "--plain-http", &reference, "small.bin"]);
    let push_seconds = started.elapsed().as_secs_f64();
    assert!(pushed.status.success(), "push: {}", describe(&pushed));
    drop(proxy);

    let proxy = Proxy::start(registry.addr(), slow).unwrap();
    let reference = format!("{}/faults/slow:v1", proxy.addr());
    let started = Instant::now();
    let pulled = oras(&env, &["pull", "--plain-http", &reference, "-o", "out"]);
    let pull_seconds = started.elapsed().as_secs_f64();
    assert!(pulled.status.success(), "pull: {}", describe(&pulled));
    assert!(same_content(&env.path("out/small.bin"), &original));
    eprintln!("slowed push {push_seconds:.1} s, pull {pull_seconds:.1} s");
    // The first 3 s ran at 1 KiB/s: the path was slow, and it was waited out.
    assert!(push_seconds >= 2.5 && pull_seconds >= 2.5);
}
