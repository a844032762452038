//! Citizen pages: `GET /`, `GET /f`, `GET /f/{form_id}`, `POST /f/{form_id}`.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{post, route, web, HttpRequest, HttpResponse, ResponseError};
use maud::{html, Markup};

use super::error::{message_page, CitizenError};
use super::layout::{html_response, page};
use super::submit::{fresh_form, read_fields, submit_fields, wants_json, Target};
use crate::administration::units::{tree_order, Unit};
use crate::collecting::submission::SubmitError;
use crate::domain::Channel;
use crate::store::units;
use crate::web::client::submission_limit;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::state::AppState;

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

/// The units a citizen is served at: the leaves of today's tree (the one-stop offices and the
/// communes, not the province or the district above them), grouped under their parent, in tree
/// order.
fn serving_units(units: &[Unit]) -> Markup {
    let leaves: Vec<&Unit> = tree_order(units)
        .into_iter()
        .map(|(_, u)| u)
        .filter(|u| {
            !units
                .iter()
                .any(|c| c.parent.as_deref() == Some(u.code.as_str()))
        })
        .collect();
    let mut groups: Vec<(Option<&Unit>, Vec<&Unit>)> = Vec::new();
    for unit in leaves {
        let parent = unit
            .parent
            .as_deref()
            .and_then(|p| units.iter().find(|u| u.code == p));
        match groups.last_mut() {
            Some((last, members)) if last.map(|u| &u.code) == parent.map(|u| &u.code) => {
                members.push(unit)
            }
            _ => groups.push((parent, vec![unit])),
        }
    }
    html! {
        @for (parent, members) in &groups {
            @if let Some(parent) = parent {
                optgroup label=(parent.name) {
                    @for u in members { option value=(u.code) { (u.name) } }
                }
            } @else {
                @for u in members { option value=(u.code) { (u.name) } }
            }
        }
    }
}

/// Choose a unit and a form.
#[utoipa::path(method(get, head), tag = "pages", responses((status = 200, content_type = "text/html", description = "unit and form chooser")))]
#[route("/", method = "GET", method = "HEAD")]
pub async fn index(state: web::Data<AppState>) -> Result<HttpResponse, CitizenError> {
    let units = units_today(&state).await?;
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
                    (serving_units(&units))
                }
            }
            fieldset {
                legend { "Phiếu khảo sát" }
                div.opts {
                    @for f in &forms {
                        label.opt { input type="radio" name="form" value=(f.form.id) required; span { (f.form.title) } }
                    }
                }
            }
            input type="hidden" name="channel" value="web";
            p { button type="submit" { "Bắt đầu" } }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page("Khảo sát sự hài lòng", body, None, None),
    ))
}

/// The chooser's submission: redirects to the form's own address.
#[utoipa::path(method(get, head), tag = "pages", params(("form" = String, Query), ("unit" = String, Query), ("channel" = Option<String>, Query)), responses((status = 303, description = "to /f/{form}"), (status = 400, content_type = "text/html", description = "form or unit missing")))]
#[route("/f", method = "GET", method = "HEAD")]
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

/// The form, unit and channel a `/f/{form_id}` request names, for the page or its submission.
async fn target(
    state: &web::Data<AppState>,
    form_id: &str,
    params: &HashMap<String, String>,
) -> Result<Target, ApiError> {
    let loaded = state
        .forms
        .get(form_id)
        .ok_or_else(|| ApiError::unknown_form(form_id))?;
    if loaded.form.invitation_only {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invitation_required",
            "Phiếu này chỉ trả lời được qua đường dẫn trong thư mời cá nhân.",
            "This form can only be answered through a personal invitation link.",
        ));
    }
    let channel = match params
        .get("channel")
        .map_or("web", String::as_str)
        .parse::<Channel>()
    {
        // Kiosk answers come through a registered kiosk's own link (`/k/{token}`), where the
        // unit is fixed and the per-device limit applies.
        Ok(Channel::Kiosk) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "Máy kiosk dùng đường dẫn riêng do quản trị viên cấp khi đăng ký máy.",
                "Kiosks use the link an administrator gets when registering the kiosk.",
            ))
        }
        // Paper forms are entered by signed-in staff through the JSON API.
        Ok(Channel::Paper) => return Err(SubmitError::ChannelNotAllowed(Channel::Paper).into()),
        Ok(c) if loaded.form.accepts(c) => c,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "Kênh trả lời không hợp lệ cho phiếu này.",
                "The channel is not valid for this form.",
            ))
        }
    };
    let Some(code) = params.get("unit").filter(|c| !c.is_empty()).cloned() else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "Xin chọn đơn vị ở trang đầu.",
            "Choose a unit on the first page.",
        ));
    };
    let unit = open_unit(state, code).await?;
    let action = format!("/f/{}", loaded.form.id);
    let again = format!(
        "{action}?{}",
        serde_urlencoded::to_string([("unit", unit.code.as_str()), ("channel", channel.as_str())])
            .unwrap_or_default()
    );
    Ok(Target {
        loaded,
        unit,
        channel,
        action,
        kiosk: None,
        invitation: None,
        again: Some(again),
    })
}

/// A unit that exists and is open today (410 when it was closed).
pub async fn open_unit(state: &web::Data<AppState>, code: String) -> Result<Unit, ApiError> {
    let lookup = code.clone();
    let unit: Unit = with_conn(state, move |conn| units::get(conn, &lookup))
        .await?
        .ok_or_else(|| ApiError::from(SubmitError::UnknownUnit(code)))?
        .into();
    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    if !unit.is_valid_on(today) {
        return Err(ApiError::new(
            StatusCode::GONE,
            "unit_closed",
            format!(
                "{} không còn tiếp nhận khảo sát. Xin chọn đơn vị khác ở trang đầu.",
                unit.name
            ),
            format!("{} no longer takes surveys.", unit.name),
        ));
    }
    Ok(unit)
}

/// The questionnaire, usable without JavaScript.
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("form_id" = String, Path), ("unit" = String, Query), ("channel" = Option<String>, Query, description = "kiosk, phone or web")),
    responses((status = 200, content_type = "text/html", description = "the form"), (status = 400, content_type = "text/html", description = "no unit, or a channel the form does not take"), (status = 403, content_type = "text/html", description = "invitation-only form, or channel_not_allowed (paper)"), (status = 404, description = "unknown form or unit"), (status = 410, content_type = "text/html", description = "the unit is closed"))
)]
#[route("/f/{form_id}", method = "GET", method = "HEAD")]
pub async fn form_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let page = async { Ok(fresh_form(&target(&state, &path, &query).await?)) };
    answer(&req, page.await)
}

/// The form's submission (urlencoded) → thank-you page, or the form again with the errors.
#[utoipa::path(
    tag = "pages",
    params(("form_id" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "unit, channel, client_id and one field per question code"),
    responses((status = 201, content_type = "text/html", description = "thank-you page, or `{\"id\"}` with `Accept: application/json`"), (status = 400, content_type = "text/html", description = "no unit, a channel the form does not take, or malformed_form: fields that are not UTF-8 or a field given twice"), (status = 403, content_type = "text/html", description = "invitation-only form, or channel_not_allowed (paper, kiosk)"), (status = 404, description = "unknown form or unit"), (status = 408, description = "request_timeout: the body came too slowly"), (status = 410, content_type = "text/html", description = "the unit is closed"), (status = 413, description = "body over 64 KiB"), (status = 415, description = "not application/x-www-form-urlencoded"), (status = 422, content_type = "text/html", description = "the form with errors"), (status = 429, description = "too_many_requests"))
)]
#[post("/f/{form_id}")]
pub async fn form_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let submitted = submit_form(&req, &state, &path, payload);
    answer(&req, submitted.await)
}

async fn submit_form(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    form_id: &str,
    payload: web::Payload,
) -> Result<HttpResponse, CitizenError> {
    // The limit is taken once the fields were read: a client trickling a body holds no token.
    let fields = read_fields(req, payload).await?;
    let target = target(state, form_id, &fields).await?;
    let permit = submission_limit(req, state, None)?;
    let response = submit_fields(req, state, target, fields).await;
    if let Some(permit) = permit {
        permit.settle(response.status() == StatusCode::CREATED);
    }
    Ok(response)
}

/// The answer of a citizen form's address: on failure, the error as JSON when the page's script
/// asked for it (`Accept: application/json`), else as the citizens' error page.
pub fn answer(req: &HttpRequest, outcome: Result<HttpResponse, CitizenError>) -> HttpResponse {
    match outcome {
        Ok(response) => response,
        Err(CitizenError(e)) if wants_json(req) => e.error_response(),
        Err(e) => e.error_response(),
    }
}
