//! Storing a checked submission: idempotent by `client_id` (the same content answers the first
//! id, other content is a conflict), with the use of its invitation and, for a staff member's
//! entry, its audit record — all in one transaction or none.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::check::Checked;
use super::{Prepared, SubmitError, Submitted};
use crate::domain::{Channel, ResponseId};
use crate::forms::{LoadedForm, ValidAnswers};
use crate::store::invitations::InvitationUse;
use crate::store::models::{NewAnswer, NewResponse};
use crate::store::responses::{self, InsertOutcome};
use crate::store::{now_utc, DbConnection};

/// [`store`], and for an audited entry its record in the same transaction (a savepoint inside
/// a batch): the response is stored with its record or not at all. A replay writes no record.
pub fn store_audited(
    conn: &mut DbConnection,
    prepared: &Prepared,
) -> Result<Submitted, SubmitError> {
    let Some(entry) = &prepared.audit else {
        return store(conn, prepared);
    };
    conn.transaction(|c| {
        let outcome = store(c, prepared)?;
        if matches!(outcome, Submitted::Created(_)) {
            crate::platform::audit::record(c, entry)?;
        }
        Ok(outcome)
    })
}

/// Stores a checked submission idempotently (by `client_id`) and records the use of its
/// invitation, in one transaction — a savepoint when the caller already opened one (group
/// commit), so that a refused submission undoes only itself.
pub fn store(conn: &mut DbConnection, prepared: &Prepared) -> Result<Submitted, SubmitError> {
    let invitation = prepared.invitation.as_ref().map(|u| InvitationUse {
        use_hash: &u.use_hash,
        form_id: &prepared.row.form_id,
        respondent_group: &u.respondent_group,
    });
    match responses::insert(conn, &prepared.row, &prepared.answers, invitation)? {
        InsertOutcome::Created(id) => Ok(Submitted::Created(id)),
        InsertOutcome::InvitationUsed => Err(SubmitError::InvitationUsed),
        InsertOutcome::Replayed(id) => Ok(Submitted::Replayed(id)),
        InsertOutcome::Conflict => Err(SubmitError::DuplicateConflict),
    }
}

/// The rows to store for a checked submission: a new id, the answers (and their packed copy),
/// the content hash it is recognised by when resent.
pub(super) fn prepared(loaded: &LoadedForm, checked: Checked) -> Prepared {
    let form = &loaded.form;
    let unit = &checked.unit.code;
    let submitted_naive = checked.submitted_at.naive_utc();
    let answer_rows = new_answers(&checked.answers);
    let packed = loaded.layout.pack(
        answer_rows
            .iter()
            .map(|a| (a.question.as_str(), a.num_value, a.text_value.as_deref())),
    );
    let row = NewResponse {
        id: ResponseId::new().to_string(),
        client_id: checked.client_id,
        form_id: form.id.clone(),
        form_version: loaded.version,
        unit: unit.clone(),
        channel: checked.channel.as_str().to_string(),
        submitted_at: chrono::DurationRound::duration_trunc(
            submitted_naive,
            chrono::TimeDelta::microseconds(1),
        )
        .unwrap_or(submitted_naive),
        received_at: now_utc(),
        weight: 1.0,
        content_hash: content_hash(
            &form.id,
            unit,
            checked.channel,
            &checked.answers,
            checked.client_time,
        ),
        packed: Some(packed),
    };
    Prepared {
        row,
        answers: answer_rows,
        invitation: checked.invitation,
        audit: None,
    }
}

/// What makes two submissions "the same" for idempotency: everything the client chose (form, unit,
/// channel, checked answers, and the time only where the client set it), nothing the server did.
fn content_hash(
    form: &str,
    unit: &str,
    channel: Channel,
    answers: &ValidAnswers,
    submitted_at: Option<DateTime<Utc>>,
) -> String {
    #[derive(Serialize)]
    struct Canonical<'a> {
        form: &'a str,
        unit: &'a str,
        channel: Channel,
        answers: &'a BTreeMap<String, crate::forms::AnswerValue>,
        submitted_at: Option<DateTime<Utc>>,
    }
    let canonical = Canonical {
        form,
        unit,
        channel,
        answers,
        submitted_at,
    };
    let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
    hex::encode(Sha256::digest(bytes))
}

fn new_answers(answers: &ValidAnswers) -> Vec<NewAnswer> {
    answers
        .iter()
        .map(|(code, value)| NewAnswer {
            question: code.clone(),
            num_value: value.number(),
            text_value: value.text().map(str::to_string),
        })
        .collect()
}
