//! 500, 503 and 429 answers, with and without `Retry-After`, from a
//! fault front before the real registry, for our `oras` and the Go
//! `oras` alike: what each retries, how long it waits, and how it fails
//! when the errors never stop.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use oras_testkit::fake::{Fault, FaultAction};
use oras_testkit::real::{FaultFront, Mode, RealRegistry, start_for_test};

use super::support::describe;
use crate::e2e_core::support::Env;

/// The blob fetches of a pull (config and layers), not upload sessions.
const BLOB_GETS: &str = "/v2/*/blobs/sha*";

/// What one run through the front did.
struct Run {
    out: Output,
    /// Requests a fault answered.
    faulted: usize,
    seconds: f64,
}

/// Runs ours, then the Go `oras`, each as `args(front host, name)` in
/// `env` behind a fresh front answering with `fault` (so counts start at
/// zero), and adds a line per run to `table` under `label`.
fn run_both(
    env: &Env,
    registry: &RealRegistry,
    fault: &Fault,
    label: &str,
    table: &mut Vec<String>,
    args: &dyn Fn(&str, &str) -> Vec<String>,
) -> Vec<(&'static str, Run)> {
    let go = oras_testkit::reference::go_oras()
        .unwrap_or_else(|e| panic!("the Go oras is needed to compare: {e}"));
    let binaries = [
        ("ours", PathBuf::from(env!("CARGO_BIN_EXE_oras"))),
        ("go", go),
    ];
    binaries
        .into_iter()
        .map(|(name, program)| {
            let front = FaultFront::start(registry.addr()).unwrap();
            front.set_faults(vec![fault.clone()]).unwrap();
            let started = Instant::now();
            let out = env
                .command(&program)
                .args(args(&front.host(), name))
                .timeout(Duration::from_secs(90))
                .output()
                .unwrap();
            let run = Run {
                out,
                faulted: front.requests().iter().filter(|r| r.faulted).count(),
                seconds: started.elapsed().as_secs_f64(),
            };
            table.push(format!(
                "{label} {name}: exit {:?}, {} faulted, {:.2} s",
                run.out.status.code(),
                run.faulted,
                run.seconds
            ));
            (name, run)
        })
        .collect()
}

/// `pull --plain-http <host>/faults/errors:v1 -o <dir>`.
fn pull(host: &str, dir: &str) -> Vec<String> {
    [
        "pull",
        "--plain-http",
        &format!("{host}/faults/errors:v1"),
        "-o",
        dir,
    ]
    .map(String::from)
    .to_vec()
}

/// `status` to the first `times` matching requests, with `Retry-After`.
fn answer(method: Method, path: &str, status: u16, retry_after: Option<u64>, times: u32) -> Fault {
    let status = StatusCode::from_u16(status).unwrap();
    Fault::new(
        method,
        path,
        FaultAction::Respond {
            status,
            retry_after,
            code: None,
        },
    )
    .times(times)
}

/// A registry holding `faults/errors:v1` (one small layer, `a.txt`).
fn registry_with_artifact(env: &Env) -> RealRegistry {
    let registry = start_for_test(Mode::Plain).unwrap();
    env.write("a.txt", b"retry me\n");
    let reference = format!("{}/faults/errors:v1", registry.host());
    env.ok(&["push", "--plain-http", &reference, "a.txt"]);
    registry
}

#[test]
fn pulls_retry_500_503_429_with_and_without_retry_after_as_go_does() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let registry = registry_with_artifact(&env);
    let mut table = Vec::new();
    for status in [500, 503, 429] {
        for retry_after in [None, Some(1)] {
            let label = format!("{status} Retry-After {retry_after:?}");
            let fault = answer(Method::GET, BLOB_GETS, status, retry_after, 2);
            let runs = run_both(
                &env,
                &registry,
                &fault,
                &label,
                &mut table,
                &|host, name| pull(host, &format!("out-{status}-{retry_after:?}-{name}")),
            );
            for (name, run) in &runs {
                assert!(
                    run.out.status.success(),
                    "{label} {name}: {}",
                    describe(&run.out)
                );
                let dir = format!("out-{status}-{retry_after:?}-{name}");
                assert_eq!(env.read(&format!("{dir}/a.txt")), b"retry me\n");
                // Go (oras-go's retry policy) waits `Retry-After` only on
                // a 429; two retries then take 2 s instead of the
                // backoff's 250 + 500 ms. Ours does the same.
                let honoured = run.seconds >= 1.9;
                assert_eq!(
                    honoured,
                    status == 429 && retry_after.is_some(),
                    "{label} {name}: {:.2} s\n{}",
                    run.seconds,
                    table.join("\n")
                );
            }
            assert_eq!(
                runs[0].1.faulted, runs[1].1.faulted,
                "{label}: ours and Go's met the faults as often"
            );
        }
    }
    eprintln!("{}", table.join("\n"));
}

#[test]
fn a_long_retry_after_is_clamped_to_3_s_as_go_does() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let registry = registry_with_artifact(&env);
    let mut table = Vec::new();
    let fault = answer(Method::GET, "/v2/*/manifests/*", 429, Some(30), 1);
    let runs = run_both(
        &env,
        &registry,
        &fault,
        "429 Retry-After 30",
        &mut table,
        &|host, name| pull(host, &format!("out-{name}")),
    );
    eprintln!("{}", table.join("\n"));
    for (name, run) in &runs {
        // Both clamp the wait to the backoff's maximum, 3 s, and retry.
        assert!(run.out.status.success(), "{name}: {}", describe(&run.out));
        assert_eq!(run.faulted, 1, "{name}");
        assert!(
            (2.5..15.0).contains(&run.seconds),
            "{name} waited {:.2} s, not about 3 s",
            run.seconds
        );
    }
}

#[test]
fn uploads_refused_with_500_every_time_fail_as_go_does() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let registry = start_for_test(Mode::Plain).unwrap();
    env.write("b.txt", b"never stored\n");
    let mut table = Vec::new();
    let fault = answer(Method::POST, "/v2/*/blobs/uploads/", 500, None, u32::MAX);
    let runs = run_both(
        &env,
        &registry,
        &fault,
        "500 always on POST",
        &mut table,
        &|host, _| {
            [
                "push",
                "--plain-http",
                &format!("{host}/faults/refused:v1"),
                "b.txt",
            ]
            .map(String::from)
            .to_vec()
        },
    );
    eprintln!("{}", table.join("\n"));
    for (name, run) in &runs {
        // One upload is tried 6 times (5 retries); the other upload of
        // the push may be cancelled before its own 6.
        assert_eq!(
            run.out.status.code(),
            Some(1),
            "{name}: {}",
            describe(&run.out)
        );
        assert!(run.faulted >= 6, "{name}: {} faulted", run.faulted);
    }
    // The same words as Go: the registry's error body, whose code is
    // UNKNOWN for a bare 500.
    let stderr = |i: usize| String::from_utf8_lossy(&runs[i].1.out.stderr).into_owned();
    assert_eq!(stderr(0), stderr(1), "ours, then Go's");
    assert!(
        stderr(0).contains("Error response from registry: unknown: unknown error: injected fault"),
        "{}",
        stderr(0)
    );
}
