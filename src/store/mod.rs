//! Storage: the one place that knows SQL. SQLite (bundled) by default, PostgreSQL when the
//! database URL starts with `postgres://` — one binary, the backend chosen at run time.
//!
//! Every function here is blocking; the web layer calls them inside `web::block`.

pub mod audit;
pub mod bulk;
pub mod comments;
pub mod forms;
pub mod imports;
pub mod invitations;
pub mod kiosks;
pub mod mappings;
pub mod models;
pub mod paper;
pub mod response_versions;
pub mod responses;
pub mod schema;
pub mod selection;
pub mod settings;
pub mod units;
pub mod users;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to either backend. Queries written against `DbConnection` run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is not reachable: {0}")]
    Unavailable(String),
    #[error("a database constraint refused the change: {0}")]
    Constraint(String),
    #[error("database error: {0}")]
    Query(#[from] DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "database_unavailable",
            StoreError::Constraint(_) => "constraint_violation",
            StoreError::Query(_) => "database_error",
            StoreError::Migration(_) => "migration_failed",
            StoreError::Corrupt(_) => "corrupt_data",
        }
    }

    /// Sorts diesel errors: constraint violations are the caller's fault, not ours.
    pub fn from_diesel(e: DieselError) -> Self {
        match &e {
            DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation
                | DatabaseErrorKind::ForeignKeyViolation
                | DatabaseErrorKind::CheckViolation
                | DatabaseErrorKind::NotNullViolation,
                info,
            ) => StoreError::Constraint(info.message().to_string()),
            _ => StoreError::Query(e),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The SQLite file a URL names: `sqlite://path`, `sqlite:path` or a plain path.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Connection error of the pool manager (it must be one type for connect and check).
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Connect(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] DieselError),
}

/// An r2d2 manager that picks the backend from the URL and reports the real connection error at
/// once (diesel's stock manager waits out the pool timeout and then reports a generic error).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    pub fn new(url: &str) -> Self {
        let backend = Backend::of_url(url);
        let url = match backend {
            Backend::Postgres if !url.contains("connect_timeout") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}connect_timeout=5")
            }
            _ => url.to_string(),
        };
        Manager { url, backend }
    }
}

/// Every SQLite connection: write-ahead log, wait for locks rather than fail, and fsync on every
/// commit so that an acknowledged response survives a power cut.
// busy_timeout first: the journal_mode pragma itself may have to wait for another connection.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
    PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ManagerError;

    fn connect(&self) -> Result<DbConnection, ManagerError> {
        match self.backend {
            Backend::Postgres => Ok(DbConnection::Pg(diesel::PgConnection::establish(
                &self.url,
            )?)),
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(sqlite_path(&self.url))?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ManagerError> {
        ping(conn).map_err(ManagerError::from)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A trivial query: does the database answer?
pub fn ping(conn: &mut DbConnection) -> Result<(), DieselError> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// One connection outside any pool (command-line tools, tests).
pub fn connect(url: &str) -> Result<DbConnection, StoreError> {
    r2d2::ManageConnection::connect(&Manager::new(url))
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Opens a pool. For SQLite the file's folder is created if needed. Fails at once when the
/// database cannot be reached.
pub fn open_pool(url: &str, max_size: u32) -> Result<Pool, StoreError> {
    if Backend::of_url(url) == Backend::Sqlite {
        let path = PathBuf::from(sqlite_path(url));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
    }
    let manager = Manager::new(url);
    // Surface the real connection error instead of r2d2's timeout message.
    r2d2::ManageConnection::connect(&manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(5))
        .build(manager)
        .map_err(StoreError::from)
}

/// A pool that does not connect until asked (for tools and tests that must start without a
/// reachable database).
pub fn lazy_pool(url: &str, max_size: u32) -> Pool {
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(2))
        .build_unchecked(Manager::new(url))
}

/// Runs the pending migrations of the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let done = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(done.iter().map(ToString::to_string).collect())
}

/// Reverts every migration (used by tests of the down migrations).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let done = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(done.len())
}

/// The current time in UTC, truncated to microseconds (what both backends store).
/// Called first in a transaction that reads and then writes: on SQLite, takes the database's write
/// lock at once (waiting `busy_timeout` for another writer) instead of failing with "database is
/// locked" when a read snapshot has to be upgraded. PostgreSQL needs nothing here.
pub fn lock_for_write(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    if let DbConnection::Sqlite(_) = conn {
        diesel::sql_query("UPDATE units SET code = code WHERE 1 = 0").execute(conn)?;
    }
    Ok(())
}

pub fn now_utc() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
