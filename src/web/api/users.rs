//! Staff accounts (admin): `GET/POST /api/v1/users`, `PATCH /api/v1/users/{id}`,
//! `POST /api/v1/users/{id}/password`. Password hashes never leave the service.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Role;
use crate::service::users::{self, AccountChange, NewAccount};
use crate::store::models::UserRow;
use crate::web::client::{self, require_role};
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::session::{clear_session_cookies, cookies_secure};
use crate::web::state::AppState;

/// A staff account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    /// UTC, RFC 3339.
    pub created_at: String,
}

impl TryFrom<UserRow> for UserOut {
    type Error = ApiError;
    fn try_from(row: UserRow) -> Result<Self, ApiError> {
        let role = row.role.parse::<Role>().map_err(|()| {
            tracing::error!(user = %row.username, role = %row.role, "stored user has an unknown role");
            ApiError::internal()
        })?;
        Ok(UserOut {
            id: row.id,
            username: row.username,
            role,
            disabled: row.disabled,
            created_at: row.created_at.and_utc().to_rfc3339(),
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3–64 characters: lowercase letters, digits, `.`, `_`, `-`.
    pub username: String,
    pub role: Role,
    /// At least 12 characters, more than one kind of character, at least 5 different ones, not
    /// the username.
    pub password: String,
}

/// What to change; at least one field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

/// The acting admin of a request.
/// Every staff account, by username (admin).
#[utoipa::path(
    tag = "users",
    responses(
        (status = 200, body = [UserOut]),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    require_role(&req, &state, &staff.0, &[Role::Admin], "user.list").await?;
    let actor = client::actor(&req, &state, &staff.0);
    let rows = with_conn(&state, move |conn| users::list(conn, &actor)).await?;
    let out = rows
        .into_iter()
        .map(UserOut::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(out))
}

/// Creates a staff account (admin).
#[utoipa::path(
    tag = "users",
    request_body(content = NewUser, content_type = "application/json"),
    responses(
        (status = 201, body = UserOut),
        (status = 400, body = ErrorBody, description = "malformed_json (also an unknown role)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "user_exists"),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: `username`, `password`")
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_role(&req, &state, &staff.0, &[Role::Admin], "user.create").await?;
    let body: NewUser = read_json(&req, payload).await?;
    let actor = client::actor(&req, &state, &staff.0);
    let new = NewAccount {
        username: body.username.trim().to_string(),
        role: body.role,
        password: body.password,
        via: None,
    };
    let row = with_conn(&state, move |conn| users::create(conn, &actor, new)).await?;
    let out = UserOut::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", out.id)))
        .json(out))
}

/// Changes a user's role or disables / re-enables the account (admin). Any change ends the
/// user's sessions. An admin cannot disable or demote themselves (409 `own_account`), nor the
/// last enabled admin (409 `last_admin`).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "the user's id")),
    request_body(content = UserPatch, content_type = "application/json"),
    responses(
        (status = 200, body = UserOut),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "not_found"),
        (status = 409, body = ErrorBody, description = "own_account, last_admin"),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: nothing to change")
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_role(&req, &state, &staff.0, &[Role::Admin], "user.update").await?;
    let body: UserPatch = read_json(&req, payload).await?;
    let id = users::user_id(&path)?;
    let actor = client::actor(&req, &state, &staff.0);
    let change = AccountChange {
        role: body.role,
        disabled: body.disabled,
    };
    let row = with_conn(&state, move |conn| users::update(conn, &actor, &id, change)).await?;
    Ok(HttpResponse::Ok().json(UserOut::try_from(row)?))
}

/// Sets a new password for a user (admin); the user's sessions end. Resetting one's own
/// password here ends one's own sessions too (the cookies are removed).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "the user's id")),
    request_body(content = PasswordReset, content_type = "application/json"),
    responses(
        (status = 204, description = "reset; the user's sessions are revoked"),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "not_found"),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "validation_failed: `new_password` breaks the policy")
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/password")]
pub async fn reset_user_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Admin],
        "user.password_reset",
    )
    .await?;
    let body: PasswordReset = read_json(&req, payload).await?;
    let id = users::user_id(&path)?;
    let actor = client::actor(&req, &state, &staff.0);
    let target = id.clone();
    with_conn(&state, move |conn| {
        users::reset_password(conn, &actor, &target, &body.new_password)
    })
    .await?;
    let mut response = HttpResponse::NoContent();
    if id == staff.0.id.0 {
        clear_session_cookies(&mut response, cookies_secure(&req, &state.config));
    }
    Ok(response.finish())
}
