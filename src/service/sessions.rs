//! Staff sessions: log in, log out, change one's own password. Each writes its audit record
//! (`login`, `logout`, `password.change`), a refusal included. Logging in and changing a password
//! verify an argon2 hash: call them off the async workers. The login throttle is the front
//! door's (it counts per client address and device cookie); what it refuses is recorded here.

use chrono::TimeDelta;
use serde_json::{json, Value};

use super::users::record_refusal;
use super::{in_transaction, record, Actor, ServiceError};
use crate::auth::accounts::{self, AccountError};
use crate::auth::{self, AuthError, Session};
use crate::platform::audit::{Entry, Outcome};
use crate::store::DbConnection;

/// The audit action of a login, successful or refused.
pub const LOGIN_AUDIT_ACTION: &str = "login";
/// The audit action of a logout.
pub const LOGOUT_AUDIT_ACTION: &str = "logout";
/// The audit action of a change of one's own password, successful or refused.
pub const PASSWORD_CHANGE_AUDIT_ACTION: &str = "password.change";

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

/// The audit record of a refused login from `address_hash`: the name tried as actor, outcome
/// `denied`, `reason` as detail.
pub fn refused_login(address_hash: Option<String>, username: &str, reason: Value) -> Entry {
    Entry::new(LOGIN_AUDIT_ACTION)
        .from_address(address_hash)
        .by_name(&tried_name(username))
        .outcome(Outcome::Denied)
        .detail(reason)
}

/// The audit record of `actor`'s change of their own password (before its outcome).
pub fn password_change(actor: &Actor) -> Entry {
    actor
        .entry(PASSWORD_CHANGE_AUDIT_ACTION)
        .target(actor.name.as_str())
}

/// Records an attempt the login throttle refused before any password was checked: `refused`
/// ([`refused_login`] or [`password_change`]) as `denied`, with the reason `throttled` and the
/// seconds to wait.
pub fn record_throttled(
    conn: &mut DbConnection,
    refused: &Entry,
    retry_after: u64,
) -> Result<(), ServiceError> {
    let mut detail = refused.detail.clone().unwrap_or_else(|| json!({}));
    detail["reason"] = json!("throttled");
    detail["retry_after"] = json!(retry_after);
    record(
        conn,
        &refused.clone().outcome(Outcome::Denied).detail(detail),
    )
}

/// Checks a username and password (from the client whose address hashes to `address_hash`) and
/// opens a session of `ttl`. Unknown users cost the same argon2 verification as known ones
/// (`dummy_hash`). The session and its `login` record are written in one transaction; a refusal
/// is recorded with the name tried (`invalid_credentials`).
pub fn login(
    conn: &mut DbConnection,
    address_hash: Option<String>,
    username: &str,
    password: &str,
    ttl: TimeDelta,
    dummy_hash: &str,
) -> Result<Session, ServiceError> {
    let (user, role) = match auth::check_login(conn, username, password, dummy_hash) {
        Err(AuthError::InvalidCredentials) => {
            let reason = json!({"reason": "invalid_credentials"});
            record(conn, &refused_login(address_hash, username, reason))?;
            return Err(AuthError::InvalidCredentials.into());
        }
        checked => checked?,
    };
    let entry = Entry::new(LOGIN_AUDIT_ACTION)
        .by_name(&user.username)
        .with_role(Some(role.as_str()))
        .from_address(address_hash);
    let session = in_transaction(conn, |c| {
        Ok::<_, AuthError>((auth::open_session(c, &user, role, ttl)?, entry))
    })?;
    Ok(session)
}

/// Ends the session whose token hash is `token_hash` (`logout`); also sweeps expired sessions.
pub fn logout(
    conn: &mut DbConnection,
    actor: &Actor,
    token_hash: &str,
) -> Result<(), ServiceError> {
    in_transaction(conn, |c| {
        auth::end_session(c, token_hash)?;
        Ok::<_, AuthError>(((), actor.entry(LOGOUT_AUDIT_ACTION)))
    })?;
    Ok(())
}

/// The password policy for `actor`'s new password, checked before any password is verified (so
/// that a refusal by policy is neither throttled nor counted).
pub fn check_new_password(actor: &Actor, new_password: &str) -> Result<(), ServiceError> {
    match accounts::password_field_error("new_password", new_password, &actor.name) {
        Some(problem) => Err(ServiceError::Invalid(vec![problem])),
        None => Ok(()),
    }
}

/// `actor` changes their own password (`password.change`): the current one must be right (a
/// wrong one is recorded as `denied`, `wrong_current_password`); every session of theirs ends,
/// the one of this request included.
pub fn change_password(
    conn: &mut DbConnection,
    actor: &Actor,
    current_password: &str,
    new_password: &str,
) -> Result<(), ServiceError> {
    let request = password_change(actor);
    let (user, hash) =
        match accounts::new_own_password(conn, &actor.name, current_password, new_password) {
            Err(e @ AccountError::WrongPassword) => {
                record_refusal(conn, &request, &e)?;
                return Err(e.into());
            }
            checked => checked?,
        };
    in_transaction(conn, |c| {
        let changed = accounts::set_own_password(c, &user, &hash, &request)?;
        Ok::<_, AccountError>(((), changed))
    })?;
    Ok(())
}
