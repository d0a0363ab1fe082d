//! The plans of every tool, and the checks.

use super::*;
use crate::data::DataFile;
use crate::seed::Layer;

fn seeded(names: &[&str]) -> Seeded {
    let files: Vec<DataFile> = names
        .iter()
        .map(|n| DataFile {
            name: (*n).to_owned(),
            size: 10,
            digest: format!("sha256:{}", "a".repeat(64)),
        })
        .collect();
    let set = DataSet {
        dir: PathBuf::from("/data/set"),
        files,
    };
    let layers = Layer::files(&set);
    Seeded {
        artifact: Artifact {
            repo: "seed/x".into(),
            layout: PathBuf::from("/layouts/x"),
            layers,
        },
        set,
    }
}

fn env(oras: Result<PathBuf, String>) -> Env {
    Env {
        oras,
        go_peers: BTreeMap::from([
            (Tool::GoOras, PathBuf::from("/go/oras")),
            (Tool::Crane, PathBuf::from("/go/crane")),
            (Tool::Regctl, PathBuf::from("/go/regctl")),
        ]),
        network: Network::Lan,
        oras_py_script: PathBuf::from("/tmp/oras_py.py"),
        registry: "127.0.0.1:1".into(),
        other_registry: "127.0.0.1:2".into(),
        redirect_registry: Some("127.0.0.1:3".into()),
        regctl_config: PathBuf::from("/scratch/regctl/config.json"),
        out: PathBuf::from("/scratch/out"),
        skopeo_cache: SkopeoCache::Shared,
        skopeo_cache_root: PathBuf::from("/scratch/skopeo-cache"),
        sizes: Sizes::quick(),
        large: Some(seeded(&["large.bin"])),
        big: None,
        huge: None,
        small: Some(seeded(&["s0000.bin", "s0001.bin"])),
        many: None,
        dir: None,
        layers: Some(seeded(&["layer00.bin"])),
    }
}

fn args(plan: &Plan) -> (String, Vec<String>, Check) {
    match plan {
        Plan::Run { invocation, check } => (
            invocation.program.display().to_string(),
            invocation.args.clone(),
            check.clone(),
        ),
        other => panic!("expected a run, got {other:?}"),
    }
}

#[test]
fn ours_uses_the_go_cli_syntax() {
    let e = env(Ok(PathBuf::from("/bin/oras")));
    let (program, a, check) = args(&e.plan(WorkloadId::PushSmall, Tool::Oras, 3));
    assert_eq!(program, "/bin/oras");
    assert_eq!(
        a,
        [
            "push",
            "--plain-http",
            "127.0.0.1:1/bench/push-small/oras-3:v1",
            "s0000.bin",
            "s0001.bin"
        ]
    );
    assert_eq!(
        check,
        Check::Manifest {
            host: "127.0.0.1:1".into(),
            repo: "bench/push-small/oras-3".into()
        }
    );
    let (_, a, check) = args(&e.plan(WorkloadId::PullLarge, Tool::Oras, 0));
    assert_eq!(
        a,
        [
            "pull",
            "--plain-http",
            "-o",
            "/scratch/out",
            "127.0.0.1:1/seed/x:v1"
        ]
    );
    assert_eq!(
        check,
        Check::File {
            path: PathBuf::from("/scratch/out/large.bin"),
            size: 10
        }
    );
    let (_, a, _) = args(&e.plan(WorkloadId::CopyNoMount, Tool::Oras, 1));
    assert_eq!(
        a,
        [
            "cp",
            "--from-plain-http",
            "--to-plain-http",
            "127.0.0.1:1/seed/x:v1",
            "127.0.0.1:2/bench/copy-no-mount/oras-1:v1"
        ]
    );
    let (_, a, _) = args(&e.plan(WorkloadId::CopyToLayout, Tool::Oras, 1));
    assert_eq!(
        a,
        [
            "cp",
            "--from-plain-http",
            "--to-oci-layout",
            "127.0.0.1:1/seed/x:v1",
            "/scratch/out:v1"
        ]
    );
    let (_, a, _) = args(&e.plan(WorkloadId::CopyFromLayout, Tool::Oras, 1));
    assert_eq!(a[1..3], ["--from-oci-layout", "--to-plain-http"]);
    assert_eq!(a[3], "/layouts/x:v1");
}

#[test]
fn peers_and_references_get_their_own_commands() {
    let e = env(Ok(PathBuf::from("/bin/oras")));
    let (program, a, _) = args(&e.plan(WorkloadId::PushLarge, Tool::Skopeo, 0));
    assert_eq!(program, "skopeo");
    assert!(a.contains(&"--preserve-digests".to_owned()), "{a:?}");
    assert!(a.contains(&"oci:/layouts/x:v1".to_owned()), "{a:?}");
    let (program, a, _) = args(&e.plan(WorkloadId::PullLarge, Tool::OrasPy, 0));
    assert_eq!(program, "python3");
    assert_eq!(
        a[1..],
        [
            "pull",
            "127.0.0.1:1",
            "127.0.0.1:1/seed/x:v1",
            "/scratch/out"
        ]
    );
    let (program, a, _) = args(&e.plan(WorkloadId::PullLarge, Tool::Openssl, 0));
    assert_eq!(program, "openssl");
    assert_eq!(a, ["dgst", "-sha256", "/data/set/files/large.bin"]);
    let (program, a, _) = args(&e.plan(WorkloadId::PullLarge, Tool::Curl, 0));
    assert_eq!(program, "curl");
    assert_eq!(
        a.last().unwrap(),
        &format!(
            "http://127.0.0.1:1/v2/seed/x/blobs/sha256:{}",
            "a".repeat(64)
        )
    );
}

#[test]
fn skopeo_gets_a_cache_of_its_own_per_run_but_one_per_mount_workload() {
    let root = tempfile::tempdir().unwrap();
    let mut e = env(Ok(PathBuf::from("/bin/oras")));
    e.skopeo_cache_root = root.path().to_path_buf();
    e.skopeo_cache = SkopeoCache::BindMount;
    let (program, a, _) = args(&e.plan(WorkloadId::PushLarge, Tool::Skopeo, 2));
    assert_eq!(program, "unshare");
    let cache = root.path().join("lan/push-large/run-2");
    assert!(cache.is_dir());
    assert_eq!(a[..3], ["-m", "sh", "-c"]);
    assert!(a[3].contains(SKOPEO_SYSTEM_CACHE), "{a:?}");
    assert_eq!(
        a[4..7],
        [
            "sh".to_owned(),
            cache.display().to_string(),
            "skopeo".to_owned()
        ]
    );
    assert_eq!(a[7], "--insecure-policy");
    let (_, a, _) = args(&e.plan(WorkloadId::CopyMount, Tool::Skopeo, 1));
    assert_eq!(
        a[5],
        root.path().join("lan/copy-mount").display().to_string()
    );
    e.skopeo_cache = SkopeoCache::XdgDataHome;
    match e.plan(WorkloadId::PullSmall, Tool::Skopeo, 0) {
        Plan::Run { invocation, .. } => {
            assert_eq!(invocation.program, PathBuf::from("skopeo"));
            assert_eq!(
                invocation.env,
                [(
                    "XDG_DATA_HOME".to_owned(),
                    root.path()
                        .join("lan/pull-small/run-0")
                        .display()
                        .to_string()
                )]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unsupported_missing_and_unbuilt_are_told_apart() {
    let e = env(Err("build failed: boom".into()));
    assert!(matches!(
        e.plan(WorkloadId::CopyMount, Tool::OrasPy, 0),
        Plan::Skip(note) if note.contains("no copy")
    ));
    assert!(matches!(
        e.plan(WorkloadId::PushDir, Tool::Skopeo, 0),
        Plan::Skip(_)
    ));
    assert!(matches!(
        e.plan(WorkloadId::Version, Tool::Oras, 0),
        Plan::Fail(why) if why.contains("boom")
    ));
    assert!(matches!(
        e.plan(WorkloadId::PushDir, Tool::OrasPy, 0),
        Plan::Fail(why) if why.contains("no seeded data")
    ));
}

#[test]
fn checks_see_files_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
    std::fs::write(dir.path().join("a/b/f"), b"12345").unwrap();
    std::fs::write(dir.path().join("g"), b"1").unwrap();
    assert_eq!(count_files(dir.path(), 0), 2);
    let file = |size| Check::File {
        path: dir.path().join("a/b/f"),
        size,
    };
    assert_eq!(verify(&file(5)), Ok(()));
    assert!(verify(&file(6)).unwrap_err().contains("expected 6"));
    let under = |at_least| Check::FilesUnder {
        dir: dir.path().to_path_buf(),
        at_least,
    };
    assert_eq!(verify(&under(2)), Ok(()));
    assert!(verify(&under(3)).is_err());
    assert_eq!(verify(&Check::Nothing), Ok(()));
    assert!(timeout_for(Some(10 << 30)) > timeout_for(None));
}

#[test]
fn every_tool_of_every_workload_gets_a_command_or_a_reason() {
    let mut e = env(Ok(PathBuf::from("/bin/oras")));
    e.huge = Some(seeded(&["huge.bin"]));
    e.big = Some(seeded(&["big.bin"]));
    e.many = Some(seeded(&["m0000.bin"]));
    e.dir = Some(seeded(&["tree"]));
    for workload in crate::workload::WORKLOADS {
        for &tool in workload.tools {
            // curl's push opens an upload session on the registry first.
            if tool == Tool::Curl && workload.action == Action::Push {
                continue;
            }
            match e.plan(workload.id, tool, 0) {
                Plan::Run { .. } => {}
                Plan::Skip(why) => assert!(
                    (matches!(tool, Tool::Skopeo | Tool::Crane | Tool::Regctl)
                        && workload.data == Some(DataKind::Dir))
                        || (tool == Tool::OrasPy && matches!(workload.action, Action::Copy(_))),
                    "{} / {}: {why}",
                    workload.name,
                    tool.name()
                ),
                Plan::Fail(why) => panic!("{} / {}: {why}", workload.name, tool.name()),
            }
        }
    }
}

#[test]
fn the_go_peers_get_their_commands() {
    let e = env(Ok(PathBuf::from("/bin/oras")));
    let (program, a, _) = args(&e.plan(WorkloadId::PullLarge, Tool::GoOras, 0));
    assert_eq!(program, "/go/oras");
    assert_eq!(a[..3], ["pull", "--plain-http", "-o"]);
    let (program, a, check) = args(&e.plan(WorkloadId::PushSmall, Tool::Crane, 2));
    assert_eq!(program, "/go/crane");
    assert_eq!(
        a,
        [
            "push",
            "--insecure",
            "/layouts/x",
            "127.0.0.1:1/bench/push-small/crane-2:v1"
        ]
    );
    assert!(matches!(check, Check::Manifest { .. }));
    let (_, a, check) = args(&e.plan(WorkloadId::PullLarge, Tool::Crane, 0));
    assert_eq!(a[..4], ["pull", "--insecure", "--format", "oci"]);
    assert!(matches!(check, Check::File { .. }), "{check:?}");
    let (_, a, _) = args(&e.plan(WorkloadId::CopyNoMount, Tool::Crane, 0));
    assert_eq!(a[..2], ["copy", "--insecure"]);
    assert!(a[3].starts_with("127.0.0.1:2/"), "{a:?}");
    let plan = e.plan(WorkloadId::CopyToLayout, Tool::Regctl, 0);
    let (program, a, _) = args(&plan);
    assert_eq!(program, "/go/regctl");
    assert_eq!(
        a,
        [
            "--host",
            "reg=127.0.0.1:1,tls=disabled",
            "--host",
            "reg=127.0.0.1:2,tls=disabled",
            "image",
            "copy",
            "127.0.0.1:1/seed/x:v1",
            "ocidir:///scratch/out:v1"
        ]
    );
    let Plan::Run { invocation, .. } = plan else {
        unreachable!()
    };
    assert_eq!(invocation.env[0].0, "REGCTL_CONFIG");
    let mut missing = e.clone();
    missing.go_peers.clear();
    assert!(matches!(
        missing.plan(WorkloadId::PullLarge, Tool::Crane, 0),
        Plan::Fail(why) if why.contains("not installed")
    ));
}

#[test]
fn the_redirect_workload_reads_from_the_front_and_wan_runs_get_their_own_repos() {
    let mut e = env(Ok(PathBuf::from("/bin/oras")));
    let (_, a, _) = args(&e.plan(WorkloadId::PullRedirect, Tool::Oras, 0));
    assert_eq!(a.last().unwrap(), "127.0.0.1:3/seed/x:v1");
    let (_, a, _) = args(&e.plan(WorkloadId::PullRedirect, Tool::Curl, 0));
    assert!(a.contains(&"-L".to_owned()), "{a:?}");
    assert!(
        a.last().unwrap().starts_with("http://127.0.0.1:3/"),
        "{a:?}"
    );
    e.network = Network::Wan80;
    let (_, a, _) = args(&e.plan(WorkloadId::PushLarge, Tool::Oras, 1));
    assert_eq!(a[2], "127.0.0.1:1/bench/wan80/push-large/oras-1:v1");
}
