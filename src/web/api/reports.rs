//! `GET /api/v1/reports/{form_id}`.

use actix_web::{get, web, HttpResponse};

use super::with_conn;
use crate::domain::Role;
use crate::reports::{self, RawReportQuery, ReportOut, Tree};
use crate::startup::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;

/// SIPAS indices of a selection (analyst, admin): item, element, part and form indices with 95 %
/// intervals and verdicts against the form's target, optionally grouped.
#[utoipa::path(
    tag = "reports",
    params(("form_id" = String, Path, description = "Form id"), RawReportQuery),
    responses(
        (status = 200, body = ReportOut),
        (status = 400, body = ErrorBody, description = "bad_query"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form, unknown_unit")
    ),
    security(("bearer" = []))
)]
#[get("/reports/{form_id}")]
pub async fn get_report(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<RawReportQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Analyst, Role::Admin])?;
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    let parsed = query.parse(&loaded.form)?;
    let tz = state.config.tz;
    let report = with_conn(&state, move |conn| {
        let tree = Tree::load(conn)?;
        let parsed = reports::resolve_unit(parsed, &tree)?;
        reports::report(conn, &loaded.form, &parsed, &tree, tz)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
