//! Single-use invitations. A token is marked used in the same transaction that stores the response
//! (see `responses::insert`); nothing links the two.

use diesel::prelude::*;

use super::models::InvitationRow;
use super::schema::invitations;
use super::{DbConnection, StoreError};

/// Stores a batch of new invitations in one transaction.
pub fn insert_all(conn: &mut DbConnection, rows: &[InvitationRow]) -> Result<(), StoreError> {
    conn.transaction(|c| {
        // Multi-row INSERT does not cross MultiConnection: dispatch per backend, in chunks that
        // stay under SQLite's variable limit.
        for chunk in rows.chunks(500) {
            let insert = diesel::insert_into(invitations::table).values(chunk);
            match c {
                DbConnection::Sqlite(s) => insert.execute(s)?,
                DbConnection::Pg(p) => insert.execute(p)?,
            };
        }
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(StoreError::from_diesel)
}

/// The invitation with this token hash for this form (used or not).
pub fn find(
    conn: &mut DbConnection,
    form_id: &str,
    token_hash: &str,
) -> Result<Option<InvitationRow>, StoreError> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::form_id.eq(form_id))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks an unused invitation used; `false` when it was already used (or does not exist). The
/// condition in the UPDATE makes two concurrent uses of one token store one response.
pub fn mark_used(
    conn: &mut DbConnection,
    form_id: &str,
    token_hash: &str,
) -> Result<bool, diesel::result::Error> {
    let changed = diesel::update(
        invitations::table
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::form_id.eq(form_id))
            .filter(invitations::used.eq(false)),
    )
    .set(invitations::used.eq(true))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Whether any invitation use is recorded (under the secret key: see `keys`).
pub fn uses_recorded(conn: &mut DbConnection) -> Result<bool, StoreError> {
    let n: i64 = super::schema::invitation_uses::table
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Per respondent group: (group, issued, used), in group order.
pub fn stats(
    conn: &mut DbConnection,
    form_id: &str,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows: Vec<(String, bool)> = invitations::table
        .filter(invitations::form_id.eq(form_id))
        .select((invitations::respondent_group, invitations::used))
        .load(conn)?;
    let mut by_group: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (group, used) in rows {
        let entry = by_group.entry(group).or_default();
        entry.0 += 1;
        entry.1 += i64::from(used);
    }
    Ok(by_group
        .into_iter()
        .map(|(g, (issued, used))| (g, issued, used))
        .collect())
}

/// The invitation with this token hash, whatever its form.
pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<InvitationRow>, StoreError> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Rewrites every used invitation of a form in a transaction of its own. On PostgreSQL a row
/// carries the id of the transaction that last wrote it (`xmin`): the invitation marked used and
/// the response stored in one transaction would share it, linking the response to the invitation.
/// After this rewrite all used invitations of the form share one newer `xmin` instead.
pub fn blur_use(conn: &mut DbConnection, form_id: &str) -> Result<(), StoreError> {
    diesel::update(
        invitations::table
            .filter(invitations::form_id.eq(form_id))
            .filter(invitations::used.eq(true)),
    )
    .set(invitations::used.eq(true))
    .execute(conn)?;
    Ok(())
}
