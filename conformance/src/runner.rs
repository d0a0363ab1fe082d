//! The machinery every check runs on: [`Runner`] holds the client, the
//! configuration and the results; [`Check`] is one check in progress,
//! collecting its HTTP exchanges and warnings until [`Runner::finish`]
//! turns it into a [`CheckResult`] and hands it to the [`Progress`] sink.

use std::collections::HashSet;
use std::time::Instant;

use crate::config::Config;
use crate::http::{Client, Exchange, Request, Response};
use crate::outcome::{CheckResult, Meta, Status, Step, Stop};

/// Receives each result as soon as it is known (the live terminal tree).
pub trait Progress {
    /// A check finished (or was skipped or disabled).
    fn result(&mut self, result: &CheckResult);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn result(&mut self, _result: &CheckResult) {}
}

/// One check in progress.
#[derive(Debug)]
pub struct Check {
    meta: Meta,
    started: Instant,
    log: Vec<Exchange>,
    warnings: Vec<String>,
    unsupported: Option<String>,
}

impl Check {
    /// Sends a request, recording the exchange; a transport failure stops
    /// the check with [`Stop::Error`].
    pub async fn send(&mut self, client: &Client, request: Request) -> Step<Response> {
        let what = format!(
            "{} {}",
            request.method,
            crate::http::redact::query_params(request.url.as_str())
        );
        let response = client
            .send(&request, &mut self.log)
            .await
            .map_err(|e| Stop::Error(format!("{what}: {e}")))?;
        match &response.truncated {
            // The registry answered, but not with a well-formed message.
            Some(why) => Err(Stop::Fail(format!(
                "{what}: the {} answer's body broke off ({why}); Content-Length {}",
                response.status,
                response.header("content-length").unwrap_or("absent")
            ))),
            None => Ok(response),
        }
    }

    /// Adds a warning (shown, never failing).
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Records that the registry chose an answer the spec allows for an
    /// unsupported optional feature: the check ends as Skip unless it
    /// fails.
    pub fn unsupported(&mut self, message: impl Into<String>) {
        if self.unsupported.is_none() {
            self.unsupported = Some(message.into());
        }
    }

    /// Whether [`Check::unsupported`] was called.
    pub fn is_unsupported(&self) -> bool {
        self.unsupported.is_some()
    }
}

/// Runs checks and keeps their results.
pub struct Runner<'p> {
    /// The HTTP client.
    pub client: Client,
    /// The configuration.
    pub config: Config,
    results: Vec<CheckResult>,
    ids: HashSet<String>,
    progress: &'p mut dyn Progress,
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("client", &self.client)
            .field("results", &self.results.len())
            .finish_non_exhaustive()
    }
}

impl<'p> Runner<'p> {
    /// A runner reporting to `progress`.
    pub fn new(client: Client, config: Config, progress: &'p mut dyn Progress) -> Runner<'p> {
        Runner {
            client,
            config,
            results: Vec::new(),
            ids: HashSet::new(),
            progress,
        }
    }

    /// The results so far.
    pub fn results(&self) -> &[CheckResult] {
        &self.results
    }

    /// The results, consuming the runner.
    pub fn into_results(self) -> Vec<CheckResult> {
        self.results
    }

    /// A [`Meta`] for a check at `path` (suite name first) named `name`,
    /// with a unique id made of `id_prefix` and the slugs of the rest.
    pub fn meta(
        &mut self,
        id_prefix: &str,
        path: &[&str],
        name: &str,
        spec: &str,
        endpoints: &[&'static str],
    ) -> Meta {
        let mut id = id_prefix.to_owned();
        for part in path.iter().skip(1).chain(std::iter::once(&name)) {
            id.push('/');
            id.push_str(&slug(part));
        }
        let mut unique = id.clone();
        let mut n = 2;
        while self.ids.contains(&unique) {
            unique = format!("{id}-{n}");
            n += 1;
        }
        self.ids.insert(unique.clone());
        Meta {
            id: unique,
            workflow: path.get(1).copied().unwrap_or_default().to_owned(),
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            name: name.to_owned(),
            spec: spec.to_owned(),
            endpoints: endpoints.to_vec(),
        }
    }

    /// Whether anything under id prefix `prefix` passes `OCI_FILTER_TEST`
    /// (so a unit whose checks depend on each other runs whole).
    pub fn wants(&self, prefix: &str) -> bool {
        match &self.config.filter {
            None => true,
            Some(filter) => filter.starts_with(prefix) || prefix.starts_with(filter.as_str()),
        }
    }

    fn reported(&self, meta: &Meta) -> bool {
        self.config
            .filter
            .as_ref()
            .is_none_or(|f| meta.id.starts_with(f.as_str()))
    }

    /// Starts a check.
    pub fn start(&self, meta: Meta) -> Check {
        Check {
            meta,
            started: Instant::now(),
            log: Vec::new(),
            warnings: Vec::new(),
            unsupported: None,
        }
    }

    /// Ends a check with the outcome of its body; returns its status.
    pub fn finish(&mut self, check: Check, step: Step) -> Status {
        let (status, message) = match step {
            Ok(()) => match check.unsupported {
                Some(why) => (Status::Skip, Some(why)),
                None => (Status::Pass, None),
            },
            Err(Stop::Fail(why)) => (Status::Fail, Some(why)),
            Err(Stop::Error(why)) => (Status::Error, Some(why)),
            Err(Stop::Skip(why)) => (Status::Skip, Some(why)),
        };
        let result = CheckResult {
            meta: check.meta,
            status,
            message,
            warnings: check.warnings,
            duration_ms: u64::try_from(check.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            exchanges: check.log,
        };
        self.push(result);
        status
    }

    /// Records a check that did not run.
    pub fn record(&mut self, meta: Meta, status: Status, message: impl Into<String>) {
        self.push(CheckResult {
            meta,
            status,
            message: Some(message.into()),
            warnings: Vec::new(),
            duration_ms: 0,
            exchanges: Vec::new(),
        });
    }

    fn push(&mut self, result: CheckResult) {
        if self.reported(&result.meta) {
            self.progress.result(&result);
            self.results.push(result);
        }
    }
}

/// `Text like This` → `text-like-this`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("GET request to manifest[0] path (digest)"),
            "get-request-to-manifest-0-path-digest"
        );
        assert_eq!(slug("sha256 blobs"), "sha256-blobs");
    }
}
