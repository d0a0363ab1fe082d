//! The command each tool runs for each workload, and how the harness
//! checks afterwards that it did the work (a tool that exits 0 but wrote
//! nothing must not look fast).
//!
//! Our `oras` is driven with the Go CLI's syntax (`oras push --plain-http
//! HOST/REPO:TAG FILE...`, `oras pull --plain-http -o DIR REF`, `oras cp
//! --from-plain-http --to-plain-http SRC DST`, `oras cp --to-oci-layout SRC
//! DIR:TAG`, `oras cp --from-oci-layout DIR:TAG DST`). Pushes run in the
//! data set's directory with relative names, as the Go CLI's path
//! validation wants. Every push goes to a new repository
//! (`bench/WORKLOAD/TOOL-N`) so no run finds its blobs already there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::data::DataSet;
use super::http;
use super::measure::Invocation;
use super::seed::{Artifact, TAG, blob_path};
use super::workload::{Sizes, Tool, WorkloadId};

/// A seeded artifact with the data set its files come from.
#[derive(Debug, Clone)]
pub(crate) struct Seeded {
    /// The generated files.
    pub(crate) set: DataSet,
    /// The artifact in the registry and as an OCI layout.
    pub(crate) artifact: Artifact,
}

/// How skopeo's blob-info cache (which remembers where each blob was
/// seen and then mounts it from there) is kept from carrying state from
/// one run into the next. Every skopeo run gets an empty cache directory
/// of its own, except on the mount workload, where warm-up and measured
/// runs share one so that skopeo can mount as a returning user's would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SkopeoCache {
    /// Root: the run's directory is bind-mounted over
    /// `/var/lib/containers/cache` in a private mount namespace
    /// (`unshare -m`), the only place root's skopeo keeps it.
    BindMount,
    /// Not root: `XDG_DATA_HOME` points at the run's directory.
    XdgDataHome,
    /// Neither works: the machine's cache is shared (said in the report).
    Shared,
}

/// Where root's skopeo keeps its blob-info cache.
pub(crate) const SKOPEO_SYSTEM_CACHE: &str = "/var/lib/containers/cache";

/// What the workloads run against.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    /// Our release binary, or why there is none.
    pub(crate) oras: Result<PathBuf, String>,
    /// The oras-py driver script.
    pub(crate) oras_py_script: PathBuf,
    /// `127.0.0.1:PORT` of the main registry.
    pub(crate) registry: String,
    /// `127.0.0.1:PORT` of the second registry (copies without mount).
    pub(crate) other_registry: String,
    /// Where pulls and layout copies write (emptied around every run).
    pub(crate) out: PathBuf,
    /// How skopeo's blob-info cache is isolated.
    pub(crate) skopeo_cache: SkopeoCache,
    /// Parent of the per-run skopeo cache directories.
    pub(crate) skopeo_cache_root: PathBuf,
    /// The sizes in use.
    pub(crate) sizes: Sizes,
    /// One file of `sizes.large`.
    pub(crate) large: Option<Seeded>,
    /// One file of `sizes.huge` (`--long`).
    pub(crate) huge: Option<Seeded>,
    /// The small files.
    pub(crate) small: Option<Seeded>,
    /// The directory.
    pub(crate) dir: Option<Seeded>,
    /// The layers of the copied artifact.
    pub(crate) layers: Option<Seeded>,
}

/// How the harness checks a run's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// Nothing to check (references checked by their exit status).
    Nothing,
    /// This file exists with this size.
    File {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// At least this many regular files below this directory.
    FilesUnder {
        /// The directory.
        dir: PathBuf,
        /// The least count.
        at_least: usize,
    },
    /// `repo:v1` resolves on `host`.
    Manifest {
        /// `127.0.0.1:PORT`.
        host: String,
        /// The repository.
        repo: String,
    },
}

/// What to do for one run.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// Run this and check that.
    Run {
        /// The command.
        invocation: Invocation,
        /// The check afterwards.
        check: Check,
    },
    /// The tool has no way to do this workload.
    Skip(String),
    /// The tool should but cannot run (e.g. the build failed).
    Fail(String),
}

/// The note for tools that have no command for a workload.
fn unsupported(tool: Tool, what: &str) -> Plan {
    Plan::Skip(format!("{} {what}", tool.name()))
}

/// Time allowed for one run: 5 minutes plus 10 MiB/s of payload.
pub(crate) fn timeout_for(payload: Option<u64>) -> Duration {
    Duration::from_secs(300 + payload.unwrap_or(0) / (10 << 20))
}

impl Env {
    /// The plan for `tool` on `workload`, run number `run` (counting
    /// warm-ups, so repositories never repeat).
    pub(crate) fn plan(&self, workload: WorkloadId, tool: Tool, run: usize) -> Plan {
        match self.try_plan(workload, tool, run) {
            Ok(plan) => plan,
            Err(why) => Plan::Fail(why),
        }
    }

    fn try_plan(&self, workload: WorkloadId, tool: Tool, run: usize) -> Result<Plan, String> {
        use WorkloadId as W;
        let dest_repo = format!("bench/{}/{}-{run}", workload.name(), tool.slug());
        let a = self.registry.as_str();
        let dest = format!("{a}/{dest_repo}:{TAG}");
        let timeout = timeout_for(workload.payload_bytes(&self.sizes));
        let pushed_to = |host: &str| Check::Manifest {
            host: host.to_owned(),
            repo: dest_repo.clone(),
        };
        let out = self.out.clone();
        let layout_ref = |dir: &Path| format!("{}:{TAG}", dir.display());
        let oci = |dir: &Path| format!("oci:{}:{TAG}", dir.display());
        Ok(match (workload, tool) {
            (W::Version, Tool::Oras) => self.oras(&["version"], &out, Check::Nothing, timeout)?,

            (W::PushLarge | W::PushHuge | W::PushSmall | W::PushDir, Tool::Oras) => {
                let seeded = self.seeded(workload)?;
                let mut args = vec!["push".to_owned(), "--plain-http".to_owned(), dest];
                args.extend(push_names(workload, seeded));
                self.oras_owned(args, &seeded.set.files_dir(), pushed_to(a), timeout)?
            }
            (W::PushLarge | W::PushHuge | W::PushSmall | W::PushDir, Tool::OrasPy) => {
                let seeded = self.seeded(workload)?;
                let mut args = vec![
                    self.oras_py_script.display().to_string(),
                    "push".to_owned(),
                    a.to_owned(),
                    dest,
                ];
                args.extend(push_names(workload, seeded));
                invoke(
                    "python3",
                    args,
                    &seeded.set.files_dir(),
                    pushed_to(a),
                    timeout,
                )
            }
            (W::PushDir, Tool::Skopeo) => unsupported(
                tool,
                "copies images between stores; it does not pack directories",
            ),
            (W::PullDir, Tool::Skopeo) => unsupported(
                tool,
                "copies images between stores; it does not unpack directories",
            ),
            (W::PushLarge | W::PushHuge | W::PushSmall, Tool::Skopeo) => {
                let seeded = self.seeded(workload)?;
                self.skopeo(
                    workload,
                    run,
                    vec![
                        "--insecure-policy".into(),
                        "copy".into(),
                        "--preserve-digests".into(),
                        "--dest-tls-verify=false".into(),
                        oci(&seeded.artifact.layout),
                        format!("docker://{dest}"),
                    ],
                    &out,
                    pushed_to(a),
                    timeout,
                )?
            }
            (W::PushLarge | W::PushHuge | W::PullLarge | W::PullHuge, Tool::Openssl) => {
                let seeded = self.seeded(workload)?;
                let file = first_file(seeded)?;
                invoke(
                    "openssl",
                    vec!["dgst".into(), "-sha256".into(), file.display().to_string()],
                    &out,
                    Check::Nothing,
                    timeout,
                )
            }
            (W::PushLarge | W::PushHuge, Tool::Curl) => {
                let seeded = self.seeded(workload)?;
                let layer = seeded
                    .artifact
                    .layers
                    .first()
                    .ok_or("the seeded artifact has no layer")?;
                let location = http::start_upload(a, &dest_repo)
                    .map_err(|e| format!("starting the upload for curl: {e:#}"))?;
                let url = format!(
                    "http://{a}{}",
                    http::with_digest(&http::location_path(&location), &layer.digest)
                );
                invoke(
                    "curl",
                    vec![
                        "-sS".into(),
                        "-f".into(),
                        "-o".into(),
                        "/dev/null".into(),
                        "-T".into(),
                        layer.path.display().to_string(),
                        url,
                    ],
                    &out,
                    Check::Nothing,
                    timeout,
                )
            }

            (W::PullLarge | W::PullHuge | W::PullSmall | W::PullDir, Tool::Oras) => {
                let seeded = self.seeded(workload)?;
                let args = vec![
                    "pull".to_owned(),
                    "--plain-http".to_owned(),
                    "-o".to_owned(),
                    out.display().to_string(),
                    seeded.artifact.reference(a),
                ];
                let check = self.pulled(workload, seeded)?;
                self.oras_owned(args, &out, check, timeout)?
            }
            (W::PullLarge | W::PullHuge | W::PullSmall | W::PullDir, Tool::OrasPy) => {
                let seeded = self.seeded(workload)?;
                let args = vec![
                    self.oras_py_script.display().to_string(),
                    "pull".to_owned(),
                    a.to_owned(),
                    seeded.artifact.reference(a),
                    out.display().to_string(),
                ];
                invoke(
                    "python3",
                    args,
                    &out,
                    self.pulled(workload, seeded)?,
                    timeout,
                )
            }
            (W::PullLarge | W::PullHuge | W::PullSmall, Tool::Skopeo) => {
                let seeded = self.seeded(workload)?;
                let check = match workload {
                    W::PullSmall => Check::FilesUnder {
                        dir: out.join("blobs"),
                        at_least: seeded.artifact.layers.len() + 2,
                    },
                    _ => {
                        let layer = seeded.artifact.layers.first().ok_or("no layer")?;
                        Check::File {
                            path: blob_path(&out, &layer.digest),
                            size: layer.size,
                        }
                    }
                };
                self.skopeo(
                    workload,
                    run,
                    vec![
                        "--insecure-policy".into(),
                        "copy".into(),
                        "--preserve-digests".into(),
                        "--src-tls-verify=false".into(),
                        format!("docker://{}", seeded.artifact.reference(a)),
                        oci(&out),
                    ],
                    &out,
                    check,
                    timeout,
                )?
            }
            (W::PullLarge | W::PullHuge, Tool::Curl) => {
                let seeded = self.seeded(workload)?;
                let layer = seeded.artifact.layers.first().ok_or("no layer")?;
                let target = out.join(title_of(workload, seeded)?);
                invoke(
                    "curl",
                    vec![
                        "-sS".into(),
                        "-f".into(),
                        "-o".into(),
                        target.display().to_string(),
                        format!(
                            "http://{a}/v2/{}/blobs/{}",
                            seeded.artifact.repo, layer.digest
                        ),
                    ],
                    &out,
                    Check::File {
                        path: target,
                        size: layer.size,
                    },
                    timeout,
                )
            }

            // The registry's ceiling for many small blobs: the same GETs,
            // 3 at a time over reused connections (oras' default
            // concurrency), each blob written to a file.
            (W::PullSmall, Tool::Curl) => {
                let seeded = self.seeded(workload)?;
                let mut args: Vec<String> = [
                    "-sS",
                    "-f",
                    "--parallel",
                    "--parallel-max",
                    "3",
                    "--remote-name-all",
                    "--output-dir",
                ]
                .map(str::to_owned)
                .to_vec();
                args.push(out.display().to_string());
                args.extend(seeded.artifact.layers.iter().map(|layer| {
                    format!(
                        "http://{a}/v2/{}/blobs/{}",
                        seeded.artifact.repo, layer.digest
                    )
                }));
                let check = Check::FilesUnder {
                    dir: out.clone(),
                    at_least: seeded.artifact.layers.len(),
                };
                invoke("curl", args, &out, check, timeout)
            }

            (W::CopyMount | W::CopyNoMount, Tool::Oras) => {
                let seeded = self.seeded(workload)?;
                let host = self.copy_host(workload);
                self.oras_owned(
                    vec![
                        "cp".into(),
                        "--from-plain-http".into(),
                        "--to-plain-http".into(),
                        seeded.artifact.reference(a),
                        format!("{host}/{dest_repo}:{TAG}"),
                    ],
                    &out,
                    pushed_to(host),
                    timeout,
                )?
            }
            (W::CopyMount | W::CopyNoMount, Tool::Skopeo) => {
                let seeded = self.seeded(workload)?;
                let host = self.copy_host(workload);
                self.skopeo(
                    workload,
                    run,
                    vec![
                        "--insecure-policy".into(),
                        "copy".into(),
                        "--preserve-digests".into(),
                        "--src-tls-verify=false".into(),
                        "--dest-tls-verify=false".into(),
                        format!("docker://{}", seeded.artifact.reference(a)),
                        format!("docker://{host}/{dest_repo}:{TAG}"),
                    ],
                    &out,
                    pushed_to(host),
                    timeout,
                )?
            }
            (W::CopyToLayout, Tool::Oras) => {
                let seeded = self.seeded(workload)?;
                self.oras_owned(
                    vec![
                        "cp".into(),
                        "--from-plain-http".into(),
                        "--to-oci-layout".into(),
                        seeded.artifact.reference(a),
                        layout_ref(&out),
                    ],
                    &out,
                    layout_written(&out, seeded),
                    timeout,
                )?
            }
            (W::CopyToLayout, Tool::Skopeo) => {
                let seeded = self.seeded(workload)?;
                self.skopeo(
                    workload,
                    run,
                    vec![
                        "--insecure-policy".into(),
                        "copy".into(),
                        "--preserve-digests".into(),
                        "--src-tls-verify=false".into(),
                        format!("docker://{}", seeded.artifact.reference(a)),
                        oci(&out),
                    ],
                    &out,
                    layout_written(&out, seeded),
                    timeout,
                )?
            }
            (W::CopyFromLayout, Tool::Oras) => {
                let seeded = self.seeded(workload)?;
                self.oras_owned(
                    vec![
                        "cp".into(),
                        "--from-oci-layout".into(),
                        "--to-plain-http".into(),
                        layout_ref(&seeded.artifact.layout),
                        dest,
                    ],
                    &out,
                    pushed_to(a),
                    timeout,
                )?
            }
            (W::CopyFromLayout, Tool::Skopeo) => {
                let seeded = self.seeded(workload)?;
                self.skopeo(
                    workload,
                    run,
                    vec![
                        "--insecure-policy".into(),
                        "copy".into(),
                        "--preserve-digests".into(),
                        "--dest-tls-verify=false".into(),
                        oci(&seeded.artifact.layout),
                        format!("docker://{dest}"),
                    ],
                    &out,
                    pushed_to(a),
                    timeout,
                )?
            }
            (W::CopyMount | W::CopyNoMount | W::CopyToLayout | W::CopyFromLayout, Tool::OrasPy) => {
                unsupported(tool, "has no copy command")
            }
            (_, tool) => unsupported(tool, "has no command for this workload"),
        })
    }

    /// `skopeo ARGS` with a cache of its own (see [`SkopeoCache`]).
    fn skopeo(
        &self,
        workload: WorkloadId,
        run: usize,
        args: Vec<String>,
        cwd: &Path,
        check: Check,
        timeout: Duration,
    ) -> Result<Plan, String> {
        let cache = if workload == WorkloadId::CopyMount {
            self.skopeo_cache_root.join(workload.name())
        } else {
            self.skopeo_cache_root
                .join(workload.name())
                .join(format!("run-{run}"))
        };
        if self.skopeo_cache != SkopeoCache::Shared {
            std::fs::create_dir_all(&cache)
                .map_err(|e| format!("creating {}: {e}", cache.display()))?;
        }
        let mut plan = invoke("skopeo", args, cwd, check, timeout);
        if let Plan::Run { invocation, .. } = &mut plan {
            match self.skopeo_cache {
                SkopeoCache::BindMount => {
                    let mut wrapped = vec![
                        "-m".to_owned(),
                        "sh".to_owned(),
                        "-c".to_owned(),
                        format!(
                            "mount --bind \"$1\" {SKOPEO_SYSTEM_CACHE} && shift && exec \"$@\""
                        ),
                        "sh".to_owned(),
                        cache.display().to_string(),
                        "skopeo".to_owned(),
                    ];
                    wrapped.append(&mut invocation.args);
                    invocation.program = PathBuf::from("unshare");
                    invocation.args = wrapped;
                }
                SkopeoCache::XdgDataHome => invocation
                    .env
                    .push(("XDG_DATA_HOME".to_owned(), cache.display().to_string())),
                SkopeoCache::Shared => {}
            }
        }
        Ok(plan)
    }

    fn oras(
        &self,
        args: &[&str],
        cwd: &Path,
        check: Check,
        timeout: Duration,
    ) -> Result<Plan, String> {
        self.oras_owned(
            args.iter().map(|s| (*s).to_owned()).collect(),
            cwd,
            check,
            timeout,
        )
    }

    fn oras_owned(
        &self,
        args: Vec<String>,
        cwd: &Path,
        check: Check,
        timeout: Duration,
    ) -> Result<Plan, String> {
        let binary = self.oras.as_ref().map_err(Clone::clone)?;
        Ok(Plan::Run {
            invocation: Invocation {
                program: binary.clone(),
                args,
                cwd: cwd.to_path_buf(),
                env: Vec::new(),
                timeout,
            },
            check,
        })
    }

    fn seeded(&self, workload: WorkloadId) -> Result<&Seeded, String> {
        use WorkloadId as W;
        let seeded = match workload {
            W::PushLarge | W::PullLarge => &self.large,
            W::PushHuge | W::PullHuge => &self.huge,
            W::PushSmall | W::PullSmall => &self.small,
            W::PushDir | W::PullDir => &self.dir,
            W::CopyMount | W::CopyNoMount | W::CopyToLayout | W::CopyFromLayout => &self.layers,
            W::Version => &None,
        };
        seeded
            .as_ref()
            .ok_or_else(|| format!("no seeded data for {}", workload.name()))
    }

    /// The registry a copy goes to: the same one (mount possible) or the
    /// other one.
    fn copy_host(&self, workload: WorkloadId) -> &str {
        if workload == WorkloadId::CopyNoMount {
            &self.other_registry
        } else {
            &self.registry
        }
    }

    /// What a pull into `out` must leave there.
    fn pulled(&self, workload: WorkloadId, seeded: &Seeded) -> Result<Check, String> {
        Ok(match workload {
            WorkloadId::PullSmall => Check::FilesUnder {
                dir: self.out.clone(),
                at_least: seeded.set.files.len(),
            },
            WorkloadId::PullDir => Check::FilesUnder {
                dir: self.out.join("tree"),
                at_least: self.sizes.dir_count,
            },
            _ => {
                let layer = seeded.artifact.layers.first().ok_or("no layer")?;
                Check::File {
                    path: self.out.join(title_of(workload, seeded)?),
                    size: layer.size,
                }
            }
        })
    }
}

/// `PROGRAM ARGS` in `cwd`.
fn invoke(program: &str, args: Vec<String>, cwd: &Path, check: Check, timeout: Duration) -> Plan {
    Plan::Run {
        invocation: Invocation {
            program: PathBuf::from(program),
            args,
            cwd: cwd.to_path_buf(),
            env: Vec::new(),
            timeout,
        },
        check,
    }
}

/// The names a push gives, relative to the set's `files/` directory.
fn push_names(workload: WorkloadId, seeded: &Seeded) -> Vec<String> {
    if workload == WorkloadId::PushDir {
        vec!["tree".to_owned()]
    } else {
        seeded.set.files.iter().map(|f| f.name.clone()).collect()
    }
}

/// The file name a single-file pull writes.
fn title_of(workload: WorkloadId, seeded: &Seeded) -> Result<String, String> {
    seeded
        .set
        .files
        .first()
        .map(|f| f.name.clone())
        .ok_or_else(|| format!("no file in the data of {}", workload.name()))
}

/// The first file of a single-file set.
fn first_file(seeded: &Seeded) -> Result<PathBuf, String> {
    seeded
        .set
        .files
        .first()
        .map(|f| seeded.set.path(f))
        .ok_or_else(|| "empty data set".to_owned())
}

/// A layout at `out` holding every blob of the artifact (layers, config,
/// manifest).
fn layout_written(out: &Path, seeded: &Seeded) -> Check {
    Check::FilesUnder {
        dir: out.join("blobs"),
        at_least: seeded.artifact.layers.len() + 2,
    }
}

/// Runs `check`; an error says what is wrong.
pub(crate) fn verify(check: &Check) -> Result<(), String> {
    match check {
        Check::Nothing => Ok(()),
        Check::File { path, size } => match std::fs::metadata(path) {
            Ok(m) if m.len() == *size => Ok(()),
            Ok(m) => Err(format!(
                "{} has {} bytes, expected {size}",
                path.display(),
                m.len()
            )),
            Err(e) => Err(format!("{} was not written: {e}", path.display())),
        },
        Check::FilesUnder { dir, at_least } => {
            let found = count_files(dir, 0);
            if found >= *at_least {
                Ok(())
            } else {
                Err(format!(
                    "{} holds {found} files, expected at least {at_least}",
                    dir.display()
                ))
            }
        }
        Check::Manifest { host, repo } => match http::manifest_exists(host, repo, TAG) {
            Ok(true) => Ok(()),
            Ok(false) => Err(format!(
                "{host}/{repo}:{TAG} does not resolve after the push"
            )),
            Err(e) => Err(format!("checking {host}/{repo}:{TAG}: {e:#}")),
        },
    }
}

/// Regular files below `dir` (at most 16 levels deep).
pub(crate) fn count_files(dir: &Path, depth: usize) -> usize {
    if depth > 16 {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => count_files(&entry.path(), depth + 1),
            Ok(t) if t.is_file() => 1,
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::data::DataFile;
    use crate::bench::seed::Layer;

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
            oras_py_script: PathBuf::from("/tmp/oras_py.py"),
            registry: "127.0.0.1:1".into(),
            other_registry: "127.0.0.1:2".into(),
            out: PathBuf::from("/scratch/out"),
            skopeo_cache: SkopeoCache::Shared,
            skopeo_cache_root: PathBuf::from("/scratch/skopeo-cache"),
            sizes: Sizes::quick(),
            large: Some(seeded(&["large.bin"])),
            huge: None,
            small: Some(seeded(&["s0000.bin", "s0001.bin"])),
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
        let cache = root.path().join("push-large/run-2");
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
        assert_eq!(a[5], root.path().join("copy-mount").display().to_string());
        e.skopeo_cache = SkopeoCache::XdgDataHome;
        match e.plan(WorkloadId::PullSmall, Tool::Skopeo, 0) {
            Plan::Run { invocation, .. } => {
                assert_eq!(invocation.program, PathBuf::from("skopeo"));
                assert_eq!(
                    invocation.env,
                    [(
                        "XDG_DATA_HOME".to_owned(),
                        root.path().join("pull-small/run-0").display().to_string()
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
}
