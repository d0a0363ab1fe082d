//! `oras-bench`: the benchmark harness, run by `cargo xtask bench`
//! (`cargo run --release -p oras-bench -- ARGS`).
//!
//! In order: parse the options ([`options`]); make sure GNU time is there
//! and, with `--install-peers`, install oras-py, skopeo and the Go peers
//! (Go `oras`, crane, regctl) ([`peers`]); build the release `oras`;
//! generate (or reuse) the input files under `target/bench/data`
//! ([`data`]); choose a tmpfs for the registry storage and the pulled
//! files ([`storage`]); start CNCF Distribution through
//! `oras_testkit::real` (a second one for the copy without mount) and the
//! CDN of the redirect workload ([`cdn`]); seed the artifacts every pull
//! and copy reads ([`seed`]); then per network profile ([`network`]: a
//! shaping proxy in front of every server on the WAN ones) run every tool
//! on every workload, warm-ups first, under GNU time ([`plan`],
//! [`measure`]); then print the table and write
//! `target/bench/results.json` and `BENCHMARKS.md` ([`report`]).
//!
//! A tool that fails a workload (our CLI before a command is wired, a
//! peer that rejects something) becomes a FAILED row with its stderr; the
//! harness goes on. Targets are reported, never asserted: the exit status
//! is non-zero only when the harness itself cannot run.

mod cdn;
mod data;
mod http;
mod machine;
mod measure;
mod network;
mod options;
mod peers;
mod plan;
mod report;
mod seed;
mod stats;
mod storage;
mod targets;
mod tool;
mod workload;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use oras_testkit::real::{Mode, RealRegistry};

use machine::Machine;
use network::{Network, Route as NetworkRoute};
use options::{Options, USAGE};
use plan::{Env, Plan, Seeded};
use report::{Outcome, Report, Row};
use seed::Layer;
use tool::Tool;
use workload::{Action, DataKind, Route, Sizes, WorkloadId};

/// The oras-py driver, written next to the scratch files at run time.
const ORAS_PY_SCRIPT: &str = include_str!("oras_py.py");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `cargo xtask bench ARGS`.
fn run(args: &[String]) -> Result<()> {
    let Some(options) = Options::parse(args)? else {
        println!("{USAGE}{}", WorkloadId::names().join(", "));
        return Ok(());
    };
    let root = workspace_root()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bench_dir = target_dir.join("bench");
    std::fs::create_dir_all(&bench_dir)
        .with_context(|| format!("creating {}", bench_dir.display()))?;

    let machine = Machine::detect();
    eprintln!("bench: machine: {}", machine.describe());
    peers::ensure_gnu_time()?;
    let mut notes = Vec::new();
    if options.install_peers {
        notes.extend(peers::install_missing());
    }
    let sizes = if options.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let workloads = options.workloads();
    if workloads.is_empty() {
        bail!("no workload selected (the 4 and 10 GiB ones need --long)");
    }

    let oras = match &options.oras {
        Some(path) => Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
        None => build_oras(&root, &target_dir),
    };
    let (mut tools, mut available) = detect_tools(&oras);
    let mut go_peers = BTreeMap::new();
    for (tool, found) in peers::go_peers(options.install_peers) {
        match found {
            Ok((path, line)) => {
                tools.insert(tool.name().to_owned(), line);
                go_peers.insert(tool, path);
                available.insert(tool, Ok(()));
            }
            Err(why) => {
                eprintln!("bench: skipping {}: {why}", tool.name());
                tools.insert(tool.name().to_owned(), why.clone());
                available.insert(tool, Err(why));
            }
        }
    }

    let data_root = bench_dir.join("data");
    std::fs::create_dir_all(&data_root)?;
    let inputs = Inputs::generate(&data_root, &sizes, &workloads)?;

    let placement = place_run(&bench_dir, &inputs, &sizes, &workloads);
    let run_root = placement.root.clone();
    let _ = std::fs::remove_dir_all(&run_root);
    std::fs::create_dir_all(&run_root)
        .with_context(|| format!("creating {}", run_root.display()))?;
    let cleanup = RemoveOnDrop(run_root.clone());
    if tempfile::env::override_temp_dir(&run_root).is_err() {
        notes.push("the temporary directory was already overridden".to_owned());
    }
    eprintln!(
        "bench: registry storage and scratch on {}",
        placement.reason
    );

    let registry = RealRegistry::start(Mode::Plain).context("starting the registry")?;
    let other = if workloads
        .iter()
        .any(|w| w.spec().action == Action::Copy(Route::OtherRegistry))
    {
        Some(RealRegistry::start(Mode::Plain).context("starting the second registry")?)
    } else {
        None
    };
    tools.insert(
        "registry".to_owned(),
        peers::version_line(&registry.binary().display().to_string(), &["--version"])
            .unwrap_or_else(|| registry.binary().display().to_string()),
    );
    let host = registry.host();
    let scratch = run_root.join("scratch");
    std::fs::create_dir_all(&scratch)?;
    let script = scratch.join("oras_py.py");
    std::fs::write(&script, ORAS_PY_SCRIPT).context("writing the oras-py driver")?;
    let (skopeo_cache, skopeo_note) =
        peers::skopeo_cache_isolation(&scratch.join("skopeo-cache").join("probe"));
    notes.extend(skopeo_note);
    let SeededSets {
        large,
        big,
        huge,
        small,
        many,
        dir,
        layers,
    } = seed_inputs(&host, &bench_dir.join("layouts"), &inputs)?;
    let other_host = other
        .as_ref()
        .map_or_else(|| host.clone(), RealRegistry::host);
    // The CDN serves the large artifact's layout; each profile gets a
    // registry front of its own that redirects to it (through the
    // profile's proxy).
    let cdn = match (&large, workloads.iter().any(|w| w.is_redirected())) {
        (Some(large), true) => Some(cdn::Server::cdn(&large.artifact.layout)?),
        _ => None,
    };
    let base = Env {
        oras,
        go_peers,
        network: Network::Lan,
        skopeo_cache,
        skopeo_cache_root: scratch.join("skopeo-cache"),
        oras_py_script: script,
        registry: host.clone(),
        other_registry: other_host.clone(),
        redirect_registry: None,
        regctl_config: scratch.join("regctl").join("config.json"),
        out: scratch.join("out"),
        sizes,
        large,
        big,
        huge,
        small,
        many,
        dir,
        layers,
    };

    let overhead = measure::overhead(&scratch, 5);
    let mut rows = Vec::new();
    for (profile, network) in options.networks.iter().enumerate() {
        // Warm-ups warm files, binaries and the registry, which the later
        // profiles find warm already.
        let warmups = if profile == 0 { options.warmups } else { 0 };
        let routes = Routes::start(&base, *network, &other_host, cdn.as_ref())?;
        let env = routes.env(&base);
        eprintln!(
            "bench: network {} ({}): registry at {}",
            network.name(),
            network.describe(),
            env.registry
        );
        for workload in workloads.iter().copied() {
            for tool in workload.tools() {
                if !options.tools.is_empty() && !options.tools.contains(tool) {
                    continue;
                }
                let availability = available.get(tool).cloned().unwrap_or(Ok(()));
                let runs = Runs {
                    warmups,
                    iterations: options.iterations,
                    budget: options.row_budget,
                };
                let mut row = measure_row(&env, workload, *tool, runs, availability, &scratch);
                row.network = *network;
                rows.push(row);
            }
        }
    }
    report::complete(&mut rows, overhead);

    let report = Report {
        generated_at: rfc3339_now(),
        command: format!("cargo xtask bench {}", args.join(" "))
            .trim()
            .to_owned(),
        options: options.describe(),
        machine,
        storage: placement.reason.clone(),
        overhead,
        sizes,
        tools,
        rows,
        notes,
    };
    write_reports(&report, &bench_dir, &root, options.no_markdown)?;

    if let Some(other) = other {
        other.stop().context("stopping the second registry")?;
    }
    registry.stop().context("stopping the registry")?;
    drop(cleanup);
    Ok(())
}

/// The servers of one network profile as its clients reach them: through
/// a proxy each on the WAN profiles. Dropping it stops the proxies.
struct Routes {
    network: Network,
    registry: NetworkRoute,
    other: NetworkRoute,
    /// The CDN's route, the registry front that redirects to it, and the
    /// front's route.
    redirect: Option<(NetworkRoute, cdn::Server, NetworkRoute)>,
}

impl Routes {
    fn start(
        base: &Env,
        network: Network,
        other_host: &str,
        cdn: Option<&cdn::Server>,
    ) -> Result<Routes> {
        let redirect = match (cdn, &base.large) {
            (Some(cdn), Some(large)) => {
                let to_cdn = NetworkRoute::to(cdn.host(), network)?;
                let front = cdn::Server::front(&large.artifact.layout, to_cdn.host())?;
                let to_front = NetworkRoute::to(front.host(), network)?;
                Some((to_cdn, front, to_front))
            }
            _ => None,
        };
        Ok(Routes {
            network,
            registry: NetworkRoute::to(&base.registry, network)?,
            other: NetworkRoute::to(other_host, network)?,
            redirect,
        })
    }

    /// `base` with this profile's addresses.
    fn env(&self, base: &Env) -> Env {
        Env {
            network: self.network,
            registry: self.registry.host().to_owned(),
            other_registry: self.other.host().to_owned(),
            redirect_registry: self
                .redirect
                .as_ref()
                .map(|(_, _, to_front)| to_front.host().to_owned()),
            ..base.clone()
        }
    }
}

/// How many runs a row takes.
#[derive(Debug, Clone, Copy)]
struct Runs {
    warmups: usize,
    iterations: usize,
    /// Once the row has spent this long with one measured run, it stops.
    budget: Duration,
}

/// Runs the warm-ups and measured runs of `tool` on `workload`, stopping
/// early once the row spent its budget and has a measured run.
fn measure_row(
    env: &Env,
    workload: WorkloadId,
    tool: Tool,
    runs: Runs,
    availability: Result<(), String>,
    scratch: &Path,
) -> Row {
    let label = format!("{} / {}", workload.name(), tool.name());
    if let Err(why) = availability {
        return Row::new(workload, tool, Outcome::Skipped(why), Vec::new());
    }
    // Start-up is short and noisy: five times the runs cost milliseconds.
    let iterations = if workload.spec().action == Action::Version {
        runs.iterations * 5
    } else {
        runs.iterations
    };
    let total = runs.warmups + iterations;
    let started = Instant::now();
    let mut samples = Vec::new();
    for run in 0..total {
        if !samples.is_empty() && started.elapsed() >= runs.budget {
            eprintln!(
                "bench: {label}: {} s spent, no more runs",
                runs.budget.as_secs()
            );
            break;
        }
        let (invocation, check) = match env.plan(workload, tool, run) {
            Plan::Skip(why) => {
                eprintln!("bench: {label} skipped: {why}");
                return Row::new(workload, tool, Outcome::Skipped(why), Vec::new());
            }
            Plan::Fail(why) => {
                eprintln!("bench: {label} FAILED: {}", first_line(&why));
                return Row::new(workload, tool, Outcome::Failed(why), Vec::new());
            }
            Plan::Run { invocation, check } => (invocation, check),
        };
        let reset = || {
            let _ = std::fs::remove_dir_all(&env.out);
            std::fs::create_dir_all(&env.out)
        };
        if let Err(e) = reset() {
            return Row::new(
                workload,
                tool,
                Outcome::Failed(format!("preparing {}: {e}", env.out.display())),
                Vec::new(),
            );
        }
        let measured = measure::run(&invocation, scratch)
            .and_then(|sample| plan::verify(&check).map(|()| sample));
        let _ = std::fs::remove_dir_all(&env.out);
        let kind = if run < runs.warmups { "warm-up" } else { "run" };
        match measured {
            Ok(sample) => {
                eprintln!(
                    "bench: {label} {kind} {}/{total}: {} wall, {} CPU, {:.1} MiB",
                    run + 1,
                    report::seconds(sample.wall),
                    report::seconds(sample.cpu()),
                    sample.max_rss_kib as f64 / 1024.0
                );
                if run >= runs.warmups {
                    samples.push(sample);
                }
            }
            Err(why) => {
                eprintln!(
                    "bench: {label} {kind} {}/{total} FAILED: {}",
                    run + 1,
                    first_line(&why)
                );
                return Row::new(
                    workload,
                    tool,
                    Outcome::Failed(format!("{kind} {} of {total}: {why}", run + 1)),
                    samples,
                );
            }
        }
    }
    match stats::summarize(&samples, workload.payload_bytes(&env.sizes)) {
        Some(summary) => Row::new(workload, tool, Outcome::Measured(summary), samples),
        None => Row::new(
            workload,
            tool,
            Outcome::Failed("no measured run".to_owned()),
            samples,
        ),
    }
}

/// The generated inputs of the selected workloads.
#[derive(Debug, Default)]
struct Inputs {
    large: Option<data::DataSet>,
    big: Option<data::DataSet>,
    huge: Option<data::DataSet>,
    small: Option<data::DataSet>,
    many: Option<data::DataSet>,
    dir: Option<data::DataSet>,
    layers: Option<data::DataSet>,
}

impl Inputs {
    fn generate(root: &Path, sizes: &Sizes, workloads: &[WorkloadId]) -> Result<Inputs> {
        let wants = |kind: DataKind| workloads.iter().any(|w| w.spec().data == Some(kind));
        let mut inputs = Inputs::default();
        if wants(DataKind::Large) {
            inputs.large = Some(data::single_file(root, "large.bin", sizes.large)?);
        }
        if wants(DataKind::Big) {
            inputs.big = Some(data::single_file(root, "big.bin", sizes.big)?);
        }
        if wants(DataKind::Huge) {
            inputs.huge = Some(data::single_file(root, "huge.bin", sizes.huge)?);
        }
        if wants(DataKind::Small) {
            inputs.small = Some(data::many_files(
                root,
                "small",
                sizes.small_count,
                sizes.small_size,
            )?);
        }
        if wants(DataKind::Many) {
            inputs.many = Some(data::many_files(
                root,
                "many",
                sizes.many_count,
                sizes.small_size,
            )?);
        }
        if wants(DataKind::Dir) {
            inputs.dir = Some(data::directory(root, sizes.dir_count, sizes.dir_file_size)?);
        }
        if wants(DataKind::Layers) {
            inputs.layers = Some(data::many_files(
                root,
                "layer",
                sizes.layer_count,
                sizes.layer_size,
            )?);
        }
        Ok(inputs)
    }

    /// Bytes of every set (what the seeded registry stores).
    fn bytes(&self) -> u64 {
        [
            &self.large,
            &self.big,
            &self.huge,
            &self.small,
            &self.many,
            &self.dir,
            &self.layers,
        ]
        .into_iter()
        .flatten()
        .flat_map(|set| set.files.iter().map(|f| f.size))
        .sum()
    }
}

/// The largest payload among `workloads`.
fn largest(sizes: &Sizes, workloads: &[WorkloadId]) -> u64 {
    workloads
        .iter()
        .filter_map(|w| w.payload_bytes(sizes))
        .max()
        .unwrap_or(0)
}

/// `cargo build --release -p oras-cli`; the binary, or the build's error.
fn build_oras(root: &Path, target_dir: &Path) -> Result<PathBuf, String> {
    eprintln!("bench: cargo build --release -p oras-cli");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "--release", "-p", "oras-cli"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "cargo build --release -p oras-cli failed:\n{}",
            measure::tail(&stderr, 20)
        ));
    }
    let binary = target_dir.join("release").join("oras");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "the build succeeded but {} is missing",
            binary.display()
        ))
    }
}

/// The workspace root (the parent of `bench/`).
fn workspace_root() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("bench has no parent directory")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    report::rfc3339_utc(secs)
}

/// Writes `bytes` to a temporary sibling of `path`, then renames it.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("no parent directory")?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    std::io::Write::write_all(&mut file, bytes)?;
    // NamedTempFile is created 0600; a repository file is world-readable.
    std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644))?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Removes the run directory (registry storage, scratch) when dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The version line of every tool (for the report) and which peers and
/// references are available (a missing one is skipped, with the reason).
fn detect_tools(
    oras: &Result<PathBuf, String>,
) -> (BTreeMap<String, String>, BTreeMap<Tool, Result<(), String>>) {
    let mut tools = BTreeMap::new();
    tools.insert(
        Tool::Oras.name().to_owned(),
        match oras {
            Ok(path) => peers::version_line(&path.display().to_string(), &["version"])
                .map(|v| format!("{} ({})", v, path.display()))
                .unwrap_or_else(|| format!("{} (`oras version` failed)", path.display())),
            Err(e) => format!("not built: {}", first_line(e)),
        },
    );
    let mut available = BTreeMap::new();
    for tool in [Tool::OrasPy, Tool::Skopeo, Tool::Openssl, Tool::Curl] {
        let found = peers::detect(tool);
        tools.insert(
            tool.name().to_owned(),
            found.clone().unwrap_or_else(|why| why.clone()),
        );
        if let Err(why) = &found {
            eprintln!("bench: skipping {}: {why}", tool.name());
        }
        available.insert(tool, found.map(|_| ()));
    }
    (tools, available)
}

/// Where the registry storage and the scratch files go: a tmpfs when it
/// has room for the inputs twice and the largest payload three times.
fn place_run(
    bench_dir: &Path,
    inputs: &Inputs,
    sizes: &Sizes,
    workloads: &[WorkloadId],
) -> storage::Placement {
    let needed = inputs.bytes() * 2 + largest(sizes, workloads) * 3;
    let mem_available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| machine::meminfo_kib(&m, "MemAvailable"))
        .unwrap_or(0)
        * 1024;
    let tmpfs = storage::find_tmpfs();
    storage::choose(
        tmpfs.as_ref().map(|(p, free)| (p.as_path(), *free)),
        mem_available,
        needed,
        &bench_dir.join("run"),
    )
}

/// Prints the table and the targets, writes `results.json` and, unless
/// told not to, `BENCHMARKS.md`.
fn write_reports(report: &Report, bench_dir: &Path, root: &Path, no_markdown: bool) -> Result<()> {
    println!("\n{}", report::render_table(report));
    println!("{}", report::render_targets(report));
    println!("{}", report::render_issue_targets(report));
    let json_path = bench_dir.join("results.json");
    std::fs::write(
        &json_path,
        serde_json::to_vec_pretty(&report::to_json(report))?,
    )
    .with_context(|| format!("writing {}", json_path.display()))?;
    println!("bench: results written to {}", json_path.display());
    if !no_markdown {
        let md_path = root.join("BENCHMARKS.md");
        write_atomically(&md_path, report::render_markdown(report).as_bytes())?;
        println!("bench: {} updated", md_path.display());
    }
    Ok(())
}

/// The seeded artifacts of the generated inputs.
struct SeededSets {
    large: Option<Seeded>,
    big: Option<Seeded>,
    huge: Option<Seeded>,
    small: Option<Seeded>,
    many: Option<Seeded>,
    dir: Option<Seeded>,
    layers: Option<Seeded>,
}

/// Seeds the registry at `host` with one artifact per generated input (an
/// OCI layout of each goes under `layouts`); the sets of an [`Env`].
fn seed_inputs(host: &str, layouts: &Path, inputs: &Inputs) -> Result<SeededSets> {
    let seed = |name: &str, layers: Vec<Layer>, set: &data::DataSet| -> Result<Seeded> {
        eprintln!("bench: seeding {host}/seed/{name}");
        let artifact = seed::seed(host, &format!("seed/{name}"), &layouts.join(name), layers)?;
        Ok(Seeded {
            set: set.clone(),
            artifact,
        })
    };
    Ok(SeededSets {
        large: inputs
            .large
            .as_ref()
            .map(|s| seed("large", Layer::files(s), s))
            .transpose()?,
        big: inputs
            .big
            .as_ref()
            .map(|s| seed("big", Layer::files(s), s))
            .transpose()?,
        huge: inputs
            .huge
            .as_ref()
            .map(|s| seed("huge", Layer::files(s), s))
            .transpose()?,
        small: inputs
            .small
            .as_ref()
            .map(|s| seed("small", Layer::files(s), s))
            .transpose()?,
        many: inputs
            .many
            .as_ref()
            .map(|s| seed("many", Layer::files(s), s))
            .transpose()?,
        dir: inputs
            .dir
            .as_ref()
            .map(|s| seed("dir", vec![Layer::directory(s, "tree")?], s))
            .transpose()?,
        layers: inputs
            .layers
            .as_ref()
            .map(|s| seed("layers", Layer::files(s), s))
            .transpose()?,
    })
}
