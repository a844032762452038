//! Ways into a form besides the public link: kiosk tablets (a device token bound to a unit) and
//! single-use invitations (the delegates' survey). Tokens are shown once and stored as SHA-256.

use chrono::NaiveDateTime;

use crate::administration::units::Unit;
use crate::auth::{new_token, token_hash};
use crate::forms::{FieldError, LoadedForm};
use crate::platform::keys::ServerKey;
use crate::store::models::{InvitationRow, KioskRow};
use crate::store::{invitations, kiosks, units, DbConnection, StoreError};

/// Most invitations one request may create.
pub const MAX_INVITATIONS_PER_REQUEST: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the request is not valid")]
    Invalid(Vec<FieldError>),
    #[error("unknown unit {0}")]
    UnknownUnit(String),
    /// No active kiosk holds the token (never registered, or revoked).
    #[error("no active kiosk holds this token")]
    UnknownKiosk,
    /// No invitation holds the token.
    #[error("no invitation holds this token")]
    UnknownInvitation,
    #[error("token generation failed")]
    Token,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccessError {
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::Invalid(_) => "validation_failed",
            AccessError::UnknownUnit(_) => "unknown_unit",
            AccessError::UnknownKiosk => "unknown_kiosk",
            AccessError::UnknownInvitation => "unknown_invitation",
            AccessError::Token => "internal",
            AccessError::Store(e) => e.code(),
        }
    }
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> AccessError {
    AccessError::Invalid(vec![FieldError::new(field, code, vi, en)])
}

fn token() -> Result<String, AccessError> {
    new_token().map_err(|_| AccessError::Token)
}

/// The unit, which must exist and be open on `today`.
fn open_unit(
    conn: &mut DbConnection,
    code: &str,
    today: chrono::NaiveDate,
) -> Result<Unit, AccessError> {
    let unit: Unit = units::get(conn, code)?
        .ok_or_else(|| AccessError::UnknownUnit(code.to_string()))?
        .into();
    if !unit.is_valid_on(today) {
        return Err(invalid(
            "unit",
            "unit_not_valid",
            "Đơn vị này đã đóng.",
            "This unit is closed.",
        ));
    }
    Ok(unit)
}

/// A kiosk just registered, with the token to open on the tablet (shown once).
#[derive(Debug, Clone)]
pub struct RegisteredKiosk {
    pub kiosk: KioskRow,
    pub token: String,
}

/// Registers a kiosk for a unit.
pub fn register_kiosk(
    conn: &mut DbConnection,
    name: &str,
    unit: &str,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
) -> Result<RegisteredKiosk, AccessError> {
    let name = crate::forms::validate::normalize_text(name.trim());
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "invalid_text",
            "Tên máy phải có từ 1 đến 100 ký tự.",
            "name must be 1 to 100 characters.",
        ));
    }
    let unit = open_unit(conn, unit, today)?;
    let token = token()?;
    let kiosk = KioskRow {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        unit: unit.code,
        token_hash: token_hash(&token),
        created_at: now,
        revoked_at: None,
    };
    kiosks::insert(conn, &kiosk)?;
    Ok(RegisteredKiosk { kiosk, token })
}

/// The active kiosk holding this token; `unknown_kiosk` when none does.
pub fn kiosk_by_token(conn: &mut DbConnection, token: &str) -> Result<KioskRow, AccessError> {
    kiosks::find_active(conn, &token_hash(token))?.ok_or(AccessError::UnknownKiosk)
}

/// The question whose options are a form's respondent groups (the delegates' survey: `nhom`).
pub const GROUP_QUESTION: &str = "nhom";

/// The group of a form without a `nhom` question.
pub const DEFAULT_GROUP: (&str, &str) = ("chung", "Chung (phiếu không chia nhóm)");

/// A form's respondent groups as (code, label): the options of its `nhom` question, or the one
/// default group.
pub fn form_groups(form: &crate::forms::Form) -> Vec<(String, String)> {
    match form.questions.iter().find(|q| q.code == GROUP_QUESTION) {
        Some(q) => q
            .options
            .iter()
            .map(|o| (o.code.clone(), o.label.clone()))
            .collect(),
        None => vec![(DEFAULT_GROUP.0.to_string(), DEFAULT_GROUP.1.to_string())],
    }
}

/// The group must be one the form defines.
fn check_form_group(form: &crate::forms::Form, group: &str) -> Result<(), AccessError> {
    let groups = form_groups(form);
    if groups.iter().any(|(code, _)| code == group) {
        return Ok(());
    }
    let codes: Vec<&str> = groups.iter().map(|(c, _)| c.as_str()).collect();
    Err(invalid(
        "group",
        "unknown_group",
        &format!(
            "Phiếu này không có nhóm \"{group}\". Chọn một trong: {}.",
            codes.join(", ")
        ),
        &format!(
            "This form has no group \"{group}\". Choose one of: {}.",
            codes.join(", ")
        ),
    ))
}

/// A respondent group code: 1–64 of `a-z 0-9 _ -` (e.g. `dai_bieu_hdnd`).
fn check_group(group: &str) -> Result<(), AccessError> {
    let ok = (1..=64).contains(&group.len())
        && group
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "group",
            "invalid_format",
            "Nhóm phải có từ 1 đến 64 ký tự a-z, 0-9, _ hoặc -, ví dụ dai_bieu_hdnd.",
            "group must be 1 to 64 characters of a-z, 0-9, _ or -, e.g. dai_bieu_hdnd.",
        ))
    }
}

/// What a batch of invitations is for.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// How many (1–1000).
    pub count: u32,
    /// The respondent group: one the form defines.
    pub group: String,
    /// The unit the responses count for; default the root of today's tree.
    pub unit: Option<String>,
    /// The last local day the invitations may be answered (inclusive), not before today.
    pub deadline: Option<chrono::NaiveDate>,
}

/// Creates a batch of single-use invitations to a form for one respondent group. Returns the
/// tokens (shown once).
pub fn create_invitations(
    conn: &mut DbConnection,
    form: &LoadedForm,
    batch: &NewBatch,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
) -> Result<Vec<String>, AccessError> {
    let (count, group) = (batch.count, batch.group.as_str());
    if batch.deadline.is_some_and(|d| d < today) {
        return Err(invalid(
            "deadline",
            "in_past",
            "Hạn trả lời không được trước hôm nay.",
            "deadline must not be before today.",
        ));
    }
    if !(1..=MAX_INVITATIONS_PER_REQUEST).contains(&count) {
        return Err(invalid(
            "count",
            "out_of_range",
            &format!("Số thư mời phải từ 1 đến {MAX_INVITATIONS_PER_REQUEST}."),
            &format!("count must be 1 to {MAX_INVITATIONS_PER_REQUEST}."),
        ));
    }
    check_group(group)?;
    check_form_group(&form.form, group)?;
    let unit = match batch.unit.as_deref() {
        Some(code) => open_unit(conn, code, today)?,
        None => root_unit(conn, today)?,
    };
    let tokens = (0..count).map(|_| token()).collect::<Result<Vec<_>, _>>()?;
    let rows: Vec<InvitationRow> = tokens
        .iter()
        .map(|t| InvitationRow {
            token_hash: token_hash(t),
            form_id: form.form.id.clone(),
            respondent_group: group.to_string(),
            unit: unit.code.clone(),
            // The day only: a time of issue adds nothing and could help re-identify someone.
            created_at: now.date().and_time(chrono::NaiveTime::MIN),
            used: false,
            deadline: batch.deadline,
        })
        .collect();
    invitations::insert_all(conn, &rows)?;
    Ok(tokens)
}

/// The open unit without an open parent (the district or province at the top of today's tree).
fn root_unit(conn: &mut DbConnection, today: chrono::NaiveDate) -> Result<Unit, AccessError> {
    let open: Vec<Unit> = units::list(conn)?
        .into_iter()
        .map(Unit::from)
        .filter(|u| u.is_valid_on(today))
        .collect();
    open.iter()
        .find(|u| {
            u.parent
                .as_ref()
                .is_none_or(|p| !open.iter().any(|o| &o.code == p))
        })
        .cloned()
        .ok_or_else(|| AccessError::UnknownUnit("(root)".into()))
}

/// Whether an invitation's deadline has passed on local day `today`.
pub fn invitation_expired(invitation: &InvitationRow, today: chrono::NaiveDate) -> bool {
    invitation.deadline.is_some_and(|d| d < today)
}

/// The invitation holding this token, whatever its form, and whether it was used;
/// `unknown_invitation` when none does.
pub fn invitation_by_token(
    conn: &mut DbConnection,
    keys: &ServerKey,
    token: &str,
) -> Result<(InvitationRow, bool), AccessError> {
    let row = invitations::find_by_hash(conn, &token_hash(token))?
        .ok_or(AccessError::UnknownInvitation)?;
    let used = invitations::is_used(conn, &row, &invitation_use_hash(keys, token))?;
    Ok((row, used))
}

/// What records an invitation's use: HMAC of the token under the service's secret key (kept
/// outside the database), so that the record cannot be matched to the invitation's row (which
/// holds the token's SHA-256) by anyone who has only the database — nor by whoever holds the
/// printed tokens without the key.
pub fn invitation_use_hash(keys: &ServerKey, token: &str) -> String {
    keys.mac_hex("invitation-use", token.as_bytes())
}
