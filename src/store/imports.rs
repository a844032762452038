//! What an import needs to know of the stored responses: which of a file's `client_id`s and
//! response ids are stored already (looked up in batches), and the bulk insert of a whole file
//! inside the caller's transaction.

use std::collections::HashMap;

use diesel::prelude::*;

use super::bulk::{self, ResponseWithAnswers};
use super::schema::responses;
use super::{DbConnection, StoreError};

/// Values per `IN (…)` lookup: well under SQLite's and PostgreSQL's parameter limits.
const LOOKUP_CHUNK: usize = 1_000;

/// Responses per bulk batch of an import (all in the caller's one transaction).
const INSERT_CHUNK: usize = 10_000;

/// A stored response as an import compares it: its id, form and content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub form_id: String,
    pub content_hash: String,
}

/// The stored responses with one of these `client_id`s, by `client_id`.
pub fn by_client_id(
    conn: &mut DbConnection,
    client_ids: &[&str],
) -> Result<HashMap<String, Stored>, StoreError> {
    let mut found = HashMap::new();
    for chunk in client_ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(Option<String>, String, String, String)> = responses::table
            .filter(responses::client_id.eq_any(chunk))
            .select((
                responses::client_id,
                responses::id,
                responses::form_id,
                responses::content_hash,
            ))
            .load(conn)?;
        for (client_id, id, form_id, content_hash) in rows {
            if let Some(client_id) = client_id {
                let stored = Stored {
                    id,
                    form_id,
                    content_hash,
                };
                found.insert(client_id, stored);
            }
        }
    }
    Ok(found)
}

/// The stored responses with one of these ids, by id.
pub fn by_id(conn: &mut DbConnection, ids: &[&str]) -> Result<HashMap<String, Stored>, StoreError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(String, String, String)> = responses::table
            .filter(responses::id.eq_any(chunk))
            .select((responses::id, responses::form_id, responses::content_hash))
            .load(conn)?;
        for (id, form_id, content_hash) in rows {
            let stored = Stored {
                id: id.clone(),
                form_id,
                content_hash,
            };
            found.insert(id, stored);
        }
    }
    Ok(found)
}

/// Stores every response of a file with its answers, in batches, inside the caller's
/// transaction (which holds the write lock): all of them or, on an error, none.
pub fn insert_all(
    conn: &mut DbConnection,
    mut rows: Vec<ResponseWithAnswers>,
) -> Result<u64, StoreError> {
    let mut stored = 0;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(INSERT_CHUNK));
        stored += bulk::insert_batch_nested(conn, std::mem::replace(&mut rows, rest))?.len() as u64;
    }
    Ok(stored)
}

/// After a file's bulk insert, PostgreSQL's planner statistics still describe the table before
/// it: with 100,000 new rows it would scan the whole table for each `IN (…)` lookup of the next
/// import (minutes instead of a second) until autovacuum gets to it. `ANALYZE` now, as
/// PostgreSQL advises after a bulk load. SQLite plans from its indexes alone: nothing to do.
pub fn refresh_statistics(conn: &mut DbConnection) -> Result<(), StoreError> {
    if let DbConnection::Pg(c) = conn {
        diesel::sql_query("ANALYZE responses, answers").execute(c)?;
    }
    Ok(())
}
