//! Re-check samples (phúc tra): the samples drawn, their sheets and outcomes, and the reads the
//! error rates and the progress table count (batches, sheets and entries of a form).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::store::schema::{
    paper_batches, paper_entries, paper_sample_sheets, paper_samples, paper_sheets,
};
use crate::store::{DbConnection, StoreError};

/// A drawn sample.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = paper_samples)]
pub struct SampleRow {
    pub id: String,
    pub form_id: String,
    /// A share in hundredths of a percent, or …
    pub share_bp: Option<i32>,
    /// … a count per unit.
    pub count_per_unit: Option<i32>,
    pub batch_id: Option<String>,
    pub seed: i64,
    pub drawn_at: NaiveDateTime,
    pub drawn_by: String,
}

/// One sheet of a sample with its sheet's batch, unit and response, and its outcome once checked.
#[derive(Debug, Clone)]
pub struct SampledSheet {
    pub sheet: String,
    pub batch_id: String,
    pub unit: String,
    pub state: String,
    pub response_id: Option<String>,
    pub outcome: Option<String>,
    pub checked_at: Option<NaiveDateTime>,
    pub checked_by: Option<String>,
    /// JSON array of usernames.
    pub faulty_operators: Option<String>,
}

/// A stored paper sheet of a form: (sheet, unit, batch id).
pub type StoredSheet = (String, String, String);

/// The form's sheets stored as responses (agreed or reconciled, with a response), optionally of
/// one batch: (sheet, unit, batch id), in no particular order.
pub fn stored_sheets(
    conn: &mut DbConnection,
    form_id: &str,
    batch_id: Option<&str>,
) -> Result<Vec<StoredSheet>, StoreError> {
    let mut query = paper_sheets::table
        .inner_join(paper_batches::table)
        .filter(paper_batches::form_id.eq(form_id))
        .filter(paper_sheets::state.eq_any(["agreed", "reconciled"]))
        .filter(paper_sheets::response_id.is_not_null())
        .select((paper_sheets::sheet, paper_batches::unit, paper_batches::id))
        .into_boxed();
    if let Some(batch) = batch_id {
        query = query.filter(paper_batches::id.eq(batch.to_string()));
    }
    Ok(query.load(conn)?)
}

/// The form of a batch, if there is such a batch.
pub fn batch_form(conn: &mut DbConnection, batch_id: &str) -> Result<Option<String>, StoreError> {
    Ok(paper_batches::table
        .filter(paper_batches::id.eq(batch_id))
        .select(paper_batches::form_id)
        .first(conn)
        .optional()?)
}

/// Stores a sample and its sheets.
pub fn insert_sample(
    conn: &mut DbConnection,
    sample: &SampleRow,
    sheets: &[String],
) -> Result<(), StoreError> {
    diesel::insert_into(paper_samples::table)
        .values(sample)
        .execute(conn)?;
    // One row at a time: multi-row inserts do not go through MultiConnection.
    for sheet in sheets {
        diesel::insert_into(paper_sample_sheets::table)
            .values((
                paper_sample_sheets::sample_id.eq(&sample.id),
                paper_sample_sheets::sheet.eq(sheet),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One sample.
pub fn sample(conn: &mut DbConnection, id: &str) -> Result<Option<SampleRow>, StoreError> {
    Ok(paper_samples::table
        .filter(paper_samples::id.eq(id))
        .select(SampleRow::as_select())
        .first(conn)
        .optional()?)
}

/// The samples (of one form, or all), newest first.
pub fn samples(
    conn: &mut DbConnection,
    form_id: Option<&str>,
) -> Result<Vec<SampleRow>, StoreError> {
    let mut query = paper_samples::table
        .order((paper_samples::drawn_at.desc(), paper_samples::id))
        .select(SampleRow::as_select())
        .into_boxed();
    if let Some(form) = form_id {
        query = query.filter(paper_samples::form_id.eq(form.to_string()));
    }
    Ok(query.load(conn)?)
}

type SampledTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<String>,
);

fn sampled(t: SampledTuple) -> SampledSheet {
    SampledSheet {
        sheet: t.0,
        batch_id: t.1,
        unit: t.2,
        state: t.3,
        response_id: t.4,
        outcome: t.5,
        checked_at: t.6,
        checked_by: t.7,
        faulty_operators: t.8,
    }
}

/// The sheets of one sample (optionally just one of them), in sheet order.
pub fn sample_sheets(
    conn: &mut DbConnection,
    sample_id: &str,
    only: Option<&str>,
) -> Result<Vec<SampledSheet>, StoreError> {
    let mut query = paper_sample_sheets::table
        .inner_join(paper_sheets::table.inner_join(paper_batches::table))
        .filter(paper_sample_sheets::sample_id.eq(sample_id.to_string()))
        .order(paper_sample_sheets::sheet)
        .select((
            paper_sample_sheets::sheet,
            paper_batches::id,
            paper_batches::unit,
            paper_sheets::state,
            paper_sheets::response_id,
            paper_sample_sheets::outcome,
            paper_sample_sheets::checked_at,
            paper_sample_sheets::checked_by,
            paper_sample_sheets::faulty_operators,
        ))
        .into_boxed();
    if let Some(sheet) = only {
        query = query.filter(paper_sample_sheets::sheet.eq(sheet.to_string()));
    }
    let rows: Vec<SampledTuple> = query.load(conn)?;
    Ok(rows.into_iter().map(sampled).collect())
}

/// Records the outcome of a sampled sheet not checked yet; `false` when it was checked already
/// (or is not in the sample).
pub fn record_outcome(
    conn: &mut DbConnection,
    sample_id: &str,
    sheet: &str,
    outcome: &str,
    at: NaiveDateTime,
    by: &str,
    faulty_operators: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        paper_sample_sheets::table
            .filter(paper_sample_sheets::sample_id.eq(sample_id))
            .filter(paper_sample_sheets::sheet.eq(sheet))
            .filter(paper_sample_sheets::outcome.is_null()),
    )
    .set((
        paper_sample_sheets::outcome.eq(Some(outcome)),
        paper_sample_sheets::checked_at.eq(Some(at)),
        paper_sample_sheets::checked_by.eq(Some(by)),
        paper_sample_sheets::faulty_operators.eq(Some(faulty_operators)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// One operator's entry of a sheet: (operator, survey date, answers JSON).
pub type EntryOf = (String, NaiveDate, String);

/// The entries of a sheet, by operator.
pub fn entries_of(conn: &mut DbConnection, sheet: &str) -> Result<Vec<EntryOf>, StoreError> {
    Ok(paper_entries::table
        .filter(paper_entries::sheet.eq(sheet))
        .order(paper_entries::operator)
        .select((
            paper_entries::operator,
            paper_entries::survey_date,
            paper_entries::answers,
        ))
        .load(conn)?)
}

/// The operators of every entered sheet of a form: (sheet, operator).
pub fn operators_of_form(
    conn: &mut DbConnection,
    form_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(paper_entries::table
        .inner_join(paper_sheets::table.inner_join(paper_batches::table))
        .filter(paper_batches::form_id.eq(form_id))
        .select((paper_entries::sheet, paper_entries::operator))
        .load(conn)?)
}

/// A checked sheet of a form: (sheet, batch id, outcome, checked at, faulty operators JSON).
pub type CheckRow = (String, String, String, NaiveDateTime, Option<String>);

type OptionalCheck = (
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
);

/// Every check with an outcome of the form's samples.
pub fn checks_of_form(conn: &mut DbConnection, form_id: &str) -> Result<Vec<CheckRow>, StoreError> {
    let rows: Vec<OptionalCheck> = paper_sample_sheets::table
        .inner_join(paper_samples::table)
        .inner_join(paper_sheets::table)
        .filter(paper_samples::form_id.eq(form_id))
        .filter(paper_sample_sheets::outcome.is_not_null())
        .select((
            paper_sample_sheets::sheet,
            paper_sheets::batch_id,
            paper_sample_sheets::outcome,
            paper_sample_sheets::checked_at,
            paper_sample_sheets::faulty_operators,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, b, o, at, f)| Some((s, b, o?, at?, f)))
        .collect())
}

/// The form's printed batches: (id, unit, first serial, last serial).
pub fn batches_of_form(
    conn: &mut DbConnection,
    form_id: &str,
) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
    Ok(paper_batches::table
        .filter(paper_batches::form_id.eq(form_id))
        .order((paper_batches::unit, paper_batches::first_serial))
        .select((
            paper_batches::id,
            paper_batches::unit,
            paper_batches::first_serial,
            paper_batches::last_serial,
        ))
        .load(conn)?)
}

/// The form's entered sheets: (sheet, batch id, state).
pub fn sheets_of_form(
    conn: &mut DbConnection,
    form_id: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(paper_sheets::table
        .inner_join(paper_batches::table)
        .filter(paper_batches::form_id.eq(form_id))
        .select((
            paper_sheets::sheet,
            paper_sheets::batch_id,
            paper_sheets::state,
        ))
        .load(conn)?)
}
