//! Configuration from command-line flags and environment variables, with safe defaults.

use std::path::PathBuf;

use chrono::TimeDelta;
use chrono_tz::Tz;
use clap::Args;

/// Settings shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database: a SQLite file path (created on first start) or a `postgres://` URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "data/sipas.db",
        global = true
    )]
    pub database_url: String,

    /// Time zone for local dates in queries, periods and unit validity.
    #[arg(
        long,
        env = "SIPAS_TZ",
        default_value = "Asia/Ho_Chi_Minh",
        global = true
    )]
    pub tz: Tz,

    /// Folder with the form files (`*.toml`).
    #[arg(
        long,
        env = "SIPAS_FORMS_DIR",
        default_value = "survey-forms",
        global = true
    )]
    pub forms_dir: PathBuf,

    /// How long a staff session (token or cookie) lasts, in seconds (default 8 hours).
    #[arg(long, env = "SIPAS_SESSION_SECONDS", default_value_t = 8 * 3600, global = true)]
    pub session_seconds: u32,

    /// Maximum number of database connections.
    #[arg(long, env = "SIPAS_DB_POOL", default_value_t = 8, global = true)]
    pub db_pool: u32,

    /// Mark cookies `Secure` (set when the service is behind TLS).
    #[arg(
        long,
        env = "SIPAS_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,

    /// Anonymous submissions (phone and web forms, the JSON API) one client address may send at
    /// once… Phones behind one office Wi-Fi or a carrier's shared address count together: keep
    /// it generous.
    #[arg(long, env = "SIPAS_PUBLIC_BURST", default_value_t = 60, global = true)]
    pub public_burst: u32,

    /// …and per hour sustained.
    #[arg(
        long,
        env = "SIPAS_PUBLIC_PER_HOUR",
        default_value_t = 600,
        global = true
    )]
    pub public_per_hour: u32,

    /// Submissions one staff account (a clerk or admin entering paper forms, an import) may
    /// store at once… Sized for data entry: a clerk types a paper form in half a minute or more.
    #[arg(long, env = "SIPAS_STAFF_BURST", default_value_t = 120, global = true)]
    pub staff_burst: u32,

    /// …and per hour sustained (1,200: one every 3 s).
    #[arg(
        long,
        env = "SIPAS_STAFF_PER_HOUR",
        default_value_t = 1200,
        global = true
    )]
    pub staff_per_hour: u32,

    /// Seconds a client has to send a request's body (and at most 5 of them for its head):
    /// a slower one gets 408 `request_timeout` and nothing is stored.
    #[arg(
        long,
        env = "SIPAS_BODY_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub body_timeout_seconds: u32,

    /// Login throttling: failed logins allowed per username within the window before each
    /// further attempt waits 1 s, 2 s, 4 s … (up to `login_max_delay_seconds`).
    #[arg(
        long,
        env = "SIPAS_LOGIN_MAX_FAILURES",
        default_value_t = 5,
        global = true
    )]
    pub login_max_failures: u32,

    /// Login throttling: failed logins allowed per client address (any usernames; an office
    /// behind one address counts together) before the backoff starts.
    #[arg(
        long,
        env = "SIPAS_LOGIN_ADDRESS_MAX_FAILURES",
        default_value_t = 20,
        global = true
    )]
    pub login_address_max_failures: u32,

    /// Login throttling: a username or address is forgotten this many seconds after its last
    /// failure (and the end of its wait).
    #[arg(
        long,
        env = "SIPAS_LOGIN_WINDOW_SECONDS",
        default_value_t = 900,
        global = true
    )]
    pub login_window_seconds: u32,

    /// Login throttling: the longest wait imposed, in seconds.
    #[arg(
        long,
        env = "SIPAS_LOGIN_MAX_DELAY_SECONDS",
        default_value_t = 900,
        global = true
    )]
    pub login_max_delay_seconds: u32,

    /// Take the client address from `X-Forwarded-For` / `Forwarded` (set only behind a reverse
    /// proxy that overwrites them; otherwise a client could pick its own address).
    #[arg(
        long,
        env = "SIPAS_TRUST_PROXY",
        default_value_t = false,
        global = true
    )]
    pub trust_proxy: bool,

    /// The service's public address, used in QR codes, kiosk and invitation links (e.g.
    /// `https://khaosat.tuyphuoc.gov.vn`). Default: the address the request came to.
    #[arg(long, env = "SIPAS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Kiosk: seconds without a touch before the "are you still there?" warning.
    #[arg(
        long,
        env = "SIPAS_KIOSK_IDLE_SECONDS",
        default_value_t = 90,
        global = true
    )]
    pub kiosk_idle_seconds: u32,

    /// Kiosk: seconds the warning stays before the form is cleared (WCAG 2.2.1 asks for ≥ 20).
    #[arg(
        long,
        env = "SIPAS_KIOSK_WARNING_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub kiosk_warning_seconds: u32,

    /// Kiosk: seconds the thank-you screen stays before a fresh form.
    #[arg(
        long,
        env = "SIPAS_KIOSK_THANKS_SECONDS",
        default_value_t = 8,
        global = true
    )]
    pub kiosk_thanks_seconds: u32,

    /// Kiosk rate limit: submissions a kiosk may send at once…
    #[arg(long, env = "SIPAS_KIOSK_BURST", default_value_t = 10, global = true)]
    pub kiosk_burst: u32,

    /// …and per hour sustained (240: one every 15 s; a citizen needs a minute or more).
    #[arg(
        long,
        env = "SIPAS_KIOSK_PER_HOUR",
        default_value_t = 240,
        global = true
    )]
    pub kiosk_per_hour: u32,

    /// Free-text comments of responses submitted more than this many days ago are deleted (at
    /// start and once a day; ratings are kept). 0 keeps them forever.
    #[arg(
        long,
        env = "SIPAS_COMMENT_RETENTION_DAYS",
        default_value_t = 730,
        global = true
    )]
    pub comment_retention_days: u32,

    /// Group commit: one writer stores the submissions that arrive together in one transaction
    /// (one fsync for all) and acknowledges each after that commit. `false`: one transaction per
    /// submission. Unset: on for SQLite, off for PostgreSQL (which already shares fsyncs between
    /// its connections; one writer there only serialises the work — see BENCHMARKS.md).
    #[arg(
        long,
        env = "SIPAS_GROUP_COMMIT",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new(),
        global = true
    )]
    pub group_commit: Option<bool>,

    /// Keep every form's responses in memory in columns (~70 MB per million responses) and bring
    /// them up to date before each report, instead of reading every answer again for each report
    /// (see `reports::cache`). `false`: read afresh each time.
    #[arg(
        long,
        env = "SIPAS_REPORT_CACHE",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = true,
        global = true
    )]
    pub report_cache: bool,

    /// The service's secret key file (created on first start; keep it out of database backups):
    /// see `keys`. Unset: `sipas.key` beside the SQLite file, or `data/sipas.key` for PostgreSQL.
    #[arg(long, env = "SIPAS_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,

    /// The host names (with the port, `host:port`, unless it is 80/443) requests may name in
    /// `Host` / `X-Forwarded-Host`, comma-separated; others get 400 `host_not_allowed`, so no
    /// link is ever made from a forged Host. Empty (the default): the bind address's host,
    /// `localhost`, `127.0.0.1` and `[::1]` with the listening port. The host of
    /// `SIPAS_PUBLIC_URL` is always allowed.
    #[arg(
        long,
        env = "SIPAS_ALLOWED_HOSTS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_hosts: Vec<String>,

    /// The heading of the Word báo cáo (Nghị định 30/2020).
    #[command(flatten)]
    pub letterhead: LetterheadSettings,
}

/// Who issues the Word báo cáo and where (Nghị định 30/2020): each unset one is derived from the
/// reported unit (`reporting::document::letterhead`).
#[derive(Debug, Clone, Default, Args)]
pub struct LetterheadSettings {
    /// The governing body, top left, e.g. "UBND HUYỆN TUY PHƯỚC" (default: "UBND " and the
    /// reported unit's name in capitals).
    #[arg(long = "report-issuer", env = "SIPAS_REPORT_ISSUER", global = true)]
    pub issuer: Option<String>,
    /// The issuing office under it, e.g. "PHÒNG NỘI VỤ" (default by the unit's level: SỞ NỘI VỤ
    /// for a province, PHÒNG NỘI VỤ for a district, none for a commune). "-" for none.
    #[arg(long = "report-office", env = "SIPAS_REPORT_OFFICE", global = true)]
    pub office: Option<String>,
    /// The document symbol after "Số: …/", e.g. "BC-PNV" (default from the office).
    #[arg(long = "report-symbol", env = "SIPAS_REPORT_SYMBOL", global = true)]
    pub symbol: Option<String>,
    /// The place on the date line, e.g. "Tuy Phước" (default: the unit's name without its level).
    #[arg(long = "report-place", env = "SIPAS_REPORT_PLACE", global = true)]
    pub place: Option<String>,
    /// The signer's title above the signature, e.g. "TRƯỞNG PHÒNG" (default from the office).
    #[arg(long = "report-signer", env = "SIPAS_REPORT_SIGNER", global = true)]
    pub signer: Option<String>,
}

impl Config {
    /// Fills the default allowed hosts (see `allowed_hosts`) for the address listened on, and
    /// adds the public URL's host; entries are trimmed and lower-cased.
    pub fn resolve_allowed_hosts(&mut self, bound: std::net::SocketAddr) {
        let mut hosts: Vec<String> = self
            .allowed_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        if hosts.is_empty() {
            let port = bound.port();
            let ip = match bound.ip() {
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            for host in [ip.as_str(), "localhost", "127.0.0.1", "[::1]"] {
                hosts.push(format!("{host}:{port}"));
                if port == 80 {
                    hosts.push(host.to_string());
                }
            }
        }
        if let Some(url) = self.public_url.as_deref() {
            let url = url.trim().to_ascii_lowercase();
            if let Some((_, rest)) = url.split_once("://") {
                let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
                if !authority.is_empty() {
                    hosts.push(authority.to_string());
                }
            }
        }
        self.allowed_hosts = hosts;
    }

    /// Whether `host` (a `Host` header's value) is one of the allowed hosts.
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        self.allowed_hosts.contains(&host)
    }

    /// Where the service's secret key is kept (see `key_file`).
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| crate::platform::keys::default_path(&self.database_url))
    }

    /// Whether submissions go through the group-commit writer (see `group_commit`).
    pub fn group_commit_enabled(&self) -> bool {
        self.group_commit.unwrap_or(
            crate::store::Backend::of_url(&self.database_url) == crate::store::Backend::Sqlite,
        )
    }

    /// How long a client may take to send a request's body (`body_timeout_seconds`, at least 1 s).
    pub fn body_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.body_timeout_seconds.max(1)))
    }

    pub fn session_ttl(&self) -> TimeDelta {
        TimeDelta::seconds(i64::from(self.session_seconds.max(1)))
    }
}
