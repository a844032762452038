//! Test harness: boots the real application on port 0 against a fresh database — a temporary
//! SQLite file, or a throwaway PostgreSQL database — and talks to it over HTTP.
//!
//! PostgreSQL: `SIPAS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! names a server where databases may be created. When it cannot be reached the PostgreSQL
//! variant of each test says it is skipped — unless `SIPAS_REQUIRE_POSTGRES=1` (CI), where that
//! is a failure.
#![allow(dead_code)]

mod http;
mod images;
mod page;

// Not every test binary uses every helper.
#[allow(unused_imports)]
pub use http::*;
#[allow(unused_imports)]
pub use images::*;
#[allow(unused_imports)]
pub use page::*;

use std::path::PathBuf;

use diesel::prelude::*;
use diesel::{Connection, PgConnection};
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

enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub database_url: String,
    pub backend: Backend,
    pub client: reqwest::Client,
    server: actix_web::dev::ServerHandle,
    _db: TestDb,
}

pub fn pg_admin_url() -> String {
    std::env::var("SIPAS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var("SIPAS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// A fresh, empty database of the given backend; `None` when PostgreSQL is not reachable and not
/// required.
fn fresh_database(backend: Backend) -> Option<(String, TestDb)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = dir.path().join("sipas.db").display().to_string();
            Some((url, TestDb::Sqlite(dir)))
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let mut admin = match PgConnection::establish(&admin_url) {
                Ok(conn) => conn,
                Err(e) if !postgres_required() => {
                    eprintln!("SKIPPED (PostgreSQL at {admin_url} not reachable: {e}); set SIPAS_REQUIRE_POSTGRES=1 to fail instead");
                    return None;
                }
                Err(e) => panic!("PostgreSQL at {admin_url} is required but not reachable: {e}"),
            };
            let name = format!("sipas_test_{}", uuid::Uuid::new_v4().simple());
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut admin)
                .expect("create test database");
            let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
            Some((
                format!("{base}/{name}"),
                TestDb::Postgres { admin_url, name },
            ))
        }
    }
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
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app after `adjust` has changed its configuration.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let (database_url, db) = fresh_database(backend)?;
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
        // Stop accepting; the database is removed after (TestDb's Drop).
        drop(self.server.stop(false));
    }
}

/// A complete, valid answer set for the service form on the kiosk/phone channels (no PAKN).
pub fn full_answers() -> Value {
    json!({
        "da_pakn": "khong",
        "TC1": 5, "TC2": 4, "TC3": 4, "TC4": 3,
        "TT1": 5, "TT2": 5, "TT3": 4, "TT4": 2,
        "CC1": 5, "CC2": 4, "CC3": 4, "CC4": 5, "CC5": 5,
        "KQ1": 4, "KQ2": 4, "KQ3": 5
    })
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

/// A valid JSON submission body with a fresh client_id.
pub fn valid_submission() -> Value {
    json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": "phuoc-son",
        "channel": "phone",
        "answers": full_answers(),
    })
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

/// A copy of the form files (not the unit trees), for a test that uploads new versions.
pub fn forms_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let source = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/survey-forms"));
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}
