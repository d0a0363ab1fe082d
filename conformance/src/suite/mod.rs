//! The redesigned runner's tree: `ping`, `empty`,
//! `sha256 blobs` and `sha512 blobs` (every upload flavour, range
//! requests, well-known blobs, bad digests), the data sets, the missing
//! manifests and the invalid digest format, with the "unsupported ⇒ skip"
//! downgrades of the redesigned runner.
//!
//! Checks are named `OCI Conformance Test/<group>/…/<leaf>` and gated by
//! `OCI_API_*` / `OCI_DATA_*` (a gated-off check is reported Disabled).
//! Upload locations are followed by URL resolution against the request
//! (RFC 7231 §7.1.2), as the redesign does. A check whose setup failed
//! (e.g. `blob-get` after a refused upload) is reported Skip with the
//! name of the failed check, so one fault fails exactly its own checks.

mod blobs;
mod data;
mod datasets;
mod misc;
mod readonly;
mod upload;

use url::Url;

use crate::outcome::Status;
use crate::random::Rng;
use crate::runner::{Check, Runner};

/// The top-level container's text.
pub const SUITE: &str = "OCI Conformance Test";

/// Whether a check runs.
#[derive(Clone, Debug)]
pub(crate) enum Gate {
    /// It runs.
    Run,
    /// Its switch is off (the variable's name).
    Off(&'static str),
    /// A check it depends on failed (that check's name).
    Blocked(String),
}

impl Gate {
    /// `Run` when `on`, else `Off(variable)`.
    pub(crate) fn switch(on: bool, variable: &'static str) -> Gate {
        if on { Gate::Run } else { Gate::Off(variable) }
    }

    /// This gate, or `Off(variable)` when `on` is false.
    pub(crate) fn and_switch(self, on: bool, variable: &'static str) -> Gate {
        match self {
            Gate::Run if !on => Gate::Off(variable),
            other => other,
        }
    }

    /// This gate, or `Blocked(what)` when `ok` is false.
    pub(crate) fn and_after(self, ok: bool, what: &str) -> Gate {
        match self {
            Gate::Run if !ok => Gate::Blocked(what.to_owned()),
            other => other,
        }
    }
}

/// The tree's context.
pub(crate) struct Suite<'a, 'p> {
    pub(crate) r: &'a mut Runner<'p>,
    pub(crate) repo1: String,
    pub(crate) repo2: String,
    pub(crate) rng: Rng,
}

/// One check as declared: where it sits in the tree, the spec section it
/// covers, the endpoints it exercises, and whether it runs (its switches
/// and the setup it depends on).
#[derive(Clone, Debug)]
pub(crate) struct CheckDef<'a> {
    /// The containers below [`SUITE`] (group, flavour, data set…).
    pub(crate) path: &'a [&'a str],
    /// The leaf's name.
    pub(crate) name: &'a str,
    /// The section of the spec it checks.
    pub(crate) spec: &'a str,
    /// The endpoint ids of the spec's table (`end-2`, …).
    pub(crate) endpoints: &'a [&'static str],
    /// Whether it runs.
    pub(crate) gate: Gate,
}

impl<'a, 'p> Suite<'a, 'p> {
    /// Runs one check: records it as disabled or blocked when its gate
    /// says so, else runs `body` and records its outcome. `None` when it
    /// did not run; else true when it passed or was skipped as unsupported.
    pub(crate) async fn check(
        &mut self,
        def: CheckDef<'_>,
        body: impl AsyncFnOnce(&mut Suite<'a, 'p>, &mut Check) -> crate::outcome::Step,
    ) -> Option<bool> {
        let mut check = self.begin(def)?;
        let step = body(self, &mut check).await;
        Some(!self.r.finish(check, step).is_failure())
    }

    /// Starts a check at `[SUITE, path…]`, or records why it does not run.
    fn begin(&mut self, def: CheckDef<'_>) -> Option<Check> {
        let mut full = vec![SUITE];
        full.extend_from_slice(def.path);
        let meta = self.r.meta("oci", &full, def.name, def.spec, def.endpoints);
        match def.gate {
            Gate::Run => Some(self.r.start(meta)),
            Gate::Off(variable) => {
                self.r
                    .record(meta, Status::Disabled, format!("disabled by {variable}"));
                None
            }
            Gate::Blocked(what) => {
                self.r.record(
                    meta,
                    Status::Skip,
                    format!("not run: {what} did not succeed"),
                );
                None
            }
        }
    }

    /// `/v2/<repo><tail>` on the registry.
    pub(crate) fn url(&self, repo: &str, tail: &str) -> Url {
        self.r.client.url(&format!("/v2/{repo}{tail}"))
    }

    /// The id prefix of a group, for `OCI_FILTER_TEST`.
    pub(crate) fn wants(&self, group: &str) -> bool {
        self.r.wants(&format!("oci/{}", crate::runner::slug(group)))
    }
}

/// Runs the redesigned tree.
pub async fn run(runner: &mut Runner<'_>) {
    let seed = runner.config.seed ^ 0x0c1_c0f_f0e;
    let mut s = Suite {
        repo1: runner.config.namespace.clone(),
        repo2: runner.config.repo2.clone(),
        rng: Rng::new(seed),
        r: runner,
    };
    misc::ping(&mut s).await;
    misc::empty(&mut s).await;
    blobs::run(&mut s, oras_spec::Algorithm::Sha256).await;
    if s.r.config.data.sha512 {
        blobs::run(&mut s, oras_spec::Algorithm::Sha512).await;
    } else if s.wants("sha512 blobs") {
        let off = CheckDef {
            path: &["sha512 blobs"],
            name: "sha512 blobs",
            spec: "Pushing blobs",
            endpoints: &[],
            gate: Gate::Off("OCI_DATA_SHA512"),
        };
        // Recorded as disabled; the body never runs.
        let _ = s.check(off, async |_, _| Ok(())).await;
    }
    readonly::run(&mut s).await;
    datasets::run(&mut s).await;
    misc::missing_manifests(&mut s).await;
    misc::invalid_digest_format(&mut s).await;
}
