//! Citizen pages: `GET /`, `GET /f`, `GET /f/{form_id}`, `POST /f/{form_id}`.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::html;
use serde_json::{Map, Value};

use super::form::{routing_css, FormView};
use super::layout::page;
use crate::domain::Channel;
use crate::forms::validate::drop_hidden;
use crate::forms::{FieldError, LoadedForm, QuestionKind};
use crate::startup::AppState;
use crate::store::units;
use crate::submission::{self, SubmissionRequest, SubmitError, Submitted};
use crate::units::{tree_order, Unit};
use crate::web::api::with_conn;
use crate::web::error::ApiError;
use crate::web::extract::read_body;

fn html_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// A plain page with a heading, a message and a link home.
fn message_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let body = html! {
        h1 { (title) }
        p { (message) }
        p { a href="/" { "Về trang đầu" } }
    };
    html_response(status, page(title, body, None, None))
}

pub fn not_found_page() -> HttpResponse {
    message_page(
        StatusCode::NOT_FOUND,
        "Không tìm thấy trang",
        "Địa chỉ này không có trên hệ thống.",
    )
}

/// The page for an error that the API would report as JSON.
fn error_page(e: &ApiError) -> HttpResponse {
    let title = match e.status {
        StatusCode::NOT_FOUND => "Không tìm thấy",
        s if s.is_server_error() => "Hệ thống đang bận",
        _ => "Yêu cầu không hợp lệ",
    };
    message_page(e.status, title, &e.message)
}

async fn units_today(state: &web::Data<AppState>) -> Result<Vec<Unit>, ApiError> {
    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    let rows = with_conn(state, units::list).await?;
    Ok(rows
        .into_iter()
        .map(Unit::from)
        .filter(|u| u.is_valid_on(today))
        .collect())
}

/// Choose a unit and a form.
#[utoipa::path(tag = "pages", responses((status = 200, content_type = "text/html", description = "unit and form chooser")))]
#[get("/")]
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    let units = match units_today(&state).await {
        Ok(units) => units,
        Err(e) => return error_page(&e),
    };
    let forms: Vec<_> = state
        .forms
        .all()
        .filter(|f| !f.form.invitation_only)
        .collect();
    let body = html! {
        h1 { "Khảo sát sự hài lòng" }
        p { "Ý kiến của ông/bà giúp cơ quan hành chính phục vụ tốt hơn. Phiếu không ghi tên người trả lời." }
        form.card method="get" action="/f" {
            p {
                label for="unit" { strong { "Nơi ông/bà vừa giải quyết công việc" } }
                select #unit name="unit" required {
                    option value="" { "— Chọn đơn vị —" }
                    @for (depth, u) in tree_order(&units) {
                        option value=(u.code) { ("\u{a0}".repeat(depth * 3)) (u.name) }
                    }
                }
            }
            fieldset {
                legend { "Phiếu khảo sát" }
                div.opts {
                    @for (i, f) in forms.iter().enumerate() {
                        label.opt { input type="radio" name="form" value=(f.form.id) checked[i == 0]; span { (f.form.title) } }
                    }
                }
            }
            input type="hidden" name="channel" value="web";
            p { button type="submit" { "Bắt đầu" } }
        }
    };
    html_response(
        StatusCode::OK,
        page("Khảo sát sự hài lòng", body, None, None),
    )
}

/// The chooser's submission: redirects to the form's own address.
#[utoipa::path(tag = "pages", params(("form" = String, Query), ("unit" = String, Query), ("channel" = Option<String>, Query)), responses((status = 303, description = "to /f/{form}")))]
#[get("/f")]
pub async fn choose(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let (Some(form), Some(unit)) = (query.get("form"), query.get("unit")) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Thiếu thông tin",
            "Xin chọn đơn vị và phiếu khảo sát.",
        );
    };
    let channel = query.get("channel").map_or("web", String::as_str);
    let target = format!(
        "/f/{}?{}",
        form.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect::<String>(),
        serde_urlencoded::to_string([("unit", unit.as_str()), ("channel", channel)])
            .unwrap_or_default()
    );
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target))
        .finish()
}

/// Finds the form and unit named by a page request's `unit` and `channel` parameters, or the page
/// to show instead.
async fn form_and_unit(
    state: &web::Data<AppState>,
    form_id: &str,
    params: &HashMap<String, String>,
) -> Result<(std::sync::Arc<LoadedForm>, Unit, Channel), HttpResponse> {
    let loaded = state
        .forms
        .get(form_id)
        .ok_or_else(|| error_page(&ApiError::unknown_form(form_id)))?;
    if loaded.form.invitation_only {
        return Err(message_page(
            StatusCode::FORBIDDEN,
            "Phiếu theo thư mời",
            "Phiếu này chỉ trả lời được qua đường dẫn trong thư mời cá nhân.",
        ));
    }
    let unit_code = params.get("unit").map(String::as_str);
    let channel = match params
        .get("channel")
        .map_or("web", String::as_str)
        .parse::<Channel>()
    {
        Ok(c) if loaded.form.accepts(c) => c,
        _ => {
            return Err(message_page(
                StatusCode::BAD_REQUEST,
                "Kênh không hợp lệ",
                "Kênh trả lời không hợp lệ cho phiếu này.",
            ))
        }
    };
    let Some(code) = unit_code.filter(|c| !c.is_empty()) else {
        return Err(message_page(
            StatusCode::BAD_REQUEST,
            "Thiếu đơn vị",
            "Xin chọn đơn vị ở trang đầu.",
        ));
    };
    let code_owned = code.to_string();
    let unit = with_conn(state, move |conn| units::get(conn, &code_owned))
        .await
        .map_err(|e| error_page(&e))?;
    let unit: Unit = unit
        .ok_or_else(|| error_page(&SubmitError::UnknownUnit(code.to_string()).into()))?
        .into();
    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    if !unit.is_valid_on(today) {
        return Err(message_page(
            StatusCode::GONE,
            "Đơn vị không còn hoạt động",
            &format!(
                "{} không còn tiếp nhận khảo sát. Xin chọn đơn vị khác ở trang đầu.",
                unit.name
            ),
        ));
    }
    Ok((loaded, unit, channel))
}

fn render_form(loaded: &LoadedForm, view: FormView<'_>, status: StatusCode) -> HttpResponse {
    let title = if view.errors.is_empty() {
        loaded.form.title.clone()
    } else {
        format!("Cần xem lại – {}", loaded.form.title)
    };
    html_response(
        status,
        page(
            &title,
            view.render(),
            Some(&routing_css(&loaded.form)),
            None,
        ),
    )
}

/// The questionnaire, usable without JavaScript.
#[utoipa::path(
    tag = "pages",
    params(("form_id" = String, Path), ("unit" = String, Query), ("channel" = Option<String>, Query, description = "kiosk, phone or web")),
    responses((status = 200, content_type = "text/html", description = "the form"), (status = 404, description = "unknown form or unit"))
)]
#[get("/f/{form_id}")]
pub async fn form_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let (loaded, unit, channel) = match form_and_unit(&state, &path, &query).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let client_id = uuid::Uuid::new_v4().to_string();
    let answers = Map::new();
    let action = format!("/f/{}", loaded.form.id);
    let view = FormView {
        form: &loaded.form,
        unit: &unit,
        action: &action,
        kiosk: None,
        channel,
        client_id: &client_id,
        answers: &answers,
        errors: &[],
    };
    render_form(&loaded, view, StatusCode::OK)
}

/// Turns the urlencoded fields into API answers: ratings become numbers, the rest stays text.
fn answers_from_fields(
    loaded: &LoadedForm,
    fields: &HashMap<String, String>,
) -> Map<String, Value> {
    let mut answers = Map::new();
    for q in loaded.form.all_questions() {
        let Some(raw) = fields.get(q.code).filter(|v| !v.is_empty()) else {
            continue;
        };
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

/// The form's submission (urlencoded) → thank-you page, or the form again with the errors.
#[utoipa::path(
    tag = "pages",
    params(("form_id" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "unit, channel, client_id and one field per question code"),
    responses((status = 201, content_type = "text/html", description = "thank-you page"), (status = 422, content_type = "text/html", description = "the form with errors"))
)]
#[post("/f/{form_id}")]
pub async fn form_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let body = match read_body(&req, payload, "application/x-www-form-urlencoded").await {
        Ok(body) => body,
        Err(e) => return error_page(&e),
    };
    let Ok(fields) = serde_urlencoded::from_bytes::<HashMap<String, String>>(&body) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Yêu cầu không hợp lệ",
            "Không đọc được nội dung phiếu.",
        );
    };
    let (loaded, unit, channel) = match form_and_unit(&state, &path, &fields).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let client_id = fields
        .get("client_id")
        .and_then(|c| uuid::Uuid::parse_str(c).ok())
        .unwrap_or_else(uuid::Uuid::new_v4)
        .to_string();
    let answers = answers_from_fields(&loaded, &fields);
    let request = SubmissionRequest {
        client_id: Some(client_id.clone()),
        unit: unit.code.clone(),
        channel: channel.as_str().to_string(),
        answers: answers.clone(),
        ..Default::default()
    };
    let tz = state.config.tz;
    let form = loaded.clone();
    let outcome = with_conn(&state, move |conn| {
        submission::submit(conn, &form, &request, None, tz, chrono::Utc::now())
    })
    .await;
    match outcome {
        Ok(Submitted::Created(_)) | Ok(Submitted::Replayed(_)) => {
            thank_you(&loaded, &unit, channel)
        }
        Err(e) if e.code == "validation_failed" => {
            let errors: Vec<FieldError> = e.fields;
            let action = format!("/f/{}", loaded.form.id);
            let view = FormView {
                form: &loaded.form,
                unit: &unit,
                action: &action,
                kiosk: None,
                channel,
                client_id: &client_id,
                answers: &answers,
                errors: &errors,
            };
            render_form(&loaded, view, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => error_page(&e),
    }
}

fn thank_you(loaded: &LoadedForm, unit: &Unit, channel: Channel) -> HttpResponse {
    let again = format!(
        "/f/{}?{}",
        loaded.form.id,
        serde_urlencoded::to_string([("unit", unit.code.as_str()), ("channel", channel.as_str())])
            .unwrap_or_default()
    );
    let kiosk = channel == Channel::Kiosk;
    let body = html! {
        div.card role="status" {
            h1 { "Cảm ơn ông/bà!" }
            p { "Ý kiến của ông/bà đã được ghi nhận. Phiếu không ghi tên người trả lời." }
            @if kiosk { p.hint { "Màn hình sẽ trở về phiếu mới sau 10 giây." } }
            p { a.button href=(again) { "Trả lời phiếu mới" } }
        }
    };
    let refresh = kiosk.then_some((10, again.as_str()));
    html_response(
        StatusCode::CREATED,
        page("Cảm ơn ông/bà", body, None, refresh),
    )
}
