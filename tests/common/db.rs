//! Fresh databases: a temporary SQLite file, or a throwaway PostgreSQL database dropped at the
//! end. Used by [`TestApp`](super::TestApp), and directly by the tests that run the real binary
//! or the migrations against a database of their own.

use diesel::prelude::*;
use diesel::{Connection, PgConnection};

use super::Backend;

/// Where PostgreSQL test databases may be created: `SIPAS_TEST_POSTGRES_URL`, by default
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub fn pg_admin_url() -> String {
    std::env::var("SIPAS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether an unreachable PostgreSQL is a failure (`SIPAS_REQUIRE_POSTGRES=1`, CI) rather than a
/// skipped test.
pub fn postgres_required() -> bool {
    std::env::var("SIPAS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// A fresh, empty database of one backend, removed when dropped.
pub struct FreshDb {
    pub url: String,
    _held: Held,
}

enum Held {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl FreshDb {
    /// `None` (after saying the test is skipped) when PostgreSQL is not reachable and not
    /// required; a panic when it is required.
    pub fn new(backend: Backend) -> Option<FreshDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = dir.path().join("sipas.db").display().to_string();
                Some(FreshDb {
                    url,
                    _held: Held::Sqlite(dir),
                })
            }
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let mut admin = match PgConnection::establish(&admin_url) {
                    Ok(conn) => conn,
                    Err(e) if !postgres_required() => {
                        eprintln!("SKIPPED (PostgreSQL at {admin_url} not reachable: {e}); set SIPAS_REQUIRE_POSTGRES=1 to fail instead");
                        return None;
                    }
                    Err(e) => {
                        panic!("PostgreSQL at {admin_url} is required but not reachable: {e}")
                    }
                };
                let name = format!("sipas_test_{}", uuid::Uuid::new_v4().simple());
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut admin)
                    .expect("create test database");
                let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
                Some(FreshDb {
                    url: format!("{base}/{name}"),
                    _held: Held::Postgres { admin_url, name },
                })
            }
        }
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        if let Held::Postgres { admin_url, name } = &self._held {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
            }
        }
    }
}
