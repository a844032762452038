//! Bulk loading: many responses with their answers per transaction, written with multi-row
//! statements (`sipas demo`, benchmarks, imports of already-checked data).
//!
//! Unlike [`super::responses::insert`] this does no idempotency check (a `client_id` that is
//! already stored fails the whole batch) and trusts the caller to have validated the answers.
//!
//! Per backend (multi-row INSERT and RETURNING are not available through `DbConnection`, so each
//! batch is dispatched to the backend's own connection):
//! - **SQLite**: one `BEGIN IMMEDIATE` transaction per batch, so the write lock is taken at once
//!   and nobody else can insert meanwhile. Inside it the loader reads `MAX(seq)` and gives the new
//!   responses the following numbers explicitly (`seq` is the `INTEGER PRIMARY KEY`), so the
//!   answers can refer to them without reading anything back. Rows go in fixed-size multi-row
//!   INSERTs (one prepared statement per table, parsed once and cached) plus one statement for
//!   the remainder, well under SQLite's limit of 32,766 bound parameters per statement.
//!   During a [`load`] the connection has a large page cache, statement journals in memory and
//!   foreign keys checked by the loader once per batch instead of by SQLite once per row; these
//!   settings are restored afterwards. `synchronous` (FULL) and `journal_mode` (WAL) are never
//!   touched: every committed batch is as durable as a submission.
//! - **PostgreSQL**: responses with multi-row `INSERT … RETURNING seq, id` (the `BIGSERIAL`
//!   assigns `seq`; the returned pairs are matched by id, not by position), then the answers with
//!   one binary `COPY FROM STDIN` per batch.

use std::collections::HashMap;
use std::sync::mpsc;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::{PgConnection, SqliteConnection};

use super::models::{NewAnswer, NewResponse};
use super::schema::{answers, responses};
use super::{DbConnection, StoreError};

/// One response with its answers, as a batch element.
pub type ResponseWithAnswers = (NewResponse, Vec<NewAnswer>);

/// What a batch or a whole load stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loaded {
    pub responses: u64,
    pub answers: u64,
}

impl std::ops::AddAssign for Loaded {
    fn add_assign(&mut self, other: Loaded) {
        self.responses += other.responses;
        self.answers += other.answers;
    }
}

/// Rows per statement on SQLite: responses have 11 columns, answers 4
/// (256 · 11 = 2,816 and 4,096 · 4 = 16,384 parameters, under SQLite's 32,766).
const SQLITE_RESPONSE_ROWS: usize = 256;
const SQLITE_ANSWER_ROWS: usize = 4096;
/// Rows per statement on PostgreSQL (10 columns; at most 65,535 parameters per statement).
const PG_RESPONSE_ROWS: usize = 4096;

/// SQLite page cache during a load, in KiB (negative `cache_size` means KiB).
const SQLITE_LOAD_CACHE_KIB: i64 = 256 * 1024;

// Rows own their values (moved out of the batch, not copied): a fixed-size array of `'static`
// rows has a static query id, so diesel keeps the prepared multi-row statement in its cache
// instead of having SQLite parse thousands of `(?, ?, ?, ?)` again for every chunk.
// `treat_none_as_default_value = false`: a missing value is NULL, not `DEFAULT`, so that SQLite
// (which has no `DEFAULT` in VALUES) can insert many rows in one statement.

#[derive(Insertable)]
#[diesel(table_name = responses)]
#[diesel(treat_none_as_default_value = false)]
struct SqliteResponse {
    seq: i64,
    id: String,
    client_id: Option<String>,
    form_id: String,
    form_version: i32,
    unit: String,
    channel: String,
    submitted_at: NaiveDateTime,
    received_at: NaiveDateTime,
    weight: f64,
    content_hash: String,
    packed: Option<Vec<u8>>,
}

#[derive(Insertable)]
#[diesel(table_name = responses)]
#[diesel(treat_none_as_default_value = false)]
struct PgResponse<'a> {
    id: &'a str,
    client_id: Option<&'a str>,
    form_id: &'a str,
    form_version: i32,
    unit: &'a str,
    channel: &'a str,
    submitted_at: NaiveDateTime,
    received_at: NaiveDateTime,
    weight: f64,
    content_hash: &'a str,
    packed: Option<&'a [u8]>,
}

#[derive(Insertable)]
#[diesel(table_name = answers)]
#[diesel(treat_none_as_default_value = false)]
struct AnswerIns {
    response_seq: i64,
    question: String,
    num_value: Option<i32>,
    text_value: Option<String>,
}

/// Splits a batch into response rows (made by `make` from each response and its `seq`) and
/// answer rows, moving the values.
fn split<R>(
    batch: Vec<ResponseWithAnswers>,
    seqs: &[i64],
    mut make: impl FnMut(NewResponse, i64) -> R,
) -> (Vec<R>, Vec<AnswerIns>) {
    let n_answers = batch.iter().map(|(_, a)| a.len()).sum();
    let mut responses = Vec::with_capacity(batch.len());
    let mut answers = Vec::with_capacity(n_answers);
    for ((response, response_answers), &seq) in batch.into_iter().zip(seqs) {
        responses.push(make(response, seq));
        answers.extend(response_answers.into_iter().map(|a| AnswerIns {
            response_seq: seq,
            question: a.question,
            num_value: a.num_value,
            text_value: a.text_value,
        }));
    }
    (responses, answers)
}

fn count(batch: &[ResponseWithAnswers]) -> Loaded {
    Loaded {
        responses: batch.len() as u64,
        answers: batch.iter().map(|(_, a)| a.len() as u64).sum(),
    }
}

/// Stores one batch in one transaction; returns the `seq` of each response, in batch order.
/// All or nothing: on error nothing of the batch is stored.
///
/// Answers are inserted in the order given; within a response, sorted by question code is
/// fastest on SQLite (each row is then an append to the primary key index). Outside [`load`]
/// the connection keeps its settings (foreign keys on).
pub fn insert_batch(
    conn: &mut DbConnection,
    batch: Vec<ResponseWithAnswers>,
) -> Result<Vec<i64>, StoreError> {
    insert_batch_keeping(conn, batch).map(|(seqs, _rows)| seqs)
}

/// [`insert_batch`] inside a transaction the caller holds, under its write lock (an import:
/// every batch of a file, and its audit record, commit together or not at all). On SQLite the
/// batch is a savepoint instead of its own `BEGIN IMMEDIATE`.
pub fn insert_batch_nested(
    conn: &mut DbConnection,
    batch: Vec<ResponseWithAnswers>,
) -> Result<Vec<i64>, StoreError> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        DbConnection::Sqlite(c) => c.transaction(|c| sqlite_rows(c, batch)),
        DbConnection::Pg(c) => pg_batch(c, batch),
    }
    .map(|(seqs, _rows)| seqs)
    .map_err(StoreError::from_diesel)
}

/// The rows a batch was turned into: freeing millions of small strings takes time, which
/// [`load`] spends on another thread.
type Spent = Box<dyn Send>;

fn insert_batch_keeping(
    conn: &mut DbConnection,
    batch: Vec<ResponseWithAnswers>,
) -> Result<(Vec<i64>, Spent), StoreError> {
    if batch.is_empty() {
        return Ok((Vec::new(), Box::new(())));
    }
    match conn {
        DbConnection::Sqlite(c) => sqlite_batch(c, batch),
        DbConnection::Pg(c) => pg_batch(c, batch),
    }
    .map_err(StoreError::from_diesel)
}

/// SQLite settings of the connection that a load changes, and their values during the load:
/// a large page cache (the indexes of `answers` are the hot part), statement journals in memory,
/// and foreign keys checked by the loader once per batch (see [`check_references`]) rather than
/// by SQLite once per row. `synchronous`, `journal_mode` and checkpointing are left alone; every
/// value is restored after the load.
const SQLITE_LOAD_PRAGMAS: [(&str, i64); 3] = [
    ("cache_size", -SQLITE_LOAD_CACHE_KIB),
    ("temp_store", 2),
    ("foreign_keys", 0),
];

/// Stores every batch `batches` yields, one transaction each, calling `progress` with the running
/// totals after each commit. Stops at the first error; batches committed before it stay.
/// SQLite connection settings changed for the load are restored before returning, error or not.
pub fn load<I>(
    conn: &mut DbConnection,
    batches: I,
    mut progress: impl FnMut(Loaded),
) -> Result<Loaded, StoreError>
where
    I: IntoIterator<Item = Vec<ResponseWithAnswers>>,
{
    let saved = match conn {
        DbConnection::Sqlite(c) => Some(sqlite_prepare_load(c)?),
        DbConnection::Pg(_) => None,
    };
    let mut total = Loaded::default();
    let result = std::thread::scope(|scope| {
        let (spent_tx, spent_rx) = mpsc::channel::<Spent>();
        scope.spawn(move || spent_rx.into_iter().for_each(drop));
        batches.into_iter().try_for_each(|batch| {
            let done = count(&batch);
            let (_, spent) = insert_batch_keeping(conn, batch)?;
            // If the freeing thread is gone, the rows are freed here.
            let _ = spent_tx.send(spent);
            total += done;
            progress(total);
            Ok::<_, StoreError>(())
        })
    });
    if let (Some(saved), DbConnection::Sqlite(c)) = (saved, &mut *conn) {
        let restored = restore_pragmas(c, &saved);
        // A failed load reports its own error rather than the restore's.
        if result.is_ok() {
            restored?;
        }
    }
    result.map(|()| total)
}

/// Sets the load's pragmas; returns the values to restore.
fn sqlite_prepare_load(c: &mut SqliteConnection) -> Result<Vec<(&'static str, i64)>, StoreError> {
    let mut saved = Vec::new();
    let result = SQLITE_LOAD_PRAGMAS.iter().try_for_each(|&(name, value)| {
        saved.push((name, sqlite_pragma(c, name)?));
        c.batch_execute(&format!("PRAGMA {name} = {value}"))
    });
    match result {
        Ok(()) => Ok(saved),
        Err(e) => {
            // Best effort: the error to report is the one that stopped the preparation.
            let _ = restore_pragmas(c, &saved);
            Err(e.into())
        }
    }
}

fn restore_pragmas(c: &mut SqliteConnection, saved: &[(&str, i64)]) -> QueryResult<()> {
    let sql: String = saved
        .iter()
        .map(|(name, value)| format!("PRAGMA {name} = {value}; "))
        .collect();
    c.batch_execute(&sql)
}

/// The highest `seq` stored, 0 for an empty table.
pub fn max_seq(conn: &mut DbConnection) -> Result<i64, StoreError> {
    let max: Option<i64> = responses::table
        .select(diesel::dsl::max(responses::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

#[derive(QueryableByName)]
struct PragmaValue {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// The current value of a numeric pragma (`name` is one of ours, never user input).
fn sqlite_pragma(c: &mut SqliteConnection, name: &str) -> QueryResult<i64> {
    Ok(
        diesel::sql_query(format!("SELECT {name} AS value FROM pragma_{name}"))
            .get_result::<PragmaValue>(c)?
            .value,
    )
}

/// Inserts `$rows` into `$table` with multi-row INSERTs of exactly `$n` rows (one statement,
/// prepared once and cached) and one statement for the remainder.
macro_rules! sqlite_insert_chunked {
    ($c:expr, $table:expr, $rows:expr, $n:expr) => {{
        let mut chunks = $rows.chunks_exact($n);
        for chunk in &mut chunks {
            let chunk: &[_; $n] = chunk.try_into().expect("chunks_exact gives whole chunks");
            diesel::insert_into($table).values(chunk).execute($c)?;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            diesel::insert_into($table).values(rest).execute($c)?;
        }
    }};
}

/// What the foreign keys of `responses` would check: every unit and form version the batch
/// names exists. (Answers refer to responses of the same batch by construction.)
fn check_references(c: &mut SqliteConnection, rows: &[SqliteResponse]) -> QueryResult<()> {
    use super::schema::{forms, units};
    let mut unit_codes: Vec<&str> = rows.iter().map(|r| r.unit.as_str()).collect();
    unit_codes.sort_unstable();
    unit_codes.dedup();
    let known: i64 = units::table
        .filter(units::code.eq_any(&unit_codes))
        .count()
        .get_result(c)?;
    let mut versions: Vec<(&str, i32)> = rows
        .iter()
        .map(|r| (r.form_id.as_str(), r.form_version))
        .collect();
    versions.sort_unstable();
    versions.dedup();
    let mut known_versions = 0;
    for (form_id, version) in &versions {
        known_versions += forms::table
            .filter(forms::form_id.eq(form_id))
            .filter(forms::version.eq(version))
            .count()
            .get_result::<i64>(c)?;
    }
    if known as usize != unit_codes.len() || known_versions as usize != versions.len() {
        return Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            Box::new(format!(
                "a response names a unit or form version that does not exist (units {unit_codes:?}, forms {versions:?})"
            )),
        ));
    }
    Ok(())
}

fn sqlite_batch(
    c: &mut SqliteConnection,
    batch: Vec<ResponseWithAnswers>,
) -> QueryResult<(Vec<i64>, Spent)> {
    // Under BEGIN IMMEDIATE no other connection can insert until we commit: the numbers
    // after MAX(seq) are ours.
    c.immediate_transaction(|c| sqlite_rows(c, batch))
}

/// The inserts of [`sqlite_batch`], in a transaction that holds the write lock.
fn sqlite_rows(
    c: &mut SqliteConnection,
    batch: Vec<ResponseWithAnswers>,
) -> QueryResult<(Vec<i64>, Spent)> {
    {
        let max: Option<i64> = responses::table
            .select(diesel::dsl::max(responses::seq))
            .first(c)?;
        let first = max.unwrap_or(0) + 1;
        let seqs: Vec<i64> = (first..).take(batch.len()).collect();
        let (rows, answers) = split(batch, &seqs, |r, seq| SqliteResponse {
            seq,
            id: r.id,
            client_id: r.client_id,
            form_id: r.form_id,
            form_version: r.form_version,
            unit: r.unit,
            channel: r.channel,
            submitted_at: r.submitted_at,
            received_at: r.received_at,
            weight: r.weight,
            content_hash: r.content_hash,
            packed: r.packed,
        });
        check_references(c, &rows)?;
        sqlite_insert_chunked!(c, responses::table, rows, SQLITE_RESPONSE_ROWS);
        sqlite_insert_chunked!(c, answers::table, answers, SQLITE_ANSWER_ROWS);
        Ok((seqs, Box::new((rows, answers)) as Spent))
    }
}

fn pg_batch(
    c: &mut PgConnection,
    batch: Vec<ResponseWithAnswers>,
) -> QueryResult<(Vec<i64>, Spent)> {
    c.transaction(|c| {
        let position: HashMap<&str, usize> = batch
            .iter()
            .enumerate()
            .map(|(i, (r, _))| (r.id.as_str(), i))
            .collect();
        let mut seqs = vec![0i64; batch.len()];
        let mut returned_count = 0;
        for chunk in batch.chunks(PG_RESPONSE_ROWS) {
            let rows: Vec<PgResponse<'_>> = chunk
                .iter()
                .map(|(r, _)| PgResponse {
                    id: &r.id,
                    client_id: r.client_id.as_deref(),
                    form_id: &r.form_id,
                    form_version: r.form_version,
                    unit: &r.unit,
                    channel: &r.channel,
                    submitted_at: r.submitted_at,
                    received_at: r.received_at,
                    weight: r.weight,
                    content_hash: &r.content_hash,
                    packed: r.packed.as_deref(),
                })
                .collect();
            let returned: Vec<(i64, String)> = diesel::insert_into(responses::table)
                .values(&rows)
                .returning((responses::seq, responses::id))
                .get_results(c)?;
            // Matched by id: the order of RETURNING rows is not something to rely on.
            for (seq, id) in returned {
                if let Some(&i) = position.get(id.as_str()) {
                    seqs[i] = seq;
                    returned_count += 1;
                }
            }
        }
        if returned_count != batch.len() {
            return Err(diesel::result::Error::QueryBuilderError(
                format!(
                    "{} responses inserted but {returned_count} returned",
                    batch.len()
                )
                .into(),
            ));
        }
        drop(position);
        let (_, answers) = split(batch, &seqs, |_, _| ());
        if !answers.is_empty() {
            diesel::copy_from(answers::table)
                .from_insertable(&answers)
                .execute(c)?;
        }
        Ok((seqs, Box::new(answers) as Spent))
    })
}
