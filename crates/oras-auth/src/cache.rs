//! The token cache, shared by every client that holds a clone of it.
//!
//! As oras-go's `auth.Cache`: per origin, the scheme last challenged and its
//! tokens, keyed by the space-joined sorted scopes (Basic uses the empty
//! key). A scheme change replaces the origin's entry. Fetches are
//! single-flight per (origin, scheme, key): concurrent requests wait for
//! one token request and share its result, error included.
//!
//! Unlike oras-go, a bearer token's lifetime (from the token answer's
//! `expires_in` and `issued_at`) is kept: an expired token is never sent,
//! and one close to expiry (the last quarter of its life, at most 30
//! seconds) is refreshed with the origin's last bearer challenge before
//! the request goes out, instead of waiting for a 401. A token that earns
//! a 401 anyway is dropped and the challenge flow fetches a new one.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::Error;
use crate::challenge::{Challenge, Scheme};
use crate::origin::Origin;
use crate::token::Issued;

/// A cache of Basic and Bearer tokens per registry origin. Cloning shares
/// the cache.
#[derive(Clone, Default)]
pub struct TokenCache {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    origins: Mutex<HashMap<String, OriginEntry>>,
    flights: Mutex<HashMap<FlightKey, Flight>>,
}

struct OriginEntry {
    scheme: Scheme,
    tokens: HashMap<String, Cached>,
    /// The last bearer challenge of the origin, to refresh tokens with.
    challenge: Option<Challenge>,
}

/// A cached token and when it stops being sent (`None`: unknown).
struct Cached {
    token: String,
    /// From here on the token is refreshed before use.
    refresh_at: Option<Instant>,
    /// From here on the token is not sent.
    expires_at: Option<Instant>,
}

/// The most a token is refreshed before it expires.
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// What the cache holds for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A token to send.
    Fresh(String),
    /// A token close to expiry (still valid): refresh it first.
    Stale(String),
    /// A token that expired: fetch a new one before sending.
    Expired,
    /// No token.
    Missing,
}

type FlightKey = (String, Scheme, String);
type Flight = Arc<OnceCell<Result<String, Error>>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the maps inconsistent
    // (each update is a single insert or remove), so poisoning is ignored.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        TokenCache::default()
    }

    /// Forgets every token.
    pub fn clear(&self) {
        lock(&self.shared.origins).clear();
    }

    /// The scheme last used with `origin`.
    pub(crate) fn scheme(&self, origin: &Origin) -> Option<Scheme> {
        lock(&self.shared.origins)
            .get(&origin.to_string())
            .map(|entry| entry.scheme.clone())
    }

    /// The token cached for `origin` under `scheme` and `key`, unless it
    /// expired.
    pub(crate) fn token(&self, origin: &Origin, scheme: &Scheme, key: &str) -> Option<String> {
        match self.lookup(origin, scheme, key) {
            Lookup::Fresh(token) | Lookup::Stale(token) => Some(token),
            Lookup::Expired | Lookup::Missing => None,
        }
    }

    /// The token cached for `origin` under `scheme` and `key`, and whether
    /// it is time to refresh it.
    pub(crate) fn lookup(&self, origin: &Origin, scheme: &Scheme, key: &str) -> Lookup {
        let origins = lock(&self.shared.origins);
        let Some(cached) = origins
            .get(&origin.to_string())
            .filter(|entry| &entry.scheme == scheme)
            .and_then(|entry| entry.tokens.get(key))
        else {
            return Lookup::Missing;
        };
        let now = Instant::now();
        if cached.expires_at.is_some_and(|at| now >= at) {
            Lookup::Expired
        } else if cached.refresh_at.is_some_and(|at| now >= at) {
            Lookup::Stale(cached.token.clone())
        } else {
            Lookup::Fresh(cached.token.clone())
        }
    }

    /// The last bearer challenge of `origin`.
    pub(crate) fn challenge(&self, origin: &Origin) -> Option<Challenge> {
        lock(&self.shared.origins)
            .get(&origin.to_string())
            .and_then(|entry| entry.challenge.clone())
    }

    /// Remembers the bearer challenge of `origin`, for refreshes.
    pub(crate) fn remember_challenge(&self, origin: &Origin, challenge: &Challenge) {
        let mut origins = lock(&self.shared.origins);
        if let Some(entry) = origins.get_mut(&origin.to_string())
            && entry.scheme == Scheme::Bearer
        {
            entry.challenge = Some(challenge.clone());
        }
    }

    /// Drops the token under `key` if it is still `stale` (a concurrent
    /// refresh is kept).
    pub(crate) fn remove(&self, origin: &Origin, scheme: &Scheme, key: &str, stale: &str) {
        let mut origins = lock(&self.shared.origins);
        if let Some(entry) = origins.get_mut(&origin.to_string())
            && &entry.scheme == scheme
            && entry.tokens.get(key).is_some_and(|t| t.token == stale)
        {
            entry.tokens.remove(key);
        }
    }

    fn store(&self, origin: &Origin, scheme: &Scheme, key: &str, issued: &Issued) {
        let mut origins = lock(&self.shared.origins);
        let entry = origins
            .entry(origin.to_string())
            .or_insert_with(|| OriginEntry {
                scheme: scheme.clone(),
                tokens: HashMap::new(),
                challenge: None,
            });
        if &entry.scheme != scheme {
            entry.scheme = scheme.clone();
            entry.tokens.clear();
            entry.challenge = None;
        }
        let now = Instant::now();
        let (refresh_at, expires_at) = match issued.valid_for {
            Some(life) => {
                let margin = (life / 4).min(MAX_REFRESH_MARGIN);
                (Some(now + (life - margin)), Some(now + life))
            }
            None => (None, None),
        };
        entry.tokens.insert(
            key.to_string(),
            Cached {
                token: issued.token.clone(),
                refresh_at,
                expires_at,
            },
        );
    }

    /// Runs `fetch` unless a fetch for the same (origin, scheme, key) is
    /// already running, in which case its result is awaited; a successful
    /// token is cached.
    pub(crate) async fn fetch<F, Fut>(
        &self,
        origin: &Origin,
        scheme: &Scheme,
        key: &str,
        fetch: F,
    ) -> Result<String, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Issued, Error>>,
    {
        let flight_key: FlightKey = (origin.to_string(), scheme.clone(), key.to_string());
        let flight = lock(&self.shared.flights)
            .entry(flight_key.clone())
            .or_default()
            .clone();
        // If the task running `fetch` is cancelled, the next waiter runs its
        // own (tokio `OnceCell::get_or_init`).
        let result = flight
            .get_or_init(|| async {
                let result = fetch().await;
                if let Ok(issued) = &result {
                    self.store(origin, scheme, key, issued);
                }
                result.map(|issued| issued.token)
            })
            .await
            .clone();
        let mut flights = lock(&self.shared.flights);
        if flights
            .get(&flight_key)
            .is_some_and(|f| Arc::ptr_eq(f, &flight))
        {
            flights.remove(&flight_key);
        }
        result
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origins = lock(&self.shared.origins);
        let mut map = f.debug_map();
        for (origin, entry) in origins.iter() {
            map.entry(
                origin,
                &format_args!("{:?}, {} token(s)", entry.scheme, entry.tokens.len()),
            );
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn origin(s: &str) -> Origin {
        Origin::of(&s.parse().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn single_flight_shares_one_fetch() {
        let cache = TokenCache::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let o = origin("https://r.example/");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                let calls = calls.clone();
                let o = o.clone();
                tokio::spawn(async move {
                    cache
                        .fetch(&o, &Scheme::Bearer, "repository:a:pull", || async {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok(Issued::forever("tok"))
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            let got = tokio::time::timeout(Duration::from_secs(5), task).await;
            assert_eq!(got.unwrap().unwrap().unwrap(), "tok");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            cache
                .token(&o, &Scheme::Bearer, "repository:a:pull")
                .as_deref(),
            Some("tok")
        );
        assert!(!format!("{cache:?}").contains("tok\""));
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_scheme_change_replaces() {
        let cache = TokenCache::new();
        let o = origin("https://r.example/");
        let err = cache
            .fetch(&o, &Scheme::Bearer, "k", || async {
                Err(Error::MissingRealm { host: "r".into() })
            })
            .await;
        assert!(err.is_err());
        assert_eq!(cache.scheme(&o), None);
        cache
            .fetch(&o, &Scheme::Bearer, "k", || async {
                Ok(Issued::forever("b"))
            })
            .await
            .unwrap();
        cache
            .fetch(&o, &Scheme::Basic, "", || async {
                Ok(Issued::forever("basic"))
            })
            .await
            .unwrap();
        assert_eq!(cache.scheme(&o), Some(Scheme::Basic));
        assert_eq!(cache.token(&o, &Scheme::Bearer, "k"), None);
        cache.remove(&o, &Scheme::Basic, "", "other");
        assert!(cache.token(&o, &Scheme::Basic, "").is_some());
        cache.remove(&o, &Scheme::Basic, "", "basic");
        assert!(cache.token(&o, &Scheme::Basic, "").is_none());
        // Another origin (scheme differs) sees nothing.
        assert_eq!(cache.scheme(&origin("http://r.example/")), None);
    }

    #[tokio::test]
    async fn tokens_are_refreshed_before_they_expire_and_never_sent_after() {
        let cache = TokenCache::new();
        let o = origin("https://r.example/");
        let issue = |ms: u64| Issued {
            token: format!("t{ms}"),
            valid_for: Some(Duration::from_millis(ms)),
        };
        cache
            .fetch(&o, &Scheme::Bearer, "k", || async { Ok(issue(400)) })
            .await
            .unwrap();
        assert_eq!(
            cache.lookup(&o, &Scheme::Bearer, "k"),
            Lookup::Fresh("t400".into())
        );
        // The last quarter of its life: refresh first.
        tokio::time::sleep(Duration::from_millis(320)).await;
        assert_eq!(
            cache.lookup(&o, &Scheme::Bearer, "k"),
            Lookup::Stale("t400".into())
        );
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.lookup(&o, &Scheme::Bearer, "k"), Lookup::Expired);
        assert_eq!(cache.lookup(&o, &Scheme::Bearer, "other"), Lookup::Missing);
        assert_eq!(cache.token(&o, &Scheme::Bearer, "k"), None);
        // A token of unknown lifetime stays.
        cache
            .fetch(&o, &Scheme::Bearer, "k", || async {
                Ok(Issued::forever("t"))
            })
            .await
            .unwrap();
        assert_eq!(
            cache.lookup(&o, &Scheme::Bearer, "k"),
            Lookup::Fresh("t".into())
        );
    }
}
