//! Test harness: boots the real application on port 0 against a fresh database — a temporary
//! SQLite file, or a throwaway PostgreSQL database — and talks to it over HTTP.
//!
//! PostgreSQL: `SIPAS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! names a server where databases may be created. When it cannot be reached the PostgreSQL
//! variant of each test says it is skipped — unless `SIPAS_REQUIRE_POSTGRES=1` (CI), where that
//! is a failure.
#![allow(dead_code)]

mod audit;
mod db;
mod forms;
mod http;
mod images;
mod page;
mod paper;
mod process;
mod report;
mod session;

// Not every test binary uses every helper.
#[allow(unused_imports)]
pub use audit::*;
#[allow(unused_imports)]
pub use db::*;
#[allow(unused_imports)]
pub use forms::*;
#[allow(unused_imports)]
pub use http::*;
#[allow(unused_imports)]
pub use images::*;
#[allow(unused_imports)]
pub use page::*;
#[allow(unused_imports)]
pub use paper::*;
#[allow(unused_imports)]
pub use process::*;
#[allow(unused_imports)]
pub use report::*;
#[allow(unused_imports)]
pub use session::*;

use std::path::PathBuf;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sipas::domain::Role;
use sipas::platform::config::Config;
use sipas::startup::Application;
use sipas::store::{self, DbConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub database_url: String,
    pub backend: Backend,
    pub client: reqwest::Client,
    server: actix_web::dev::ServerHandle,
    _db: FreshDb,
}

pub fn test_config(database_url: &str) -> Config {
    Config {
        database_url: database_url.to_string(),
        tz: chrono_tz::Asia::Ho_Chi_Minh,
        forms_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/survey-forms")),
        session_seconds: 3600,
        db_pool: 8,
        secure_cookies: false,
        public_url: None,
        trust_proxy: false,
        login_max_failures: 5,
        login_address_max_failures: 20,
        login_window_seconds: 900,
        login_max_delay_seconds: 900,
        public_burst: 60,
        public_per_hour: 600,
        staff_burst: 120,
        staff_per_hour: 1200,
        body_timeout_seconds: 10,
        kiosk_idle_seconds: 90,
        kiosk_warning_seconds: 30,
        kiosk_thanks_seconds: 8,
        kiosk_burst: 10,
        kiosk_per_hour: 240,
        comment_retention_days: 730,
        group_commit: Some(true),
        report_cache: true,
        key_file: None,
        allowed_hosts: Vec::new(),
        letterhead: Default::default(),
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app after `adjust` has changed its configuration.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let db = FreshDb::new(backend)?;
        let database_url = db.url.clone();
        let mut config = test_config(&database_url);
        adjust(&mut config);
        let app = Application::build(config, "127.0.0.1:0")
            .await
            .expect("the application starts");
        let server = app.server.handle();
        tokio::spawn(app.server);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Some(TestApp {
            address: format!("http://127.0.0.1:{}", app.port),
            port: app.port,
            database_url,
            backend,
            client,
            server,
            _db: db,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// Submits to the service form's JSON API.
    pub async fn submit(&self, body: &Value) -> reqwest::Response {
        self.post_json("/api/v1/forms/sipas-dich-vu/responses", body)
            .await
    }

    /// A direct connection to the app's database, to look at what is really stored.
    pub fn db(&self) -> DbConnection {
        store::connect(&self.database_url).expect("connect to the test database")
    }

    /// (responses, answers) stored now.
    pub fn counts(&self) -> (i64, i64) {
        store::responses::counts(&mut self.db()).expect("count rows")
    }

    /// Creates a user directly in the database; returns its password.
    pub fn create_user(&self, username: &str, role: Role) -> String {
        let password = format!("pw-{username}-0123456789");
        sipas::auth::create_user(&mut self.db(), username, &password, role).expect("create user");
        password
    }

    /// Creates a user with this role and logs in; returns the bearer token.
    pub async fn token_for(&self, role: Role) -> String {
        let username = format!(
            "{}-{}",
            role.as_str(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let password = self.create_user(&username, role);
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login of a fresh user");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().expect("token").to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the database is removed after (FreshDb's Drop).
        drop(self.server.stop(false));
    }
}

/// A fresh client id (a UUID v4), as the pages' script makes one.
pub fn new_client_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The lowercase hex SHA-256 of `content`.
pub fn sha256_hex(content: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(content.as_ref()))
}

/// A secret link token: long, random-looking and URL-safe.
pub fn assert_secret_token(token: &str) {
    assert!(token.len() >= 32, "a long random token: {token}");
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "a URL-safe token: {token}"
    );
}

/// Cases per property: `PROPTEST_CASES` when set, else `default`.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Asserts the API.md error shape and returns the body.
pub async fn expect_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "error code in {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "Vietnamese message in {body}"
    );
    assert!(
        body["error"]["message_en"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "English message in {body}"
    );
    body
}

/// The field codes of a 422 body, as (field, code) pairs.
pub fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or("").to_string(),
                        f["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Defines `mod $name { sqlite, postgres }`: the same async test body against both backends;
/// with `$adjust` (a `fn(&mut Config)` of the calling module, or a closure), on an app whose
/// configuration it has changed.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = $crate::common::Backend::Sqlite;
                if let Some(app) = $crate::common::TestApp::spawn(backend).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let backend = $crate::common::Backend::Postgres;
                if let Some(app) = $crate::common::TestApp::spawn(backend).await {
                    super::$name(app).await;
                }
            }
        }
    };
    ($name:ident, $adjust:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = $crate::common::Backend::Sqlite;
                if let Some(app) = $crate::common::TestApp::spawn_with(backend, $adjust).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let backend = $crate::common::Backend::Postgres;
                if let Some(app) = $crate::common::TestApp::spawn_with(backend, $adjust).await {
                    super::$name(app).await;
                }
            }
        }
    };
}
