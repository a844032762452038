//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::with_conn;
use crate::auth::{self, Session};
use crate::domain::Role;
use crate::startup::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{
    read_json, removal_cookie, session_cookie, StaffUser, CSRF_COOKIE, SESSION_COOKIE,
};

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

/// Log in. Sets an HttpOnly, SameSite=Strict session cookie and returns a bearer token.
#[utoipa::path(
    tag = "auth",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, body = LoginResponse),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody, description = "invalid_credentials (the same whether the user exists or not)"),
        (status = 415, body = ErrorBody)
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: LoginRequest = read_json(&req, payload).await?;
    let ttl = state.config.session_ttl();
    let dummy = state.dummy_hash.clone();
    let session: Session = with_conn(&state, move |conn| {
        auth::login(conn, body.username.trim(), &body.password, ttl, &dummy)
    })
    .await?;
    let csrf_token = auth::new_token()?;
    let secure = state.config.secure_cookies;
    let max_age = CookieDuration::seconds(ttl.num_seconds());
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(
            SESSION_COOKIE,
            session.token.clone(),
            true,
            secure,
            max_age,
        ))
        .cookie(session_cookie(
            CSRF_COOKIE,
            csrf_token.clone(),
            false,
            secure,
            max_age,
        ))
        .json(LoginResponse {
            token: session.token,
            expires_at: session.expires_at.and_utc().to_rfc3339(),
            role: session.role,
            csrf_token,
        }))
}

/// Log out: the token (or cookie) used for this request stops working.
#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "logged out"), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    with_conn(&state, move |conn| auth::logout(conn, &staff.0)).await?;
    Ok(HttpResponse::NoContent()
        .cookie(removal_cookie(SESSION_COOKIE))
        .cookie(removal_cookie(CSRF_COOKIE))
        .finish())
}
