//! Login throttling with exponential backoff, per username and per client address.
//!
//! After `max_failures` failed logins for a key (a username, a client address), each further
//! failure blocks that key for 1 s, 2 s, 4 s … up to `max_delay`. A blocked key is refused at
//! once — no password is verified, no database is read — with the time left, the same for every
//! username whether it exists or not. Attempts whose password is still being checked count as
//! pending: a burst of parallel attempts cannot slip past the limit (only as many are admitted
//! as failures remain, and once the backoff has started, one at a time). A key is forgotten after
//! `window` without failures once its block has ended; a successful login forgets its username
//! (not its address: one valid account must not reset the count of an address that is guessing
//! others' passwords).
//!
//! A login presenting a valid device cookie for its username ([`super::device`]) is not held
//! back by its address's count, nor counted against it: the device's own counter (per-username
//! policy) takes the address's place. A device that is blocked counts as no device (the address
//! applies again), so a stolen device cookie buys an attacker only a few guesses.
//!
//! The counters live in memory ([`crate::web::state::AppState`]) and restart with the service. Client
//! addresses only ever appear as their keyed daily hash (`web::client::address_hash`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How many failures are free, and how the delay grows after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed per key before the backoff starts (at least 1).
    pub max_failures: u32,
    /// A key is forgotten this long after its last failure and the end of its block.
    pub window: Duration,
    /// The longest delay (the backoff doubles from 1 s up to this).
    pub max_delay: Duration,
}

impl Policy {
    fn max(&self) -> u32 {
        self.max_failures.max(1)
    }

    /// The delay imposed after failure number `failures` (1-based): none before `max_failures`,
    /// then 1 s, 2 s, 4 s … capped at `max_delay`.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.max() {
            return Duration::ZERO;
        }
        let exponent = (failures - self.max()).min(30);
        Duration::from_secs(1u64 << exponent).min(self.max_delay.max(Duration::from_secs(1)))
    }
}

/// The wait announced while another attempt for the key is being checked in backoff mode.
const BUSY_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    /// Admitted attempts whose outcome is not known yet.
    pending: u32,
    last_failure: Instant,
    blocked_until: Instant,
}

impl Record {
    fn fresh(now: Instant) -> Record {
        Record {
            failures: 0,
            pending: 0,
            last_failure: now,
            blocked_until: now,
        }
    }

    fn expired(&self, now: Instant, window: Duration) -> bool {
        self.pending == 0 && now >= self.last_failure.max(self.blocked_until) + window
    }
}

/// Records beyond this many are pruned of expired ones.
const PRUNE_ABOVE: usize = 10_000;
/// Usernames are cut to this many bytes as keys (memory stays bounded for junk input).
const MAX_KEY_BYTES: usize = 128;

type Records = HashMap<String, Record>;

/// Failure counters of one kind of key.
#[derive(Debug)]
struct Counters {
    policy: Policy,
    records: Mutex<Records>,
}

impl Counters {
    fn new(policy: Policy) -> Counters {
        Counters {
            policy,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `key` must wait before an attempt (zero: it may try now).
    fn wait(&self, records: &mut Records, key: &str, now: Instant) -> Duration {
        let Some(record) = records.get_mut(key) else {
            return Duration::ZERO;
        };
        if record.expired(now, self.policy.window) {
            *record = Record::fresh(now);
        }
        let blocked = record.blocked_until.saturating_duration_since(now);
        if !blocked.is_zero() {
            return blocked;
        }
        if record.failures + record.pending >= self.policy.max() && record.pending > 0 {
            // The backoff has started (or the free failures are all in flight): one at a time.
            return BUSY_WAIT;
        }
        Duration::ZERO
    }

    fn admit(&self, records: &mut Records, key: &str, now: Instant) {
        if records.len() > PRUNE_ABOVE {
            let window = self.policy.window;
            records.retain(|_, r| !r.expired(now, window));
        }
        let record = records
            .entry(key.to_string())
            .or_insert_with(|| Record::fresh(now));
        record.pending += 1;
    }

    /// The attempt ended: a failure (counted, maybe blocking), a success (forgotten if
    /// `forget`), or neither.
    fn settle(&self, key: &str, outcome: Settled, now: Instant) {
        let mut records = self.lock();
        let Some(record) = records.get_mut(key) else {
            return;
        };
        record.pending = record.pending.saturating_sub(1);
        match outcome {
            Settled::Failed => {
                record.failures = record.failures.saturating_add(1);
                record.last_failure = now;
                let delay = self.policy.delay_after(record.failures);
                if !delay.is_zero() {
                    record.blocked_until = record.blocked_until.max(now + delay);
                }
            }
            Settled::Forget if record.pending == 0 => {
                records.remove(key);
            }
            Settled::Forget | Settled::Nothing => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    Failed,
    Forget,
    Nothing,
}

/// Login attempts per username and per client address. One per service, in `AppState`.
#[derive(Debug)]
pub struct LoginThrottle {
    usernames: Counters,
    addresses: Counters,
    /// Device cookies' ids (the per-username policy).
    devices: Counters,
}

/// An admitted attempt. Say how it ended with [`Attempt::succeeded`], [`Attempt::failed`] or
/// [`Attempt::not_attempted`]; dropped without a word (the client went away while its password
/// was being checked), it counts as a failure.
#[derive(Debug)]
pub struct Attempt {
    throttle: Arc<LoginThrottle>,
    username: String,
    address: Option<String>,
    device: Option<String>,
    settled: bool,
}

impl Attempt {
    fn settle(mut self, username: Settled, address: Settled) {
        self.settled = true;
        let now = Instant::now();
        self.throttle
            .usernames
            .settle(&self.username, username, now);
        if let Some(a) = &self.address {
            self.throttle.addresses.settle(a, address, now);
        }
        if let Some(d) = &self.device {
            self.throttle.devices.settle(d, username, now);
        }
    }

    /// The password was wrong (or the account unknown or disabled).
    pub fn failed(self) {
        self.settle(Settled::Failed, Settled::Failed);
    }

    /// The password was right: the username starts afresh; the address keeps its count.
    pub fn succeeded(self) {
        self.settle(Settled::Forget, Settled::Nothing);
    }

    /// The attempt ended before the password could be judged (the database was down): it does
    /// not count.
    pub fn not_attempted(self) {
        self.settle(Settled::Nothing, Settled::Nothing);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.settled {
            self.settled = true;
            let now = Instant::now();
            self.throttle
                .usernames
                .settle(&self.username, Settled::Failed, now);
            if let Some(a) = &self.address {
                self.throttle.addresses.settle(a, Settled::Failed, now);
            }
            if let Some(d) = &self.device {
                self.throttle.devices.settle(d, Settled::Failed, now);
            }
        }
    }
}

impl LoginThrottle {
    pub fn new(per_username: Policy, per_address: Policy) -> LoginThrottle {
        LoginThrottle {
            usernames: Counters::new(per_username),
            addresses: Counters::new(per_address),
            devices: Counters::new(per_username),
        }
    }

    /// The key of a username: trimmed, lower case, bounded (so `Lan` and `lan ` are one key).
    fn username_key(username: &str) -> String {
        let mut key = username.trim().to_lowercase();
        if key.len() > MAX_KEY_BYTES {
            let mut end = MAX_KEY_BYTES;
            while !key.is_char_boundary(end) {
                end -= 1;
            }
            key.truncate(end);
        }
        key
    }

    /// Admits an attempt for `username` from `address_hash`, or says how long to wait when
    /// either key is blocked.
    pub fn begin(
        self: &Arc<Self>,
        username: &str,
        address_hash: Option<&str>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        self.begin_with_device(username, address_hash, None, now)
    }

    /// As [`LoginThrottle::begin`], for a client that presented a valid device cookie for
    /// `username` (`device`: its id): unless that device is blocked, its counter stands in for
    /// the address's.
    pub fn begin_with_device(
        self: &Arc<Self>,
        username: &str,
        address_hash: Option<&str>,
        device: Option<&str>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let username = Self::username_key(username);
        // Lock order: usernames, addresses, devices (settling takes one at a time).
        let mut by_name = self.usernames.lock();
        let mut by_address = self.addresses.lock();
        let mut by_device = self.devices.lock();
        let device = device.filter(|d| self.devices.wait(&mut by_device, d, now).is_zero());
        let address = if device.is_some() { None } else { address_hash };
        let wait = self.usernames.wait(&mut by_name, &username, now).max(
            address.map_or(Duration::ZERO, |a| {
                self.addresses.wait(&mut by_address, a, now)
            }),
        );
        if !wait.is_zero() {
            return Err(wait);
        }
        self.usernames.admit(&mut by_name, &username, now);
        if let Some(a) = address {
            self.addresses.admit(&mut by_address, a, now);
        }
        if let Some(d) = device {
            self.devices.admit(&mut by_device, d, now);
        }
        Ok(Attempt {
            throttle: Arc::clone(self),
            username,
            address: address.map(str::to_string),
            device: device.map(str::to_string),
            settled: false,
        })
    }
}

/// Whole seconds to announce for a wait (rounded up, at least 1).
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The wait in Vietnamese words: "45 giây", "3 phút", "2 phút 30 giây".
pub fn wait_in_words(seconds: u64) -> String {
    let (minutes, rest) = (seconds / 60, seconds % 60);
    match (minutes, rest) {
        (0, s) => format!("{s} giây"),
        (m, 0) => format!("{m} phút"),
        (m, s) => format!("{m} phút {s} giây"),
    }
}

/// The login throttle's policies from the configuration: (per username, per client address).
pub fn policies(config: &crate::platform::config::Config) -> (Policy, Policy) {
    let policy = |max_failures: u32| Policy {
        max_failures: max_failures.max(1),
        window: std::time::Duration::from_secs(u64::from(config.login_window_seconds)),
        max_delay: std::time::Duration::from_secs(u64::from(config.login_max_delay_seconds.max(1))),
    };
    (
        policy(config.login_max_failures),
        policy(config.login_address_max_failures),
    )
}

#[cfg(test)]
mod tests;
