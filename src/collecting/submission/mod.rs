//! Accepting one response: checks the envelope (client id, unit, channel, time) and the answers
//! (`check`), then stores it idempotently by `client_id`, with the use of its invitation
//! (`store`), one transaction per submission or many in one ([`writer`]: group commit). The
//! service layer (`service::submit`) calls it for the JSON API and the HTML form alike.

mod check;
mod store;
pub mod writer;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};

use crate::domain::{Channel, Role};
use crate::forms::{FieldError, LoadedForm};
use crate::platform::audit::Entry;
use crate::platform::keys::ServerKey;
use crate::store::models::{NewAnswer, NewResponse, UnitRow};
use crate::store::{DbConnection, StoreError};

pub use check::{channel_refusal, check_channel};
pub use store::{store, store_audited};

/// The body of `POST /api/v1/forms/{form_id}/responses`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRequest {
    /// Idempotency key (UUID), recommended: a resend with the same key is stored once.
    pub client_id: Option<String>,
    /// Unit code, e.g. `phuoc-son`.
    pub unit: String,
    /// `kiosk`, `phone`, `web` or `paper`.
    pub channel: String,
    /// Answers by question code: integers for ratings, option codes for choices, text for comments.
    /// A code given twice is refused (400 `malformed_json`).
    #[schema(value_type = Object)]
    #[serde(deserialize_with = "unique_answers")]
    pub answers: Map<String, Value>,
    /// RFC 3339 time; honoured only for authenticated clerks and admins (paper forms, imports).
    pub submitted_at: Option<String>,
    /// Invitation token for invitation-only forms.
    pub invitation: Option<String>,
}

/// The answers object, refusing a question code given twice (serde_json keeps the last one).
fn unique_answers<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    struct Answers;
    impl<'de> serde::de::Visitor<'de> for Answers {
        type Value = Map<String, Value>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of answers by question code")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut access: A,
        ) -> Result<Self::Value, A::Error> {
            let mut answers = Map::new();
            while let Some(code) = access.next_key::<String>()? {
                if answers.contains_key(&code) {
                    return Err(serde::de::Error::custom(format!(
                        "câu trả lời \"{code}\" có hai lần (duplicate answer \"{code}\")"
                    )));
                }
                let value: Value = access.next_value()?;
                answers.insert(code, value);
            }
            Ok(answers)
        }
    }
    deserializer.deserialize_map(Answers)
}

/// A stored submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Created(String),
    /// Same `client_id`, same content: the first response's id.
    Replayed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("unknown unit {0}")]
    UnknownUnit(String),
    #[error("the submission is not valid")]
    Invalid(Vec<FieldError>),
    #[error("this client_id was already used for a different response")]
    DuplicateConflict,
    #[error("the invitation was already used")]
    InvitationUsed,
    #[error("the invitation's deadline has passed")]
    InvitationExpired,
    /// `kiosk` without a kiosk's device link, `paper` without a signed-in clerk or admin.
    #[error("the {0} channel is not allowed to this caller")]
    ChannelNotAllowed(Channel),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SubmitError {
    pub fn code(&self) -> &'static str {
        match self {
            SubmitError::UnknownUnit(_) => "unknown_unit",
            SubmitError::Invalid(_) => "validation_failed",
            SubmitError::DuplicateConflict => "duplicate_conflict",
            SubmitError::InvitationUsed => "invitation_used",
            SubmitError::InvitationExpired => "invitation_expired",
            SubmitError::ChannelNotAllowed(_) => "channel_not_allowed",
            SubmitError::Store(e) => e.code(),
        }
    }
}

impl From<diesel::result::Error> for SubmitError {
    fn from(e: diesel::result::Error) -> Self {
        SubmitError::Store(StoreError::from_diesel(e))
    }
}

/// A checked submission, ready to store: the response row, its answers and the use of the
/// invitation it came through.
#[derive(Debug, Clone)]
pub struct Prepared {
    row: NewResponse,
    answers: Vec<NewAnswer>,
    invitation: Option<PreparedUse>,
    /// The audit record of a staff member's entry, written with the response.
    audit: Option<Entry>,
}

/// The use of an invitation to record with the response: its keyed hash and its group.
#[derive(Debug, Clone)]
struct PreparedUse {
    use_hash: String,
    respondent_group: String,
}

impl Prepared {
    /// The response row it would store (a correction takes its content hash and packed copy).
    pub fn response(&self) -> &NewResponse {
        &self.row
    }

    /// The checked answers it would store.
    pub fn answers(&self) -> &[NewAnswer] {
        &self.answers
    }

    /// Stored under this `client_id` instead of the request's: a paper sheet's `paper:<sheet>`
    /// (`domain::SheetNumber::client_id`), so that a sheet is a response at most once.
    pub fn with_client_id(mut self, client_id: String) -> Prepared {
        self.row.client_id = Some(client_id);
        self
    }

    /// The response's id once stored (a new id; a replay answers the first one's).
    pub fn response_id(&self) -> &str {
        &self.row.id
    }

    /// With the audit record of a staff member's entry (`None`: not audited): it names the
    /// form, unit and channel, never the response.
    pub fn audited(mut self, entry: Option<Entry>) -> Prepared {
        self.audit = entry.map(|e| {
            e.target(self.row.form_id.clone()).detail(json!({
                "form": self.row.form_id,
                "unit": self.row.unit,
                "channel": self.row.channel,
            }))
        });
        self
    }
}

impl Prepared {
    /// The `client_id` it is stored under.
    pub fn client_id(&self) -> Option<&str> {
        self.row.client_id.as_deref()
    }

    /// What makes two submissions the same (see `store::content_hash`).
    pub fn content_hash(&self) -> &str {
        &self.row.content_hash
    }

    /// For an imported row: the `client_id` (and response id, when the file gives one) derived
    /// from the row's `id` cell (`collecting::import::RowKey`).
    pub fn with_identity(mut self, id: Option<String>, client_id: String) -> Prepared {
        if let Some(id) = id {
            self.row.id = id;
        }
        self.row.client_id = Some(client_id);
        self
    }

    /// The rows to store in bulk (`store::bulk`): no invitation, no audit record of its own.
    pub fn into_rows(self) -> (NewResponse, Vec<NewAnswer>) {
        (self.row, self.answers)
    }
}

/// Who sends a submission, as far as the rules go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sender {
    /// A signed-in clerk or admin: may enter paper forms, set `submitted_at`, and answer an
    /// invitation-only form without an invitation (from its paper questionnaire).
    pub recorder: bool,
    /// Through a registered kiosk's device link: the only way to the `kiosk` channel.
    pub via_kiosk: bool,
}

impl Sender {
    /// Whether a staff member of `role` is a recorder (clerks and admins).
    pub fn is_recorder(role: Role) -> bool {
        matches!(role, Role::Clerk | Role::Admin)
    }
}

/// Checks one submission (envelope and answers; reads units and invitations) and builds what
/// [`store`] writes. Runs outside the storing transaction, as it always has: the invitation and the
/// `client_id` are checked again, race-free, by the insert itself.
pub fn prepare(
    conn: &mut DbConnection,
    loaded: &LoadedForm,
    request: &SubmissionRequest,
    sender: Sender,
    tz: Tz,
    now: DateTime<Utc>,
    keys: &ServerKey,
) -> Result<Prepared, SubmitError> {
    prepare_with_units(conn, loaded, request, sender, (tz, now), keys, None)
}

/// [`prepare`], with the units read once beforehand (`units`, by code) for the rows of a file
/// (an import) instead of one query per row; `None` reads the submission's unit.
pub fn prepare_with_units(
    conn: &mut DbConnection,
    loaded: &LoadedForm,
    request: &SubmissionRequest,
    sender: Sender,
    (tz, now): (Tz, DateTime<Utc>),
    keys: &ServerKey,
    units: Option<&HashMap<String, UnitRow>>,
) -> Result<Prepared, SubmitError> {
    let context = check::Context {
        loaded,
        request,
        sender,
        tz,
        now,
        keys,
        units,
    };
    let checked = check::check(conn, &context)?;
    Ok(store::prepared(loaded, checked))
}
