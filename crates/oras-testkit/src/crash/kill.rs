//! Random kill times that can be replayed.

use std::time::Duration;

/// Environment variable that fixes the seed of [`KillClock::from_env`].
pub const SEED_ENV: &str = "ORAS_CRASH_SEED";

/// A seeded source of kill times (a 64-bit linear congruential
/// generator, Knuth's MMIX constants): the same seed gives the same
/// times, so a failing round can be run again.
#[derive(Debug, Clone)]
pub struct KillClock {
    seed: u64,
    state: u64,
}

impl KillClock {
    /// A clock from `seed`.
    pub fn new(seed: u64) -> KillClock {
        KillClock { seed, state: seed }
    }

    /// A clock seeded from [`SEED_ENV`] when set, else from the time; the
    /// seed is printed to stderr so a failure can be replayed.
    pub fn from_env() -> KillClock {
        let seed = std::env::var(SEED_ENV)
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("kill times from seed {seed} (set {SEED_ENV}={seed} to replay)");
        KillClock::new(seed)
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// A time in `[min, max)` (`min` when the range is empty).
    pub fn between(&mut self, min: Duration, max: Duration) -> Duration {
        self.state = self
            .state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let span = max.saturating_sub(min).as_micros() as u64;
        if span == 0 {
            return min;
        }
        min + Duration::from_micros((self.state >> 33) % span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_times_within_bounds() {
        let (min, max) = (Duration::from_millis(10), Duration::from_millis(400));
        let mut a = KillClock::new(42);
        let mut b = KillClock::new(42);
        for _ in 0..100 {
            let t = a.between(min, max);
            assert_eq!(t, b.between(min, max));
            assert!(t >= min && t < max, "{t:?}");
        }
        assert_eq!(a.between(max, min), max);
    }
}
