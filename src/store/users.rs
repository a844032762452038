//! Staff accounts and their sessions (bearer tokens, stored as SHA-256 hashes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{SessionRow, UserRow};
use super::schema::{sessions, users};
use super::{DbConnection, StoreError};

pub fn insert(conn: &mut DbConnection, user: &UserRow) -> Result<(), StoreError> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_session(conn: &mut DbConnection, session: &SessionRow) -> Result<(), StoreError> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

/// The enabled user owning an unexpired session with this token hash.
pub fn find_session_user(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<(SessionRow, UserRow)>, StoreError> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?)
}

pub fn delete_session(conn: &mut DbConnection, token_hash: &str) -> Result<usize, StoreError> {
    Ok(diesel::delete(sessions::table.find(token_hash)).execute(conn)?)
}

/// Removes expired sessions; returns how many.
pub fn delete_expired_sessions(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?)
}

/// Every user, by username.
pub fn list(conn: &mut DbConnection) -> Result<Vec<UserRow>, StoreError> {
    Ok(users::table
        .order(users::username.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

pub fn find_by_id(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets a user's password hash; returns how many rows changed (0: no such user).
pub fn set_password_hash(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)?)
}

/// Sets a user's role and whether the account is disabled.
pub fn set_role_and_disabled(
    conn: &mut DbConnection,
    id: &str,
    role: &str,
    disabled: bool,
) -> Result<usize, StoreError> {
    diesel::update(users::table.find(id))
        .set((users::role.eq(role), users::disabled.eq(disabled)))
        .execute(conn)
        .map_err(StoreError::from_diesel)
}

/// How many enabled accounts have the admin role.
pub fn count_enabled_admins(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::role.eq("admin"))
        .filter(users::disabled.eq(false))
        .count()
        .get_result(conn)?)
}

/// Inside a transaction, first: serialises the transactions that check "another enabled admin
/// remains" before disabling or demoting one, so that two admins demoting each other at the same
/// moment cannot both succeed. PostgreSQL: a transaction-scoped advisory lock (one lock, so no
/// deadlock). SQLite: a no-op write, which takes the database's write lock at once (a first
/// statement that waits for the lock is retried on a fresh snapshot; a read first would not be).
pub fn lock_admins(conn: &mut DbConnection) -> Result<(), StoreError> {
    match conn {
        DbConnection::Pg(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({ADMINS_LOCK})"))
                .execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            diesel::update(users::table.filter(users::role.eq("admin")))
                .set(users::role.eq(users::role))
                .execute(sqlite)?;
        }
    }
    Ok(())
}

/// The advisory lock key of [`lock_admins`] (arbitrary, fixed).
const ADMINS_LOCK: i64 = 0x5150_4153_0001;

/// Revokes every session of a user; returns how many.
pub fn delete_sessions_of(conn: &mut DbConnection, user_id: &str) -> Result<usize, StoreError> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}
