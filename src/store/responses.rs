//! Responses and their answers.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::invitations::InvitationUse;
use super::models::{AnswerRow, NewAnswer, NewResponse, ResponseRow};
use super::schema::{answers, responses};
use super::{DbConnection, StoreError};

/// What happened to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored now, with this id.
    Created(String),
    /// Its `client_id` was already stored with the same content: the first response's id.
    Replayed(String),
    /// Its `client_id` was already stored with different content.
    Conflict,
    /// The invitation it came through was used already (nothing stored).
    InvitationUsed,
}

enum TxError {
    Diesel(DieselError),
    InvitationUsed,
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Diesel(e)
    }
}

/// Stores a response and its answers in one transaction, idempotent by `client_id`, and records
/// the use of the invitation it came through (if any) in that same transaction.
///
/// Race-free without locks: the insert itself is the check. Of two concurrent submissions with the
/// same `client_id`, the database's unique index lets one commit and makes the other fail; the
/// loser then reads the winner's committed row and compares content hashes. The transaction
/// starts with a write, so SQLite takes its write lock at once (waiting on `busy_timeout`) and
/// never has to upgrade a read snapshot.
pub fn insert(
    conn: &mut DbConnection,
    response: &NewResponse,
    new_answers: &[NewAnswer],
    invitation: Option<InvitationUse<'_>>,
) -> Result<InsertOutcome, StoreError> {
    let result = conn.transaction(|c| {
        // RETURNING and multi-row INSERT are not available through MultiConnection: dispatch.
        let insert = diesel::insert_into(responses::table)
            .values(response)
            .returning(responses::seq);
        let seq: i64 = match c {
            DbConnection::Sqlite(s) => insert.get_result(s)?,
            DbConnection::Pg(p) => insert.get_result(p)?,
        };
        let rows: Vec<AnswerRow> = new_answers
            .iter()
            .map(|a| AnswerRow {
                response_seq: seq,
                question: a.question.clone(),
                num_value: a.num_value,
                text_value: a.text_value.clone(),
            })
            .collect();
        if !rows.is_empty() {
            let insert = diesel::insert_into(answers::table).values(&rows);
            match c {
                DbConnection::Sqlite(s) => insert.execute(s)?,
                DbConnection::Pg(p) => insert.execute(p)?,
            };
        }
        // After the response: a resend of an already stored response (same client_id) is a
        // replay above, not a second use of its invitation.
        if let Some(inv) = invitation {
            if !super::invitations::record_use(c, inv)? {
                return Err(TxError::InvitationUsed);
            }
        }
        Ok::<_, TxError>(())
    });
    match result {
        Ok(()) => Ok(InsertOutcome::Created(response.id.clone())),
        Err(TxError::InvitationUsed) => Ok(InsertOutcome::InvitationUsed),
        Err(TxError::Diesel(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            info,
        ))) if response.client_id.is_some() => {
            let existing: Option<(String, String)> = responses::table
                .filter(responses::client_id.eq(&response.client_id))
                .select((responses::id, responses::content_hash))
                .first(conn)
                .optional()?;
            match existing {
                Some((id, hash)) if hash == response.content_hash => {
                    Ok(InsertOutcome::Replayed(id))
                }
                Some(_) => Ok(InsertOutcome::Conflict),
                None => Err(StoreError::Constraint(info.message().to_string())),
            }
        }
        Err(TxError::Diesel(e)) => Err(StoreError::from_diesel(e)),
    }
}

/// One stored response with its answers, in question-code order.
/// `None` also for an id that is not a UUID (never queried).
pub fn get(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<(ResponseRow, Vec<AnswerRow>)>, StoreError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Ok(None);
    }
    let Some(row) = responses::table
        .filter(responses::id.eq(id))
        .select(ResponseRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let answer_rows = answers::table
        .filter(answers::response_seq.eq(row.seq))
        .order(answers::question)
        .select(AnswerRow::as_select())
        .load(conn)?;
    Ok(Some((row, answer_rows)))
}

/// Whether a response with this client id is stored.
pub fn client_id_exists(conn: &mut DbConnection, client_id: &str) -> Result<bool, StoreError> {
    let n: i64 = responses::table
        .filter(responses::client_id.eq(client_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// How many responses and answers are stored (for health checks and tests).
pub fn counts(conn: &mut DbConnection) -> Result<(i64, i64), StoreError> {
    let r = responses::table.count().get_result(conn)?;
    let a = answers::table.count().get_result(conn)?;
    Ok((r, a))
}
