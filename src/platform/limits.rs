//! Rate limits against ballot stuffing: token buckets in memory, one per key (a kiosk, later a
//! client address). Lives in `AppState`; resets when the service restarts, which is acceptable for
//! limits measured in minutes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `burst` submissions at once, then one every `interval`.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub burst: u32,
    pub interval: Duration,
}

impl Rate {
    /// `burst` at once, `per_hour` sustained.
    pub fn per_hour(burst: u32, per_hour: u32) -> Rate {
        Rate {
            burst: burst.max(1),
            interval: Duration::from_secs_f64(3600.0 / f64::from(per_hour.max(1))),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Keys beyond this many are pruned of full (idle) buckets.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(rate: Rate) -> RateLimiter {
        RateLimiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.rate.burst);
        let per_second = 1.0 / self.rate.interval.as_secs_f64().max(1e-9);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_second
                    < burst
            });
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

impl RateLimiter {
    /// Gives back the token of a request that stored nothing (a replay, a refused form), so
    /// that only stored submissions count against the limit.
    pub fn refund(&self, key: &str) {
        let burst = f64::from(self.rate.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(key) {
            bucket.tokens = (bucket.tokens + 1.0).min(burst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::new(Rate::per_hour(3, 3600));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("k", t0).is_ok());
        }
        let wait = limiter.check("k", t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(limiter.check("other", t0).is_ok(), "keys are independent");
        assert!(limiter.check("k", t0 + Duration::from_secs(1)).is_ok());
        assert!(limiter.check("k", t0 + Duration::from_secs(1)).is_err());
        limiter.refund("k");
        assert!(limiter.check("k", t0 + Duration::from_secs(1)).is_ok());
    }
}

/// One-time keys of the admin forms that create something shown only once (a kiosk's link,
/// invitation cards): the page cannot redirect after the POST without keeping the secret, so
/// instead a form sent again (F5, or back and resend) with a key already used creates nothing.
/// Kept in memory for a day.
#[derive(Debug, Default)]
pub struct OnceKeys {
    used: Mutex<HashMap<String, Instant>>,
}

impl OnceKeys {
    const KEEP: Duration = Duration::from_secs(24 * 3600);

    /// Whether a form with this key already created something.
    pub fn used(&self, key: &str) -> bool {
        self.used
            .lock()
            .map(|used| used.contains_key(key))
            .unwrap_or(false)
    }

    /// Records that the form with this key created something (keys older than a day go).
    pub fn mark(&self, key: &str, now: Instant) {
        if let Ok(mut used) = self.used.lock() {
            used.retain(|_, at| now.duration_since(*at) < Self::KEEP);
            used.insert(key.to_string(), now);
        }
    }
}
