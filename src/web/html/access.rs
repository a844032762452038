//! `/k/{token}` (a kiosk tablet's page) and `/i/{token}` (an invitation's form). The token in the
//! path stands for the unit and channel (kiosk) or the form and unit (invitation).

use std::collections::HashMap;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{post, route, web, HttpRequest, HttpResponse};

use super::error::message_page;
use super::form::KioskTiming;
use super::pages::open_unit;
use super::submit::{failure, fresh_form, read_fields, submit_fields, Target};
use crate::collecting::access;
use crate::collecting::submission::SubmitError;
use crate::domain::Channel;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// The form a kiosk shows unless its link names another (`?form=`).
pub const KIOSK_DEFAULT_FORM: &str = "sipas-dich-vu";

/// The kiosk's form for its unit.
async fn kiosk_target(
    state: &web::Data<AppState>,
    token: &str,
    form_id: Option<&str>,
) -> Result<Target, ApiError> {
    let lookup = token.to_string();
    let kiosk = with_conn(state, move |conn| access::kiosk_by_token(conn, &lookup)).await?;
    let form_id = form_id.unwrap_or(KIOSK_DEFAULT_FORM);
    let loaded = state
        .forms
        .get(form_id)
        .filter(|f| !f.form.invitation_only && f.form.accepts(Channel::Kiosk))
        .ok_or_else(|| ApiError::unknown_form(form_id))?;
    let unit = open_unit(state, kiosk.unit).await?;
    let action = format!(
        "/k/{token}?{}",
        serde_urlencoded::to_string([("form", form_id)]).unwrap_or_default()
    );
    let config = &state.config;
    Ok(Target {
        loaded,
        unit,
        channel: Channel::Kiosk,
        again: Some(action.clone()),
        action,
        kiosk: Some(KioskTiming {
            idle_seconds: config.kiosk_idle_seconds,
            warning_seconds: config.kiosk_warning_seconds,
            thanks_seconds: config.kiosk_thanks_seconds,
        }),
        invitation: None,
    })
}

/// The kiosk page: the form in kiosk mode (large buttons, idle reset, a fresh form after each
/// answer).
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("token" = String, Path, description = "kiosk device token"), ("form" = Option<String>, Query)),
    responses((status = 200, content_type = "text/html", description = "the kiosk form"), (status = 404, description = "unknown or revoked kiosk"), (status = 410, content_type = "text/html", description = "unit_closed: the kiosk's unit no longer takes surveys"))
)]
#[route("/k/{token}", method = "GET", method = "HEAD")]
pub async fn kiosk_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    match kiosk_target(&state, &path, query.get("form").map(String::as_str)).await {
        Ok(target) => fresh_form(&target),
        Err(e) => failure(&req, &e),
    }
}

/// A kiosk's submission. Limited per device (`SIPAS_KIOSK_BURST`, `SIPAS_KIOSK_PER_HOUR`):
/// 429 `too_many_requests` with `Retry-After` beyond that.
#[utoipa::path(
    tag = "pages",
    params(("token" = String, Path), ("form" = Option<String>, Query)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "client_id and one field per question code"),
    responses((status = 201, description = "thank-you page, or `{\"id\"}` with `Accept: application/json`"), (status = 400, description = "fields that do not parse (malformed_form)"), (status = 404, description = "unknown or revoked kiosk"), (status = 408, description = "request_timeout: the body came too slowly"), (status = 410, content_type = "text/html", description = "unit_closed: the kiosk's unit no longer takes surveys"), (status = 413, description = "body over 64 KiB"), (status = 415, description = "not application/x-www-form-urlencoded"), (status = 422, description = "the form with errors"), (status = 429, description = "too_many_requests"))
)]
#[post("/k/{token}")]
pub async fn kiosk_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    payload: web::Payload,
) -> HttpResponse {
    let target = match kiosk_target(&state, &path, query.get("form").map(String::as_str)).await {
        Ok(target) => target,
        Err(e) => return failure(&req, &e),
    };
    // The limit is taken once the fields were read: a trickling body holds no token.
    let fields = match read_fields(&req, payload).await {
        Ok(fields) => fields,
        Err(e) => return failure(&req, &e),
    };
    let key = crate::auth::token_hash(&path);
    if let Err(wait) = state.kiosk_limiter.check(&key, Instant::now()) {
        return failure(&req, &ApiError::too_many_requests(wait.as_secs() + 1));
    }
    let response = submit_fields(&req, &state, target, fields).await;
    // Only stored answers count: a resend after a lost acknowledgement (200) or a form sent
    // back for corrections (422) gives its token back.
    if response.status() != StatusCode::CREATED {
        state.kiosk_limiter.refund(&key);
    }
    response
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Open,
    Used,
    Expired,
}

/// The invitation's form, and whether the invitation was used already or is past its deadline.
async fn invitation_target(
    state: &web::Data<AppState>,
    token: &str,
) -> Result<(Target, Standing), ApiError> {
    let lookup = token.to_string();
    let keys = state.keys.clone();
    let (invitation, used) = with_conn(state, move |conn| {
        access::invitation_by_token(conn, &keys, &lookup)
    })
    .await?;
    let loaded = state
        .forms
        .get(&invitation.form_id)
        .ok_or_else(|| ApiError::unknown_form(&invitation.form_id))?;
    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    let standing = match (used, access::invitation_expired(&invitation, today)) {
        (true, _) => Standing::Used,
        (false, true) => Standing::Expired,
        (false, false) => Standing::Open,
    };
    let unit = open_unit(state, invitation.unit).await?;
    let target = Target {
        loaded,
        unit,
        channel: Channel::Web,
        action: format!("/i/{token}"),
        kiosk: None,
        invitation: Some(token.to_string()),
        again: None,
    };
    Ok((target, standing))
}

/// The page for an invitation past its deadline: polite, with the 410 status.
fn expired_page() -> HttpResponse {
    message_page(
        StatusCode::GONE,
        "Thư mời đã hết hạn",
        "Thư mời này đã hết hạn trả lời. Cảm ơn ông/bà đã quan tâm; nếu ông/bà vẫn muốn góp ý, xin liên hệ cơ quan đã gửi thư mời.",
    )
}

/// The page for an invitation that was already used: friendly, with the 409 status.
fn used_page() -> HttpResponse {
    message_page(
        StatusCode::CONFLICT,
        "Thư mời đã được sử dụng",
        "Thư mời này đã được dùng để trả lời phiếu khảo sát. Mỗi thư mời chỉ dùng được một lần. Cảm ơn ông/bà đã tham gia; nếu ông/bà chưa trả lời, xin liên hệ Văn phòng HĐND và UBND để nhận thư mời khác.",
    )
}

/// An invitation's form (single use; the response keeps no link to the invitation).
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("token" = String, Path, description = "invitation token")),
    responses((status = 200, content_type = "text/html", description = "the form"), (status = 404, description = "unknown invitation"), (status = 409, description = "invitation_used: a friendly page"), (status = 410, description = "invitation_expired: past its deadline, a friendly page"))
)]
#[route("/i/{token}", method = "GET", method = "HEAD")]
pub async fn invitation_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    match invitation_target(&state, &path).await {
        Ok((_, Standing::Used)) if super::submit::wants_json(&req) => {
            failure(&req, &SubmitError::InvitationUsed.into())
        }
        Ok((_, Standing::Used)) => used_page(),
        Ok((_, Standing::Expired)) if super::submit::wants_json(&req) => {
            failure(&req, &SubmitError::InvitationExpired.into())
        }
        Ok((_, Standing::Expired)) => expired_page(),
        Ok((target, Standing::Open)) => fresh_form(&target),
        Err(e) => failure(&req, &e),
    }
}

/// An invitation's submission: stores the response and uses up the invitation in one
/// transaction; a second use gets 409 `invitation_used`.
#[utoipa::path(
    tag = "pages",
    params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "client_id and one field per question code"),
    responses((status = 201, description = "thank-you page, or `{\"id\"}` with `Accept: application/json`"), (status = 400, description = "fields that do not parse"), (status = 404, description = "unknown invitation"), (status = 409, description = "invitation_used"), (status = 410, description = "invitation_expired"), (status = 413, description = "body over 64 KiB"), (status = 415, description = "not application/x-www-form-urlencoded"), (status = 422, description = "the form with errors"))
)]
#[post("/i/{token}")]
pub async fn invitation_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let fields = match read_fields(&req, payload).await {
        Ok(fields) => fields,
        Err(e) => return failure(&req, &e),
    };
    // A used invitation goes on to the store too: a resend of the answer that used it (same
    // client_id) gets that answer's id; anything else is refused there with `invitation_used`.
    match invitation_target(&state, &path).await {
        Ok((target, _)) => submit_fields(&req, &state, target, fields).await,
        Err(e) => failure(&req, &e),
    }
}
