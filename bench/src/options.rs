//! The command line of `cargo xtask bench`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::network::Network;
use super::tool::Tool;
use super::workload::WorkloadId;

/// Default measured runs per tool and workload (after one warm-up run).
pub(crate) const DEFAULT_ITERATIONS: usize = 3;

/// Default time a row may take: once it has spent this long and has one
/// measured run, it takes no more. A peer that needs a minute per run on
/// the 80 ms profile is measured once, not four times, which keeps
/// `--network all` near an hour and a half instead of three.
pub(crate) const DEFAULT_ROW_BUDGET: Duration = Duration::from_secs(60);

/// What one invocation of the harness does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// Small sizes, one run, no warm-up: a smoke test of the harness.
    pub(crate) quick: bool,
    /// Adds the heavy workloads (4 and 10 GiB, 10,000 files).
    pub(crate) long: bool,
    /// The network profiles, in report order (`lan` when not given).
    pub(crate) networks: Vec<Network>,
    /// Measured runs per tool and workload.
    pub(crate) iterations: usize,
    /// Unmeasured runs before the measured ones, on the first network
    /// profile only: the later profiles find the same files, binaries and
    /// registry already warm.
    pub(crate) warmups: usize,
    /// Once a row has spent this long with one measured run, it stops.
    pub(crate) row_budget: Duration,
    /// Only these workloads (all when empty).
    pub(crate) only: Vec<WorkloadId>,
    /// Only these tools (all when empty).
    pub(crate) tools: Vec<Tool>,
    /// Install the missing peers (pip, apt-get, go install) before running.
    pub(crate) install_peers: bool,
    /// Benchmark this `oras` binary instead of building the release one.
    pub(crate) oras: Option<PathBuf>,
    /// Leave `BENCHMARKS.md` alone.
    pub(crate) no_markdown: bool,
}

/// The `--help` text.
pub(crate) const USAGE: &str = "\
cargo xtask bench [OPTIONS]

Builds the release `oras`, starts a local CNCF Distribution registry (storage
on tmpfs when there is room), and measures `oras` against its peers (the Go
oras, crane, regctl, oras-py, skopeo) and the references (`openssl dgst
-sha256`, `curl`), on loopback and on emulated wide-area paths (a shaping
proxy between every client and server). Results go to stdout,
target/bench/results.json and BENCHMARKS.md.

options:
  --quick            small sizes, 1 run, no warm-up (smoke test)
  --long             also the heavy workloads: push and pull one 4 GiB file, one
                     10 GiB file and 10,000 files of 4 KiB
  --network N[,N...] lan (loopback, default), wan20 (20 ms RTT), wan80 (80 ms
                     RTT, 50 MiB/s per connection) or all (repeatable)
  --iterations N     measured runs per tool and workload (default 3)
  --warmups N        unmeasured runs before them (default 1; 0 with --quick), on
                     the first network profile only (later ones find caches warm)
  --row-budget S     a row takes no more runs once it has spent S seconds and has
                     one measured run (default 60)
  --only W[,W...]    only these workloads (repeatable); see the list below
  --tools T[,T...]   only these tools (repeatable): ours, go, crane, regctl,
                     oras-py, skopeo, openssl, curl
  --install-peers    install missing peers as root: pip install oras; apt-get install -y
                     skopeo; go install of the Go oras, crane and regctl (under target/)
  --oras PATH        benchmark this oras binary instead of building the release one
  --no-markdown      do not rewrite BENCHMARKS.md
  -h, --help         this text

workloads: ";

impl Options {
    /// Parses the arguments after `bench`. `Ok(None)` means help was asked.
    pub(crate) fn parse(args: &[String]) -> Result<Option<Options>> {
        let mut options = Options {
            quick: false,
            long: false,
            networks: Vec::new(),
            iterations: DEFAULT_ITERATIONS,
            warmups: 1,
            row_budget: DEFAULT_ROW_BUDGET,
            only: Vec::new(),
            tools: Vec::new(),
            install_peers: false,
            oras: None,
            no_markdown: false,
        };
        let mut iterations = None;
        let mut warmups = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| -> Result<String> {
                match &inline {
                    Some(v) => Ok(v.clone()),
                    None => args
                        .next()
                        .cloned()
                        .with_context(|| format!("{name} needs a value")),
                }
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--quick" => options.quick = true,
                "--long" => options.long = true,
                "--install-peers" => options.install_peers = true,
                "--no-markdown" => options.no_markdown = true,
                "--iterations" => {
                    let text = value("--iterations")?;
                    let n: usize = text
                        .parse()
                        .with_context(|| format!("--iterations {text:?} is not a number"))?;
                    if n == 0 {
                        bail!("--iterations must be at least 1");
                    }
                    iterations = Some(n);
                }
                "--warmups" => {
                    let text = value("--warmups")?;
                    warmups = Some(
                        text.parse()
                            .with_context(|| format!("--warmups {text:?} is not a number"))?,
                    );
                }
                "--row-budget" => {
                    let text = value("--row-budget")?;
                    let seconds: u64 = text
                        .parse()
                        .with_context(|| format!("--row-budget {text:?} is not a number"))?;
                    options.row_budget = Duration::from_secs(seconds);
                }
                "--only" => {
                    for name in value("--only")?.split(',').filter(|s| !s.is_empty()) {
                        let id = WorkloadId::from_name(name).with_context(|| {
                            format!(
                                "unknown workload {name:?}; one of: {}",
                                WorkloadId::names().join(", ")
                            )
                        })?;
                        if !options.only.contains(&id) {
                            options.only.push(id);
                        }
                    }
                }
                "--tools" => {
                    for key in value("--tools")?.split(',').filter(|s| !s.is_empty()) {
                        let tool = Tool::from_key(key).with_context(|| {
                            let keys: Vec<&str> = Tool::KEYS.iter().map(|(k, _)| *k).collect();
                            format!("unknown tool {key:?}; one of: {}", keys.join(", "))
                        })?;
                        if !options.tools.contains(&tool) {
                            options.tools.push(tool);
                        }
                    }
                }
                "--network" => {
                    for name in value("--network")?.split(',').filter(|s| !s.is_empty()) {
                        let chosen = if name == "all" {
                            Network::ALL.to_vec()
                        } else {
                            vec![Network::from_name(name).with_context(|| {
                                format!("unknown network {name:?}; one of: lan, wan20, wan80, all")
                            })?]
                        };
                        options.networks.extend(chosen);
                    }
                }
                "--oras" => options.oras = Some(PathBuf::from(value("--oras")?)),
                other => bail!("unknown option {other:?}; see `cargo xtask bench --help`"),
            }
        }
        if options.quick {
            options.iterations = 1;
            options.warmups = 0;
        }
        if let Some(n) = iterations {
            options.iterations = n;
        }
        if let Some(n) = warmups {
            options.warmups = n;
        }
        if options.networks.is_empty() {
            options.networks.push(Network::Lan);
        }
        options.networks.sort_unstable();
        options.networks.dedup();
        Ok(Some(options))
    }

    /// The workloads to run (on every profile), in table order.
    pub(crate) fn workloads(&self) -> Vec<WorkloadId> {
        WorkloadId::ALL
            .iter()
            .copied()
            .filter(|id| self.long || !id.is_long())
            .filter(|id| self.only.is_empty() || self.only.contains(id))
            .collect()
    }

    /// A short description for the report header, e.g. `quick, 1 run`.
    pub(crate) fn describe(&self) -> String {
        let mut parts = vec![if self.quick { "quick" } else { "full" }.to_owned()];
        if self.long {
            parts.push("long".to_owned());
        }
        let networks: Vec<&str> = self.networks.iter().map(|n| n.name()).collect();
        parts.push(format!("network {}", networks.join(",")));
        parts.push(format!(
            "{} measured run(s) after {} warm-up(s), {} s per row at most once measured",
            self.iterations,
            self.warmups,
            self.row_budget.as_secs()
        ));
        if !self.only.is_empty() {
            let names: Vec<&str> = self.only.iter().map(|id| id.name()).collect();
            parts.push(format!("only {}", names.join(",")));
        }
        if !self.tools.is_empty() {
            let names: Vec<&str> = self.tools.iter().map(|t| t.name()).collect();
            parts.push(format!("tools {}", names.join(", ")));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>> {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        Options::parse(&args)
    }

    #[test]
    fn defaults_are_three_runs_after_one_warm_up() {
        let o = parse(&[]).unwrap().unwrap();
        assert_eq!(
            (o.iterations, o.warmups, o.quick, o.long),
            (3, 1, false, false)
        );
        assert_eq!(o.networks, vec![Network::Lan]);
        assert!(!o.workloads().iter().any(|w| w.is_long()));
        assert!(o.workloads().contains(&WorkloadId::PushLarge));
        assert!(o.workloads().contains(&WorkloadId::PullRedirect));
    }

    #[test]
    fn quick_means_one_run_without_warm_up_unless_iterations_say_otherwise() {
        let o = parse(&["--quick"]).unwrap().unwrap();
        assert_eq!((o.iterations, o.warmups), (1, 0));
        let o = parse(&["--iterations", "4", "--quick"]).unwrap().unwrap();
        assert_eq!((o.iterations, o.warmups), (4, 0));
        let o = parse(&["--iterations=2"]).unwrap().unwrap();
        assert_eq!(o.iterations, 2);
        let o = parse(&["--warmups", "0"]).unwrap().unwrap();
        assert_eq!((o.iterations, o.warmups), (3, 0));
        assert!(parse(&["--warmups", "x"]).is_err());
    }

    #[test]
    fn only_takes_lists_and_repeats_and_rejects_unknown_names() {
        let o = parse(&["--only", "push-large,pull-large", "--only=version"])
            .unwrap()
            .unwrap();
        assert_eq!(
            o.workloads(),
            vec![
                WorkloadId::Version,
                WorkloadId::PushLarge,
                WorkloadId::PullLarge
            ]
        );
        let err = parse(&["--only", "nope"]).unwrap_err().to_string();
        assert!(err.contains("unknown workload"), "{err}");
    }

    #[test]
    fn tools_and_row_budget_are_read() {
        let o = parse(&["--tools", "ours,go", "--tools=curl,go", "--row-budget", "5"])
            .unwrap()
            .unwrap();
        assert_eq!(o.tools, vec![Tool::Oras, Tool::GoOras, Tool::Curl]);
        assert_eq!(o.row_budget, Duration::from_secs(5));
        assert!(o.describe().contains("tools oras (ours), oras (Go), curl"));
        let err = parse(&["--tools", "docker"]).unwrap_err().to_string();
        assert!(err.contains("unknown tool \"docker\""), "{err}");
        assert!(parse(&["--row-budget", "soon"]).is_err());
        let o = parse(&[]).unwrap().unwrap();
        assert!(o.tools.is_empty());
        assert_eq!(o.row_budget, DEFAULT_ROW_BUDGET);
    }

    #[test]
    fn long_adds_the_ten_gib_workloads() {
        let o = parse(&["--long"]).unwrap().unwrap();
        assert!(o.workloads().contains(&WorkloadId::PushHuge));
        assert!(o.workloads().contains(&WorkloadId::PullMany));
        assert!(o.describe().contains("long"));
    }

    #[test]
    fn network_takes_profiles_lists_and_all() {
        let o = parse(&["--network", "wan80,lan", "--network=wan80"])
            .unwrap()
            .unwrap();
        assert_eq!(o.networks, vec![Network::Lan, Network::Wan80]);
        let o = parse(&["--network", "all"]).unwrap().unwrap();
        assert_eq!(o.networks, Network::ALL.to_vec());
        assert!(o.describe().contains("network lan,wan20,wan80"));
        let err = parse(&["--network", "wan"]).unwrap_err().to_string();
        assert!(err.contains("unknown network"), "{err}");
    }

    #[test]
    fn bad_input_is_an_error_and_help_is_none() {
        assert!(parse(&["--iterations", "0"]).is_err());
        assert!(parse(&["--iterations", "x"]).is_err());
        assert!(parse(&["--iterations"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
        assert_eq!(parse(&["--help"]).unwrap(), None);
        let o = parse(&["--oras", "/x/oras", "--install-peers", "--no-markdown"])
            .unwrap()
            .unwrap();
        assert_eq!(o.oras, Some(PathBuf::from("/x/oras")));
        assert!(o.install_peers && o.no_markdown);
    }
}
