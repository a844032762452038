//! Free-text comments past their retention (`service::retention`): the stored form definitions
//! that say which questions are comments, and the comment answers of old responses.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{answers, forms, responses};
use super::{DbConnection, StoreError};

/// Every stored form version's definition (JSON), by form id.
pub fn stored_definitions(conn: &mut DbConnection) -> Result<Vec<(String, String)>, StoreError> {
    Ok(forms::table
        .select((forms::form_id, forms::definition))
        .load(conn)?)
}

/// How many answers to `questions` the responses to `form_id` submitted before `before` (UTC)
/// hold.
pub fn count_before(
    conn: &mut DbConnection,
    form_id: &str,
    questions: &[String],
    before: NaiveDateTime,
) -> Result<u64, StoreError> {
    let old = responses::table
        .filter(responses::form_id.eq(form_id))
        .filter(responses::submitted_at.lt(before))
        .select(responses::seq);
    let n: i64 = answers::table
        .filter(answers::question.eq_any(questions.to_vec()))
        .filter(answers::response_seq.eq_any(old))
        .count()
        .get_result(conn)?;
    Ok(n as u64)
}

/// Deletes the answers to `questions` of the responses to `form_id` submitted before `before`
/// (UTC); how many.
pub fn delete_before(
    conn: &mut DbConnection,
    form_id: &str,
    questions: &[String],
    before: NaiveDateTime,
) -> Result<u64, StoreError> {
    let old = responses::table
        .filter(responses::form_id.eq(form_id))
        .filter(responses::submitted_at.lt(before))
        .select(responses::seq);
    let doomed = answers::table
        .filter(answers::question.eq_any(questions.to_vec()))
        .filter(answers::response_seq.eq_any(old));
    Ok(diesel::delete(doomed).execute(conn)? as u64)
}
