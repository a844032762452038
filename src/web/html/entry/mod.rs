//! `/entry`: clerks type in paper sheets, keyboard first (docs/paper.md "Nhập phiếu giấy"), and
//! `/entry/reconcile`: the supervisor decides the disputed ones. Plain HTML forms that work
//! without script; `/static/entry.js` adds moving on after each digit, the routing, live
//! messages and saving with Enter without reloading. Both call the actions of
//! `service::paper` as the JSON API does.

mod form;
pub mod reconcile;
mod reconcile_render;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use maud::{html, Markup, DOCTYPE};

use super::admin::{field, see_other, staff_form, staff_get, Gate};
use super::error::PageError;
use super::layout::html_response;
use crate::collecting::paper::entry::{answers_from_digits, parse_sheet_and_date};
use crate::domain::{Channel, Role};
use crate::forms::LoadedForm;
use crate::service::paper::entry::{SheetEntry, ENTRY_AUDIT_ACTION};
use crate::web::client;
use crate::web::error::ApiError;
use crate::web::paper::paper_forms;
use crate::web::paper::{enter, EnteredOut};
use crate::web::state::AppState;

/// The cookie that remembers the form chosen on `/entry`.
const FORM_COOKIE: &str = "sipas_entry_form";

/// A signed-in staff member of an allowed role on these pages, and their CSRF token.
pub use super::admin::Admin as Operator;

const NOT_ALLOWED: &str =
    "Trang nhập phiếu giấy chỉ dành cho cán bộ nhập phiếu (clerk) và quản trị viên.";
const ADMIN_ONLY: &str = "Đối chiếu phiếu giấy chỉ dành cho người giám sát (quản trị viên).";

/// Clerks and admins enter sheets.
pub(super) const ENTERING: Gate = Gate {
    roles: &[Role::Clerk, Role::Admin],
    refused: NOT_ALLOWED,
};

/// The supervisor (an admin) reconciles.
pub(super) const SUPERVISING: Gate = Gate {
    roles: &[Role::Admin],
    refused: ADMIN_ONLY,
};

/// The form of a page: `?form=`, else the remembered one, else the only paper form.
fn chosen_form(
    req: &HttpRequest,
    state: &AppState,
    query: &HashMap<String, String>,
) -> Option<std::sync::Arc<LoadedForm>> {
    let forms = paper_forms(state);
    let asked = field(query, "form");
    let remembered = req.cookie(FORM_COOKIE).map(|c| c.value().to_string());
    let id = if asked.is_empty() {
        remembered.unwrap_or_default()
    } else {
        asked.to_string()
    };
    let found = forms.iter().find(|f| f.form.id == id).cloned();
    found.or_else(|| (forms.len() == 1).then(|| forms[0].clone()))
}

/// A staff page with the entry script (the layout's shell, plus `/static/entry.js`).
fn entry_page(status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    use super::assets;
    let page = html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" type="image/svg+xml" href=(assets::favicon_href());
                link rel="stylesheet" href=(assets::css_href());
                link rel="stylesheet" href=(assets::dashboard_css_href());
                script src=(assets::entry_js_src()) defer {}
            }
            body {
                header.site { p { "Khảo sát sự hài lòng của người dân, tổ chức (SIPAS)" } }
                main #main { (body) }
            }
        }
    };
    html_response(status, page.into_string())
}

/// The entry page (clerk, admin; session cookie): the form chooser, then the sheet form.
#[utoipa::path(
    tag = "paper",
    params(("form" = Option<String>, Query, description = "the form to enter (remembered in a cookie)")),
    responses(
        (status = 200, content_type = "text/html", description = "the entry form"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not a clerk or admin")
    )
)]
#[get("/entry")]
pub async fn entry_page_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let op = match staff_get(&req, &state, ENTERING).await {
        Ok(op) => op,
        Err(response) => return Ok(response),
    };
    let loaded = chosen_form(&req, &state, &query);
    let view = form::View::default();
    let mut response = entry_page(
        StatusCode::OK,
        "Nhập phiếu giấy – SIPAS",
        form::render(&op, &paper_forms(&state), loaded.as_deref(), &view),
    );
    if let Some(loaded) = &loaded {
        remember(&mut response, &loaded.form.id);
    }
    Ok(response)
}

fn remember(response: &mut HttpResponse, form: &str) {
    let cookie = actix_web::cookie::Cookie::build(FORM_COOKIE, form.to_string())
        .path("/entry")
        .same_site(actix_web::cookie::SameSite::Strict)
        .http_only(true)
        .max_age(actix_web::cookie::time::Duration::days(90))
        .finish();
    let _ = response.add_cookie(&cookie);
}

/// Saves one sheet (clerk, admin; urlencoded `csrf`, `form`, `sheet`, `survey_date`, one digit per
/// question code, `count`). Without script: the page again, empty for the next sheet (201) or
/// with the problems beside the fields (422, 409). With `Accept: application/json`: the JSON of
/// `POST /api/v1/paper/entries`.
#[utoipa::path(
    tag = "paper",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, form, sheet, survey_date, a digit per question code, count"),
    responses(
        (status = 201, content_type = "text/html", description = "saved: the empty form for the next sheet"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not a clerk or admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "unknown_form"),
        (status = 409, content_type = "text/html", description = "sheet_already_stored, sheet_already_entered, sheet_disputed: the form again with the message"),
        (status = 422, content_type = "text/html", description = "the form again with the problems beside the fields")
    )
)]
#[post("/entry")]
pub async fn entry_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (op, fields) = match staff_form(&req, &state, payload, ENTERING, ENTRY_AUDIT_ACTION).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let form_id = field(&fields, "form");
    let loaded = state
        .forms
        .get(form_id)
        .filter(|f| f.form.accepts(Channel::Paper))
        .ok_or_else(|| ApiError::unknown_form(form_id))?;
    let count: u32 = field(&fields, "count").parse().unwrap_or(0);
    let outcome = save(&req, &state, &op, loaded.clone(), &fields).await;
    let json = super::submit::wants_json(&req);
    match outcome {
        Ok(entered) if json => Ok(HttpResponse::Created().json(EnteredOut::from(entered))),
        Err(e) if json => Ok(e.error_response()),
        Ok(entered) => {
            let view = form::View {
                saved: Some(entered),
                count: count + 1,
                ..Default::default()
            };
            let body = form::render(&op, &paper_forms(&state), Some(&loaded), &view);
            Ok(entry_page(
                StatusCode::CREATED,
                "Đã lưu phiếu – Nhập phiếu giấy – SIPAS",
                body,
            ))
        }
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let view = form::View {
                fields,
                error: Some(e),
                count,
                ..Default::default()
            };
            let body = form::render(&op, &paper_forms(&state), Some(&loaded), &view);
            Ok(entry_page(
                status,
                "Cần xem lại – Nhập phiếu giấy – SIPAS",
                body,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The typed fields as an entry, then the action.
async fn save(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    op: &Operator,
    loaded: std::sync::Arc<LoadedForm>,
    fields: &HashMap<String, String>,
) -> Result<crate::service::paper::entry::Entered, ApiError> {
    let parsed = parse_sheet_and_date(field(fields, "sheet"), field(fields, "survey_date"));
    let answers = answers_from_digits(&loaded.form, fields);
    let (sheet, survey_date, answers) = match (parsed, answers) {
        (Ok((sheet, date)), Ok(answers)) => (sheet, date, answers),
        (parsed, answers) => {
            let mut errors = parsed.err().unwrap_or_default();
            errors.extend(answers.err().unwrap_or_default());
            return Err(ApiError::validation(errors));
        }
    };
    let actor = client::actor(req, state, &op.staff);
    enter(
        state,
        actor,
        loaded,
        SheetEntry {
            sheet,
            survey_date,
            answers,
        },
    )
    .await
}
