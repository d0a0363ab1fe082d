//! What one check is and how it ended: [`Meta`] (its name, the spec
//! section and endpoints it tests), [`Status`], [`Stop`] (the early exits
//! of a check body) and the small assertion helpers every check uses.

use serde::Serialize;

use crate::http::{Exchange, Response};

/// The verdict of a check. The order is the redesigned runner's:
/// a group's status is the highest of its members'.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its workflow or API switch is off.
    Disabled,
    /// Not run (a precondition is false), or the registry gave an answer
    /// the spec allows for an unsupported optional feature.
    Skip,
    /// Every assertion held.
    Pass,
    /// An assertion failed: the registry does not conform.
    Fail,
    /// The check could not talk to the registry (connection, timeout).
    Error,
}

impl Status {
    /// The lower-case word used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Disabled => "disabled",
            Status::Skip => "skip",
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }

    /// Whether this status makes the run fail.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// The identity of a check: where it sits in the tree and what it tests.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    /// A unique, stable, path-like id (`ginkgo/pull/blobs/head-existing`).
    pub id: String,
    /// The containers above the leaf, outermost first: suite, workflow,
    /// context (`["OCI Distribution Conformance Tests", "Pull", "Setup"]`).
    pub path: Vec<String>,
    /// The leaf text (a Ginkgo `Specify` text, or a redesign leaf name).
    pub name: String,
    /// The workflow it belongs to (`Pull`, `Push`, `sha256 blobs`, …).
    pub workflow: String,
    /// The distribution-spec section it tests.
    pub spec: String,
    /// The endpoint ids of the spec's table it exercises (`end-2`, …).
    pub endpoints: Vec<&'static str>,
}

impl Meta {
    /// The full display name: path and leaf joined by spaces, as Ginkgo's
    /// JUnit reporter names a spec.
    pub fn full_name(&self) -> String {
        let mut parts = self.path.clone();
        parts.push(self.name.clone());
        parts.join(" ")
    }
}

/// The result of one check, as every report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    /// What was checked.
    #[serde(flatten)]
    pub meta: Meta,
    /// The verdict.
    pub status: Status,
    /// Why it failed, was skipped or disabled.
    pub message: Option<String>,
    /// Notes that do not change the verdict (the suite's warnings).
    pub warnings: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Every HTTP exchange of the check, redacted.
    pub exchanges: Vec<Exchange>,
}

/// How a check body stops early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// An assertion failed.
    Fail(String),
    /// The registry could not be reached or answered garbage at the
    /// transport level.
    Error(String),
    /// A precondition is false, or the registry chose an allowed
    /// "unsupported" answer.
    Skip(String),
}

/// The result of a step of a check body.
pub type Step<T = ()> = Result<T, Stop>;

/// Fails with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Step {
    if condition {
        Ok(())
    } else {
        Err(Stop::Fail(message()))
    }
}

/// A failure with `message`.
pub fn fail<T>(message: impl Into<String>) -> Step<T> {
    Err(Stop::Fail(message.into()))
}

/// A short description of a response for failure messages: the status
/// and the start of a textual body.
pub fn describe(resp: &Response) -> String {
    let text = crate::http::preview(&resp.body, 300);
    if text.is_empty() {
        format!("status {}", resp.status)
    } else {
        format!("status {} with body {text}", resp.status)
    }
}

/// Fails unless the status is one of `accepted`.
pub fn expect_status(resp: &Response, accepted: &[u16]) -> Step {
    let list: Vec<String> = accepted.iter().map(u16::to_string).collect();
    ensure(accepted.contains(&resp.status), || {
        format!(
            "expected status {}, got {}",
            list.join(" or "),
            describe(resp)
        )
    })
}

/// Fails unless the status is 2xx.
pub fn expect_2xx(resp: &Response) -> Step {
    ensure((200..300).contains(&resp.status), || {
        format!("expected a 2xx status, got {}", describe(resp))
    })
}

/// The value of header `name`, failing when it is missing or empty.
pub fn expect_header(resp: &Response, name: &str) -> Step<String> {
    match resp.header(name) {
        Some(value) if !value.is_empty() => Ok(value.to_owned()),
        _ => fail(format!(
            "expected a non-empty {name} header (status {})",
            resp.status
        )),
    }
}

/// Fails unless header `name` is exactly `expected`.
pub fn expect_header_eq(resp: &Response, name: &str, expected: &str) -> Step {
    let actual = resp.header(name);
    ensure(actual == Some(expected), || {
        format!("expected header {name}: {expected:?}, got {actual:?}")
    })
}
