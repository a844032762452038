//! Entered sheets (`paper_sheets`): one row per sheet entered at least once, its state in double
//! entry and, once it is a response, the response's id.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::store::paper::batches::BatchRow;
use crate::store::schema::{paper_batches, paper_sheets, responses};
use crate::store::{DbConnection, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = paper_sheets)]
pub struct SheetRow {
    pub sheet: String,
    pub batch_id: String,
    pub state: String,
    pub response_id: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConnection, sheet: &str) -> Result<Option<SheetRow>, StoreError> {
    Ok(paper_sheets::table
        .filter(paper_sheets::sheet.eq(sheet))
        .select(SheetRow::as_select())
        .first(conn)
        .optional()?)
}

/// A sheet's first entry. A concurrent first entry of the same sheet is `Constraint`.
pub fn insert(conn: &mut DbConnection, row: &SheetRow) -> Result<(), StoreError> {
    diesel::insert_into(paper_sheets::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

/// Moves a sheet from the state it was read in (`seen`) to `state`: refused (`Constraint`) when
/// another transaction changed it meanwhile, so that two operators never both decide a sheet.
pub fn advance(
    conn: &mut DbConnection,
    seen: &SheetRow,
    state: &str,
    response_id: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let changed = diesel::update(
        paper_sheets::table
            .filter(paper_sheets::sheet.eq(&seen.sheet))
            .filter(paper_sheets::state.eq(&seen.state))
            .filter(paper_sheets::updated_at.eq(seen.updated_at)),
    )
    .set((
        paper_sheets::state.eq(state),
        paper_sheets::response_id.eq(response_id),
        paper_sheets::updated_at.eq(now),
    ))
    .execute(conn)
    .map_err(StoreError::from_diesel)?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Constraint(format!(
            "sheet {} changed meanwhile",
            seen.sheet
        )))
    }
}

/// The sheets of `form` (in `state` when given), with their batch, by sheet number; at most
/// `limit`.
pub fn list(
    conn: &mut DbConnection,
    form: &str,
    state: Option<&str>,
    limit: i64,
) -> Result<Vec<(SheetRow, BatchRow)>, StoreError> {
    let mut query = paper_sheets::table
        .inner_join(paper_batches::table)
        .filter(paper_batches::form_id.eq(form))
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(paper_sheets::state.eq(state.to_string()));
    }
    Ok(query
        .order(paper_sheets::sheet)
        .limit(limit)
        .select((SheetRow::as_select(), BatchRow::as_select()))
        .load(conn)?)
}

/// How many sheets of `form` are in each state (states with none are absent).
pub fn counts(conn: &mut DbConnection, form: &str) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(paper_sheets::table
        .inner_join(paper_batches::table)
        .filter(paper_batches::form_id.eq(form))
        .group_by(paper_sheets::state)
        .select((paper_sheets::state, diesel::dsl::count_star()))
        .load(conn)?)
}

/// The response stored under `client_id` (a sheet's `paper:<sheet>`), with when it was received.
pub fn stored_response(
    conn: &mut DbConnection,
    client_id: &str,
) -> Result<Option<(String, NaiveDateTime)>, StoreError> {
    Ok(responses::table
        .filter(responses::client_id.eq(client_id))
        .select((responses::id, responses::received_at))
        .first(conn)
        .optional()?)
}
