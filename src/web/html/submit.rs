//! The citizen form's submission, shared by `/f/{form}`, `/k/{token}` (kiosk) and `/i/{token}`
//! (invitation): urlencoded fields in; a thank-you page, the form again with its errors, or — when
//! the page's script asks with `Accept: application/json` — the API's JSON answer.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use maud::html;
use serde_json::{json, Map, Value};

use super::error::citizen_error_page;
use super::form::{page_rules, FormView, KioskTiming};
use super::layout::{html_response, page};
use crate::administration::units::Unit;
use crate::collecting::submission::{SubmissionRequest, SubmitError, Submitted};
use crate::domain::Channel;
use crate::forms::validate::{drop_hidden, validate_answers};
use crate::forms::{FieldError, LoadedForm, QuestionKind};
use crate::service::submit::{submit_response, Submitter};
use crate::service::ServiceError;
use crate::web::error::ApiError;
use crate::web::extract::{parse_form_fields, read_body};
use crate::web::state::AppState;

/// Where a form is answered and what follows.
pub struct Target {
    pub loaded: Arc<LoadedForm>,
    pub unit: Unit,
    pub channel: Channel,
    /// The address the form posts to.
    pub action: String,
    pub kiosk: Option<KioskTiming>,
    /// The invitation token, for `/i/{token}`.
    pub invitation: Option<String>,
    /// "Trả lời phiếu mới": where the thank-you page leads (none for invitations).
    pub again: Option<String>,
}

/// Whether the page's script asked for JSON (`Accept: application/json`).
pub fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// An error as JSON (for the script) or as a page.
pub fn failure(req: &HttpRequest, e: &ApiError) -> HttpResponse {
    if wants_json(req) {
        e.error_response()
    } else {
        citizen_error_page(e)
    }
}

/// Reads the urlencoded body into fields: 400 `malformed_form` for bytes that are not UTF-8
/// and for a field given twice (nothing is guessed).
pub async fn read_fields(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<HashMap<String, String>, ApiError> {
    let body = read_body(req, payload, "application/x-www-form-urlencoded").await?;
    parse_form_fields(&body)
}

/// The form page for a target, with what was answered and what is wrong.
pub fn render_form(
    target: &Target,
    client_id: &str,
    answers: &Map<String, Value>,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let loaded = &target.loaded;
    let view = FormView {
        form: &loaded.form,
        unit: &target.unit,
        action: &target.action,
        kiosk: target.kiosk,
        channel: target.channel,
        client_id,
        answers,
        errors,
        again: target.again.as_deref(),
    };
    let title = if errors.is_empty() {
        loaded.form.title.clone()
    } else {
        format!("Cần xem lại – {}", loaded.form.title)
    };
    html_response(
        status,
        page(
            &title,
            view.render(),
            Some(&super::assets::form_css_href(loaded)),
            None,
        ),
    )
}

/// A fresh form (new client id, no answers).
pub fn fresh_form(target: &Target) -> HttpResponse {
    let client_id = uuid::Uuid::new_v4().to_string();
    render_form(target, &client_id, &Map::new(), &[], StatusCode::OK)
}

/// Turns the urlencoded fields into API answers: ratings become numbers, the rest stays text; a
/// scale's "not applicable" (sent empty) becomes `null`: not answered, but chosen.
fn answers_from_fields(
    loaded: &LoadedForm,
    fields: &HashMap<String, String>,
) -> Map<String, Value> {
    let mut answers = Map::new();
    for q in loaded.form.all_questions() {
        let Some(raw) = fields.get(q.code) else {
            continue;
        };
        if raw.is_empty() {
            if matches!(q.kind, QuestionKind::Item(_)) {
                answers.insert(q.code.to_string(), Value::Null);
            }
            continue;
        }
        let value = match q.kind {
            QuestionKind::Item(_) | QuestionKind::Expectation(_) => raw
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(raw.clone())),
            QuestionKind::Choice(_) | QuestionKind::Comment(_) => Value::from(raw.clone()),
        };
        answers.insert(q.code.to_string(), value);
    }
    drop_hidden(&loaded.form, &mut answers);
    answers
}

/// Checks and stores the fields (the page's own rules first, then [`submit_response`]), then
/// answers as a page or as JSON.
pub async fn submit_fields(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    target: Target,
    fields: HashMap<String, String>,
) -> HttpResponse {
    let client_id = fields
        .get("client_id")
        .and_then(|c| uuid::Uuid::parse_str(c).ok())
        .unwrap_or_else(uuid::Uuid::new_v4)
        .to_string();
    let answers = answers_from_fields(&target.loaded, &fields);
    // The page's own rules first (the web form requires what the phone does).
    // (Not for invitations: a used one is refused as such first, whatever its answers.)
    let rules = page_rules(target.channel);
    if rules != target.channel && target.invitation.is_none() {
        if let Err(errors) = validate_answers(&target.loaded.form, rules, &answers) {
            return refused(req, &target, &client_id, &answers, errors);
        }
    }
    let request = SubmissionRequest {
        client_id: Some(client_id.clone()),
        unit: target.unit.code.clone(),
        channel: target.channel.as_str().to_string(),
        answers: answers.clone(),
        invitation: target.invitation.clone(),
        ..Default::default()
    };
    let submitter = match target.kiosk {
        Some(_) => Submitter::Kiosk,
        None => Submitter::Citizen,
    };
    let form = target.loaded.clone();
    let outcome = submit_response(&state.writer, submitter, form, request, state.config.tz).await;
    let json = wants_json(req);
    match outcome {
        Ok(Submitted::Created(id)) if json => HttpResponse::Created().json(json!({ "id": id })),
        Ok(Submitted::Replayed(id)) if json => HttpResponse::Ok().json(json!({ "id": id })),
        Ok(_) => thank_you(&target, state.config.kiosk_thanks_seconds),
        Err(ServiceError::Submit(SubmitError::Invalid(errors))) => {
            refused(req, &target, &client_id, &answers, errors)
        }
        Err(e) => failure(req, &e.into()),
    }
}

/// Answers that the page's rules refuse: the form again with the errors, or the API's 422.
fn refused(
    req: &HttpRequest,
    target: &Target,
    client_id: &str,
    answers: &Map<String, Value>,
    errors: Vec<FieldError>,
) -> HttpResponse {
    if wants_json(req) {
        failure(req, &ApiError::validation(errors))
    } else {
        render_form(
            target,
            client_id,
            answers,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    }
}

fn thank_you(target: &Target, kiosk_seconds: u32) -> HttpResponse {
    let kiosk = target.kiosk.is_some();
    let body = html! {
        div.card role="status" {
            h1 { "Cảm ơn ông/bà!" }
            p { "Ý kiến của ông/bà đã được ghi nhận. Phiếu không ghi tên người trả lời." }
            @if kiosk { p.hint { "Màn hình sẽ trở về phiếu mới sau " (kiosk_seconds) " giây." } }
            @if let Some(again) = &target.again {
                p { a.button href=(again) { "Trả lời phiếu mới" } }
            }
        }
    };
    let refresh = target
        .again
        .as_deref()
        .filter(|_| kiosk)
        .map(|again| (kiosk_seconds.max(1), again));
    html_response(
        StatusCode::CREATED,
        page("Cảm ơn ông/bà", body, None, refresh),
    )
}
