//! `POST /api/v1/forms` (admin): upload a form file as TOML text — a new form, or a new version
//! of one that exists. Checked like `sipas forms check`; see [`crate::forms::upload`].

use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Role;
use crate::forms::upload::{self, Uploaded};
use crate::service::{forms, Actor};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_body, StaffUser};
use crate::web::state::AppState;

/// Media types a form file may be sent as.
pub const FORM_MEDIA_TYPES: [&str; 2] = ["application/toml", "text/plain"];

/// What an upload did.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormUploaded {
    pub id: String,
    /// The version now live.
    pub version: i32,
    /// The version live before; null for a new form.
    pub previous_version: Option<i32>,
    /// False when the file's content was the live version's: nothing changed (200).
    pub changed: bool,
    pub title: String,
    /// SHA-256 of the canonical definition.
    pub content_hash: String,
}

impl From<&Uploaded> for FormUploaded {
    fn from(u: &Uploaded) -> Self {
        FormUploaded {
            id: u.loaded.form.id.clone(),
            version: u.loaded.version,
            previous_version: u.previous_version,
            changed: u.changed,
            title: u.loaded.form.title.clone(),
            content_hash: u.loaded.content_hash.clone(),
        }
    }
}

/// Uploads a form file (admin): the TOML text as the body (`application/toml` or `text/plain`,
/// at most 64 KiB). A new form or a new version of one (by content) is live at once and kept in
/// the forms folder; the same content again answers 200 and changes nothing. Responses keep the
/// version they answered. Problems of the file answer 422 with one field per problem
/// (`"line 12"`); removing or retyping a question that has stored answers answers 422 too.
#[utoipa::path(
    tag = "forms",
    request_body(content = String, content_type = "application/toml", description = "the form file (TOML), as `sipas forms check` reads it"),
    responses(
        (status = 201, body = FormUploaded, description = "a new form or a new version, live now"),
        (status = 200, body = FormUploaded, description = "the content of the live version: nothing changed"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: problems of the file by line, or changes that would break stored answers")
    ),
    security(("bearer" = []))
)]
#[post("/forms")]
pub async fn upload_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, &[Role::Admin], upload::AUDIT_ACTION).await?;
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| FORM_MEDIA_TYPES.contains(&v.as_str()))
        .ok_or_else(|| ApiError::unsupported_media_type(FORM_MEDIA_TYPES[0]))?;
    let body = read_body(&req, payload, &media_type).await?;
    let actor = Actor::staff(&staff.0, client::address_hash(&req, &state));
    let (registry, dir) = (state.forms.clone(), state.config.forms_dir.clone());
    let uploaded = with_conn(&state, move |conn| {
        forms::upload(conn, &actor, &registry, &dir, &body)
    })
    .await?;
    let status = if uploaded.changed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .insert_header((
            header::LOCATION,
            format!("/api/v1/forms/{}", uploaded.loaded.form.id),
        ))
        .json(FormUploaded::from(&uploaded)))
}
