//! What every request handler may read: the pool, the forms, the configuration, the limits and
//! the writer. Built once at start (`startup::prepare`); nothing in it is mutable.

use std::sync::Arc;

use crate::forms::FormRegistry;
use crate::platform::config::Config;
use crate::store::Pool;

/// Everything a request handler may need. Cheap to clone; nothing in it is mutable.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub forms: Arc<FormRegistry>,
    pub config: Arc<Config>,
    /// An argon2 hash of a random password: unknown users are verified against it, so a login
    /// takes as long whether the user exists or not.
    pub dummy_hash: Arc<String>,
    /// Submissions per kiosk (against stuffing; sized by `kiosk_burst` and `kiosk_per_hour`).
    pub kiosk_limiter: Arc<crate::platform::limits::RateLimiter>,
    /// Anonymous submissions per client address (hashed), against ballot stuffing.
    pub public_limiter: Arc<crate::platform::limits::RateLimiter>,
    /// Submissions per staff account (paper entry, imports), sized for data entry.
    pub staff_limiter: Arc<crate::platform::limits::RateLimiter>,
    /// Keyed, daily-rotating hashes of client addresses (rate limits, audit log).
    pub address_hasher: crate::platform::privacy::AddressHasher,
    /// Failed logins per username and per client address (hashed), with backoff.
    pub login_throttle: Arc<crate::auth::throttle::LoginThrottle>,
    /// Stores submissions: the group-commit writer (its thread stops when the last clone of the
    /// state is dropped), or one transaction each (`SIPAS_GROUP_COMMIT=false`).
    pub writer: crate::collecting::submission::writer::Writer,
    /// Every form's responses in memory for reports (`None`: `SIPAS_REPORT_CACHE=false`).
    pub report_cache: Option<Arc<crate::reporting::reports::ReportCache>>,
    /// The service's secret key (kept outside the database; see `keys`).
    pub keys: Arc<crate::platform::keys::ServerKey>,
    /// One-time keys of admin forms that show a secret once (kiosk links, invitation cards).
    pub once_keys: Arc<crate::platform::limits::OnceKeys>,
}

impl AppState {
    /// The state over an open pool and loaded forms; rate limits start empty.
    pub fn new(
        pool: Pool,
        forms: FormRegistry,
        config: Arc<Config>,
        dummy_hash: String,
        keys: crate::platform::keys::ServerKey,
    ) -> Self {
        let kiosk_rate =
            crate::platform::limits::Rate::per_hour(config.kiosk_burst, config.kiosk_per_hour);
        let (per_username, per_address) = crate::auth::throttle::policies(&config);
        let public_rate =
            crate::platform::limits::Rate::per_hour(config.public_burst, config.public_per_hour);
        let keys = Arc::new(keys);
        let staff_rate =
            crate::platform::limits::Rate::per_hour(config.staff_burst, config.staff_per_hour);
        AppState {
            writer: crate::collecting::submission::writer::Writer::new(
                pool.clone(),
                &config,
                keys.clone(),
            ),
            report_cache: config
                .report_cache
                .then(|| Arc::new(crate::reporting::reports::ReportCache::new())),
            keys,
            once_keys: Arc::default(),
            pool,
            forms: Arc::new(forms),
            config,
            dummy_hash: Arc::new(dummy_hash),
            kiosk_limiter: Arc::new(crate::platform::limits::RateLimiter::new(kiosk_rate)),
            public_limiter: Arc::new(crate::platform::limits::RateLimiter::new(public_rate)),
            staff_limiter: Arc::new(crate::platform::limits::RateLimiter::new(staff_rate)),
            address_hasher: crate::platform::privacy::AddressHasher::random()
                .expect("the operating system's random source"),
            login_throttle: Arc::new(crate::auth::throttle::LoginThrottle::new(
                per_username,
                per_address,
            )),
        }
    }
}
