//! `cargo xtask reliability [--fuzz-seconds N]`: runs the reliability
//! scenarios (crash consistency, concurrent writers, property tests,
//! fuzz regressions) and every fuzz target, then writes `RELIABILITY.md`
//! from what happened. The file is generated, never edited by hand.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::fuzz::{self, TargetRun};

/// Seconds per fuzz target unless `--fuzz-seconds` says otherwise.
const DEFAULT_FUZZ_SECONDS: u64 = 20;

/// One scenario: a test of the normal suite, named exactly.
struct Scenario {
    what: &'static str,
    package: &'static str,
    /// `--lib` or `--test <name>`.
    target: &'static [&'static str],
    test: &'static str,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        what: "8 processes push different tags into one OCI layout while index.json is read over and over: every tag kept, no torn read",
        package: "oras-store-oci",
        target: &["--test", "oci"],
        test: "processes::eight_processes_pushing_different_tags_keep_every_tag",
    },
    Scenario {
        what: "pushes into an OCI layout SIGKILLed at random points (8 rounds): layout valid after each (index parses, blobs reached exist and match, no final-named blob partial), next push works",
        package: "oras-store-oci",
        target: &["--test", "oci"],
        test: "processes::pushes_killed_at_random_points_leave_a_valid_layout",
    },
    Scenario {
        what: "a pull of a 16 MiB file into a directory SIGKILLed at random points (8 rounds): the file under its final name is absent or complete, only `.oras_file_*` temp files left",
        package: "oras-store-file",
        target: &["--test", "file_store"],
        test: "killed::a_pull_killed_at_random_points_leaves_no_partial_file",
    },
    Scenario {
        what: "two stores of one layout, each opened before the other wrote: both tags kept",
        package: "oras-store-oci",
        target: &["--test", "oci"],
        test: "processes::a_store_opened_before_another_wrote_keeps_the_others_tags",
    },
    Scenario {
        what: "property: generated references display and parse back",
        package: "oras-spec",
        target: &["--lib"],
        test: "properties::reference_parts_display_and_parse_back",
    },
    Scenario {
        what: "property: parsed reference text displays as itself",
        package: "oras-spec",
        target: &["--lib"],
        test: "properties::parsed_reference_text_displays_as_itself",
    },
    Scenario {
        what: "property: digests display and parse back (text and JSON)",
        package: "oras-spec",
        target: &["--lib"],
        test: "properties::digest_displays_and_parses_back",
    },
    Scenario {
        what: "property: digest text round trips or is refused",
        package: "oras-spec",
        target: &["--lib"],
        test: "properties::digest_text_round_trips_or_is_refused",
    },
    Scenario {
        what: "property: a packed manifest (v1.0, v1.1; Unicode annotations) parses back to what was packed",
        package: "oras-copy",
        target: &["--test", "it"],
        test: "pack_properties::a_packed_manifest_parses_back_to_what_was_packed",
    },
    Scenario {
        what: "property: a generated tree (Unicode names, long paths, empty dirs, in-tree links, modes) unpacks as packed",
        package: "oras-store-file",
        target: &["--test", "file_store"],
        test: "properties::a_generated_tree_unpacks_as_it_was_packed",
    },
    Scenario {
        what: "regression (fuzz): template printf widths past Go's bound, against Go's fmt.Sprintf",
        package: "oras-cli",
        target: &["--lib"],
        test: "template::tests::printf_widths_past_go_bound_match_go",
    },
    Scenario {
        what: "the real registry SIGKILLed and restarted (same port and storage) during an `oras push` of a 200 MiB blob: the push completes or fails clearly, the next one works, the content pulled back verifies",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::registry_killed::a_push_survives_a_registry_killed_and_restarted",
    },
    Scenario {
        what: "the real registry SIGKILLed and restarted during an `oras pull` of a 200 MiB blob: success, or a clear error and no partial file under the final name; the next pull verifies",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::registry_killed::a_pull_survives_a_registry_killed_and_restarted",
    },
    Scenario {
        what: "the source registry SIGKILLed and restarted during an `oras cp` of a 200 MiB blob between two real registries: the copy completes or fails clearly, the copied content verifies",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::registry_killed::a_copy_survives_its_source_registry_killed_and_restarted",
    },
    Scenario {
        what: "500, 503 and 429, with and without Retry-After, on blob fetches before the real registry: pulls retry as the Go oras does (as many retries; Retry-After waited on 429 only)",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::server_errors::pulls_retry_500_503_429_with_and_without_retry_after_as_go_does",
    },
    Scenario {
        what: "429 with Retry-After: 30: the wait is clamped to 3 s, then the pull succeeds, as the Go oras",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::server_errors::a_long_retry_after_is_clamped_to_3_s_as_go_does",
    },
    Scenario {
        what: "500 on every upload: 5 retries, then the Go oras's error, word for word",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::server_errors::uploads_refused_with_500_every_time_fail_as_go_does",
    },
    Scenario {
        what: "tokens the registry refuses 3 s after issue (expires_in telling the truth), every request delayed 1.2 s: a push and a pull complete with new tokens",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::token_expiry::a_push_and_a_pull_outlive_tokens_that_say_when_they_expire",
    },
    Scenario {
        what: "tokens refused 3 s after issue while expires_in says 300 s: the 401s are answered with new tokens, a push and a pull complete",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::token_expiry::a_push_and_a_pull_outlive_tokens_refused_before_their_advertised_expiry",
    },
    Scenario {
        what: "a pull onto a 4 MiB tmpfs (private mount namespace): exit 1 naming the file and \"no space left on device\", nothing left, the space released",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::disk_full::a_pull_onto_a_full_tmpfs_fails_clearly_and_releases_the_space",
    },
    Scenario {
        what: "a pull past `ulimit -f`: exit 1 naming the file and \"file too large\", nothing left in the output directory; the same stderr as the Go oras",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::disk_full::a_pull_past_the_file_size_limit_fails_clearly_and_leaves_nothing",
    },
    Scenario {
        what: "pulls of 16 MiB through a proxy cutting connections at seeded points: resumed, content verified",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::cuts::pulls_across_connections_cut_at_random_points_resume_or_fail_clearly",
    },
    Scenario {
        what: "pushes of 16 MiB through a proxy cutting connections at seeded points: a cut upload fails with a clear error as the Go oras's does, the next push works and verifies",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::cuts::pushes_across_connections_cut_at_random_points_resume_or_fail_clearly",
    },
    Scenario {
        what: "a registry slowed to 1 KiB/s for 3 s: a push and a pull wait it out and verify",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "faults::cuts::a_push_and_a_pull_through_a_registry_slowed_to_1_kib_per_s_complete",
    },
    Scenario {
        what: "`oras push --oci-layout` (40 MiB + small files + a directory) SIGKILLed at seeded random points (6 rounds, one layout): layout valid after each kill with every earlier tag, the same push run again works and pulls back intact",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "crash::push::oras_push_to_a_layout_killed_at_random_points_leaves_a_usable_layout",
    },
    Scenario {
        what: "`oras pull` (40 MiB + small files + a directory) from the real registry SIGKILLed at seeded random points (6 rounds, one directory): no partial file under its final name, the same pull run again completes every file",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "crash::pull::oras_pull_killed_at_random_points_leaves_no_partial_file",
    },
    Scenario {
        what: "`oras cp` from the real registry `--to-oci-layout` SIGKILLed at seeded random points (6 rounds): layout valid after each kill, the same copy run again works and pulls back intact",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "crash::copy::oras_cp_into_a_layout_killed_at_random_points_leaves_a_usable_layout",
    },
    Scenario {
        what: "`oras restore` of a backup into the real registry SIGKILLed at seeded random points (6 rounds): the backup stays a valid layout, the same restore run again gives the backed-up digest and intact files",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "crash::restore::oras_restore_killed_at_random_points_can_be_run_again",
    },
    Scenario {
        what: "8 `oras push --oci-layout` processes at a time (32 tags) into one layout while `oras pull` and `oras manifest fetch` read it: every tag kept, index.json never torn, every pull matches what was pushed",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "crash::concurrent::eight_oras_processes_push_into_one_layout_while_others_pull",
    },
    Scenario {
        what: "load: 50 concurrent `oras push` processes of one 4 MiB blob to one repository of the real registry, each under 64 MiB peak RSS (about 23 MiB measured); pushes hitting Distribution 2.8's blob-link race (Go oras 1.3.6 hits it too) rerun and succeed",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "load::pushes::fifty_processes_push_the_same_blob_to_one_repository",
    },
    Scenario {
        what: "load: `oras repo tags` of 10,000 tags on the real registry, every tag once, under 64 MiB peak RSS (about 18 MiB measured)",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "load::tags::ten_thousand_tags_are_listed_in_bounded_memory",
    },
    Scenario {
        what: "load: `oras discover` of a subject with 1,000 referrers (tag schema, the real registry), all listed, under 64 MiB peak RSS (about 22 MiB measured)",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "load::referrers::a_thousand_referrers_are_discovered_in_bounded_memory",
    },
    Scenario {
        what: "load: `oras cp -r` of an index of 100 platform manifests between repositories of the real registry, every image and blob copied, under 64 MiB peak RSS (about 20 MiB measured)",
        package: "oras-cli",
        target: &["--test", "it"],
        test: "load::platforms::cp_r_of_an_index_of_a_hundred_platforms_in_bounded_memory",
    },
];

/// What the fuzz targets found, and where it was fixed and pinned.
const FINDINGS: &[(&str, &str, &str)] = &[
    (
        "go_template",
        "`{{printf \"%2222222222d\" 1}}` asked for gigabytes of padding (out of memory): widths and precisions had no bound",
        "widths and precisions past 1e6 are refused as Go's fmt `parsenum` refuses them; `%08s` pads with zeros as Go; regression test `template::tests::printf_widths_past_go_bound_match_go` compares with Go's `fmt.Sprintf`",
    ),
    (
        "(scenario) 8 processes pushing one layout",
        "tags of all but the last writer were lost: each process rewrote `index.json` from its own view",
        "`oras-store-oci` rewrites the index under an exclusive `flock` on the layout directory and merges what other processes added; test `processes::eight_processes_pushing_different_tags_keep_every_tag`",
    ),
    (
        "(scenario) the disk filling up during a pull",
        "the error named only the blob's digest (`writing sha256:…: no space left on device`), not the file",
        "`oras-store-file` names the file being pulled when a write is refused for space, quota or file size, in oras-go's words (`failed to copy content to <path>: copy failed: write <path>: no space left on device`); test `faults::disk_full::a_pull_past_the_file_size_limit_fails_clearly_and_leaves_nothing` compares the stderr with the Go oras's",
    ),
    (
        "containers_auth_json",
        "a containers auth.json whose `credHelpers` entry was not a string failed with `failed to unmarshal cred helpers field: invalid config format: …`, oras-go's words, which name no file",
        "`oras-containers-config` names the auth file in every load error (`<path>: <reason>`, the path once); regression test `auth::tests::a_malformed_auth_file_is_named`",
    ),
    (
        "(scenario) a registry killed and restarted mid-pull",
        "the resume of the dropped download reached the registry while it was still down (connection refused) and the pull failed at once",
        "`oras-remote` tries such a resume again after 0.25 s, 0.5 s, 1 s, 2 s within `max_resumes`; test `ranged_fetch::a_resume_waits_for_a_registry_that_cannot_be_reached_for_a_moment`",
    ),
    (
        "(scenario) `oras push` into a layout SIGKILLed at random points",
        "every kill left its partial temp file in `ingest/`, up to the large blob's size, and repeated kills piled them up",
        "every push `flock`s its temp file, and a store opening the layout removes those older than 10 minutes that no writer holds; test `push::stale_ingest_files_are_removed_on_open`",
    ),
    (
        "(fuzzing review) certs_d",
        "the certs.d lookup joined the host onto each root unchecked: a host `..` read the TLS files of the directory above certs.d",
        "only a host that is one plain file name is looked up; test `certs::tests::a_host_that_is_not_a_plain_name_reads_nothing_outside_the_roots`",
    ),
];

struct ScenarioRun {
    what: &'static str,
    test: &'static str,
    passed: bool,
    /// The test binary did not compile (the tree was broken elsewhere).
    not_built: bool,
    seconds: f64,
}

/// `cargo xtask reliability [--fuzz-seconds N]`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut fuzz_seconds = DEFAULT_FUZZ_SECONDS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fuzz-seconds" => {
                let value = args.next().context("--fuzz-seconds needs a number")?;
                fuzz_seconds = value
                    .parse()
                    .with_context(|| format!("--fuzz-seconds {value:?} is not a number"))?;
            }
            other => bail!("unknown reliability option {other:?}"),
        }
    }
    let scenarios: Vec<ScenarioRun> = SCENARIOS.iter().map(run_scenario).collect::<Result<_>>()?;
    let fuzz_runs = fuzz::fuzz(fuzz_seconds, &[])?;
    let text = render(&scenarios, &fuzz_runs);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../RELIABILITY.md");
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!("reliability: wrote RELIABILITY.md");
    let failed = scenarios.iter().filter(|s| !s.passed).count()
        + fuzz_runs.iter().filter(|r| r.crash.is_some()).count();
    if failed > 0 {
        bail!("{failed} scenario(s) or fuzz target(s) failed; see RELIABILITY.md");
    }
    Ok(())
}

fn run_scenario(scenario: &Scenario) -> Result<ScenarioRun> {
    let mut command = Command::new(crate::cargo_bin());
    command
        .args(["test", "-q", "-p", scenario.package])
        .args(scenario.target)
        .args(["--", "--exact", scenario.test]);
    println!("reliability: {}", scenario.test);
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("running {}", scenario.test))?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let passed = output.status.success() && stdout.contains("1 passed");
    let not_built = String::from_utf8_lossy(&output.stderr).contains("could not compile");
    if !passed {
        eprintln!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(ScenarioRun {
        what: scenario.what,
        test: scenario.test,
        passed,
        not_built,
        seconds,
    })
}

fn render(scenarios: &[ScenarioRun], fuzz_runs: &[TargetRun]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Reliability\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask reliability` (never edit by hand): the crash, \
         concurrency and property scenarios run as tests of the normal suite, and \
         every fuzz target of `fuzz/` run for a fixed time from its seeds and the \
         corpus of earlier runs on this machine.\n"
    );
    let _ = writeln!(out, "## Scenarios\n");
    let _ = writeln!(out, "| scenario | test | outcome | time |");
    let _ = writeln!(out, "|---|---|---|---|");
    for s in scenarios {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {:.1} s |",
            s.what,
            s.test,
            match (s.passed, s.not_built) {
                (true, _) => "passed",
                (false, true) => "NOT RUN: its test binary did not compile",
                (false, false) => "FAILED",
            },
            s.seconds
        );
    }
    let _ = writeln!(
        out,
        "\nThe times include cargo's start (the tests are built first).\n"
    );
    let _ = writeln!(out, "## Fuzz targets\n");
    let _ = writeln!(
        out,
        "| target | run time | inputs run | corpus (seeds) | outcome |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for r in fuzz_runs {
        let _ = writeln!(
            out,
            "| `{}` | {} s | {} | {} ({}) | {} |",
            r.target,
            r.seconds,
            r.runs,
            r.corpus,
            r.seeds,
            if r.crash.is_some() {
                "CRASH"
            } else {
                "no crash"
            }
        );
    }
    let _ = writeln!(out, "\n## Found and fixed\n");
    for (source, found, fixed) in FINDINGS {
        let _ = writeln!(out, "- **{source}**: {found}. Fixed: {fixed}.");
    }
    out
}
