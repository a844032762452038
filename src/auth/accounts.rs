//! Account administration (create, change role, disable, reset a password) and a staff member's
//! own password change. Every change is written in one transaction with its audit record; a
//! change of role, of the disabled flag or of the password revokes the user's sessions in that
//! same transaction, so their tokens answer 401 at once.
//!
//! Rules that keep the service administrable: an admin cannot disable or demote themselves, and
//! the last enabled admin cannot be disabled or demoted (checked under a lock of the admins' rows,
//! so two admins demoting each other at the same moment cannot both succeed).

use diesel::Connection;
use serde_json::json;

use super::{check_username, hash_password, password_problem, verify_password, AuthError, Staff};
use crate::domain::FieldError;
use crate::domain::Role;
use crate::platform::audit::{self, Entry, Outcome};
use crate::store::models::UserRow;
use crate::store::{now_utc, users, DbConnection, StoreError};

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("no such user")]
    NotFound,
    #[error("an admin cannot disable or demote their own account")]
    OwnAccount,
    #[error("the last enabled admin cannot be disabled or demoted")]
    LastAdmin,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("a user named {0} exists already")]
    UserExists(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        AccountError::Store(StoreError::from_diesel(e))
    }
}

impl AccountError {
    /// A refusal by rule (recorded in the audit log as `denied`), rather than bad input.
    fn reason(&self) -> Option<&'static str> {
        match self {
            AccountError::OwnAccount => Some("own_account"),
            AccountError::LastAdmin => Some("last_admin"),
            AccountError::WrongPassword => Some("wrong_current_password"),
            _ => None,
        }
    }
}

/// The field error for a password that breaks the policy, if it does.
pub fn password_field_error(field: &str, password: &str, username: &str) -> Option<FieldError> {
    password_problem(password, username)
        .map(|p| FieldError::new(field, p.code(), p.message(), p.message_en()))
}

fn username_field_error(username: &str) -> Option<FieldError> {
    check_username(username).err().map(|_| {
        FieldError::new(
            "username",
            "invalid",
            "Tên đăng nhập phải có 3–64 ký tự: chữ thường không dấu, chữ số, '.', '_' hoặc '-'.",
            "The username must have 3–64 characters: lowercase letters, digits, '.', '_' or '-'.",
        )
    })
}

fn role_of(user: &UserRow) -> Result<Role, StoreError> {
    user.role.parse::<Role>().map_err(|()| {
        StoreError::Corrupt(format!(
            "user {} has unknown role {}",
            user.username, user.role
        ))
    })
}

/// Records a refusal by rule as `denied` (the reason in the detail).
fn record_refusal(
    conn: &mut DbConnection,
    entry: &Entry,
    error: &AccountError,
) -> Result<(), StoreError> {
    let Some(reason) = error.reason() else {
        return Ok(());
    };
    let mut detail = entry.detail.clone().unwrap_or_else(|| json!({}));
    detail["reason"] = json!(reason);
    audit::record(conn, &entry.clone().outcome(Outcome::Denied).detail(detail))
}

/// Runs `change` in a transaction that also writes the audit record it returns (none: nothing
/// changed). A refusal by rule is recorded as `denied` after the rollback.
fn audited<T>(
    conn: &mut DbConnection,
    entry: &Entry,
    change: impl FnOnce(&mut DbConnection) -> Result<(T, Option<Entry>), AccountError>,
) -> Result<T, AccountError> {
    let result = conn.transaction(|c| {
        let (value, record) = change(c)?;
        if let Some(record) = record {
            audit::record(c, &record)?;
        }
        Ok(value)
    });
    if let Err(e) = &result {
        record_refusal(conn, entry, e)?;
    }
    result
}

/// Creates an account (`user.create`). The password must meet the policy.
pub fn create_account(
    conn: &mut DbConnection,
    username: &str,
    role: Role,
    password: &str,
    entry: &Entry,
) -> Result<UserRow, AccountError> {
    let problems: Vec<FieldError> = username_field_error(username)
        .into_iter()
        .chain(password_field_error("password", password, username))
        .collect();
    if !problems.is_empty() {
        return Err(AccountError::Invalid(problems));
    }
    if users::find_by_username(conn, username)?.is_some() {
        return Err(AccountError::UserExists(username.to_string()));
    }
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.to_string(),
        password_hash: hash_password(password)?,
        role: role.as_str().to_string(),
        disabled: false,
        created_at: now_utc(),
    };
    let entry = entry
        .clone()
        .target(username)
        .detail(json!({"id": row.id, "role": role}));
    audited(conn, &entry, |c| {
        match users::insert(c, &row) {
            Ok(()) => {}
            Err(StoreError::Constraint(_)) => {
                return Err(AccountError::UserExists(username.to_string()))
            }
            Err(e) => return Err(e.into()),
        }
        Ok((row.clone(), Some(entry.clone())))
    })
}

/// Changes a user's role and/or disabled flag (`user.update`). Any effective change revokes the
/// user's sessions; asking for what already holds changes nothing and records nothing.
pub fn update_account(
    conn: &mut DbConnection,
    actor: &Staff,
    id: &str,
    role: Option<Role>,
    disabled: Option<bool>,
    entry: &Entry,
) -> Result<UserRow, AccountError> {
    if role.is_none() && disabled.is_none() {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "body",
            "nothing_to_change",
            "Không có thay đổi nào: gửi \"role\" và/hoặc \"disabled\".",
            "Nothing to change: send \"role\" and/or \"disabled\".",
        )]));
    }
    let Some(before) = users::find_by_id(conn, id)? else {
        return Err(AccountError::NotFound);
    };
    let mut detail = json!({"id": id});
    if let Some(role) = role {
        detail["role"] = json!(role);
    }
    if let Some(disabled) = disabled {
        detail["disabled"] = json!(disabled);
    }
    let entry = entry
        .clone()
        .target(before.username.as_str())
        .detail(detail);
    audited(conn, &entry, |c| {
        // First statement: takes the lock before anything is read.
        users::lock_admins(c)?;
        let user = users::find_by_id(c, id)?.ok_or(AccountError::NotFound)?;
        let role_before = role_of(&user)?;
        let role_after = role.unwrap_or(role_before);
        let disabled_after = disabled.unwrap_or(user.disabled);
        if role_after == role_before && disabled_after == user.disabled {
            return Ok((user, None));
        }
        let loses_admin = role_before == Role::Admin
            && !user.disabled
            && (role_after != Role::Admin || disabled_after);
        if loses_admin {
            if user.id == actor.id.0 {
                return Err(AccountError::OwnAccount);
            }
            if users::count_enabled_admins(c)? <= 1 {
                return Err(AccountError::LastAdmin);
            }
        }
        users::set_role_and_disabled(c, id, role_after.as_str(), disabled_after)?;
        let revoked = users::delete_sessions_of(c, id)?;
        let mut detail = json!({"id": id, "sessions_revoked": revoked});
        if role_after != role_before {
            detail["role"] = json!({"from": role_before, "to": role_after});
        }
        if disabled_after != user.disabled {
            detail["disabled"] = json!({"from": user.disabled, "to": disabled_after});
        }
        let user = UserRow {
            role: role_after.as_str().to_string(),
            disabled: disabled_after,
            ..user
        };
        Ok((user, Some(entry.clone().detail(detail))))
    })
}

/// An admin sets a new password for a user (`user.password_reset`); the user's sessions end.
pub fn reset_password(
    conn: &mut DbConnection,
    id: &str,
    new_password: &str,
    entry: &Entry,
) -> Result<UserRow, AccountError> {
    let Some(user) = users::find_by_id(conn, id)? else {
        return Err(AccountError::NotFound);
    };
    if let Some(problem) = password_field_error("new_password", new_password, &user.username) {
        return Err(AccountError::Invalid(vec![problem]));
    }
    let hash = hash_password(new_password)?;
    let entry = entry.clone().target(user.username.as_str());
    audited(conn, &entry, |c| {
        if users::set_password_hash(c, id, &hash)? == 0 {
            return Err(AccountError::NotFound);
        }
        let revoked = users::delete_sessions_of(c, id)?;
        let record = entry
            .clone()
            .detail(json!({"id": id, "sessions_revoked": revoked}));
        Ok((user.clone(), Some(record)))
    })
}

/// A staff member changes their own password (`password.change`): the current one must be
/// right; every session of theirs ends, the one of this request included.
pub fn change_password(
    conn: &mut DbConnection,
    staff: &Staff,
    current_password: &str,
    new_password: &str,
    entry: &Entry,
) -> Result<(), AccountError> {
    if let Some(problem) = password_field_error("new_password", new_password, &staff.username) {
        return Err(AccountError::Invalid(vec![problem]));
    }
    let user = users::find_by_id(conn, &staff.id.0)?.ok_or(AuthError::Unauthenticated)?;
    let entry = entry.clone().target(user.username.as_str());
    if !verify_password(current_password, &user.password_hash) {
        let refused = AccountError::WrongPassword;
        record_refusal(conn, &entry, &refused)?;
        return Err(refused);
    }
    if new_password == current_password {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "new_password",
            "unchanged",
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            "The new password must differ from the current one.",
        )]));
    }
    let hash = hash_password(new_password)?;
    audited(conn, &entry, |c| {
        users::set_password_hash(c, &user.id, &hash)?;
        let revoked = users::delete_sessions_of(c, &user.id)?;
        Ok((
            (),
            Some(entry.clone().detail(json!({"sessions_revoked": revoked}))),
        ))
    })
}
