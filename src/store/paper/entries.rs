//! Each operator's entry of a sheet (`paper_entries`), as typed: the survey date and the answers
//! (the canonical JSON of the checked answers). At most one per operator and sheet.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::store::schema::{paper_batches, paper_entries, paper_sheets};
use crate::store::{DbConnection, StoreError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = paper_entries)]
pub struct EntryRow {
    pub id: String,
    pub sheet: String,
    pub operator: String,
    pub survey_date: NaiveDate,
    pub answers: String,
    pub entered_at: NaiveDateTime,
}

/// Stores an entry. The same operator twice on a sheet is `Constraint`.
pub fn insert(conn: &mut DbConnection, row: &EntryRow) -> Result<(), StoreError> {
    diesel::insert_into(paper_entries::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

/// The entries of the given sheets, each sheet's in the order they were made.
pub fn of_sheets(conn: &mut DbConnection, sheets: &[String]) -> Result<Vec<EntryRow>, StoreError> {
    if sheets.is_empty() {
        return Ok(Vec::new());
    }
    Ok(paper_entries::table
        .filter(paper_entries::sheet.eq_any(sheets))
        .order((
            paper_entries::sheet,
            paper_entries::entered_at,
            paper_entries::id,
        ))
        .select(EntryRow::as_select())
        .load(conn)?)
}

/// One entry of a sheet of a form, for the operators' figures.
#[derive(Debug, Clone, Queryable)]
pub struct EntryFactRow {
    pub operator: String,
    pub sheet: String,
    pub entered_at: NaiveDateTime,
    pub state: String,
    pub double_entry: bool,
    pub unit: String,
}

/// Every entry of the sheets of `form`, with the sheet's state and its batch's unit and mode.
pub fn facts(conn: &mut DbConnection, form: &str) -> Result<Vec<EntryFactRow>, StoreError> {
    Ok(paper_entries::table
        .inner_join(paper_sheets::table.inner_join(paper_batches::table))
        .filter(paper_batches::form_id.eq(form))
        .select((
            paper_entries::operator,
            paper_entries::sheet,
            paper_entries::entered_at,
            paper_sheets::state,
            paper_batches::double_entry,
            paper_batches::unit,
        ))
        .load(conn)?)
}
