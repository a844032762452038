//! `GET /api/v1/reports/{form_id}/report.docx`: the báo cáo as a Word document.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::Role;
use crate::reporting::charts::ChartOptions;
use crate::reporting::document::{self, Period};
use crate::reporting::reports::{RawReportQuery, TreeKind};
use crate::service::reporting::Reporter;
use crate::service::word_report::{self, WordRequest};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::state::AppState;

/// The selection of a báo cáo: a unit and a period (both dates needed).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WordQuery {
    /// Unit code (default: the root); the report covers its subtree and ranks the units that
    /// serve citizens under it.
    pub unit: Option<String>,
    /// First local date, inclusive (required).
    pub from: Option<String>,
    /// Last local date, exclusive (required).
    pub to: Option<String>,
    /// `as_given` (default) or `current`: the tree units are read in (as for the report).
    pub tree: Option<String>,
}

/// The Word document media type.
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The báo cáo of a selection as a Word document (analyst, admin), in the administrative format
/// of Nghị định 30/2020: the letterhead, sections I–IV with the numbers of
/// `GET /api/v1/reports/{form_id}` for the same selection (tables and charts), the previous
/// period and the delegates' survey where there is one, "Nơi nhận" and the signature block.
#[utoipa::path(
    tag = "reports",
    params(("form_id" = String, Path, description = "Form id"), WordQuery),
    responses(
        (status = 200, description = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"bao-cao-….docx\""))),
        (status = 400, body = ErrorBody, description = "bad_query: a missing or bad date, from not before to"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form, unknown_unit")
    ),
    security(("bearer" = []))
)]
#[get("/reports/{form_id}/report.docx")]
pub async fn get_report_docx(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<WordQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Analyst, Role::Admin],
        "report_docx",
    )
    .await?;
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    let raw = RawReportQuery {
        unit: query.unit.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        group_by: None,
        period: None,
    };
    let parsed = raw.parse(&loaded.form)?;
    let tree = TreeKind::parse(query.tree.as_deref())?;
    let file_name = parsed
        .from
        .zip(parsed.to)
        .and_then(|(f, t)| Period::new(f, t))
        .map(|p| document::docx_file_name(&loaded.form, parsed.unit.as_deref(), p))
        .unwrap_or_else(|| "bao-cao.docx".to_string());
    let detail = serde_json::json!({
        "unit": query.unit, "from": query.from, "to": query.to, "tree": tree.as_str(),
    });
    let all: Vec<_> = state.forms.all().collect();
    let delegates_id =
        document::delegates_form(&loaded.form, all.iter().map(|f| &f.form)).map(|f| f.id.clone());
    let delegates = delegates_id.and_then(|id| state.forms.get(&id));
    let actor = client::actor(&req, &state, &staff.0);
    let (tz, cache) = (state.config.tz, state.report_cache.clone());
    let letterhead = state.config.letterhead.clone();
    let charts = ChartOptions {
        scale_labels: loaded.form.scale.labels.clone(),
        ..Default::default()
    };
    let bytes = with_conn(&state, move |conn| {
        let reporter = Reporter {
            cache: cache.as_deref(),
            tz,
        };
        let request = WordRequest {
            query: parsed,
            tree,
            delegates: delegates.as_ref().map(|d| &d.form),
            letterhead: &letterhead,
            charts,
        };
        word_report::word_report(conn, &actor, reporter, &loaded.form, request, detail)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(DOCX)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
