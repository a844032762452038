//! Reading a selection of responses (form, units, time range) for analytics and exports.
//!
//! Two ways in:
//! - `responses` + `for_each_answer`: a selection with every answer (exports; reports with
//!   `SIPAS_REPORT_CACHE=false`). The responses are read once (one small tuple each), then their
//!   answers streamed row by row (`load_iter`) — about 25 rows a response for the service form, so
//!   a million responses stream some 25 million rows (~12 s on SQLite).
//! - `for_each_compact_since`: one row a response with the compact copy of its rated and choice
//!   answers (`responses.packed`), after a given `seq` — what the report cache reads (a million
//!   responses in ~1.5 s), with `answers_of` for responses that have no usable copy.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{answers, responses};
use super::{DbConnection, StoreError};

/// Which responses: one form, optionally some units, optionally `[from, to)` in UTC.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub form_id: String,
    /// `None`: every unit.
    pub units: Option<Vec<String>>,
    pub from_utc: Option<NaiveDateTime>,
    pub to_utc: Option<NaiveDateTime>,
}

/// The fixed fields of one response of a selection.
#[derive(Debug, Clone, Queryable)]
pub struct ResponseHead {
    pub seq: i64,
    pub id: String,
    pub unit: String,
    pub channel: String,
    pub submitted_at: NaiveDateTime,
    pub weight: f64,
}

/// One answer, as streamed.
#[derive(Debug, Clone, Queryable)]
pub struct AnswerCell {
    pub response_seq: i64,
    pub question: String,
    pub num_value: Option<i32>,
    pub text_value: Option<String>,
}

fn filtered<'a>(
    f: &'a Filter,
) -> responses::BoxedQuery<'a, super::multi_connection_impl::MultiBackend> {
    let mut q = responses::table
        .filter(responses::form_id.eq(&f.form_id))
        .into_boxed();
    if let Some(units) = &f.units {
        q = q.filter(responses::unit.eq_any(units));
    }
    if let Some(from) = f.from_utc {
        q = q.filter(responses::submitted_at.ge(from));
    }
    if let Some(to) = f.to_utc {
        q = q.filter(responses::submitted_at.lt(to));
    }
    q
}

/// The responses of the selection, in storage order.
pub fn responses(conn: &mut DbConnection, f: &Filter) -> Result<Vec<ResponseHead>, StoreError> {
    Ok(filtered(f)
        .select((
            responses::seq,
            responses::id,
            responses::unit,
            responses::channel,
            responses::submitted_at,
            responses::weight,
        ))
        .order(responses::seq)
        .load(conn)?)
}

/// Streams every answer of the selection's responses to `visit`, in response order.
pub fn for_each_answer(
    conn: &mut DbConnection,
    f: &Filter,
    mut visit: impl FnMut(AnswerCell),
) -> Result<(), StoreError> {
    // The same filter as `filtered`, on the join (a boxed subquery does not cross MultiConnection).
    let mut q = answers::table
        .inner_join(responses::table)
        .filter(responses::form_id.eq(&f.form_id))
        .into_boxed();
    if let Some(units) = &f.units {
        q = q.filter(responses::unit.eq_any(units));
    }
    if let Some(from) = f.from_utc {
        q = q.filter(responses::submitted_at.ge(from));
    }
    if let Some(to) = f.to_utc {
        q = q.filter(responses::submitted_at.lt(to));
    }
    let rows = q
        .select((
            answers::response_seq,
            answers::question,
            answers::num_value,
            answers::text_value,
        ))
        .order(answers::response_seq)
        .load_iter::<AnswerCell, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in rows {
        visit(row?);
    }
    Ok(())
}

/// A response as the report cache keeps it: its fixed fields and the compact copy of its answers.
#[derive(Debug, Clone, Queryable)]
pub struct CompactRow {
    pub seq: i64,
    pub unit: String,
    pub channel: String,
    pub submitted_at: NaiveDateTime,
    pub weight: f64,
    pub packed: Option<Vec<u8>>,
}

/// Streams the responses of `form_id` with `seq > after`, in `seq` order, to `visit`.
pub fn for_each_compact_since(
    conn: &mut DbConnection,
    form_id: &str,
    after: i64,
    mut visit: impl FnMut(CompactRow),
) -> Result<(), StoreError> {
    let rows = responses::table
        .filter(responses::form_id.eq(form_id))
        .filter(responses::seq.gt(after))
        .select((
            responses::seq,
            responses::unit,
            responses::channel,
            responses::submitted_at,
            responses::weight,
            responses::packed,
        ))
        .order(responses::seq)
        .load_iter::<CompactRow, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in rows {
        visit(row?);
    }
    Ok(())
}

/// The answers rows of the responses `seqs` (any order), for responses without a usable compact
/// copy.
pub fn answers_of(conn: &mut DbConnection, seqs: &[i64]) -> Result<Vec<AnswerCell>, StoreError> {
    let mut out = Vec::new();
    // Under SQLite's default limit of bound parameters.
    for chunk in seqs.chunks(10_000) {
        out.extend(
            answers::table
                .filter(answers::response_seq.eq_any(chunk))
                .select((
                    answers::response_seq,
                    answers::question,
                    answers::num_value,
                    answers::text_value,
                ))
                .load::<AnswerCell>(conn)?,
        );
    }
    Ok(out)
}

/// How far below the highest `seq` seen a response may still appear: on SQLite none (one writer
/// at a time, so responses commit in `seq` order); on PostgreSQL concurrent transactions take
/// their `seq` when they insert but may commit in another order, so the report cache reads this
/// many `seq`s again each time and keeps those it has not seen.
pub fn commit_order_slack(conn: &DbConnection) -> i64 {
    match conn {
        DbConnection::Sqlite(_) => 0,
        DbConnection::Pg(_) => 10_000,
    }
}

/// How many responses of `form_id` have `seq > after` (to size the report cache's columns).
pub fn count_since(conn: &mut DbConnection, form_id: &str, after: i64) -> Result<i64, StoreError> {
    Ok(responses::table
        .filter(responses::form_id.eq(form_id))
        .filter(responses::seq.gt(after))
        .count()
        .get_result(conn)?)
}
