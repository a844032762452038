//! `GET /api/v1/reports/{form_id}/charts/{kind}.{png|svg}`.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::Role;
use crate::forms::Form;
use crate::reporting::charts::{self, ChartFormat, ChartKind, ChartOptions};
use crate::reporting::reports::{self, GroupBy, PeriodKind, RawReportQuery, ReportQuery, TreeKind};
use crate::service::reporting::{self, ChartRequest, Reporter};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::state::AppState;

/// The report's query plus the picture's size.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// Unit code (default: the root).
    pub unit: Option<String>,
    /// First local date, inclusive.
    pub from: Option<String>,
    /// Last local date, exclusive.
    pub to: Option<String>,
    /// For `trend`: `year` (default), `quarter` or `month`.
    pub period: Option<String>,
    /// Pixels, 320–3000 (default 1200).
    pub width: Option<u32>,
    /// Pixels, 240–2000 (default 700).
    pub height: Option<u32>,
    /// `as_given` (default) or `current`: the tree units are read in (as for the report).
    pub tree: Option<String>,
}

/// A chart of a report (analyst, admin): `elements`, `items` and `distribution` draw the whole
/// selection; `trend` groups it by period, `units` by the selected unit's children.
#[utoipa::path(
    tag = "reports",
    params(
        ("form_id" = String, Path, description = "Form id"),
        ("file" = String, Path, description = "`{kind}.{png|svg}`: elements, items, trend, units (the units that serve citizens under the selection: its children, or below a chain of single units), distribution, expectations (shares of Ít / Nhiều / Rất nhiều per expectation question)"),
        ChartQuery
    ),
    responses(
        (status = 200, description = "image/png or image/svg+xml"),
        (status = 304, description = "not modified (If-None-Match)"),
        (status = 400, body = ErrorBody, description = "bad_query: unknown kind or format, size out of bounds, bad date"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form, unknown_unit")
    ),
    security(("bearer" = []))
)]
#[get("/reports/{form_id}/charts/{file}")]
pub async fn get_chart(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ChartQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Analyst, Role::Admin],
        "chart",
    )
    .await?;
    let (form_id, file) = path.into_inner();
    let loaded = state
        .forms
        .get(&form_id)
        .ok_or_else(|| ApiError::unknown_form(&form_id))?;
    let (kind, format) = chart_file(&file)?;
    let (parsed, tree_kind) = chart_selection(kind, &query, &loaded.form)?;
    let options = chart_options(&query, &loaded.form)?;
    let detail = serde_json::json!({
        "chart": file,
        "unit": query.unit,
        "from": query.from,
        "to": query.to,
        "period": query.period,
        "tree": tree_kind.as_str(),
        "width": options.width,
        "height": options.height,
    });
    let request = ChartRequest {
        kind,
        format,
        query: parsed,
        tree: tree_kind,
        options,
    };
    let actor = client::actor(&req, &state, &staff.0);
    let (tz, cache) = (state.config.tz, state.report_cache.clone());
    // Recorded before it is sent (a 304 too: the client has the picture); no record, no chart.
    let bytes = with_conn(&state, move |conn| {
        let reporter = Reporter {
            cache: cache.as_deref(),
            tz,
        };
        reporting::render_chart(conn, &actor, reporter, &loaded.form, request, detail)
    })
    .await?;
    Ok(image_response(&req, format, bytes))
}

/// The chart's kind and format from `{kind}.{png|svg}`.
fn chart_file(file: &str) -> Result<(ChartKind, ChartFormat), ApiError> {
    let (kind, format) = file.rsplit_once('.').ok_or_else(|| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "bad_query",
            format!(
                "Tham số truy vấn không hợp lệ: \"{file}\" phải có dạng loại.png hoặc loại.svg"
            ),
            format!("Invalid query: \"{file}\" must be kind.png or kind.svg"),
        )
    })?;
    let kind: ChartKind = kind.parse()?;
    let format: ChartFormat = format.parse()?;
    Ok((kind, format))
}

/// The report query of a chart (grouped by period for `trend`, by unit for `units`) and its tree.
fn chart_selection(
    kind: ChartKind,
    query: &ChartQuery,
    form: &Form,
) -> Result<(ReportQuery, TreeKind), ApiError> {
    let raw = RawReportQuery {
        unit: query.unit.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        group_by: None,
        period: None,
    };
    let mut parsed = raw.parse(form)?;
    let tree_kind = TreeKind::parse(query.tree.as_deref())?;
    parsed.group_by = match kind {
        ChartKind::Trend => Some(GroupBy::Period(match query.period.as_deref() {
            None | Some("") | Some("year") => PeriodKind::Year,
            Some("quarter") => PeriodKind::Quarter,
            Some("month") => PeriodKind::Month,
            Some(other) => return Err(reports::query::bad_period(other).into()),
        })),
        ChartKind::Units => Some(GroupBy::Unit),
        _ => None,
    };
    Ok((parsed, tree_kind))
}

/// The picture's size (checked) and the form's scale labels.
fn chart_options(query: &ChartQuery, form: &Form) -> Result<ChartOptions, ApiError> {
    let (width, height) = (
        query.width.unwrap_or(charts::DEFAULT_SIZE.0),
        query.height.unwrap_or(charts::DEFAULT_SIZE.1),
    );
    let options = ChartOptions {
        width,
        height,
        scale_labels: form.scale.labels.clone(),
        expectation_labels: form
            .expectation_scale
            .as_ref()
            .map(|s| s.labels.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    options.check_size()?;
    Ok(options)
}

/// The picture with its ETag, or 304 when the client has it (`If-None-Match`).
fn image_response(req: &HttpRequest, format: ChartFormat, bytes: Vec<u8>) -> HttpResponse {
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"));
    if unchanged {
        return response.finish();
    }
    response.content_type(format.content_type()).body(bytes)
}
