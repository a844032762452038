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
