//! `POST /api/v1/forms` (admin): upload a form file as TOML text — a new form, or a new version
//! of one that exists. Checked like `sipas forms check`; see [`crate::forms::upload`].

use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;
use crate::domain::Role;
use crate::forms::upload::{self, UploadError, Uploaded};
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

/// The 422 of a refused upload: one field per problem, `"line 12"` for a problem of the file,
/// the question code for a change that would break stored answers.
pub fn refusal(e: UploadError) -> ApiError {
    let (fields, message, message_en) = match e {
        UploadError::Invalid(problems) => (
            problems
                .iter()
                .map(|p| {
                    FieldError::new(
                        &format!("line {}", p.line),
                        "form_invalid",
                        format!("Dòng {}: {}", p.line, p.message),
                        format!("line {}: {}", p.line, p.message_en),
                    )
                })
                .collect::<Vec<_>>(),
            "Tệp phiếu chưa hợp lệ, xin sửa các lỗi theo số dòng bên dưới.",
            "The form file is not valid; see the problems by line.",
        ),
        UploadError::Breaking(changes) => (
            changes
                .iter()
                .map(|b| FieldError::new(b.code(), b.reason(), b.message(), b.message_en()))
                .collect(),
            "Phiên bản mới làm hỏng dữ liệu đã lưu: mã câu hỏi đã có câu trả lời không được xoá hay đổi loại.",
            "The new version would break stored answers: codes with stored answers cannot be removed or retyped.",
        ),
        UploadError::Io { path, source } => {
            tracing::error!(path = %path.display(), error = %source, "cannot write a form file");
            return ApiError::internal();
        }
        UploadError::Store(e) => return e.into(),
    };
    ApiError {
        fields,
        ..ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
            message_en,
        )
    }
}

/// Checks and stores an uploaded form file for an admin; the caller has checked the role.
pub async fn store_upload(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &crate::auth::Staff,
    source: Vec<u8>,
) -> Result<Uploaded, ApiError> {
    let entry = client::audit_entry(req, state, Some(staff), upload::AUDIT_ACTION);
    let registry = state.forms.clone();
    let dir = state.config.forms_dir.clone();
    let outcome = with_conn(state, move |conn| {
        Ok::<_, ApiError>(upload::upload(conn, &registry, &dir, &source, &entry))
    })
    .await?;
    let uploaded = outcome.map_err(refusal)?;
    if uploaded.changed {
        tracing::info!(form = %uploaded.loaded.form.id, version = uploaded.loaded.version, by = %staff.username, "form version uploaded");
    }
    Ok(uploaded)
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
    let uploaded = store_upload(&req, &state, &staff.0, body.to_vec()).await?;
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
