//! Paper entry and reconciliation (docs/api.md "Paper: entry"): `POST /api/v1/paper/entries`
//! (clerk, admin), `GET /api/v1/paper/sheets`, `POST /api/v1/paper/sheets/{sheet}/reconcile`,
//! `GET /api/v1/paper/operators` (admin). The `/entry` pages call the same actions.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::collecting::paper::entry::{parse_sheet_and_date, OperatorRate, SheetState};
use crate::domain::Role;
use crate::service::paper::entry::{self as actions, SheetEntry};
use crate::service::paper::reconcile::{self, Decided, RateSelection, SheetView};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::paper::{decide, enter, EnteredOut};
use crate::web::state::AppState;

/// The body of `POST /api/v1/paper/entries`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    /// The form the sheet was printed for.
    pub form: String,
    /// The sheet number, `<unit>-<serial, 6 digits>`, e.g. `phuoc-son-000123`.
    pub sheet: String,
    /// The date written on the sheet: `YYYY-MM-DD`, `dd/mm/yyyy` or `ddmmyyyy`.
    pub survey_date: String,
    /// Answers by question code, as in a submission (integers for ratings, option codes).
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// The body of `POST /api/v1/paper/sheets/{sheet}/reconcile`: the answers and date to keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub survey_date: String,
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// Enters one sheet (clerk, admin). Single-entry batch: stored at once (`agreed`). Double entry:
/// the first entry `waiting`; a second by another operator `agreed` (stored) when it says the
/// same, else `disputed` (for the supervisor).
#[utoipa::path(
    tag = "paper",
    request_body(content = NewEntry, content_type = "application/json"),
    responses(
        (status = 201, body = EnteredOut),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form"),
        (status = 409, body = ErrorBody, description = "sheet_already_stored (the message says when and which response), sheet_already_entered, sheet_disputed, constraint_violation"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "unknown_sheet: in no printed batch of the form; validation_failed: sheet, survey_date or the answers")
    ),
    security(("bearer" = []))
)]
#[post("/paper/entries")]
pub async fn create_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let allowed = [Role::Clerk, Role::Admin];
    client::require_role(
        &req,
        &state,
        &staff.0,
        &allowed,
        actions::ENTRY_AUDIT_ACTION,
    )
    .await?;
    let body: NewEntry = read_json(&req, payload).await?;
    let loaded = state
        .forms
        .get(&body.form)
        .ok_or_else(|| ApiError::unknown_form(&body.form))?;
    let (sheet, survey_date) =
        parse_sheet_and_date(&body.sheet, &body.survey_date).map_err(ApiError::validation)?;
    let entry = SheetEntry {
        sheet,
        survey_date,
        answers: body.answers,
    };
    let actor = client::actor(&req, &state, &staff.0);
    let entered = enter(&state, actor, loaded, entry).await?;
    Ok(HttpResponse::Created().json(EnteredOut::from(entered)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetsQuery {
    /// The form.
    pub form: String,
    /// Only sheets in this state: `waiting`, `disputed`, `agreed`, `reconciled`.
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub operator: String,
    pub survey_date: NaiveDate,
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
    pub entered_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetOut {
    pub sheet: String,
    pub unit: String,
    pub batch: String,
    pub double_entry: bool,
    pub state: SheetState,
    pub response_id: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub entries: Vec<EntryOut>,
}

/// The counts per state (every state) and the sheets listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SheetsOut {
    pub form: String,
    #[schema(value_type = Object)]
    pub counts: BTreeMap<&'static str, i64>,
    pub sheets: Vec<SheetOut>,
}

impl From<SheetView> for SheetOut {
    fn from(s: SheetView) -> Self {
        SheetOut {
            sheet: s.sheet,
            unit: s.unit,
            batch: s.batch,
            double_entry: s.double_entry,
            state: s.state,
            response_id: s.response_id,
            updated_at: s.updated_at.and_utc(),
            entries: s
                .entries
                .into_iter()
                .map(|e| EntryOut {
                    operator: e.operator,
                    survey_date: e.survey_date,
                    answers: e.answers,
                    entered_at: e.entered_at.and_utc(),
                })
                .collect(),
        }
    }
}

/// The entered sheets of a form (admin), by sheet number (at most 1000), with each operator's
/// entry, and the number of sheets in each state. Pending sheets (`waiting`, `disputed`) are not
/// responses: they are in no report or export.
#[utoipa::path(
    tag = "paper",
    params(SheetsQuery),
    responses(
        (status = 200, body = SheetsOut),
        (status = 400, body = ErrorBody, description = "bad_query: unknown state"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form")
    ),
    security(("bearer" = []))
)]
#[get("/paper/sheets")]
pub async fn list_sheets(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    query: web::Query<SheetsQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin])?;
    let query = query.into_inner();
    if state.forms.get(&query.form).is_none() {
        return Err(ApiError::unknown_form(&query.form));
    }
    let wanted = match query.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<SheetState>()
                .map_err(|()| ApiError::bad_query(format!("unknown state {s}")))?,
        ),
    };
    let actor = client::actor(&req, &state, &staff.0);
    let form = query.form.clone();
    let (counts, sheets) = with_conn(&state, move |conn| {
        let counts = reconcile::sheet_counts(conn, &actor, &form)?;
        let sheets = reconcile::list_sheets(conn, &actor, &form, wanted)?;
        Ok::<_, crate::service::ServiceError>((counts, sheets))
    })
    .await?;
    Ok(HttpResponse::Ok().json(SheetsOut {
        form: query.form,
        counts: counts.into_iter().map(|(s, n)| (s.as_str(), n)).collect(),
        sheets: sheets.into_iter().map(SheetOut::from).collect(),
    }))
}

/// The supervisor's decision on a disputed sheet (admin): the response is stored with these
/// answers and date, the sheet becomes `reconciled`.
#[utoipa::path(
    tag = "paper",
    params(("sheet" = String, Path, description = "sheet number, e.g. phuoc-son-000123")),
    request_body(content = Decision, content_type = "application/json"),
    responses(
        (status = 200, body = EnteredOut),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "not_found: no such entered sheet"),
        (status = 409, body = ErrorBody, description = "sheet_not_disputed, sheet_already_stored"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed")
    ),
    security(("bearer" = []))
)]
#[post("/paper/sheets/{sheet}/reconcile")]
pub async fn reconcile_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let action = reconcile::RECONCILE_AUDIT_ACTION;
    client::require_role(&req, &state, &staff.0, &[Role::Admin], action).await?;
    let body: Decision = read_json(&req, payload).await?;
    let (sheet, survey_date) =
        parse_sheet_and_date(&path, &body.survey_date).map_err(ApiError::validation)?;
    let decided = Decided {
        sheet,
        survey_date,
        answers: body.answers,
    };
    let actor = client::actor(&req, &state, &staff.0);
    let done = decide(&state, actor, decided).await?;
    Ok(HttpResponse::Ok().json(EnteredOut::from(done)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorsQuery {
    /// The form.
    pub form: String,
    /// Only the sheets of this unit.
    pub unit: Option<String>,
    /// Entries made on or after this local date (`YYYY-MM-DD`).
    pub from: Option<NaiveDate>,
    /// Entries made before this local date (exclusive).
    pub to: Option<NaiveDate>,
}

/// Per operator (username order): sheets entered, sheets of double entry compared with a second
/// entry, disagreements among those, and the disagreement rate in percent (admin).
#[utoipa::path(
    tag = "paper",
    params(OperatorsQuery),
    responses(
        (status = 200, body = [OperatorRate]),
        (status = 400, body = ErrorBody, description = "bad_query: bad date, from not before to"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_form")
    ),
    security(("bearer" = []))
)]
#[get("/paper/operators")]
pub async fn operator_rates(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    query: web::Query<OperatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin])?;
    let query = query.into_inner();
    if state.forms.get(&query.form).is_none() {
        return Err(ApiError::unknown_form(&query.form));
    }
    if let (Some(f), Some(t)) = (query.from, query.to) {
        if f >= t {
            return Err(ApiError::bad_query("from must be before to"));
        }
    }
    let tz = state.config.tz;
    let utc = move |d: NaiveDate| crate::reporting::reports::load::local_midnight_utc(d, tz);
    let selection = RateSelection {
        unit: query.unit.filter(|u| !u.is_empty()),
        from: query.from.map(utc),
        to: query.to.map(utc),
    };
    let actor = client::actor(&req, &state, &staff.0);
    let form = query.form;
    let rates = with_conn(&state, move |conn| {
        reconcile::operator_figures(conn, &actor, &form, &selection)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rates))
}
