//! Earlier versions of a response: a correction (phúc tra) keeps the replaced answers here and
//! changes the response's answers in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{AnswerRow, NewAnswer, ResponseRow};
use super::schema::{answers, response_versions, responses};
use super::{DbConnection, StoreError};

/// A replaced version of a response.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = response_versions)]
pub struct ResponseVersionRow {
    pub response_id: String,
    pub version: i32,
    /// The answers of that version, a JSON object by question code.
    pub answers: String,
    pub content_hash: String,
    pub submitted_at: NaiveDateTime,
    pub replaced_at: NaiveDateTime,
    pub replaced_by: String,
    pub reason: String,
}

/// The replaced versions of a response, oldest first.
pub fn of(
    conn: &mut DbConnection,
    response_id: &str,
) -> Result<Vec<ResponseVersionRow>, StoreError> {
    Ok(response_versions::table
        .filter(response_versions::response_id.eq(response_id))
        .order(response_versions::version)
        .select(ResponseVersionRow::as_select())
        .load(conn)?)
}

/// What replaces a response's content.
pub struct Replacement<'a> {
    pub answers: &'a [NewAnswer],
    pub packed: Option<Vec<u8>>,
    pub content_hash: &'a str,
    pub submitted_at: NaiveDateTime,
}

/// Keeps `old` as a version and gives the response `new` content: the answers rows, their packed
/// copy, the content hash and the time. Call it inside a transaction.
pub fn replace(
    conn: &mut DbConnection,
    response: &ResponseRow,
    old: &ResponseVersionRow,
    new: Replacement<'_>,
) -> Result<(), StoreError> {
    diesel::insert_into(response_versions::table)
        .values(old)
        .execute(conn)?;
    diesel::update(responses::table.filter(responses::seq.eq(response.seq)))
        .set((
            responses::content_hash.eq(new.content_hash),
            responses::packed.eq(new.packed),
            responses::submitted_at.eq(new.submitted_at),
        ))
        .execute(conn)?;
    diesel::delete(answers::table.filter(answers::response_seq.eq(response.seq))).execute(conn)?;
    for a in new.answers {
        diesel::insert_into(answers::table)
            .values(AnswerRow {
                response_seq: response.seq,
                question: a.question.clone(),
                num_value: a.num_value,
                text_value: a.text_value.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}
