//! Extractors: the caller's identity, bounded bodies read within a deadline, strict form fields,
//! and the refusal of NUL in any path or query.

use std::future::Future;
use std::pin::Pin;

use std::collections::HashMap;

use actix_web::dev::Payload;
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::BODY_LIMIT;
use crate::auth::{self, Staff};
use crate::web::state::AppState;

pub use super::session::{session_cookie, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE};

pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(ApiError::internal)
}

/// Where the credentials came from; cookie-authenticated changes also need this origin and the
/// session's CSRF token (see `web::session`).
fn credentials(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthenticated)?;
        return Ok(Some(token.to_string()));
    }
    let state = state(req)?;
    let Some(token) = super::session::session_token(req, &state.config) else {
        return Ok(None);
    };
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        super::session::check_api_change(req, &state, &token)?;
    }
    Ok(Some(token))
}

async fn resolve(req: HttpRequest) -> Result<Option<Staff>, ApiError> {
    let Some(token) = credentials(&req)? else {
        return Ok(None);
    };
    let state = state(&req)?;
    let staff = web::block(move || -> Result<Staff, ApiError> {
        let mut conn = state.pool.get().map_err(crate::store::StoreError::from)?;
        Ok(auth::authenticate_token(&mut conn, &token)?)
    })
    .await??;
    Ok(Some(staff))
}

/// The caller, when credentials were presented: `None` for citizens. Credentials that are
/// presented but not valid are refused (401) rather than ignored.
pub struct Caller(pub Option<Staff>);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(req).await.map(Caller) })
    }
}

/// A logged-in staff member (401 otherwise). Handlers check the role with `Staff::require`.
pub struct StaffUser(pub Staff);

impl FromRequest for StaffUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            resolve(req)
                .await?
                .map(StaffUser)
                .ok_or_else(ApiError::unauthenticated)
        })
    }
}

/// Reads a body of at most [`BODY_LIMIT`] bytes with the given media type, within the body
/// timeout (`SIPAS_BODY_TIMEOUT_SECONDS`): 408 `request_timeout` for a slower client.
pub async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    media_type: &str,
) -> Result<web::BytesMut, ApiError> {
    read_body_up_to(req, payload, media_type, BODY_LIMIT).await
}

/// [`read_body`] with another size limit (the import of a file: `collecting::import::MAX_BYTES`).
pub async fn read_body_up_to(
    req: &HttpRequest,
    payload: web::Payload,
    media_type: &str,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let deadline = state(req)?.config.body_timeout();
    tokio::time::timeout(deadline, read_body_untimed(req, payload, media_type, limit))
        .await
        .unwrap_or_else(|_| Err(request_timeout(deadline)))
}

fn request_timeout(deadline: std::time::Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "Nội dung gửi lên đến quá chậm (quá {} giây). Xin gửi lại.",
            deadline.as_secs()
        ),
        format!("The body did not arrive within {} s.", deadline.as_secs()),
    )
}

async fn read_body_untimed(
    req: &HttpRequest,
    mut payload: web::Payload,
    media_type: &str,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if content_type.as_deref() != Some(media_type) {
        return Err(ApiError::unsupported_media_type(media_type));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::malformed_json(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads and parses a JSON body (415 for another media type, 413 over the limit, 400 when it does
/// not parse into `T`).
pub async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let body = read_body(req, payload, "application/json").await?;
    serde_json::from_slice(&body).map_err(ApiError::malformed_json)
}

/// Parses an urlencoded form strictly: every name and value must decode to UTF-8 (no U+FFFD
/// guessed for other bytes) and no field may be given twice (not "the last one wins"); 400
/// `malformed_form` otherwise.
pub fn parse_form_fields(body: &[u8]) -> Result<HashMap<String, String>, ApiError> {
    let mut fields = HashMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut parts = pair.splitn(2, |b| *b == b'=');
        let name = form_decode(parts.next().unwrap_or_default())?;
        let value = form_decode(parts.next().unwrap_or_default())?;
        if fields.contains_key(&name) {
            return Err(malformed_form(
                format!("Trường \"{name}\" được gửi hai lần."),
                format!("The field \"{name}\" was sent twice."),
            ));
        }
        fields.insert(name, value);
    }
    Ok(fields)
}

/// One urlencoded name or value: `+` is a space, `%XX` a byte; the bytes must be UTF-8.
fn form_decode(raw: &[u8]) -> Result<String, ApiError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let byte = match raw[i] {
            b'+' => b' ',
            b'%' => match raw.get(i + 1..i + 3).and_then(hex_byte) {
                Some(decoded) => {
                    i += 2;
                    decoded
                }
                None => b'%',
            },
            other => other,
        };
        bytes.push(byte);
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| {
        malformed_form(
            "Nội dung phiếu có ký tự không hợp lệ (không phải UTF-8).",
            "The form fields are not valid UTF-8.",
        )
    })
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    match pair {
        [high, low] => Some(u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?),
        _ => None,
    }
}

fn malformed_form(message: impl Into<String>, message_en: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_form",
        message,
        message_en,
    )
}
