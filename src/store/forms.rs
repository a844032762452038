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

/// Whether any stored response to this form answered `question`.
pub fn has_answers(
    conn: &mut DbConnection,
    form_id: &str,
    question: &str,
) -> Result<bool, StoreError> {
    use super::schema::{answers, responses};
    let found: Option<i64> = answers::table
        .inner_join(responses::table)
        .filter(responses::form_id.eq(form_id))
        .filter(answers::question.eq(question))
        .select(answers::response_seq)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Which of `options` stored responses to this form gave as the answer to `question`.
pub fn answered_options(
    conn: &mut DbConnection,
    form_id: &str,
    question: &str,
    options: &[String],
) -> Result<Vec<String>, StoreError> {
    use super::schema::{answers, responses};
    if options.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<Option<String>> = answers::table
        .inner_join(responses::table)
        .filter(responses::form_id.eq(form_id))
        .filter(answers::question.eq(question))
        .filter(answers::text_value.eq_any(options))
        .select(answers::text_value)
        .distinct()
        .load(conn)?;
    let mut found: Vec<String> = found.into_iter().flatten().collect();
    found.sort();
    Ok(found)
}

/// How many stored responses answered each version of a form: `(version, responses)`, by version.
pub fn response_counts(
    conn: &mut DbConnection,
    form_id: &str,
) -> Result<Vec<(i32, i64)>, StoreError> {
    use super::schema::responses;
    Ok(responses::table
        .filter(responses::form_id.eq(form_id))
        .group_by(responses::form_version)
        .select((responses::form_version, diesel::dsl::count_star()))
        .order(responses::form_version)
        .load(conn)?)
}
