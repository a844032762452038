//! Small named values the service keeps (`settings`).

use diesel::prelude::*;

use super::schema::settings;
use super::{DbConnection, StoreError};

/// The value stored under `name`, if any.
pub fn get(conn: &mut DbConnection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(settings::table
        .filter(settings::name.eq(name))
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Stores `value` under `name`, replacing what was there.
pub fn put(conn: &mut DbConnection, name: &str, value: &str) -> Result<(), StoreError> {
    conn.transaction(|c| {
        diesel::delete(settings::table.filter(settings::name.eq(name))).execute(c)?;
        diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .execute(c)?;
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(StoreError::from_diesel)
}
