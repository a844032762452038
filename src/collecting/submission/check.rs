//! Checking a submission: the channel rules (who may use which channel), then the envelope
//! (client id, channel, time, invitation, unit) and the answers, every problem at once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{PreparedUse, Sender, SubmissionRequest, SubmitError};
use crate::administration::units::Unit;
use crate::domain::Channel;
use crate::forms::{validate_answers, FieldError, Form, LoadedForm, ValidAnswers};
use crate::platform::keys::ServerKey;
use crate::store::models::UnitRow;
use crate::store::{invitations, responses, units, DbConnection, StoreError};

/// The channel rules: `kiosk` only through a registered kiosk's device link
/// ([`Sender::via_kiosk`]), `paper` only from a signed-in clerk or admin ([`Sender::recorder`]).
/// Other channels, and names that are not a channel (422 later, with the other problems), pass.
pub fn check_channel(channel: &str, sender: Sender) -> Result<(), SubmitError> {
    match channel.parse::<Channel>() {
        Ok(Channel::Kiosk) if !sender.via_kiosk => {
            Err(SubmitError::ChannelNotAllowed(Channel::Kiosk))
        }
        Ok(Channel::Paper) if !sender.recorder => {
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

/// What one submission is checked against.
pub(super) struct Context<'a> {
    pub loaded: &'a LoadedForm,
    pub request: &'a SubmissionRequest,
    pub sender: Sender,
    pub tz: Tz,
    /// The server clock when the request arrived.
    pub now: DateTime<Utc>,
    /// The key invitation uses are recorded under.
    pub keys: &'a ServerKey,
    /// The units read once for many submissions (an import); `None`: read the unit per
    /// submission.
    pub units: Option<&'a HashMap<String, UnitRow>>,
}

/// A submission whose envelope and answers are valid.
pub(super) struct Checked {
    /// The `client_id`, hyphenated.
    pub client_id: Option<String>,
    pub channel: Channel,
    pub submitted_at: DateTime<Utc>,
    /// The time the client set and that was honoured: part of what makes two submissions the
    /// same.
    pub client_time: Option<DateTime<Utc>>,
    pub unit: Unit,
    pub answers: ValidAnswers,
    pub invitation: Option<PreparedUse>,
}

/// Checks the envelope and the answers: every field problem at once (422), or a refusal of the
/// whole submission (a used or expired invitation, an unknown unit).
pub(super) fn check(conn: &mut DbConnection, cx: &Context<'_>) -> Result<Checked, SubmitError> {
    let form = &cx.loaded.form;
    let mut errors = Vec::new();
    let client_id = client_id(cx.request, &mut errors);
    let channel = channel(form, cx.request, &mut errors);
    let (submitted_at, client_time) = submitted_at(cx, &mut errors);
    let invitation = invitation(conn, cx, client_id.as_deref(), &mut errors)?;
    let unit = unit(conn, cx, submitted_at, &mut errors)?;

    // Without a valid channel, required answers cannot be judged; report the channel alone.
    let answers = match channel.map(|c| validate_answers(form, c, &cx.request.answers)) {
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
    Ok(Checked {
        client_id,
        channel,
        submitted_at,
        client_time,
        unit,
        answers,
        invitation,
    })
}

/// The `client_id`, which must be a UUID.
fn client_id(request: &SubmissionRequest, errors: &mut Vec<FieldError>) -> Option<String> {
    match request.client_id.as_deref().map(uuid::Uuid::parse_str) {
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
    }
}

/// The channel, which must be one the form accepts.
fn channel(
    form: &Form,
    request: &SubmissionRequest,
    errors: &mut Vec<FieldError>,
) -> Option<Channel> {
    match request.channel.parse::<Channel>() {
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
    }
}

/// When it was answered: `submitted_at` for a recorder (paper forms, imports; RFC 3339, not in
/// the future), else the server's clock. With the client's time when it was honoured.
fn submitted_at(
    cx: &Context<'_>,
    errors: &mut Vec<FieldError>,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let now = cx.now;
    let honoured = if cx.sender.recorder {
        cx.request.submitted_at.as_deref()
    } else {
        None
    };
    let at = match honoured.map(DateTime::parse_from_rfc3339) {
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
    (at, honoured.map(|_| at))
}

/// The invitation a submission came through. An invitation names the form and unit it is for;
/// its use is recorded only when the response is stored (same transaction), and nothing in the
/// response points back to it. A used or expired one refuses the whole submission, unless this
/// is a resend of the answer that used it (its `client_id` is stored): that one gets its first id.
fn invitation(
    conn: &mut DbConnection,
    cx: &Context<'_>,
    client_id: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<PreparedUse>, SubmitError> {
    let form = &cx.loaded.form;
    let Some(token) = cx.request.invitation.as_deref() else {
        if form.invitation_only && !cx.sender.recorder {
            errors.push(FieldError::new(
                "invitation",
                "invitation_required",
                "Phiếu này chỉ trả lời được qua thư mời.",
                "This form can only be answered through an invitation.",
            ));
        }
        return Ok(None);
    };
    let hash = crate::auth::token_hash(token);
    let use_hash = crate::collecting::access::invitation_use_hash(cx.keys, token);
    let Some(found) = invitations::find(conn, &form.id, &hash)? else {
        errors.push(FieldError::new(
            "invitation",
            "unknown_invitation",
            "Thư mời không hợp lệ.",
            "Unknown invitation.",
        ));
        return Ok(None);
    };
    if found.unit != cx.request.unit {
        errors.push(FieldError::new(
            "unit",
            "not_invitation_unit",
            "Đơn vị không đúng với thư mời.",
            "The unit is not the invitation's unit.",
        ));
        return Ok(None);
    }
    if invitations::is_used(conn, &found, &use_hash)? && !replay_of_stored(conn, client_id)? {
        return Err(SubmitError::InvitationUsed);
    }
    // Past its deadline (local days).
    let today = cx.now.with_timezone(&cx.tz).date_naive();
    if crate::collecting::access::invitation_expired(&found, today)
        && !replay_of_stored(conn, client_id)?
    {
        return Err(SubmitError::InvitationExpired);
    }
    Ok(Some(PreparedUse {
        use_hash,
        respondent_group: found.respondent_group,
    }))
}

/// The unit, which must exist (404 otherwise) and be valid on the local day it was answered.
fn unit(
    conn: &mut DbConnection,
    cx: &Context<'_>,
    submitted_at: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> Result<Unit, SubmitError> {
    let code = &cx.request.unit;
    let row = match cx.units {
        Some(loaded) => loaded.get(code).cloned(),
        None => units::get(conn, code)?,
    };
    let unit: Unit = row
        .ok_or_else(|| SubmitError::UnknownUnit(code.clone()))?
        .into();
    let local_date = submitted_at.with_timezone(&cx.tz).date_naive();
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
    Ok(unit)
}

/// Whether `client_id` names a stored response: a resend of it.
fn replay_of_stored(conn: &mut DbConnection, client_id: Option<&str>) -> Result<bool, StoreError> {
    match client_id {
        Some(id) => responses::client_id_exists(conn, id),
        None => Ok(false),
    }
}
