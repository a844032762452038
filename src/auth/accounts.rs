//! Account administration (create, change role, disable, reset a password) and a staff member's
//! own password change: the checks and the changes. The service actions (`service::users`,
//! `service::sessions`) run each change in one transaction with its audit record, which the
//! functions here describe but never write; a change of role, of the disabled flag or of the
//! password revokes the user's sessions in that same transaction, so their tokens answer 401 at
//! once.
//!
//! Rules that keep the service administrable: an admin cannot disable or demote themselves, and
//! the last enabled admin cannot be disabled or demoted (checked under a lock of the admins' rows,
//! so two admins demoting each other at the same moment cannot both succeed).

use serde_json::json;

use super::service::{insert_user, new_user_row, role_of};
use super::{check_username, hash_password, password_problem, verify_password, AuthError, Staff};
use crate::domain::FieldError;
use crate::domain::Role;
use crate::platform::audit::Entry;
use crate::store::models::UserRow;
use crate::store::{users, DbConnection, StoreError};

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
    /// The reason of a refusal by rule (recorded in the audit log as `denied`), rather than bad
    /// input.
    pub fn reason(&self) -> Option<&'static str> {
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

/// Whoever asks for an account change. An admin's own account is recognised by its username
/// (usernames are unique and never change).
pub trait Requester {
    fn username(&self) -> &str;
}

impl Requester for Staff {
    fn username(&self) -> &str {
        &self.username
    }
}

/// A new account, checked and its password hashed (argon2: slow), to store with
/// [`insert_account`]. The username must be free and the password must meet the policy.
pub fn new_account(
    conn: &mut DbConnection,
    username: &str,
    role: Role,
    password: &str,
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
    Ok(new_user_row(username, role, password)?)
}

/// Stores a [`new_account`]; a username taken meanwhile is `UserExists`.
pub fn insert_account(conn: &mut DbConnection, row: &UserRow) -> Result<(), AccountError> {
    insert_user(conn, row).map_err(|e| match e {
        AuthError::UserExists(name) => AccountError::UserExists(name),
        e => e.into(),
    })
}

/// Refuses a change of role and disabled flag that names neither.
pub fn check_update(role: Option<Role>, disabled: Option<bool>) -> Result<(), AccountError> {
    if role.is_none() && disabled.is_none() {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "body",
            "nothing_to_change",
            "Không có thay đổi nào: gửi \"role\" và/hoặc \"disabled\".",
            "Nothing to change: send \"role\" and/or \"disabled\".",
        )]));
    }
    Ok(())
}

/// The record of an asked change of `user` (`user.update`): the user as target, what was asked
/// in the detail. A refusal by rule is recorded with it.
pub fn update_request(
    entry: &Entry,
    user: &UserRow,
    role: Option<Role>,
    disabled: Option<bool>,
) -> Entry {
    let mut detail = json!({"id": user.id});
    if let Some(role) = role {
        detail["role"] = json!(role);
    }
    if let Some(disabled) = disabled {
        detail["disabled"] = json!(disabled);
    }
    entry.clone().target(user.username.as_str()).detail(detail)
}

/// Changes a user's role and/or disabled flag, in the caller's transaction (the admins' lock it
/// takes first is held until that ends). Returns the account after and the record of the change,
/// built on `request` ([`update_request`]); asking for what already holds changes nothing and
/// has no record. Any effective change revokes the user's sessions.
pub fn update_account(
    conn: &mut DbConnection,
    actor: &impl Requester,
    id: &str,
    role: Option<Role>,
    disabled: Option<bool>,
    request: &Entry,
) -> Result<(UserRow, Option<Entry>), AccountError> {
    // First statement: takes the lock before anything is read.
    users::lock_admins(conn)?;
    let user = users::find_by_id(conn, id)?.ok_or(AccountError::NotFound)?;
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
        if user.username == actor.username() {
            return Err(AccountError::OwnAccount);
        }
        if users::count_enabled_admins(conn)? <= 1 {
            return Err(AccountError::LastAdmin);
        }
    }
    users::set_role_and_disabled(conn, id, role_after.as_str(), disabled_after)?;
    let revoked = users::delete_sessions_of(conn, id)?;
    let mut detail = json!({"id": id, "sessions_revoked": revoked});
    if role_after != role_before {
        detail["role"] = json!({"from": role_before, "to": role_after});
    }
    if disabled_after != user.disabled {
        detail["disabled"] = json!({"from": user.disabled, "to": disabled_after});
    }
    let record = request.clone().detail(detail);
    let user = UserRow {
        role: role_after.as_str().to_string(),
        disabled: disabled_after,
        ..user
    };
    Ok((user, Some(record)))
}

/// The user an admin sets a new password for, and the new password's hash (argon2: slow), to
/// store with [`reset_password`]. The password must meet the policy.
pub fn new_password_for(
    conn: &mut DbConnection,
    id: &str,
    new_password: &str,
) -> Result<(UserRow, String), AccountError> {
    let Some(user) = users::find_by_id(conn, id)? else {
        return Err(AccountError::NotFound);
    };
    if let Some(problem) = password_field_error("new_password", new_password, &user.username) {
        return Err(AccountError::Invalid(vec![problem]));
    }
    let hash = hash_password(new_password)?;
    Ok((user, hash))
}

/// Stores a reset password (`user.password_reset`) and ends the user's sessions; returns the
/// record, built on `request`.
pub fn reset_password(
    conn: &mut DbConnection,
    user: &UserRow,
    hash: &str,
    request: &Entry,
) -> Result<Entry, AccountError> {
    if users::set_password_hash(conn, &user.id, hash)? == 0 {
        return Err(AccountError::NotFound);
    }
    let revoked = users::delete_sessions_of(conn, &user.id)?;
    Ok(request
        .clone()
        .target(user.username.as_str())
        .detail(json!({"id": user.id, "sessions_revoked": revoked})))
}

/// A staff member's own account and the hash of their new password (argon2: slow), to store
/// with [`set_own_password`]: the current password must be right (else `WrongPassword`), the
/// new one must meet the policy and differ from it.
pub fn new_own_password(
    conn: &mut DbConnection,
    username: &str,
    current_password: &str,
    new_password: &str,
) -> Result<(UserRow, String), AccountError> {
    if let Some(problem) = password_field_error("new_password", new_password, username) {
        return Err(AccountError::Invalid(vec![problem]));
    }
    let user = users::find_by_username(conn, username)?.ok_or(AuthError::Unauthenticated)?;
    if !verify_password(current_password, &user.password_hash) {
        return Err(AccountError::WrongPassword);
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
    Ok((user, hash))
}

/// Stores one's own new password (`password.change`) and ends every session of the account, the
/// one of this request included; returns the record, built on `request`.
pub fn set_own_password(
    conn: &mut DbConnection,
    user: &UserRow,
    hash: &str,
    request: &Entry,
) -> Result<Entry, AccountError> {
    users::set_password_hash(conn, &user.id, hash)?;
    let revoked = users::delete_sessions_of(conn, &user.id)?;
    Ok(request.clone().detail(json!({"sessions_revoked": revoked})))
}
