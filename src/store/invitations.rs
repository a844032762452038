//! Single-use invitations. An invitation row is written once, when it is issued. Its use is a row
//! of `invitation_uses` keyed by a hash of the token under the service's secret key, written in the
//! transaction that stores the response (see `responses::insert`): whoever reads the database —
//! its files, its write-ahead log, old row versions — sees that *an* invitation of a group was
//! used with that response, not which one.

use diesel::prelude::*;

use super::models::InvitationRow;
use super::schema::{invitation_uses, invitations};
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

/// A use of an invitation to record in the same transaction as the response it brought.
#[derive(Debug, Clone, Copy)]
pub struct InvitationUse<'a> {
    /// The keyed hash of the token (`access::invitation_use_hash`), never its SHA-256.
    pub use_hash: &'a str,
    pub form_id: &'a str,
    pub respondent_group: &'a str,
}

/// Records a use; `false` when this invitation was used already. The primary key makes two
/// concurrent uses of one token store one response (the second inserts nothing). The invitation
/// row itself is not written: see the migration `invitation_uses`.
pub fn record_use(
    conn: &mut DbConnection,
    used: InvitationUse<'_>,
) -> Result<bool, diesel::result::Error> {
    let insert = diesel::insert_into(invitation_uses::table)
        .values((
            invitation_uses::use_hash.eq(used.use_hash),
            invitation_uses::form_id.eq(used.form_id),
            invitation_uses::respondent_group.eq(used.respondent_group),
        ))
        .on_conflict_do_nothing();
    let inserted = match conn {
        DbConnection::Sqlite(s) => insert.execute(s)?,
        DbConnection::Pg(p) => insert.execute(p)?,
    };
    Ok(inserted == 1)
}

/// Whether the invitation was used: a recorded use under its keyed hash, or the `used` flag that
/// versions before `invitation_uses` set on the invitation row itself.
pub fn is_used(
    conn: &mut DbConnection,
    invitation: &InvitationRow,
    use_hash: &str,
) -> Result<bool, StoreError> {
    if invitation.used {
        return Ok(true);
    }
    let n: i64 = invitation_uses::table
        .filter(invitation_uses::use_hash.eq(use_hash))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether any invitation use is recorded (under the secret key: see `keys`).
pub fn uses_recorded(conn: &mut DbConnection) -> Result<bool, StoreError> {
    let n: i64 = super::schema::invitation_uses::table
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Per respondent group: (group, issued, used), in group order. Uses are counted from their own
/// records (and the `used` flag of invitations used before those existed).
pub fn stats(
    conn: &mut DbConnection,
    form_id: &str,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows: Vec<(String, bool)> = invitations::table
        .filter(invitations::form_id.eq(form_id))
        .select((invitations::respondent_group, invitations::used))
        .load(conn)?;
    let uses: Vec<String> = invitation_uses::table
        .filter(invitation_uses::form_id.eq(form_id))
        .select(invitation_uses::respondent_group)
        .load(conn)?;
    let mut by_group: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (group, used) in rows {
        let entry = by_group.entry(group).or_default();
        entry.0 += 1;
        entry.1 += i64::from(used);
    }
    for group in uses {
        by_group.entry(group).or_default().1 += 1;
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
