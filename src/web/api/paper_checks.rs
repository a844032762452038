//! Phúc tra and the paper numbers: `POST/GET /api/v1/paper/samples`,
//! `GET /api/v1/paper/samples/{id}`, `POST /api/v1/paper/samples/{id}/checks`,
//! `GET /api/v1/paper/progress`, `GET /api/v1/paper/error-rates`, and a response's replaced
//! versions, `GET /api/v1/responses/{id}/versions` — each calling `service::paper::check`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::Role;
use crate::service::paper::check::{
    self as actions, CheckContext, CheckInput, ErrorRatesOut, Progress, Sample, SampleInput,
};
use crate::store::response_versions;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::state::AppState;

/// The body of `POST /api/v1/paper/samples`: a share or a count per unit (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSample {
    /// Form id, e.g. `sipas-dich-vu`.
    pub form: String,
    /// Share of each unit's stored sheets, in percent (`5`, `2.5`; rounded up per unit).
    #[schema(value_type = Option<f64>)]
    pub share_percent: Option<Value>,
    /// Or this many sheets of each unit.
    pub count_per_unit: Option<i64>,
    /// Only the sheets of this printed batch.
    pub batch: Option<String>,
    /// 0 to 2^53−1; drawn (and shown) when missing. The same seed and sheets: the same sample.
    pub seed: Option<u64>,
}

/// A sampled sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleSheetOut {
    pub sheet: String,
    pub unit: String,
    pub batch: String,
    pub response_id: Option<String>,
    /// `correct`, `wrong`, or null while not checked.
    pub outcome: Option<String>,
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub checked_by: Option<String>,
    /// For a wrong sheet: the operators whose entry differed from the corrected sheet.
    pub faulty_operators: Vec<String>,
}

/// A drawn sample.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleOut {
    pub id: String,
    pub form: String,
    pub share_percent: Option<String>,
    pub count_per_unit: Option<i32>,
    pub batch: Option<String>,
    pub seed: i64,
    pub drawn_at: chrono::DateTime<chrono::Utc>,
    pub drawn_by: String,
    /// Sheets in the sample / with an outcome.
    pub size: usize,
    pub checked: usize,
    pub sheets: Vec<SampleSheetOut>,
}

impl From<Sample> for SampleOut {
    fn from(sample: Sample) -> Self {
        let (size, checked) = sample.done();
        let share_percent = sample.size().and_then(|s| s.share_text());
        let row = sample.row;
        SampleOut {
            id: row.id,
            form: row.form_id,
            share_percent,
            count_per_unit: row.count_per_unit,
            batch: row.batch_id,
            seed: row.seed,
            drawn_at: row.drawn_at.and_utc(),
            drawn_by: row.drawn_by,
            size,
            checked,
            sheets: sample
                .sheets
                .into_iter()
                .map(|s| SampleSheetOut {
                    faulty_operators: s
                        .faulty_operators
                        .and_then(|f| serde_json::from_str(&f).ok())
                        .unwrap_or_default(),
                    sheet: s.sheet,
                    unit: s.unit,
                    batch: s.batch_id,
                    response_id: s.response_id,
                    outcome: s.outcome,
                    checked_at: s.checked_at.map(|t| t.and_utc()),
                    checked_by: s.checked_by,
                })
                .collect(),
        }
    }
}

/// `?form=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormQuery {
    /// Form id.
    pub form: String,
}

/// `?form=` (optional)
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SamplesQuery {
    /// Only this form's samples.
    pub form: Option<String>,
}

/// Draws a re-check (phúc tra) sample of a form's stored paper sheets (admin), recorded and
/// audited as `paper.sample`.
#[utoipa::path(
    tag = "paper",
    request_body(content = NewSample, content_type = "application/json"),
    responses(
        (status = 201, body = SampleOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form"), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed (share, count, seed, batch), empty_sample")
    ),
    security(("bearer" = []))
)]
#[post("/paper/samples")]
pub async fn create_sample(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let action = actions::SAMPLE_AUDIT_ACTION;
    client::require_role(&req, &state, &staff.0, &[Role::Admin], action).await?;
    let body: NewSample = read_json(&req, payload).await?;
    let loaded = state
        .forms
        .get(&body.form)
        .ok_or_else(|| ApiError::unknown_form(&body.form))?;
    let input = SampleInput {
        share_percent: body.share_percent.map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        }),
        count_per_unit: body.count_per_unit,
        batch: body.batch,
        seed: body.seed.map(|s| s.to_string()),
    };
    let actor = client::actor(&req, &state, &staff.0);
    let sample = with_conn(&state, move |conn| {
        actions::draw_sample(conn, &actor, &loaded.form, &input)
    })
    .await?;
    Ok(HttpResponse::Created().json(SampleOut::from(sample)))
}

/// The samples, newest first (admin, clerk).
#[utoipa::path(
    tag = "paper",
    params(SamplesQuery),
    responses((status = 200, body = [SampleOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/paper/samples")]
pub async fn list_samples(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    query: web::Query<SamplesQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin, Role::Clerk])?;
    let actor = client::actor(&req, &state, &staff.0);
    let form = query.into_inner().form;
    let samples = with_conn(&state, move |conn| {
        actions::list_samples(conn, &actor, form.as_deref())
    })
    .await?;
    let out: Vec<SampleOut> = samples.into_iter().map(SampleOut::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// One sample with its sheets and outcomes (admin, clerk).
#[utoipa::path(
    tag = "paper",
    params(("id" = String, Path, description = "sample id")),
    responses((status = 200, body = SampleOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/paper/samples/{id}")]
pub async fn get_sample(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin, Role::Clerk])?;
    let actor = client::actor(&req, &state, &staff.0);
    let id = path.into_inner();
    let sample = with_conn(&state, move |conn| actions::get_sample(conn, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(SampleOut::from(sample)))
}

/// The body of `POST /api/v1/paper/samples/{id}/checks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheck {
    /// Sheet number, e.g. `phuoc-son-000123`.
    pub sheet: String,
    /// `correct` (đúng) or `wrong` (sai).
    pub outcome: String,
    /// For a wrong sheet: the corrected answers by question code, merged over the stored ones
    /// (`null` clears an answer).
    #[schema(value_type = Option<Object>)]
    pub answers: Option<Map<String, Value>>,
    /// For a wrong sheet: the corrected survey date, `YYYY-MM-DD`.
    pub survey_date: Option<String>,
}

/// A recorded check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckOut {
    pub sheet: String,
    pub outcome: String,
    pub response_id: String,
    /// The response's version now (1: never corrected).
    pub version: i32,
    pub faulty_operators: Vec<String>,
}

/// Records the re-check of one sampled sheet (admin, clerk; not an operator who entered it). A
/// wrong sheet's corrections become a new version of its response (the old one kept: `GET
/// /api/v1/responses/{id}/versions`); reports use the corrected answers. Audited as
/// `paper.check`.
#[utoipa::path(
    tag = "paper",
    params(("id" = String, Path, description = "sample id")),
    request_body(content = NewCheck, content_type = "application/json"),
    responses(
        (status = 201, body = CheckOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "forbidden, own_sheet: the checker entered this sheet"),
        (status = 404, body = ErrorBody, description = "not_found (sample), sheet_not_in_sample"),
        (status = 409, body = ErrorBody, description = "already_checked"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: outcome, sheet, survey_date, the corrected answers (as a submission), nothing_corrected")
    ),
    security(("bearer" = []))
)]
#[post("/paper/samples/{id}/checks")]
pub async fn create_check(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let action = actions::CHECK_AUDIT_ACTION;
    client::require_role(&req, &state, &staff.0, &[Role::Admin, Role::Clerk], action).await?;
    let body: NewCheck = read_json(&req, payload).await?;
    let input = CheckInput {
        sheet: body.sheet,
        outcome: body.outcome,
        answers: body.answers,
        survey_date: body.survey_date,
    };
    let actor = client::actor(&req, &state, &staff.0);
    let (id, st) = (path.into_inner(), state.clone());
    let checked = with_conn(&state, move |conn| {
        let cx = CheckContext {
            forms: &st.forms,
            tz: st.config.tz,
            keys: &st.keys,
            cache: st.report_cache.as_deref(),
        };
        actions::record_check(conn, &actor, &cx, &id, &input)
    })
    .await?;
    Ok(HttpResponse::Created().json(CheckOut {
        sheet: checked.sheet,
        outcome: checked.outcome.as_str().to_string(),
        response_id: checked.response_id,
        version: checked.version,
        faulty_operators: checked.faulty_operators,
    }))
}

/// The paper response rate of a form per unit (admin): printed, returned, stored, pending,
/// checked, with the totals.
#[utoipa::path(
    tag = "paper",
    params(FormQuery),
    responses((status = 200, body = Progress), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "unknown_form")),
    security(("bearer" = []))
)]
#[get("/paper/progress")]
pub async fn get_progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin])?;
    let form = known_form(&state, query.into_inner().form)?;
    let actor = client::actor(&req, &state, &staff.0);
    let out = with_conn(&state, move |conn| actions::progress(conn, &actor, &form)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The re-check error rates of a form per batch and per operator (admin), with Wilson 95 %
/// intervals.
#[utoipa::path(
    tag = "paper",
    params(FormQuery),
    responses((status = 200, body = ErrorRatesOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "unknown_form")),
    security(("bearer" = []))
)]
#[get("/paper/error-rates")]
pub async fn get_error_rates(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin])?;
    let form = known_form(&state, query.into_inner().form)?;
    let actor = client::actor(&req, &state, &staff.0);
    let out = with_conn(&state, move |conn| {
        actions::error_rates(conn, &actor, &form)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

fn known_form(state: &AppState, form: String) -> Result<String, ApiError> {
    match state.forms.get(&form) {
        Some(_) => Ok(form),
        None => Err(ApiError::unknown_form(&form)),
    }
}

/// A replaced version of a response.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionOut {
    pub version: i32,
    #[schema(value_type = Object)]
    pub answers: Value,
    pub content_hash: String,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    pub replaced_at: chrono::DateTime<chrono::Utc>,
    pub replaced_by: String,
    /// `phuc_tra`.
    pub reason: String,
}

/// A response's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionsOut {
    pub id: String,
    /// The version the response holds now (`GET /api/v1/responses/{id}`).
    pub current_version: i32,
    /// The replaced ones, oldest first.
    pub versions: Vec<VersionOut>,
}

/// The replaced versions of a response (analyst, admin): a correction after a re-check keeps
/// the old answers.
#[utoipa::path(
    tag = "responses",
    params(("id" = String, Path, description = "Response id")),
    responses((status = 200, body = VersionsOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/responses/{id}/versions")]
pub async fn get_response_versions(
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Analyst, Role::Admin])?;
    let id = path.into_inner();
    let found = with_conn(&state, move |conn| {
        let Some((row, _)) = crate::store::responses::get(conn, &id)? else {
            return Ok(None);
        };
        Ok::<_, crate::store::StoreError>(Some((
            row.id.clone(),
            response_versions::of(conn, &row.id)?,
        )))
    })
    .await?;
    let (id, rows) = found.ok_or_else(ApiError::not_found)?;
    let versions: Vec<VersionOut> = rows
        .into_iter()
        .map(|v| VersionOut {
            version: v.version,
            answers: serde_json::from_str(&v.answers).unwrap_or(Value::Null),
            content_hash: v.content_hash,
            submitted_at: v.submitted_at.and_utc(),
            replaced_at: v.replaced_at.and_utc(),
            replaced_by: v.replaced_by,
            reason: v.reason,
        })
        .collect();
    Ok(HttpResponse::Ok().json(VersionsOut {
        id,
        current_version: versions.len() as i32 + 1,
        versions,
    }))
}
