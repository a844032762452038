//! Accepting one response: checks the envelope (client id, unit, channel, time) and the answers,
//! then stores it idempotently. Shared by the JSON API and the HTML form.

pub mod writer;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::Connection;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::administration::units::Unit;
use crate::auth::Staff;
use crate::domain::{Channel, ResponseId, Role};
use crate::forms::{validate_answers, FieldError, LoadedForm, ValidAnswers};
use crate::platform::audit::Entry;
use crate::platform::keys::ServerKey;
use crate::store::invitations::InvitationUse;
use crate::store::models::{NewAnswer, NewResponse};
use crate::store::responses::{self, InsertOutcome};
use crate::store::{invitations, now_utc, units, DbConnection, StoreError};

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

/// The channel rules: `kiosk` only through a registered kiosk's device link (`via_kiosk`),
/// `paper` only from a signed-in clerk or admin. Other channels, and names that are not a
/// channel (422 later, with the other problems), pass.
pub fn check_channel(
    channel: &str,
    caller: Option<&Staff>,
    via_kiosk: bool,
) -> Result<(), SubmitError> {
    match channel.parse::<Channel>() {
        Ok(Channel::Kiosk) if !via_kiosk => Err(SubmitError::ChannelNotAllowed(Channel::Kiosk)),
        Ok(Channel::Paper) if !is_recorder(caller) => {
            Err(SubmitError::ChannelNotAllowed(Channel::Paper))
        }
        _ => Ok(()),
    }
}

/// Why a channel was refused, in Vietnamese and English.
pub fn channel_refusal(channel: Channel) -> (&'static str, &'static str) {
    match channel {
        Channel::Kiosk => (
            "Trả lời qua kênh kiosk chỉ được nhận từ máy kiosk đã đăng ký, qua đường dẫn riêng của máy.",
            "Kiosk answers are taken only from a registered kiosk, through its own link (/k/{token}).",
        ),
        _ => (
            "Chỉ cán bộ tiếp nhận hoặc quản trị viên đã đăng nhập mới được nhập phiếu giấy.",
            "Only a signed-in clerk or admin may enter paper forms.",
        ),
    }
}

/// Whether the caller may set `submitted_at` and enter invitation-only forms from paper.
fn is_recorder(caller: Option<&Staff>) -> bool {
    caller.is_some_and(|s| matches!(s.role, Role::Clerk | Role::Admin))
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

/// Checks one submission (envelope and answers; reads units and invitations) and builds what
/// [`store`] writes. Runs outside the storing transaction, as it always has: the invitation and the
/// `client_id` are checked again, race-free, by the insert itself.
pub fn prepare(
    conn: &mut DbConnection,
    loaded: &LoadedForm,
    request: &SubmissionRequest,
    caller: Option<&Staff>,
    tz: Tz,
    now: DateTime<Utc>,
    keys: &ServerKey,
) -> Result<Prepared, SubmitError> {
    let form = &loaded.form;
    let mut errors = Vec::new();

    let client_id = match request.client_id.as_deref().map(uuid::Uuid::parse_str) {
        None => None,
        Some(Ok(id)) => Some(id.hyphenated().to_string()),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "client_id",
                "invalid_format",
                "client_id phải là một UUID.",
                "client_id must be a UUID.",
            ));
            None
        }
    };

    let channel = match request.channel.parse::<Channel>() {
        Ok(c) if form.accepts(c) => Some(c),
        Ok(c) => {
            errors.push(FieldError::new(
                "channel",
                "channel_not_accepted",
                format!("Phiếu này không nhận trả lời qua kênh \"{c}\"."),
                format!("This form does not accept answers through the \"{c}\" channel."),
            ));
            None
        }
        Err(()) => {
            errors.push(FieldError::new(
                "channel",
                "not_an_option",
                "Kênh phải là kiosk, phone, web hoặc paper.",
                "channel must be kiosk, phone, web or paper.",
            ));
            None
        }
    };

    let honoured_time = if is_recorder(caller) {
        request.submitted_at.as_deref()
    } else {
        None
    };
    let submitted_at = match honoured_time.map(DateTime::parse_from_rfc3339) {
        None => now,
        Some(Ok(t)) if t.with_timezone(&Utc) > now => {
            errors.push(FieldError::new(
                "submitted_at",
                "in_future",
                "Thời điểm trả lời không được ở tương lai.",
                "submitted_at must not be in the future.",
            ));
            now
        }
        Some(Ok(t)) => t.with_timezone(&Utc),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "submitted_at",
                "invalid_format",
                "submitted_at phải theo RFC 3339, ví dụ 2024-05-02T09:30:00+07:00.",
                "submitted_at must be RFC 3339, e.g. 2024-05-02T09:30:00+07:00.",
            ));
            now
        }
    };

    // An invitation names the form and unit it is for; its use is recorded only when the
    // response is stored (same transaction), and nothing in the response points back to it.
    let invitation = match request.invitation.as_deref() {
        Some(token) => {
            let hash = crate::auth::token_hash(token);
            let use_hash = crate::collecting::access::invitation_use_hash(keys, token);
            match invitations::find(conn, &form.id, &hash)? {
                Some(found) if found.unit != request.unit => {
                    errors.push(FieldError::new(
                        "unit",
                        "not_invitation_unit",
                        "Đơn vị không đúng với thư mời.",
                        "The unit is not the invitation's unit.",
                    ));
                    None
                }
                // A used invitation is refused at once, unless this is a resend of the answer
                // that used it (its client_id is stored): that one gets its first id below.
                Some(found)
                    if invitations::is_used(conn, &found, &use_hash)?
                        && !replay_of_stored(conn, client_id.as_deref())? =>
                {
                    return Err(SubmitError::InvitationUsed)
                }
                // Past its deadline (local days): refused, unless a resend of a stored answer.
                Some(found)
                    if crate::collecting::access::invitation_expired(
                        &found,
                        now.with_timezone(&tz).date_naive(),
                    ) && !replay_of_stored(conn, client_id.as_deref())? =>
                {
                    return Err(SubmitError::InvitationExpired)
                }
                Some(found) => Some(PreparedUse {
                    use_hash,
                    respondent_group: found.respondent_group,
                }),
                None => {
                    errors.push(FieldError::new(
                        "invitation",
                        "unknown_invitation",
                        "Thư mời không hợp lệ.",
                        "Unknown invitation.",
                    ));
                    None
                }
            }
        }
        None if form.invitation_only && !is_recorder(caller) => {
            errors.push(FieldError::new(
                "invitation",
                "invitation_required",
                "Phiếu này chỉ trả lời được qua thư mời.",
                "This form can only be answered through an invitation.",
            ));
            None
        }
        None => None,
    };

    let unit: Unit = units::get(conn, &request.unit)?
        .ok_or_else(|| SubmitError::UnknownUnit(request.unit.clone()))?
        .into();
    let local_date = submitted_at.with_timezone(&tz).date_naive();
    if !unit.is_valid_on(local_date) {
        errors.push(FieldError::new(
            "unit",
            "unit_not_valid",
            format!(
                "Đơn vị \"{}\" không tồn tại vào ngày {local_date}.",
                unit.code
            ),
            format!("Unit \"{}\" did not exist on {local_date}.", unit.code),
        ));
    }

    // Without a valid channel, required answers cannot be judged; report the channel alone.
    let answers = match channel.map(|c| validate_answers(form, c, &request.answers)) {
        Some(Ok(valid)) => Some(valid),
        Some(Err(mut answer_errors)) => {
            errors.append(&mut answer_errors);
            None
        }
        None => None,
    };
    let (Some(channel), Some(answers), true) = (channel, answers, errors.is_empty()) else {
        return Err(SubmitError::Invalid(errors));
    };

    let id = ResponseId::new().to_string();
    let submitted_naive = submitted_at.naive_utc();
    let answer_rows = new_answers(&answers);
    let packed = loaded.layout.pack(
        answer_rows
            .iter()
            .map(|a| (a.question.as_str(), a.num_value, a.text_value.as_deref())),
    );
    let row = NewResponse {
        id,
        client_id,
        form_id: form.id.clone(),
        form_version: loaded.version,
        unit: unit.code.clone(),
        channel: channel.as_str().to_string(),
        submitted_at: chrono::DurationRound::duration_trunc(
            submitted_naive,
            chrono::TimeDelta::microseconds(1),
        )
        .unwrap_or(submitted_naive),
        received_at: now_utc(),
        weight: 1.0,
        content_hash: content_hash(
            &form.id,
            &unit.code,
            channel,
            &answers,
            honoured_time.map(|_| submitted_at),
        ),
        packed: Some(packed),
    };
    Ok(Prepared {
        row,
        answers: answer_rows,
        invitation,
        audit: None,
    })
}

fn replay_of_stored(conn: &mut DbConnection, client_id: Option<&str>) -> Result<bool, StoreError> {
    match client_id {
        Some(id) => responses::client_id_exists(conn, id),
        None => Ok(false),
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
