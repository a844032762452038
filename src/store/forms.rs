//! Stored form versions.

use diesel::prelude::*;

use super::models::FormVersionRow;
use super::schema::forms;
use super::{now_utc, DbConnection, StoreError};

/// Returns the version number of this exact definition, storing it as a new version when its
/// content is new. Versions count up from 1 per form.
pub fn register_version(
    conn: &mut DbConnection,
    form_id: &str,
    content_hash: &str,
    definition: &str,
) -> Result<i32, StoreError> {
    conn.transaction(|c| {
        let known: Option<i32> = forms::table
            .filter(forms::form_id.eq(form_id))
            .filter(forms::content_hash.eq(content_hash))
            .select(forms::version)
            .first(c)
            .optional()?;
        if let Some(version) = known {
            return Ok(version);
        }
        let latest: Option<i32> = forms::table
            .filter(forms::form_id.eq(form_id))
            .select(diesel::dsl::max(forms::version))
            .first(c)?;
        let version = latest.unwrap_or(0) + 1;
        diesel::insert_into(forms::table)
            .values(FormVersionRow {
                form_id: form_id.to_string(),
                version,
                content_hash: content_hash.to_string(),
                definition: definition.to_string(),
                loaded_at: now_utc(),
            })
            .execute(c)?;
        Ok(version)
    })
    .map_err(StoreError::from_diesel)
}

/// Every stored version of a form, oldest first.
pub fn versions(conn: &mut DbConnection, form_id: &str) -> Result<Vec<FormVersionRow>, StoreError> {
    Ok(forms::table
        .filter(forms::form_id.eq(form_id))
        .order(forms::version)
        .select(FormVersionRow::as_select())
        .load(conn)?)
}
