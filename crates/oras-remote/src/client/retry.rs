//! The retry policy of oras-go (`registry/remote/retry/policy.go`) as a
//! `tower::retry::Policy`: up to 5 retries, backoff `250ms × 2^attempt`
//! with ±10% jitter clamped to [200ms, 3s]; retried on 408, 429, any 5xx
//! and on timeouts; `Retry-After: <seconds>` on a 429 overrides the backoff
//! (still clamped to the maximum). A request whose body cannot be replayed
//! (`Body::try_clone` is `None`) is sent once. A caller may replace the
//! decision ([`RetryPolicy::retry_if`]) and the wait
//! ([`RetryPolicy::backoff_with`]), and build on the defaults
//! ([`RetryPolicy::default_retry_if`], [`RetryPolicy::default_backoff`]).

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use oras_auth::Body;

use crate::error::BoxError;

/// A function that waits for a duration; replace it in tests so they do
/// not sleep.
pub type SleepFn = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A request's outcome, as a retry decision sees it.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// The registry answered (any status).
    Response {
        /// The status.
        status: StatusCode,
        /// The response headers (`Retry-After`, …).
        headers: &'a HeaderMap,
    },
    /// The request failed without an answer (connection, timeout, TLS).
    Error(&'a (dyn std::error::Error + Send + Sync + 'static)),
}

/// What a retry decision and a backoff are told about a failed attempt.
#[derive(Clone, Copy, Debug)]
pub struct RetryContext<'a> {
    /// The retries made before this decision (0 after the first attempt).
    pub attempt: u32,
    /// The request method.
    pub method: &'a Method,
    /// The request URI (it may hold a pre-signed query: do not log it).
    pub uri: &'a Uri,
    /// What the attempt got.
    pub outcome: Outcome<'a>,
}

/// Decides whether an attempt is retried (see [`RetryPolicy::retry_if`]).
pub type RetryPredicate = Arc<dyn Fn(&RetryContext<'_>) -> bool + Send + Sync>;

/// The wait before a retry (see [`RetryPolicy::backoff_with`]).
pub type BackoffFn = Arc<dyn Fn(&RetryContext<'_>) -> Duration + Send + Sync>;

/// How failed requests are retried.
///
/// The default is oras-go's policy. A caller can replace which attempts
/// are retried and how long to wait, and still reach the defaults:
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use oras_remote::RetryPolicy;
/// use oras_remote::client::{Outcome, RetryContext};
///
/// // Also retry a 409, wait a flat 100 ms, at most 3 retries.
/// let mut policy = RetryPolicy::default();
/// policy.max_retries = 3;
/// let policy = policy.retry_if(Arc::new(|ctx: &RetryContext<'_>| {
///     matches!(ctx.outcome, Outcome::Response { status, .. } if status == 409)
///         || RetryPolicy::default_retry_if(ctx)
/// }))
/// .backoff_with(Arc::new(|_: &RetryContext<'_>| Duration::from_millis(100)));
/// let config = oras_remote::ClientConfig::new().retry(policy);
/// # drop(config);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (oras-go `MaxRetry`, 5).
    pub max_retries: u32,
    /// The backoff before retry `n` is `base × 2^n`, jittered (250ms).
    pub base: Duration,
    /// The shortest wait (200ms).
    pub min_wait: Duration,
    /// The longest wait, also for `Retry-After` (3s).
    pub max_wait: Duration,
    /// Relative jitter, 0.1 for ±10%.
    pub jitter: f64,
    sleep: SleepFn,
    retry_if: Option<RetryPredicate>,
    backoff_with: Option<BackoffFn>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(250),
            min_wait: Duration::from_millis(200),
            max_wait: Duration::from_secs(3),
            jitter: 0.1,
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
            retry_if: None,
            backoff_with: None,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("base", &self.base)
            .field("min_wait", &self.min_wait)
            .field("max_wait", &self.max_wait)
            .field("jitter", &self.jitter)
            .field("custom_retry_if", &self.retry_if.is_some())
            .field("custom_backoff", &self.backoff_with.is_some())
            .finish_non_exhaustive()
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Waits with `sleep` instead of `tokio::time::sleep`.
    pub fn with_sleep(mut self, sleep: SleepFn) -> Self {
        self.sleep = sleep;
        self
    }

    /// Retries the attempts `predicate` accepts instead of those
    /// [`RetryPolicy::default_retry_if`] does (still at most
    /// [`RetryPolicy::max_retries`], and never a request whose body cannot
    /// be replayed).
    pub fn retry_if(mut self, predicate: RetryPredicate) -> Self {
        self.retry_if = Some(predicate);
        self
    }

    /// Waits what `backoff` says before each retry instead of
    /// [`RetryPolicy::default_backoff`] (the wait is not clamped).
    pub fn backoff_with(mut self, backoff: BackoffFn) -> Self {
        self.backoff_with = Some(backoff);
        self
    }

    /// oras-go's decision: a 408, a 429 or any 5xx answer, or a timeout.
    pub fn default_retry_if(ctx: &RetryContext<'_>) -> bool {
        match ctx.outcome {
            Outcome::Response { status, .. } => {
                status == StatusCode::REQUEST_TIMEOUT
                    || status == StatusCode::TOO_MANY_REQUESTS
                    || status.is_server_error()
            }
            Outcome::Error(err) => is_timeout(err),
        }
    }

    /// oras-go's wait: `Retry-After: <seconds>` of a 429 (up to
    /// [`RetryPolicy::max_wait`]), else [`RetryPolicy::backoff`] with
    /// random jitter.
    pub fn default_backoff(&self, ctx: &RetryContext<'_>) -> Duration {
        if let Outcome::Response { status, headers } = ctx.outcome
            && status == StatusCode::TOO_MANY_REQUESTS
            && let Some(seconds) = headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Duration::from_secs(seconds).min(self.max_wait);
        }
        self.backoff(ctx.attempt, random_unit())
    }

    /// The wait before retrying after `ctx`, or `None` when it is not
    /// retried.
    fn decide(&self, ctx: &RetryContext<'_>) -> Option<Duration> {
        let retried = match &self.retry_if {
            Some(predicate) => predicate(ctx),
            None => RetryPolicy::default_retry_if(ctx),
        };
        if !retried {
            return None;
        }
        Some(match &self.backoff_with {
            Some(backoff) => backoff(ctx),
            None => self.default_backoff(ctx),
        })
    }

    /// The wait before retry number `attempt` (0-based), with jitter
    /// `unit` in [-1, 1] scaled by [`RetryPolicy::jitter`].
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exp = 2f64.powi(i32::try_from(attempt.min(30)).unwrap_or(30));
        let wait = self.base.as_secs_f64() * exp * (1.0 + self.jitter * unit.clamp(-1.0, 1.0));
        Duration::from_secs_f64(wait.max(0.0)).clamp(self.min_wait, self.max_wait)
    }
}

/// A uniform value in [-1, 1] from the standard library's per-process
/// random hasher keys.
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x6f72_6173);
    let bits = hasher.finish() >> 11; // 53 bits
    (bits as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

/// Whether `err` (or anything in its source chain) is a timeout.
pub(crate) fn is_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if e.is::<tower::timeout::error::Elapsed>() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// The per-request state tower's `Retry` keeps: the policy and how many
/// retries were made.
#[derive(Clone, Debug)]
pub(crate) struct Attempts {
    policy: Arc<RetryPolicy>,
    attempt: u32,
}

impl Attempts {
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        Attempts {
            policy: Arc::new(policy),
            attempt: 0,
        }
    }
}

impl<B> tower::retry::Policy<Request<Body>, Response<B>, BoxError> for Attempts {
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(
        &mut self,
        req: &mut Request<Body>,
        result: &mut Result<Response<B>, BoxError>,
    ) -> Option<Self::Future> {
        if self.attempt >= self.policy.max_retries {
            return None;
        }
        let outcome = match result {
            Ok(response) => Outcome::Response {
                status: response.status(),
                headers: response.headers(),
            },
            Err(e) => Outcome::Error(&**e),
        };
        let ctx = RetryContext {
            attempt: self.attempt,
            method: req.method(),
            uri: req.uri(),
            outcome,
        };
        let wait = self.policy.decide(&ctx)?;
        self.attempt += 1;
        tracing::debug!(attempt = self.attempt, ?wait, "retrying request");
        Some((self.policy.sleep)(wait))
    }

    fn clone_request(&mut self, req: &Request<Body>) -> Option<Request<Body>> {
        let body = req.body().try_clone()?;
        let mut copy = Request::new(body);
        *copy.method_mut() = req.method().clone();
        *copy.uri_mut() = req.uri().clone();
        *copy.version_mut() = req.version();
        *copy.headers_mut() = req.headers().clone();
        *copy.extensions_mut() = req.extensions().clone();
        Some(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_clamps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(p.backoff(2, 0.0), Duration::from_secs(1));
        assert_eq!(p.backoff(0, -1.0), Duration::from_millis(225));
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(275));
        assert_eq!(p.backoff(4, 0.0), Duration::from_secs(3));
        assert_eq!(p.backoff(40, 1.0), Duration::from_secs(3));
        let tight = RetryPolicy {
            base: Duration::from_millis(10),
            ..RetryPolicy::default()
        };
        assert_eq!(tight.backoff(0, 0.0), Duration::from_millis(200));
        for _ in 0..100 {
            let u = random_unit();
            assert!((-1.0..=1.0).contains(&u));
        }
    }

    fn decide(p: &RetryPolicy, status: u16, retry_after: Option<&str>) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        if let Some(v) = retry_after {
            headers.insert(RETRY_AFTER, v.parse().unwrap());
        }
        let (method, uri) = (Method::GET, Uri::from_static("http://r.test/v2/"));
        p.decide(&RetryContext {
            attempt: 0,
            method: &method,
            uri: &uri,
            outcome: Outcome::Response {
                status: StatusCode::from_u16(status).unwrap(),
                headers: &headers,
            },
        })
    }

    #[test]
    fn retries_the_right_statuses() {
        let p = RetryPolicy::default();
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(decide(&p, status, None).is_some(), "{status}");
        }
        for status in [200, 201, 202, 400, 401, 403, 404, 416] {
            assert!(decide(&p, status, None).is_none(), "{status}");
        }
        assert_eq!(decide(&p, 429, Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(decide(&p, 429, Some("120")), Some(Duration::from_secs(3)));
    }

    #[test]
    fn a_custom_predicate_and_backoff_replace_the_defaults() {
        let p = RetryPolicy::default()
            .retry_if(Arc::new(|ctx: &RetryContext<'_>| {
                matches!(ctx.outcome, Outcome::Response { status, .. } if status == 409)
            }))
            .backoff_with(Arc::new(|ctx: &RetryContext<'_>| {
                Duration::from_millis(7 + u64::from(ctx.attempt))
            }));
        assert_eq!(decide(&p, 409, None), Some(Duration::from_millis(7)));
        assert_eq!(decide(&p, 503, None), None);
    }

    #[test]
    fn timeouts_are_found_in_the_source_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "connect");
        assert!(is_timeout(&io));
        let other = std::io::Error::other("reset");
        assert!(!is_timeout(&other));
        let elapsed: BoxError = Box::new(tower::timeout::error::Elapsed::new());
        assert!(is_timeout(elapsed.as_ref()));
    }
}
