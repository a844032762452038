//! The throttled login attempt that the JSON login (`POST /api/v1/auth/login`) and the login page
//! (`POST /login`) share, and the throttle's admission of a password check (a login, or the
//! change of one's own password). The audited work is `service::sessions`.

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};

use crate::auth::throttle::{retry_after_seconds, wait_in_words, Attempt};
use crate::auth::{AuthError, Session};
use crate::platform::audit::Entry;
use crate::service::{sessions, ServiceError};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::session;
use crate::web::state::AppState;

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
/// `refused` recorded as `denied` with the reason `throttled`) without touching the password.
///
/// A valid device cookie for `username` (see `auth::device`) stands in for the address.
pub async fn admit(
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
            let recorded = with_conn(state, move |conn| {
                sessions::record_throttled(conn, &refused, seconds)
            })
            .await;
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "a throttled attempt could not be recorded");
            }
            Err(too_many_attempts(seconds))
        }
    }
}

/// Settles the throttle's `attempt` by the outcome of its password check: a wrong password
/// counts (`wrong`), a right one clears the username's count, anything else (the database
/// failed) does not count.
pub fn settle<T>(
    attempt: Attempt,
    outcome: Result<Result<T, ServiceError>, ApiError>,
    wrong: impl Fn(&ServiceError) -> bool,
    right: impl Fn(&ServiceError) -> bool,
) -> Result<T, ApiError> {
    match outcome {
        Ok(Ok(value)) => {
            attempt.succeeded();
            Ok(value)
        }
        Ok(Err(e)) if wrong(&e) => {
            attempt.failed();
            Err(e.into())
        }
        Ok(Err(e)) if right(&e) => {
            attempt.succeeded();
            Err(e.into())
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
    let address = client::address_hash(req, state);
    let refused = sessions::refused_login(address.clone(), &username, serde_json::json!({}));
    let attempt = admit(req, state, &username, refused).await?;
    let ttl = state.config.session_ttl();
    let dummy = state.dummy_hash.clone();
    let outcome = with_conn(state, move |conn| {
        Ok::<_, ApiError>(sessions::login(
            conn, address, &username, &password, ttl, &dummy,
        ))
    })
    .await;
    settle(
        attempt,
        outcome,
        |e| matches!(e, ServiceError::Auth(AuthError::InvalidCredentials)),
        |_| false,
    )
}
