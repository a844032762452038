//! `GET /api/v1/reports/{form_id}`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::domain::Role;
use crate::reporting::reports::{RawReportQuery, ReportOut, TreeQuery};
use crate::service::reporting::{self, Reporter};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::state::AppState;

/// SIPAS indices of a selection (analyst, admin): item, element, part and form indices with 95 %
/// intervals and verdicts against the form's target, optionally grouped.
#[utoipa::path(
    tag = "reports",
    params(("form_id" = String, Path, description = "Form id"), RawReportQuery, TreeQuery),
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
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<RawReportQuery>,
    tree: web::Query<TreeQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Analyst, Role::Admin],
        "report",
    )
    .await?;
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    let parsed = query.parse(&loaded.form)?;
    let kind = tree.kind()?;
    let actor = client::actor(&req, &state, &staff.0);
    let detail = serde_json::json!({
        "unit": query.unit,
        "from": query.from,
        "to": query.to,
        "group_by": query.group_by,
        "period": query.period,
        "tree": kind.as_str(),
    });
    let (cache, tz) = (state.report_cache.clone(), state.config.tz);
    // Recorded before it is sent; no record, no report.
    let report = with_conn(&state, move |conn| {
        let reporter = Reporter {
            cache: cache.as_deref(),
            tz,
        };
        reporting::run_report(conn, &actor, reporter, &loaded.form, parsed, kind, detail)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
