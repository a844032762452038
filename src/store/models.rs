//! Rows as diesel reads and writes them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    answers, audit_log, forms, invitations, kiosks, responses, sessions, unit_mappings, units,
    users,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub population: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = forms)]
pub struct FormVersionRow {
    pub form_id: String,
    pub version: i32,
    pub content_hash: String,
    pub definition: String,
    pub loaded_at: NaiveDateTime,
}

/// A stored response.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct ResponseRow {
    pub seq: i64,
    pub id: String,
    pub client_id: Option<String>,
    pub form_id: String,
    pub form_version: i32,
    pub unit: String,
    pub channel: String,
    pub submitted_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub weight: f64,
    pub content_hash: String,
}

/// A response to store (the database assigns `seq`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = responses)]
pub struct NewResponse {
    pub id: String,
    pub client_id: Option<String>,
    pub form_id: String,
    pub form_version: i32,
    pub unit: String,
    pub channel: String,
    pub submitted_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub weight: f64,
    pub content_hash: String,
    /// The compact copy of the rated and choice answers (`forms::packed`); `None` leaves it to
    /// be read from the answers rows.
    pub packed: Option<Vec<u8>>,
}

/// A stored answer: a number (ratings 1–5, expectations 1–3) or a text (choices, comments).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = answers)]
pub struct AnswerRow {
    pub response_seq: i64,
    pub question: String,
    pub num_value: Option<i32>,
    pub text_value: Option<String>,
}

/// An answer to store with a new response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub question: String,
    pub num_value: Option<i32>,
    pub text_value: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = kiosks)]
pub struct KioskRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub token_hash: String,
    pub form_id: String,
    pub respondent_group: String,
    pub unit: String,
    pub created_at: NaiveDateTime,
    pub used: bool,
    /// The last local day it may be answered (inclusive); `None`: no deadline.
    pub deadline: Option<chrono::NaiveDate>,
}

/// An audit record (append-only).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub address_hash: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow {
    pub at: NaiveDateTime,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub address_hash: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_mappings)]
pub struct UnitMappingRow {
    pub old_code: String,
    pub new_code: String,
    pub effective: NaiveDate,
}
