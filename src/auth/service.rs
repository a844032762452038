//! Users and sessions on top of the store.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::Connection;
use serde::Serialize;
use serde_json::json;

use super::{
    check_password_policy, check_username, hash_password, new_token, token_hash, verify_password,
    AuthError,
};
use crate::domain::{Role, UserId};
use crate::platform::audit::{self, Entry, Outcome};
use crate::store::models::{SessionRow, UserRow};
use crate::store::{now_utc, users, DbConnection, StoreError};

/// An authenticated staff member.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    /// SHA-256 of the token this request presented (to revoke it on logout).
    #[serde(skip)]
    pub token_hash: String,
}

impl Staff {
    pub fn require(&self, allowed: &[Role]) -> Result<(), AuthError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(AuthError::Forbidden(self.role))
        }
    }
}

/// A newly opened session.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: NaiveDateTime,
    pub role: Role,
    /// The account's username (for the device cookie).
    pub username: String,
}

pub fn create_user(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    role: Role,
) -> Result<UserId, AuthError> {
    check_username(username)?;
    check_password_policy(password, username)?;
    if users::find_by_username(conn, username)?.is_some() {
        return Err(AuthError::UserExists(username.to_string()));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let row = UserRow {
        id: id.clone(),
        username: username.to_string(),
        password_hash: hash_password(password)?,
        role: role.as_str().to_string(),
        disabled: false,
        created_at: now_utc(),
    };
    match users::insert(conn, &row) {
        Ok(()) => Ok(UserId(id)),
        Err(StoreError::Constraint(_)) => Err(AuthError::UserExists(username.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// The name a login attempt gave, fit for the audit log: at most 64 characters, control
/// characters (PostgreSQL refuses NUL in text) replaced.
pub fn tried_name(username: &str) -> String {
    username
        .trim()
        .chars()
        .take(64)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// The audit record of a refused login: the name tried as actor, outcome `denied`.
pub fn refused_login(entry: &Entry, username: &str, reason: serde_json::Value) -> Entry {
    entry
        .clone()
        .by_name(&tried_name(username))
        .outcome(Outcome::Denied)
        .detail(reason)
}

/// Checks a username and password and opens a session. Unknown users cost the same argon2
/// verification as known ones (against `dummy_hash`), so timing does not tell them apart.
///
/// `entry` is the `login` audit record of the request (address); the session and its record are
/// written in one transaction, a refusal is recorded with the name tried.
pub fn login(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    ttl: TimeDelta,
    dummy_hash: &str,
    entry: &Entry,
) -> Result<Session, AuthError> {
    // Text that cannot be a username is never sent to the database (PostgreSQL refuses NUL bytes).
    let user = match check_username(username) {
        Ok(()) => users::find_by_username(conn, username)?,
        Err(_) => None,
    };
    let stored = user
        .as_ref()
        .map_or(dummy_hash, |u| u.password_hash.as_str());
    let password_ok = verify_password(password, stored);
    let user = match user {
        Some(u) if password_ok && !u.disabled => u,
        _ => {
            let refused = refused_login(entry, username, json!({"reason": "invalid_credentials"}));
            audit::record(conn, &refused)?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    let role = user.role.parse::<Role>().map_err(|()| {
        StoreError::Corrupt(format!(
            "user {} has unknown role {}",
            user.username, user.role
        ))
    })?;
    let token = new_token()?;
    let now = now_utc();
    let expires_at = now + ttl;
    let mut record = entry.clone().by_name(&user.username);
    record.role = Some(role.as_str().to_string());
    conn.transaction(|c| {
        users::insert_session(
            c,
            &SessionRow {
                token_hash: token_hash(&token),
                user_id: user.id.clone(),
                created_at: now,
                expires_at,
            },
        )?;
        audit::record(c, &record)?;
        Ok::<(), TxError>(())
    })
    .map_err(StoreError::from)?;
    Ok(Session {
        token,
        expires_at,
        role,
        username: user.username,
    })
}

/// Errors inside a store transaction: diesel's own (commit, rollback) or the store's.
#[derive(Debug)]
pub(crate) struct TxError(pub StoreError);

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError(StoreError::from_diesel(e))
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError(e)
    }
}

impl From<TxError> for StoreError {
    fn from(e: TxError) -> Self {
        e.0
    }
}

/// The staff member behind a bearer token or session cookie, if it is valid now.
pub fn authenticate_token(conn: &mut DbConnection, token: &str) -> Result<Staff, AuthError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthError::Unauthenticated);
    }
    let hash = token_hash(token);
    let (_, user) =
        users::find_session_user(conn, &hash, now_utc())?.ok_or(AuthError::Unauthenticated)?;
    let role = user.role.parse::<Role>().map_err(|()| {
        StoreError::Corrupt(format!(
            "user {} has unknown role {}",
            user.username, user.role
        ))
    })?;
    Ok(Staff {
        id: UserId(user.id),
        username: user.username,
        role,
        token_hash: hash,
    })
}

/// Revokes the session the staff member used (and records `entry` with it); also sweeps
/// expired sessions.
pub fn logout(conn: &mut DbConnection, staff: &Staff, entry: &Entry) -> Result<(), AuthError> {
    conn.transaction(|c| {
        users::delete_session(c, &staff.token_hash)?;
        users::delete_expired_sessions(c, now_utc())?;
        audit::record(c, entry)?;
        Ok::<(), TxError>(())
    })
    .map_err(StoreError::from)?;
    Ok(())
}
