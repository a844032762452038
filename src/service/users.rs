//! Staff accounts (admin): list them, create one (the command line too), change a role or the
//! disabled flag, reset a password. Each change is written in one transaction with its audit
//! record; the checks and the changes themselves are `auth::accounts`.

use diesel::Connection;
use serde_json::json;

use super::{in_transaction, record, Actor, ServiceError};
use crate::auth::accounts::{self, AccountError, Requester};
use crate::domain::Role;
use crate::platform::audit::{self, Entry, Outcome};
use crate::store::models::UserRow;
use crate::store::{users, DbConnection};

/// The `via` of an account created by `sipas users add` (its audit record says so).
pub const VIA_COMMAND_LINE: &str = "sipas users add";

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// As given (the front door trims it).
    pub username: String,
    pub role: Role,
    pub password: String,
    /// How it was created when not through the API or the pages (the command line's
    /// [`VIA_COMMAND_LINE`]); the record then says so instead of naming the new id.
    pub via: Option<&'static str>,
}

/// What to change of an account; at least one of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

impl AccountChange {
    /// A new role only.
    pub fn role(role: Role) -> AccountChange {
        AccountChange {
            role: Some(role),
            disabled: None,
        }
    }

    /// Disable (`true`) or re-enable the account only.
    pub fn disabled(disabled: bool) -> AccountChange {
        AccountChange {
            role: None,
            disabled: Some(disabled),
        }
    }
}

impl Requester for Actor {
    fn username(&self) -> &str {
        &self.name
    }
}

/// A user id from a path: only UUIDs name a user (anything else is `not_found` at once).
pub fn user_id(text: &str) -> Result<String, ServiceError> {
    uuid::Uuid::parse_str(text)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ServiceError::NotFound)
}

/// Every account, by username (admin).
pub fn list(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<UserRow>, ServiceError> {
    actor.require(&[Role::Admin])?;
    Ok(users::list(conn)?)
}

/// Creates an account (`user.create`, the username as target): the username must be free and
/// the password must meet the policy.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: NewAccount,
) -> Result<UserRow, ServiceError> {
    actor.require(&[Role::Admin])?;
    let row = accounts::new_account(conn, &new.username, new.role, &new.password)?;
    let detail = match new.via {
        Some(via) => json!({"role": new.role, "via": via}),
        None => json!({"id": row.id, "role": new.role}),
    };
    let entry = actor
        .entry("user.create")
        .target(new.username.as_str())
        .detail(detail);
    let row = in_transaction(conn, |c| {
        accounts::insert_account(c, &row)?;
        Ok::<_, AccountError>((row, entry))
    })?;
    Ok(row)
}

/// Changes an account's role and/or disabled flag (`user.update`). Any effective change ends
/// the user's sessions; asking for what already holds changes and records nothing. An admin
/// cannot disable or demote themselves (`own_account`), nor the last enabled admin
/// (`last_admin`): both refusals are recorded as `denied`, with their reason.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    change: AccountChange,
) -> Result<UserRow, ServiceError> {
    actor.require(&[Role::Admin])?;
    accounts::check_update(change.role, change.disabled)?;
    let before = users::find_by_id(conn, id)?.ok_or(AccountError::NotFound)?;
    let request = accounts::update_request(
        &actor.entry("user.update"),
        &before,
        change.role,
        change.disabled,
    );
    let outcome = conn.transaction(|c| {
        let (user, change_record) =
            accounts::update_account(c, actor, id, change.role, change.disabled, &request)?;
        if let Some(change_record) = change_record {
            audit::record(c, &change_record)?;
        }
        Ok::<_, AccountError>(user)
    });
    if let Err(e) = &outcome {
        record_refusal(conn, &request, e)?;
    }
    Ok(outcome?)
}

/// Sets a new password for an account (`user.password_reset`); the user's sessions end.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    new_password: &str,
) -> Result<UserRow, ServiceError> {
    actor.require(&[Role::Admin])?;
    let (user, hash) = accounts::new_password_for(conn, id, new_password)?;
    let request = actor.entry("user.password_reset");
    let user = in_transaction(conn, |c| {
        let reset = accounts::reset_password(c, &user, &hash, &request)?;
        Ok::<_, AccountError>((user, reset))
    })?;
    Ok(user)
}

/// Records a refusal by rule (`own_account`, `last_admin`, `wrong_current_password`) as
/// `denied`, the reason added to the detail of `request`; other errors are not recorded.
pub(super) fn record_refusal(
    conn: &mut DbConnection,
    request: &Entry,
    error: &AccountError,
) -> Result<(), ServiceError> {
    let Some(reason) = error.reason() else {
        return Ok(());
    };
    let mut detail = request.detail.clone().unwrap_or_else(|| json!({}));
    detail["reason"] = json!(reason);
    record(
        conn,
        &request.clone().outcome(Outcome::Denied).detail(detail),
    )
}
