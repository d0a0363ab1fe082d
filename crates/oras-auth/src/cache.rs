//! The token cache, shared by every client that holds a clone of it.
//!
//! As oras-go's `auth.Cache`: per origin, the scheme last challenged and its
//! tokens, keyed by the space-joined sorted scopes (Basic uses the empty
//! key). There is no expiry tracking: an expired token earns a 401, the
//! entry is dropped and the challenge flow fetches a new one. A scheme
//! change replaces the origin's entry. Fetches are single-flight per
//! (origin, scheme, key): concurrent requests wait for one token request
//! and share its result, error included.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OnceCell;

use crate::Error;
use crate::challenge::Scheme;
use crate::origin::Origin;

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
    tokens: HashMap<String, String>,
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

    /// The token cached for `origin` under `scheme` and `key`.
    pub(crate) fn token(&self, origin: &Origin, scheme: &Scheme, key: &str) -> Option<String> {
        let origins = lock(&self.shared.origins);
        let entry = origins.get(&origin.to_string())?;
        if &entry.scheme != scheme {
            return None;
        }
        entry.tokens.get(key).cloned()
    }

    /// Drops the token under `key` if it is still `stale` (a concurrent
    /// refresh is kept).
    pub(crate) fn remove(&self, origin: &Origin, scheme: &Scheme, key: &str, stale: &str) {
        let mut origins = lock(&self.shared.origins);
        if let Some(entry) = origins.get_mut(&origin.to_string())
            && &entry.scheme == scheme
            && entry.tokens.get(key).is_some_and(|t| t == stale)
        {
            entry.tokens.remove(key);
        }
    }

    fn store(&self, origin: &Origin, scheme: &Scheme, key: &str, token: &str) {
        let mut origins = lock(&self.shared.origins);
        let entry = origins
            .entry(origin.to_string())
            .or_insert_with(|| OriginEntry {
                scheme: scheme.clone(),
                tokens: HashMap::new(),
            });
        if &entry.scheme != scheme {
            entry.scheme = scheme.clone();
            entry.tokens.clear();
        }
        entry.tokens.insert(key.to_string(), token.to_string());
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
        Fut: Future<Output = Result<String, Error>>,
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
                if let Ok(token) = &result {
                    self.store(origin, scheme, key, token);
                }
                result
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
                            Ok("tok".to_string())
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
            .fetch(&o, &Scheme::Bearer, "k", || async { Ok("b".to_string()) })
            .await
            .unwrap();
        cache
            .fetch(&o, &Scheme::Basic, "", || async { Ok("basic".to_string()) })
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
}
