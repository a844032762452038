//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `POST /api/v1/auth/password`. The
//! throttled login attempt they share with the login page is `web::login`, the cookies
//! `web::session`, the audited work `service::sessions`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::accounts::AccountError;
use crate::domain::Role;
use crate::service::{sessions, Actor, ServiceError};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::login::{admit, attempt_login, settle};
use crate::web::session::{clear_session_cookies, cookies_secure, set_login_cookies};
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
    let actor = Actor::staff(&staff.0, client::address_hash(&req, &state));
    let token_hash = staff.0.token_hash;
    with_conn(&state, move |conn| {
        sessions::logout(conn, &actor, &token_hash)
    })
    .await?;
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
    let actor = Actor::staff(&staff, client::address_hash(&req, &state));
    // The policy first: it needs no password check, so it is neither throttled nor counted.
    sessions::check_new_password(&actor, &body.new_password)?;
    let attempt = admit(
        &req,
        &state,
        &staff.username,
        sessions::password_change(&actor),
    )
    .await?;
    let outcome = with_conn(&state, move |conn| {
        Ok::<_, ApiError>(sessions::change_password(
            conn,
            &actor,
            &body.current_password,
            &body.new_password,
        ))
    })
    .await;
    // Only "the same as the current one" is refused as invalid once the current password was
    // checked: it was right.
    settle(
        attempt,
        outcome,
        |e| matches!(e, ServiceError::Account(AccountError::WrongPassword)),
        |e| matches!(e, ServiceError::Account(AccountError::Invalid(_))),
    )?;
    tracing::info!(user = %staff.username, "password changed; sessions revoked");
    let mut response = HttpResponse::NoContent();
    clear_session_cookies(&mut response, cookies_secure(&req, &state.config));
    Ok(response.finish())
}
