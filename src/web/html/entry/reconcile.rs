//! `/entry/reconcile` (admin, the supervisor): the sheets of a form per state, the operators'
//! disagreement rates, and each disputed sheet's two entries side by side, to decide per differing
//! question: operator A's value, operator B's, or another typed value.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::reconcile_render::{render, Page};
use super::{chosen_form, entry_page, Operator, SUPERVISING};
use crate::collecting::paper::entry::{
    answers_from_digits, digit_of, parse_survey_date, SheetState,
};
use crate::domain::{FieldError, SheetNumber};
use crate::forms::LoadedForm;
use crate::service::paper::reconcile::{self as actions, Decided, RateSelection, SheetView};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::admin::field;
use crate::web::html::admin::{staff_form, staff_get};
use crate::web::html::error::PageError;
use crate::web::paper::decide;
use crate::web::paper::paper_forms;
use crate::web::state::AppState;

/// What the page lists for a form.
async fn load(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    op: &Operator,
    form: &str,
) -> Result<
    (
        Vec<(SheetState, i64)>,
        Vec<SheetView>,
        Vec<crate::collecting::paper::entry::OperatorRate>,
    ),
    ApiError,
> {
    let actor = client::actor(req, state, &op.staff);
    let form = form.to_string();
    with_conn(state, move |conn| {
        let counts = actions::sheet_counts(conn, &actor, &form)?;
        let disputed = actions::list_sheets(conn, &actor, &form, Some(SheetState::Disputed))?;
        let rates = actions::operator_figures(conn, &actor, &form, &RateSelection::default())?;
        Ok::<_, crate::service::ServiceError>((counts, disputed, rates))
    })
    .await
}

/// A refused decision: the sheet, its field problems, the message.
type Refusal = (String, Vec<FieldError>, String);

async fn show(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    op: &Operator,
    loaded: Option<std::sync::Arc<LoadedForm>>,
    status: StatusCode,
    outcome: (Option<String>, Option<Refusal>),
) -> Result<HttpResponse, PageError> {
    let forms = paper_forms(state);
    let Some(loaded) = loaded else {
        let page = Page {
            op,
            forms: &forms,
            loaded: None,
            counts: &[],
            disputed: &[],
            rates: &[],
            done: None,
            problem: None,
        };
        return Ok(entry_page(
            status,
            "Đối chiếu phiếu giấy – SIPAS",
            render(&page),
        ));
    };
    let (counts, disputed, rates) = load(req, state, op, &loaded.form.id).await?;
    let page = Page {
        op,
        forms: &forms,
        loaded: Some(&loaded),
        counts: &counts,
        disputed: &disputed,
        rates: &rates,
        done: outcome.0.as_deref(),
        problem: outcome
            .1
            .as_ref()
            .map(|(s, f, m)| (s.as_str(), f.as_slice(), m.as_str())),
    };
    Ok(entry_page(
        status,
        "Đối chiếu phiếu giấy – SIPAS",
        render(&page),
    ))
}

/// The reconciliation page (admin; session cookie).
#[utoipa::path(
    tag = "paper",
    params(("form" = Option<String>, Query, description = "the form (remembered with /entry's)")),
    responses(
        (status = 200, content_type = "text/html", description = "counts per state, operators' rates, the disputed sheets"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/entry/reconcile")]
pub async fn reconcile_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let op = match staff_get(&req, &state, SUPERVISING).await {
        Ok(op) => op,
        Err(response) => return Ok(response),
    };
    let loaded = chosen_form(&req, &state, &query);
    let done = (!field(&query, "done").is_empty())
        .then(|| format!("Đã lưu quyết định cho phiếu {}.", field(&query, "done")));
    show(&req, &state, &op, loaded, StatusCode::OK, (done, None)).await
}

/// The supervisor's decision on one disputed sheet (admin; urlencoded `csrf`, `form`, and per
/// differing question `pick_<code>` = `a`, `b` or `other` with `value_<code>`; the survey date
/// as `pick_survey_date` / `value_survey_date`). `303` back to the page once stored.
#[utoipa::path(
    tag = "paper",
    params(("sheet" = String, Path, description = "sheet number")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, form, pick_<code>, value_<code>"),
    responses(
        (status = 303, description = "stored: back to /entry/reconcile (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such entered sheet"),
        (status = 409, content_type = "text/html", description = "sheet_not_disputed, sheet_already_stored"),
        (status = 422, content_type = "text/html", description = "the page again with the problems of the decision")
    )
)]
#[post("/entry/reconcile/{sheet}")]
pub async fn reconcile_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let action = actions::RECONCILE_AUDIT_ACTION;
    let (op, fields) = match staff_form(&req, &state, payload, SUPERVISING, action).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let sheet: SheetNumber = path.parse().map_err(|()| ApiError::not_found())?;
    let sheet_id = sheet.to_string();
    let listing = {
        let actor = client::actor(&req, &state, &op.staff);
        let id = sheet_id.clone();
        let form = field(&fields, "form").to_string();
        with_conn(&state, move |conn| {
            actions::list_sheets(conn, &actor, &form, Some(SheetState::Disputed))
        })
        .await?
        .into_iter()
        .find(|s| s.sheet == id)
    };
    let loaded = state.forms.get(field(&fields, "form"));
    let (Some(view), Some(form)) = (listing, loaded.clone()) else {
        return Err(ApiError::not_found().into());
    };
    let outcome = match decision(&form, &view, &fields) {
        Ok(decided) => {
            decide(
                &state,
                client::actor(&req, &state, &op.staff),
                Decided { sheet, ..decided },
            )
            .await
        }
        Err(fields) => Err(ApiError::validation(fields)),
    };
    match outcome {
        Ok(_) => Ok(super::see_other(&format!(
            "/entry/reconcile?form={}&done={sheet_id}",
            form.form.id
        ))),
        Err(e) if e.status.is_client_error() => {
            let problem = Some((sheet_id, e.fields.clone(), e.message.clone()));
            show(&req, &state, &op, loaded, e.status, (None, problem)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The decided answers: each question's agreed value, or the pick among the differing ones.
fn decision(
    loaded: &LoadedForm,
    view: &SheetView,
    fields: &HashMap<String, String>,
) -> Result<Decided, Vec<FieldError>> {
    let (Some(a), Some(b)) = (view.entries.first(), view.entries.get(1)) else {
        return Err(vec![FieldError::new(
            "sheet",
            "not_disputed",
            "Phiếu không có hai lần nhập.",
            "The sheet has no two entries.",
        )]);
    };
    let mut errors = Vec::new();
    let mut digits = HashMap::new();
    let pick = |name: &str,
                av: Option<String>,
                bv: Option<String>,
                errors: &mut Vec<FieldError>|
     -> Option<String> {
        match field(fields, &format!("pick_{name}")) {
            "a" => av,
            "b" => bv,
            "other" => Some(field(fields, &format!("value_{name}")).to_string()),
            _ => {
                errors.push(FieldError::new(name, "required", format!("Câu {name}: chọn giá trị của lần nhập A, của lần nhập B, hoặc nhập giá trị khác."), format!("{name}: pick A, B or another value.")));
                None
            }
        }
    };
    for q in loaded.form.all_questions() {
        let av = a
            .answers
            .get(q.code)
            .map(|v| digit_of(&loaded.form, q.code, v));
        let bv = b
            .answers
            .get(q.code)
            .map(|v| digit_of(&loaded.form, q.code, v));
        let value = if av == bv {
            av
        } else {
            pick(q.code, av, bv, &mut errors)
        };
        if let Some(v) = value {
            digits.insert(q.code.to_string(), v);
        }
    }
    let (ad, bd) = (
        a.survey_date.format("%d/%m/%Y").to_string(),
        b.survey_date.format("%d/%m/%Y").to_string(),
    );
    let date = if ad == bd {
        Some(ad)
    } else {
        pick("survey_date", Some(ad), Some(bd), &mut errors)
    };
    let survey_date = date.as_deref().and_then(parse_survey_date);
    if date.is_some() && survey_date.is_none() {
        errors.push(FieldError::new(
            "survey_date",
            "invalid_date",
            "Ngày khảo sát phải là một ngày có thật (02/11/2026).",
            "The survey date must be a real date.",
        ));
    }
    let answers = answers_from_digits(&loaded.form, &digits);
    match (answers, survey_date, errors.is_empty()) {
        (Ok(answers), Some(survey_date), true) => Ok(Decided {
            sheet: view.sheet.parse().map_err(|()| Vec::new())?,
            survey_date,
            answers,
        }),
        (answers, _, _) => {
            errors.extend(answers.err().unwrap_or_default());
            Err(errors)
        }
    }
}
