//! The command each tool runs for each workload, and how the harness
//! checks afterwards that it did the work (a tool that exits 0 but wrote
//! nothing must not look fast).
//!
//! [`Env::plan`] makes a [`Job`] (one tool, one workload, one run) and
//! hands it to that tool's planner: [`oras`] (ours and the Go CLI, the
//! same command lines), [`oras_py`], the image copiers over
//! [`layout_copy`] ([`skopeo`], [`crane`], [`regctl`]),
//! [`reference`](mod@reference) (`openssl dgst`, `curl`). Each planner
//! reads what to do from the workload's row of
//! [`WORKLOADS`](super::workload::WORKLOADS) (push, pull, or copy along a
//! route, and the data set) and says how.
//!
//! Our `oras` is driven with the Go CLI's syntax (`oras push --plain-http
//! HOST/REPO:TAG FILE...`, `oras pull --plain-http -o DIR REF`, `oras cp
//! --from-plain-http --to-plain-http SRC DST`, `oras cp --to-oci-layout SRC
//! DIR:TAG`, `oras cp --from-oci-layout DIR:TAG DST`). Pushes run in the
//! data set's directory with relative names, as the Go CLI's path
//! validation wants. Every push goes to a new repository
//! (`bench/WORKLOAD/TOOL-N`, `bench/NETWORK/WORKLOAD/TOOL-N` on the WAN
//! profiles) so no run finds its blobs already there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod crane;
mod layout_copy;
mod oras;
mod oras_py;
mod reference;
mod regctl;
mod skopeo;
#[cfg(test)]
mod tests;

use super::data::DataSet;
use super::http;
use super::measure::Invocation;
use super::network::Network;
use super::seed::{Artifact, TAG, blob_path};
use super::tool::Tool;
use super::workload::{Action, DataKind, Route, Sizes, Workload, WorkloadId};

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
    /// The installed Go peers (Go `oras`, `crane`, `regctl`).
    pub(crate) go_peers: BTreeMap<Tool, PathBuf>,
    /// The network profile the addresses below go through.
    pub(crate) network: Network,
    /// The oras-py driver script.
    pub(crate) oras_py_script: PathBuf,
    /// `127.0.0.1:PORT` of the main registry.
    pub(crate) registry: String,
    /// `127.0.0.1:PORT` of the second registry (copies without mount).
    pub(crate) other_registry: String,
    /// `127.0.0.1:PORT` of the registry front whose blob GETs redirect to
    /// a CDN (serving the large artifact), when started.
    pub(crate) redirect_registry: Option<String>,
    /// Where `regctl` keeps its configuration (kept out of `$HOME`).
    pub(crate) regctl_config: PathBuf,
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
    /// One file of `sizes.big` (`--long`).
    pub(crate) big: Option<Seeded>,
    /// One file of `sizes.huge` (`--long`).
    pub(crate) huge: Option<Seeded>,
    /// The small files.
    pub(crate) small: Option<Seeded>,
    /// The many small files.
    pub(crate) many: Option<Seeded>,
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

/// Time allowed for one run: 5 minutes plus 10 MiB/s of payload.
pub(crate) fn timeout_for(payload: Option<u64>) -> Duration {
    Duration::from_secs(300 + payload.unwrap_or(0) / (10 << 20))
}

impl Env {
    /// The plan for `tool` on `workload`, run number `run` (counting
    /// warm-ups, so repositories never repeat).
    pub(crate) fn plan(&self, workload: WorkloadId, tool: Tool, run: usize) -> Plan {
        let job = Job::new(self, workload, tool, run);
        let planned = match tool {
            Tool::Oras | Tool::GoOras => oras::plan(&job),
            Tool::Crane => crane::plan(&job),
            Tool::Regctl => regctl::plan(&job),
            Tool::OrasPy => oras_py::plan(&job),
            Tool::Skopeo => skopeo::plan(&job),
            Tool::Openssl => reference::openssl(&job),
            Tool::Curl => reference::curl(&job),
        };
        planned.unwrap_or_else(Plan::Fail)
    }

    /// The seeded artifact of `data`.
    fn seeded(&self, data: DataKind) -> Option<&Seeded> {
        match data {
            DataKind::Large => self.large.as_ref(),
            DataKind::Big => self.big.as_ref(),
            DataKind::Huge => self.huge.as_ref(),
            DataKind::Small => self.small.as_ref(),
            DataKind::Many => self.many.as_ref(),
            DataKind::Dir => self.dir.as_ref(),
            DataKind::Layers => self.layers.as_ref(),
        }
    }
}

/// One run of one tool on one workload: what every planner needs.
#[derive(Debug)]
struct Job<'a> {
    env: &'a Env,
    workload: &'static Workload,
    tool: Tool,
    run: usize,
    /// `bench/WORKLOAD/TOOL-N`: a new repository for every run.
    dest_repo: String,
    timeout: Duration,
}

impl<'a> Job<'a> {
    fn new(env: &'a Env, workload: WorkloadId, tool: Tool, run: usize) -> Job<'a> {
        Job {
            env,
            workload: workload.spec(),
            tool,
            run,
            dest_repo: match env.network {
                Network::Lan => format!("bench/{}/{}-{run}", workload.name(), tool.slug()),
                network => format!(
                    "bench/{}/{}/{}-{run}",
                    network.name(),
                    workload.name(),
                    tool.slug()
                ),
            },
            // A WAN profile makes every request a round trip: the slowest
            // peers (skopeo pushing 1,000 small files) need minutes there.
            timeout: match env.network {
                Network::Lan => timeout_for(workload.payload_bytes(&env.sizes)),
                _ => 3 * timeout_for(workload.payload_bytes(&env.sizes)),
            },
        }
    }

    /// `127.0.0.1:PORT` of the registry the workload reads from and
    /// pushes to: the redirecting front for the redirect workload.
    fn registry(&self) -> &'a str {
        match &self.env.redirect_registry {
            Some(front) if self.workload.id.is_redirected() => front,
            _ => &self.env.registry,
        }
    }

    /// Every registry host of the run (for tools told about plain HTTP
    /// per host).
    fn hosts(&self) -> Vec<&'a str> {
        let mut hosts = vec![self.registry(), self.env.other_registry.as_str()];
        hosts.dedup();
        hosts
    }

    /// Where pulls and layout copies write.
    fn out(&self) -> &'a Path {
        &self.env.out
    }

    /// `HOST/bench/WORKLOAD/TOOL-N:TAG` on `host`.
    fn dest_on(&self, host: &str) -> String {
        format!("{host}/{}:{TAG}", self.dest_repo)
    }

    /// The new repository on the main registry.
    fn dest(&self) -> String {
        self.dest_on(self.registry())
    }

    /// The registry a copy goes to: the same one (mount possible) or the
    /// other one.
    fn copy_host(&self) -> &'a str {
        match self.workload.action {
            Action::Copy(Route::OtherRegistry) => &self.env.other_registry,
            _ => &self.env.registry,
        }
    }

    /// The check of a push or copy to `host`: the new tag resolves.
    fn pushed_to(&self, host: &str) -> Check {
        Check::Manifest {
            host: host.to_owned(),
            repo: self.dest_repo.clone(),
        }
    }

    /// The seeded artifact the workload reads.
    fn seeded(&self) -> Result<&'a Seeded, String> {
        self.workload
            .data
            .and_then(|data| self.env.seeded(data))
            .ok_or_else(|| format!("no seeded data for {}", self.workload.name))
    }

    /// The note for a tool that has no way to do this workload.
    fn unsupported(&self, what: &str) -> Plan {
        Plan::Skip(format!("{} {what}", self.tool.name()))
    }

    /// The note for a workload outside what a tool is compared on.
    fn no_command(&self) -> Plan {
        self.unsupported("has no command for this workload")
    }

    /// What a pull into `out` must leave there.
    fn pulled(&self, seeded: &Seeded) -> Result<Check, String> {
        Ok(match self.workload.data {
            Some(DataKind::Small | DataKind::Many) => Check::FilesUnder {
                dir: self.out().to_path_buf(),
                at_least: seeded.set.files.len(),
            },
            Some(DataKind::Dir) => Check::FilesUnder {
                dir: self.out().join("tree"),
                at_least: self.env.sizes.dir_count,
            },
            _ => {
                let layer = seeded.artifact.layers.first().ok_or("no layer")?;
                Check::File {
                    path: self.out().join(self.title_of(seeded)?),
                    size: layer.size,
                }
            }
        })
    }

    /// What a copy of the artifact into an OCI layout at `out` must leave
    /// there: the blob of a single file, or every blob.
    fn layout_pulled(&self, seeded: &Seeded) -> Result<Check, String> {
        let single = matches!(
            self.workload.data,
            Some(DataKind::Large | DataKind::Big | DataKind::Huge)
        );
        if self.workload.action == Action::Pull && single {
            let layer = seeded.artifact.layers.first().ok_or("no layer")?;
            Ok(Check::File {
                path: blob_path(self.out(), &layer.digest),
                size: layer.size,
            })
        } else {
            Ok(layout_written(self.out(), seeded))
        }
    }

    /// The names a push gives, relative to the set's `files/` directory.
    fn push_names(&self, seeded: &Seeded) -> Vec<String> {
        if self.workload.data == Some(DataKind::Dir) {
            vec!["tree".to_owned()]
        } else {
            seeded.set.files.iter().map(|f| f.name.clone()).collect()
        }
    }

    /// The file name a single-file pull writes.
    fn title_of(&self, seeded: &Seeded) -> Result<String, String> {
        seeded
            .set
            .files
            .first()
            .map(|f| f.name.clone())
            .ok_or_else(|| format!("no file in the data of {}", self.workload.name))
    }

    /// The installed binary of a Go peer.
    fn go_peer(&self, tool: Tool) -> Result<&'a Path, String> {
        self.env
            .go_peers
            .get(&tool)
            .map(PathBuf::as_path)
            .ok_or_else(|| format!("{} is not installed", tool.name()))
    }

    /// `PROGRAM ARGS` in `cwd`, checked by `check`.
    fn invoke(&self, program: &Path, args: Vec<String>, cwd: &Path, check: Check) -> Plan {
        Plan::Run {
            invocation: Invocation {
                program: program.to_path_buf(),
                args,
                cwd: cwd.to_path_buf(),
                env: Vec::new(),
                timeout: self.timeout,
            },
            check,
        }
    }
}

/// A layout at `out` holding every blob of the artifact (layers, config,
/// manifest).
fn layout_written(out: &Path, seeded: &Seeded) -> Check {
    Check::FilesUnder {
        dir: out.join("blobs"),
        at_least: seeded.artifact.layers.len() + 2,
    }
}

/// `["a", "b"]` as owned strings.
fn owned<const N: usize>(args: [&str; N]) -> Vec<String> {
    args.map(str::to_owned).to_vec()
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
