//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `POST /api/v1/auth/password`, and what
//! the HTML login shares with them: the throttled login attempt and the session cookies.

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::accounts::{self, AccountError};
use crate::auth::throttle::{retry_after_seconds, wait_in_words, Attempt};
use crate::auth::{self, AuthError, Session};
use crate::domain::Role;
use crate::platform::audit::{Entry, Outcome};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::session;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// UTC, RFC 3339.
    pub expires_at: String,
    pub role: Role,
    /// Send this as `X-CSRF-Token` with cookie-authenticated requests that change state.
    pub csrf_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters, more than one kind of character, at least 5 different ones, not
    /// the username.
    pub new_password: String,
}

pub use crate::web::session::{clear_session_cookies, cookies_secure, set_login_cookies};

/// 429 `too_many_attempts` with `Retry-After`.
pub fn too_many_attempts(seconds: u64) -> ApiError {
    ApiError {
        retry_after: Some(seconds.max(1)),
        ..ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "Nhập sai mật khẩu quá nhiều lần. Xin chờ {} rồi thử lại.",
                wait_in_words(seconds.max(1))
            ),
            format!(
                "Too many failed attempts. Try again in {} s.",
                seconds.max(1)
            ),
        )
    }
}

/// Admits an attempt to check `username`'s password from this client, or refuses it (429,
/// recorded as `refused` with the reason `throttled`) without touching the password.
///
/// A valid device cookie for `username` (see `auth::device`) stands in for the address.
async fn admit(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    username: &str,
    refused: Entry,
) -> Result<Attempt, ApiError> {
    let address = refused.address_hash.clone();
    let device = session::device_for(req, state, username);
    match state.login_throttle.begin_with_device(
        username,
        address.as_deref(),
        device.as_deref(),
        Instant::now(),
    ) {
        Ok(attempt) => Ok(attempt),
        Err(wait) => {
            let seconds = retry_after_seconds(wait);
            let mut detail = refused.detail.clone().unwrap_or_else(|| json!({}));
            detail["reason"] = json!("throttled");
            detail["retry_after"] = json!(seconds);
            let entry = refused.outcome(Outcome::Denied).detail(detail);
            if let Err(e) = client::record(state, entry).await {
                tracing::warn!(error = %e, "a throttled attempt could not be recorded");
            }
            Err(too_many_attempts(seconds))
        }
    }
}

/// One login attempt, throttled per username and per client address (or device cookie): a
/// refused attempt costs no password verification; a wrong password counts; a success clears the
/// username's count. Success and failure are recorded in the audit log (`login`). A browser's
/// login from another site (`Origin`) is refused first (403 `cross_origin`).
pub async fn attempt_login(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    username: &str,
    password: String,
) -> Result<Session, ApiError> {
    session::same_origin(req, &state.config)?;
    let username = username.trim().to_string();
    let entry = client::audit_entry(req, state, None, "login");
    let refused = auth::service::refused_login(&entry, &username, json!({}));
    let attempt = admit(req, state, &username, refused).await?;
    let ttl = state.config.session_ttl();
    let dummy = state.dummy_hash.clone();
    let name = username.clone();
    let outcome = with_conn(state, move |conn| {
        Ok::<_, ApiError>(auth::login(conn, &name, &password, ttl, &dummy, &entry))
    })
    .await;
    match outcome {
        Ok(Ok(session)) => {
            attempt.succeeded();
            Ok(session)
        }
        Ok(Err(AuthError::InvalidCredentials)) => {
            attempt.failed();
            Err(AuthError::InvalidCredentials.into())
        }
        Ok(Err(e)) => {
            attempt.not_attempted();
            Err(e.into())
        }
        Err(e) => {
            attempt.not_attempted();
            Err(e)
        }
    }
}

/// Log in. Sets an HttpOnly, SameSite=Strict session cookie (`__Host-sipas_session` when
/// cookies are Secure, else `sipas_session`), the CSRF cookie and a device cookie, and returns a
/// bearer token. Repeated failures for a username or from an address are throttled with a
/// growing delay; a valid device cookie for the username is not held back by its address.
#[utoipa::path(
    tag = "auth",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, body = LoginResponse),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody, description = "invalid_credentials (the same whether the user exists or not)"),
        (status = 403, body = ErrorBody, description = "cross_origin: a browser's request from another site (Origin, Sec-Fetch-Site)"),
        (status = 415, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "too_many_attempts, with Retry-After (seconds)")
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: LoginRequest = read_json(&req, payload).await?;
    let session = attempt_login(&req, &state, &body.username, body.password).await?;
    let mut response = HttpResponse::Ok();
    let csrf_token = set_login_cookies(&mut response, &req, &state, &session)?;
    Ok(response.json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at.and_utc().to_rfc3339(),
        role: session.role,
        csrf_token,
    }))
}

/// Log out: the token (or cookie) used for this request stops working.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "logged out; the cookies are removed"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "csrf_failed (a session cookie without this session's X-CSRF-Token), cross_origin (from another site)")
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    let entry = client::audit_entry(&req, &state, Some(&staff.0), "logout");
    with_conn(&state, move |conn| auth::logout(conn, &staff.0, &entry)).await?;
    let mut response = HttpResponse::NoContent();
    clear_session_cookies(&mut response, cookies_secure(&req, &state.config));
    Ok(response.finish())
}

/// Change one's own password (any staff role). The current password is checked (throttled like
/// a login); on success every session of the user ends — this one too — and the cookies are
/// removed: log in again with the new password.
#[utoipa::path(
    tag = "auth",
    request_body(content = PasswordChange, content_type = "application/json"),
    responses(
        (status = 204, description = "changed; all the user's sessions are revoked"),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "csrf_failed, cross_origin (cookie-authenticated)"),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: `current_password` wrong, or `new_password` breaks the policy"),
        (status = 429, body = ErrorBody, description = "too_many_attempts, with Retry-After")
    ),
    security(("bearer" = []))
)]
#[post("/auth/password")]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let staff = staff.0;
    let body: PasswordChange = read_json(&req, payload).await?;
    // The policy first: it needs no password check, so it is neither throttled nor counted.
    if let Some(problem) =
        accounts::password_field_error("new_password", &body.new_password, &staff.username)
    {
        return Err(ApiError::validation(vec![problem]));
    }
    let entry = client::audit_entry(&req, &state, Some(&staff), "password.change")
        .target(staff.username.as_str());
    let attempt = admit(&req, &state, &staff.username, entry.clone()).await?;
    let user = staff.clone();
    let outcome = with_conn(&state, move |conn| {
        Ok::<_, ApiError>(accounts::change_password(
            conn,
            &user,
            &body.current_password,
            &body.new_password,
            &entry,
        ))
    })
    .await;
    match outcome {
        Ok(Ok(())) => attempt.succeeded(),
        Ok(Err(AccountError::WrongPassword)) => {
            attempt.failed();
            return Err(AccountError::WrongPassword.into());
        }
        Ok(Err(e @ AccountError::Invalid(_))) => {
            // Only "the same as the current one" gets here: the current password was right.
            attempt.succeeded();
            return Err(e.into());
        }
        Ok(Err(e)) => {
            attempt.not_attempted();
            return Err(e.into());
        }
        Err(e) => {
            attempt.not_attempted();
            return Err(e);
        }
    }
    tracing::info!(user = %staff.username, "password changed; sessions revoked");
    let mut response = HttpResponse::NoContent();
    clear_session_cookies(&mut response, cookies_secure(&req, &state.config));
    Ok(response.finish())
}
