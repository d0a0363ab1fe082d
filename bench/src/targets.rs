//! The speed and memory targets, checked against a run's
//! numbers. They are reported (a pass/FAIL column), never asserted.

use super::stats::{Summary, ratio};
use super::tool::Tool;

/// One target for our `oras` on one workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Target {
    /// Peak RSS below this many MiB.
    RssBelow {
        /// The limit.
        mib: f64,
    },
    /// CPU seconds at most this multiple of `openssl dgst -sha256`'s.
    CpuVsOpenssl {
        /// The allowed multiple.
        at_most: f64,
    },
    /// Wall time at most this multiple of `curl`'s.
    WallVsCurl {
        /// The allowed multiple.
        at_most: f64,
    },
    /// Every measured peer takes at least `factor` times our wall time.
    FasterThanPeers {
        /// 1.0 for "faster", 2.0 for "2 × faster".
        factor: f64,
    },
    /// Wall time below this many seconds.
    WallBelow {
        /// The limit.
        seconds: f64,
    },
    /// One peer takes at least `factor` times our wall time.
    FasterThan {
        /// The peer.
        tool: Tool,
        /// The least speed-up.
        factor: f64,
    },
}

/// The numbers a target is checked against.
#[derive(Debug, Clone, Default)]
pub(crate) struct Measured {
    /// Seconds the measuring wrappers add to every wall time.
    pub(crate) overhead: Option<f64>,
    /// Our row, when it ran.
    pub(crate) ours: Option<Summary>,
    /// The `openssl dgst` row, when it ran.
    pub(crate) openssl: Option<Summary>,
    /// The `curl` row, when it ran.
    pub(crate) curl: Option<Summary>,
    /// The peers that ran.
    pub(crate) peers: Vec<(Tool, Summary)>,
}

/// A target with what was measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    /// The target in words, e.g. `CPU ≤ 1.5 × openssl`.
    pub(crate) target: String,
    /// What was measured, e.g. `1.21 ×`.
    pub(crate) measured: String,
    /// `None` when it could not be checked (a row missing).
    pub(crate) pass: Option<bool>,
}

impl Target {
    /// The target in words.
    pub(crate) fn describe(&self) -> String {
        match *self {
            Target::RssBelow { mib } => format!("peak RSS < {mib} MiB"),
            Target::CpuVsOpenssl { at_most } => format!("CPU ≤ {at_most} × openssl dgst"),
            Target::WallVsCurl { at_most } => format!("wall ≤ {at_most} × curl"),
            Target::FasterThanPeers { factor } if factor > 1.0 => {
                format!("≥ {factor} × faster than every peer")
            }
            Target::FasterThanPeers { .. } => "faster than every peer".to_owned(),
            Target::WallBelow { seconds } => format!("wall < {} ms", seconds * 1000.0),
            Target::FasterThan { tool, factor } => {
                format!("≥ {factor} × faster than {}", tool.name())
            }
        }
    }

    /// Checks the target against `m`.
    pub(crate) fn evaluate(&self, m: &Measured) -> Verdict {
        let verdict = |measured: String, pass: Option<bool>| Verdict {
            target: self.describe(),
            measured,
            pass,
        };
        let Some(ours) = m.ours else {
            return verdict("oras did not run".to_owned(), Some(false));
        };
        match *self {
            Target::RssBelow { mib } => verdict(
                format!("{:.1} MiB", ours.peak_rss_mib),
                Some(ours.peak_rss_mib < mib),
            ),
            // The wrappers' start-up (`timeout`, GNU time) is no part of
            // the tool's, and matters at this scale: it is taken off.
            Target::WallBelow { seconds } => {
                let overhead = m.overhead.unwrap_or(0.0);
                let net = (ours.wall - overhead).max(0.0);
                verdict(
                    format!(
                        "{:.1} ms ({:.1} ms measured − {:.1} ms wrapper overhead)",
                        net * 1000.0,
                        ours.wall * 1000.0,
                        overhead * 1000.0
                    ),
                    Some(net < seconds),
                )
            }
            Target::CpuVsOpenssl { at_most } => match ratio(ours.cpu, m.openssl.map(|s| s.cpu)) {
                // A client both moves and hashes every byte: curl's CPU
                // plus openssl's is the floor it is measured against.
                Some(r) => {
                    let floor = m.curl.zip(m.openssl).and_then(|(curl, openssl)| {
                        ratio(curl.cpu + openssl.cpu, Some(openssl.cpu))
                    });
                    let text = match floor {
                        Some(f) => format!("{r:.2} × (floor, curl + openssl dgst: {f:.2} ×)"),
                        None => format!("{r:.2} ×"),
                    };
                    verdict(text, Some(r <= at_most))
                }
                None => verdict("no openssl row".to_owned(), None),
            },
            Target::WallVsCurl { at_most } => match ratio(ours.wall, m.curl.map(|s| s.wall)) {
                Some(r) => verdict(format!("{r:.2} ×"), Some(r <= at_most)),
                None => verdict("no curl row".to_owned(), None),
            },
            Target::FasterThan { tool, factor } => {
                let theirs = m.peers.iter().find(|(peer, _)| *peer == tool);
                match theirs.and_then(|(_, s)| ratio(s.wall, Some(ours.wall))) {
                    Some(r) => verdict(format!("{r:.2} ×"), Some(r >= factor)),
                    None => verdict(format!("no {} row", tool.name()), None),
                }
            }
            Target::FasterThanPeers { factor } => {
                let speedups: Vec<(Tool, f64)> = m
                    .peers
                    .iter()
                    .filter_map(|(tool, s)| ratio(s.wall, Some(ours.wall)).map(|r| (*tool, r)))
                    .collect();
                let Some(slowest_margin) = speedups.iter().map(|(_, r)| *r).reduce(f64::min) else {
                    return verdict("no peer ran".to_owned(), None);
                };
                let text = speedups
                    .iter()
                    .map(|(tool, r)| format!("{r:.2} × vs {}", tool.name()))
                    .collect::<Vec<_>>()
                    .join(", ");
                // "Faster" with factor 1 means strictly faster; "2 × faster"
                // allows equality with the factor.
                let pass = if factor > 1.0 {
                    slowest_margin >= factor
                } else {
                    slowest_margin > factor
                };
                verdict(text, Some(pass))
            }
        }
    }
}

/// `FAIL` if any verdict failed, `pass` if all that could be checked
/// passed (and at least one could), `n/a` otherwise.
pub(crate) fn overall(verdicts: &[Verdict]) -> &'static str {
    if verdicts.iter().any(|v| v.pass == Some(false)) {
        "FAIL"
    } else if verdicts.iter().any(|v| v.pass == Some(true)) {
        "pass"
    } else {
        "n/a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(wall: f64, cpu: f64, rss: f64) -> Summary {
        Summary {
            runs: 1,
            wall,
            cpu,
            peak_rss_mib: rss,
            throughput_mib_s: None,
        }
    }

    fn measured() -> Measured {
        Measured {
            overhead: None,
            ours: Some(summary(1.0, 1.2, 20.0)),
            openssl: Some(summary(0.9, 1.0, 2.0)),
            curl: Some(summary(0.9, 0.3, 5.0)),
            peers: vec![
                (Tool::OrasPy, summary(3.0, 2.0, 900.0)),
                (Tool::Skopeo, summary(1.5, 2.0, 60.0)),
            ],
        }
    }

    #[test]
    fn each_target_passes_or_fails_on_its_number() {
        let m = measured();
        let rss = Target::RssBelow { mib: 64.0 }.evaluate(&m);
        assert_eq!((rss.measured.as_str(), rss.pass), ("20.0 MiB", Some(true)));
        let cpu = Target::CpuVsOpenssl { at_most: 1.5 }.evaluate(&m);
        assert_eq!(
            (cpu.measured.as_str(), cpu.pass),
            ("1.20 × (floor, curl + openssl dgst: 1.30 ×)", Some(true))
        );
        let wall = Target::WallVsCurl { at_most: 1.1 }.evaluate(&m);
        assert_eq!((wall.measured.as_str(), wall.pass), ("1.11 ×", Some(false)));
        let faster = Target::FasterThanPeers { factor: 1.0 }.evaluate(&m);
        assert_eq!(faster.pass, Some(true));
        assert!(faster.measured.contains("1.50 × vs skopeo"), "{faster:?}");
        let twice = Target::FasterThanPeers { factor: 2.0 }.evaluate(&m);
        assert_eq!(twice.pass, Some(false));
        let vs_one = Target::FasterThan {
            tool: Tool::OrasPy,
            factor: 3.0,
        }
        .evaluate(&m);
        assert_eq!(
            (vs_one.measured.as_str(), vs_one.pass),
            ("3.00 ×", Some(true))
        );
        let vs_missing = Target::FasterThan {
            tool: Tool::GoOras,
            factor: 4.0,
        }
        .evaluate(&m);
        assert_eq!(vs_missing.pass, None);
        assert_eq!(
            Target::FasterThan {
                tool: Tool::GoOras,
                factor: 4.0
            }
            .describe(),
            "≥ 4 × faster than oras (Go)"
        );
        let startup = Target::WallBelow { seconds: 0.010 }.evaluate(&m);
        assert_eq!(startup.pass, Some(false));
        let quick = Measured {
            ours: Some(summary(0.012, 0.001, 4.0)),
            overhead: Some(0.004),
            ..Measured::default()
        };
        let startup = Target::WallBelow { seconds: 0.010 }.evaluate(&quick);
        assert_eq!(startup.pass, Some(true));
        assert!(
            startup.measured.starts_with("8.0 ms (12.0 ms measured"),
            "{startup:?}"
        );
    }

    #[test]
    fn missing_rows_are_not_checked_but_a_missing_oras_fails() {
        let m = Measured {
            ours: Some(summary(1.0, 1.0, 1.0)),
            ..Measured::default()
        };
        for target in [
            Target::CpuVsOpenssl { at_most: 1.5 },
            Target::WallVsCurl { at_most: 1.2 },
            Target::FasterThanPeers { factor: 2.0 },
        ] {
            assert_eq!(target.evaluate(&m).pass, None, "{target:?}");
        }
        let none = Target::RssBelow { mib: 64.0 }.evaluate(&Measured::default());
        assert_eq!(none.pass, Some(false));
    }

    #[test]
    fn overall_is_fail_over_pass_over_not_applicable() {
        let v = |pass| Verdict {
            target: String::new(),
            measured: String::new(),
            pass,
        };
        assert_eq!(overall(&[v(Some(true)), v(None)]), "pass");
        assert_eq!(overall(&[v(Some(true)), v(Some(false))]), "FAIL");
        assert_eq!(overall(&[v(None)]), "n/a");
        assert_eq!(overall(&[]), "n/a");
    }
}
