//! Users and sessions on top of the store.

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use super::{
    check_password_policy, check_username, hash_password, new_token, token_hash, verify_password,
    AuthError,
};
use crate::domain::{Role, UserId};
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
}

pub fn create_user(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    role: Role,
) -> Result<UserId, AuthError> {
    check_username(username)?;
    check_password_policy(password)?;
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

/// Checks a username and password and opens a session. Unknown users cost the same argon2
/// verification as known ones (against `dummy_hash`), so timing does not tell them apart.
pub fn login(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    ttl: TimeDelta,
    dummy_hash: &str,
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
        _ => return Err(AuthError::InvalidCredentials),
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
    users::insert_session(
        conn,
        &SessionRow {
            token_hash: token_hash(&token),
            user_id: user.id,
            created_at: now,
            expires_at,
        },
    )?;
    Ok(Session {
        token,
        expires_at,
        role,
    })
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

/// Revokes the session the staff member used; also sweeps expired sessions.
pub fn logout(conn: &mut DbConnection, staff: &Staff) -> Result<(), AuthError> {
    users::delete_session(conn, &staff.token_hash)?;
    users::delete_expired_sessions(conn, now_utc())?;
    Ok(())
}
