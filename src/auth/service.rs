//! Users and sessions on top of the store. Nothing here writes the audit log: the service
//! actions that call these (`service::sessions`, `service::users`) do.

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
    /// The account's username (for the device cookie).
    pub username: String,
}

/// Creates an account, with no audit record: for fixtures and tests. Staff (the API, the pages)
/// and the command line create accounts through `service::users::create`, which records it.
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
    let row = new_user_row(username, role, password)?;
    insert_user(conn, &row)?;
    Ok(UserId(row.id))
}

/// A new enabled account's row, its password hashed (argon2: slow).
pub(crate) fn new_user_row(
    username: &str,
    role: Role,
    password: &str,
) -> Result<UserRow, AuthError> {
    Ok(UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.to_string(),
        password_hash: hash_password(password)?,
        role: role.as_str().to_string(),
        disabled: false,
        created_at: now_utc(),
    })
}

/// Stores a new account; a username taken meanwhile is `UserExists`.
pub(crate) fn insert_user(conn: &mut DbConnection, row: &UserRow) -> Result<(), AuthError> {
    match users::insert(conn, row) {
        Ok(()) => Ok(()),
        Err(StoreError::Constraint(_)) => Err(AuthError::UserExists(row.username.clone())),
        Err(e) => Err(e.into()),
    }
}

/// The account a login names, if `password` is its password and it is enabled. Unknown users
/// cost the same argon2 verification as known ones (against `dummy_hash`), so timing does not
/// tell them apart. Blocking (argon2): call it off the async workers.
pub fn check_login(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    dummy_hash: &str,
) -> Result<(UserRow, Role), AuthError> {
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
    let role = role_of(&user)?;
    Ok((user, role))
}

/// The account's role (an unknown one is a corrupt row).
pub(crate) fn role_of(user: &UserRow) -> Result<Role, StoreError> {
    user.role.parse::<Role>().map_err(|()| {
        StoreError::Corrupt(format!(
            "user {} has unknown role {}",
            user.username, user.role
        ))
    })
}

/// Opens a session of `ttl` for the account [`check_login`] admitted.
pub fn open_session(
    conn: &mut DbConnection,
    user: &UserRow,
    role: Role,
    ttl: TimeDelta,
) -> Result<Session, AuthError> {
    let token = new_token()?;
    let now = now_utc();
    let expires_at = now + ttl;
    users::insert_session(
        conn,
        &SessionRow {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at,
        },
    )?;
    Ok(Session {
        token,
        expires_at,
        role,
        username: user.username.clone(),
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
    let role = role_of(&user)?;
    Ok(Staff {
        id: UserId(user.id),
        username: user.username,
        role,
        token_hash: hash,
    })
}

/// Revokes the session whose token hash is `token_hash`; also sweeps expired sessions.
pub fn end_session(conn: &mut DbConnection, token_hash: &str) -> Result<(), AuthError> {
    users::delete_session(conn, token_hash)?;
    users::delete_expired_sessions(conn, now_utc())?;
    Ok(())
}
