//! Printed paper batches: `POST /api/v1/paper/batches` (print: the next serials of a unit, the
//! batch as JSON), `GET /api/v1/paper/batches?form=&unit=` (the list), `GET
//! /api/v1/paper/batches/{id}.pdf` (its sheets as PDF, drawn again) — admin and clerk, each
//! calling its action in `service::paper::print`, as the page `/admin/paper` does.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::Role;
use crate::reporting::reports;
use crate::service::paper::print::{self as actions, PrintRequest};
use crate::store::paper::batches::BatchRow;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::state::AppState;

const ROLES: &[Role] = &[Role::Admin, Role::Clerk];

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    /// The form id; it must take answers on paper.
    pub form: String,
    /// The unit code (open today).
    pub unit: String,
    /// How many sheets, 1–2000.
    pub count: i64,
    /// Every sheet entered twice by different operators (default `true`).
    #[serde(default = "default_true")]
    pub double_entry: bool,
}

/// A printed batch: the serials `first_serial..=last_serial` of the unit (sheet numbers
/// `<unit>-<serial, 6 digits>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    pub id: String,
    pub form: String,
    pub unit: String,
    pub first_serial: i64,
    pub last_serial: i64,
    pub count: i64,
    pub double_entry: bool,
    pub printed_at: chrono::DateTime<chrono::Utc>,
    /// The username of who printed it, or `(command line)`.
    pub printed_by: String,
    /// Its PDF (`GET`, drawn again).
    pub pdf: String,
}

impl From<BatchRow> for BatchOut {
    fn from(b: BatchRow) -> Self {
        BatchOut {
            pdf: format!("/api/v1/paper/batches/{}.pdf", b.id),
            count: b.count(),
            id: b.id,
            form: b.form_id,
            unit: b.unit,
            first_serial: b.first_serial,
            last_serial: b.last_serial,
            double_entry: b.double_entry,
            printed_at: b.printed_at.and_utc(),
            printed_by: b.printed_by,
        }
    }
}

/// Prints a batch of numbered sheets (admin, clerk): the unit's next `count` serials are
/// recorded (`paper.print`); the sheets are at `pdf`.
#[utoipa::path(
    tag = "paper",
    request_body(content = NewBatch, content_type = "application/json"),
    responses(
        (status = 201, body = BatchOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form, unknown_unit"), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: count not 1–2000 (`count`), a form that does not take paper answers (`form`), a closed unit (`unit`)")
    ),
    security(("bearer" = []))
)]
#[post("/paper/batches")]
pub async fn create_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, ROLES, actions::PRINT_AUDIT_ACTION).await?;
    let body: NewBatch = read_json(&req, payload).await?;
    let loaded = state
        .forms
        .get(body.form.trim())
        .ok_or_else(|| ApiError::unknown_form(&body.form))?;
    let today = reports::today(state.config.tz);
    let actor = client::actor(&req, &state, &staff.0);
    let printed = with_conn(&state, move |conn| {
        let request = PrintRequest {
            form: &loaded.form,
            unit: body.unit.trim(),
            count: body.count,
            double_entry: body.double_entry,
            today,
        };
        actions::print_batch(conn, &actor, &request)
    })
    .await?;
    let out = BatchOut::from(printed.batch);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, out.pdf.clone()))
        .json(out))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Only this form's batches.
    pub form: Option<String>,
    /// Only this unit's batches.
    pub unit: Option<String>,
}

/// The printed batches, newest first (admin, clerk).
#[utoipa::path(
    tag = "paper",
    params(BatchQuery),
    responses((status = 200, body = [BatchOut]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/paper/batches")]
pub async fn list_batches(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    query: web::Query<BatchQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(ROLES)?;
    let actor = client::actor(&req, &state, &staff.0);
    let q = query.into_inner();
    let rows = with_conn(&state, move |conn| {
        let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let (form, unit) = (given(&q.form), given(&q.unit));
        actions::list_batches(conn, &actor, form.as_deref(), unit.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(BatchOut::from).collect::<Vec<_>>()))
}

/// A printed batch's sheets as one PDF (admin, clerk): the same serials, drawn again with the
/// form's current version (`paper.reprint`).
#[utoipa::path(
    tag = "paper",
    params(("id" = String, Path, description = "batch id")),
    responses(
        (status = 200, content_type = "application/pdf", description = "the sheets (A4), as an attachment `phieu-<form>-<unit>-<first>-<last>.pdf`"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such batch, or its form is no longer offered")
    ),
    security(("bearer" = []))
)]
#[get("/paper/batches/{id}.pdf")]
pub async fn batch_pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    client::require_role(&req, &state, &staff.0, ROLES, actions::REPRINT_AUDIT_ACTION).await?;
    let actor = client::actor(&req, &state, &staff.0);
    let id = path.into_inner();
    let forms = state.forms.clone();
    let printed = with_conn(&state, move |conn| {
        actions::reprint_batch(conn, &actor, &forms, &id)
    })
    .await?;
    Ok(pdf_response(&printed))
}

/// The PDF of a batch as a download.
fn pdf_response(printed: &actions::PrintedBatch) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", printed.filename()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(printed.pdf.clone())
}
