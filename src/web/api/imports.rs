//! `POST /api/v1/imports/{form_id}`: responses from a CSV or XLSX file with the export's columns;
//! `GET /api/v1/imports/{form_id}/template.xlsx`: the workbook to fill in. The rules:
//! `service::imports` and `collecting::import`.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::collecting::import::{FileKind, Problem, MAX_BYTES, XLSX_TYPE};
use crate::domain::Role;
use crate::service::imports::{self, ImportInput, ImportOutcome};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_body_up_to, StaffUser};
use crate::web::state::AppState;

const ROLES: &[Role] = &[Role::Admin, Role::Clerk];

/// The query of an import.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true` (or `1`): check only, store nothing; the answer lists every problem (200).
    pub dry_run: Option<String>,
}

impl ImportQuery {
    fn dry_run(&self) -> Result<bool, ApiError> {
        match self.dry_run.as_deref() {
            None | Some("") | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(other) => Err(ApiError::bad_query(format!(
                "dry_run phải là true hoặc false, không phải \"{other}\""
            ))),
        }
    }
}

/// A dry run: the data rows read and every problem (at most 1,000, then `too_many_problems`).
#[derive(Debug, Serialize, ToSchema)]
pub struct DryRunOut {
    pub rows: usize,
    pub problems: Vec<Problem>,
}

/// A stored import: new responses, and rows that were stored already (same `id`, same content).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedOut {
    pub stored: u64,
    pub already_present: u64,
}

/// The file (binary).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImportFile(pub Vec<u8>);

/// Imports responses from a file (admin, clerk): the columns of `GET /api/v1/exports/{form_id}.csv`
/// — `id` (required: a paper sheet number, an export's response id, or the office's own
/// reference; it names the row, so importing the same file again stores nothing new), `unit`,
/// `channel`, `submitted_at` (RFC 3339, or local `YYYY-MM-DD HH:MM[:SS]` / `DD/MM/YYYY HH:MM`),
/// then question codes: option codes or labels, ratings 1–5. Every row is checked as a
/// submission is. CSV UTF-8 (BOM accepted) or XLSX (first sheet, or `Phiếu trả lời`); at most
/// 200,000 rows and 64 MiB. A clean file is stored at once (201); a file with any problem stores
/// nothing (422 `import_rejected`, `error.problems`: row — header = 1 —, column, code, message).
#[utoipa::path(
    tag = "imports",
    params(("form_id" = String, Path, description = "Form id"), ImportQuery),
    request_body(
        content((String = "text/csv"), (inline(ImportFile) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "The file itself"
    ),
    responses(
        (status = 201, body = ImportedOut, description = "stored (stored may be 0: every row already present)"),
        (status = 200, body = DryRunOut, description = "dry_run=true: nothing stored, every problem listed"),
        (status = 400, body = ErrorBody, description = "bad_query: dry_run not true/false"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form"),
        (status = 408, body = ErrorBody, description = "request_timeout: the body came too slowly"),
        (status = 413, body = ErrorBody, description = "payload_too_large: over 64 MiB"),
        (status = 415, body = ErrorBody, description = "unsupported_media_type: not text/csv or XLSX"),
        (status = 422, body = ErrorBody, description = "import_rejected: error.problems lists every problem; nothing stored"),
        (status = 503, body = ErrorBody, description = "database_unavailable"),
    ),
    security(("bearer" = []))
)]
#[post("/imports/{form_id}")]
pub async fn import_responses(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ImportQuery>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, ROLES, imports::AUDIT_ACTION).await?;
    let form_id = path.into_inner();
    let loaded = state
        .forms
        .get(&form_id)
        .ok_or_else(|| ApiError::unknown_form(&form_id))?;
    let dry_run = query.dry_run()?;
    let media_type = media_type(&req);
    let Some(kind) = media_type.as_deref().and_then(FileKind::from_media_type) else {
        return Err(ApiError::unsupported_media_type(&format!(
            "text/csv hoặc {XLSX_TYPE}"
        )));
    };
    let content_type = media_type.unwrap_or_default();
    let bytes = read_body_up_to(&req, payload, &content_type, MAX_BYTES).await?;
    let (actor, tz, keys) = (
        client::actor(&req, &state, &staff.0),
        state.config.tz,
        state.keys.clone(),
    );
    let outcome = with_conn(&state, move |conn| {
        let input = ImportInput {
            loaded: &loaded,
            kind,
            bytes: &bytes,
            dry_run,
            tz,
            keys: &keys,
            now: chrono::Utc::now(),
        };
        imports::import_responses(conn, &actor, input)
    })
    .await?;
    if let (Some(cache), ImportOutcome::Stored { stored: 1.., .. }) =
        (&state.report_cache, &outcome)
    {
        cache.forget(&form_id);
    }
    Ok(match outcome {
        ImportOutcome::Checked { rows, problems } => {
            HttpResponse::Ok().json(DryRunOut { rows, problems })
        }
        ImportOutcome::Stored {
            stored,
            already_present,
        } => HttpResponse::Created().json(ImportedOut {
            stored,
            already_present,
        }),
    })
}

/// The request's media type, lower case, without parameters.
fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
}

/// The import template of a form (admin, clerk): sheet `Phiếu trả lời` with the header of codes
/// (`id`, `unit`, `channel`, `submitted_at`, question codes) and, below it, drop-down lists
/// (units valid today, channels, option labels), whole numbers 1–5 (1–3) for ratings and a
/// date-time format for `submitted_at`; sheet `Hướng dẫn` with each column's label and values;
/// sheet `Danh mục` with the lists. Filled in, it imports with `POST /api/v1/imports/{form_id}`.
#[utoipa::path(
    tag = "imports",
    params(("form_id" = String, Path, description = "Form id")),
    responses(
        (status = 200, description = "The workbook, as an attachment `{form_id}_mau-nhap.xlsx`",
            content((inline(ImportFile) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("Content-Disposition" = String, description = "attachment; filename=\"…\""))
        ),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form"),
        (status = 503, body = ErrorBody, description = "database_unavailable"),
    ),
    security(("bearer" = []))
)]
#[get("/imports/{form_id}/template.xlsx")]
pub async fn import_template(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, ROLES, "import.template").await?;
    let form_id = path.into_inner();
    let loaded = state
        .forms
        .get(&form_id)
        .ok_or_else(|| ApiError::unknown_form(&form_id))?;
    let actor = client::actor(&req, &state, &staff.0);
    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    let form = loaded.clone();
    let bytes = with_conn(&state, move |conn| {
        imports::import_template(conn, &actor, &form, today)
    })
    .await?;
    let file_name = format!("{}_mau-nhap.xlsx", loaded.form.id);
    Ok(HttpResponse::Ok()
        .content_type(XLSX_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
