//! `POST /api/v1/forms/{form_id}/responses`, `GET /api/v1/responses/{id}`.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::collecting::submission::{SubmissionRequest, Submitted};
use crate::domain::Role;
use crate::service::submit::{self, Submitter};
use crate::service::Actor;
use crate::store::responses;
use crate::web::client::{address_hash, submission_limit};
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, Caller, StaffUser};
use crate::web::state::AppState;

/// `{"id": "<uuid>"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Submit one response. Idempotent by `client_id`: the same `client_id` with the same content
/// answers 200 with the first id; with different content 409 `duplicate_conflict`.
///
/// Channels: `phone` and `web` for anyone; `paper` only with a clerk's or admin's credentials;
/// `kiosk` never here (kiosks post to their own link, `/k/{token}`): 403 `channel_not_allowed`.
/// Limits, counted once the body was read (only stored answers count): per client address
/// without credentials, per account for staff, whose every stored entry is also audited
/// (`response.create`: who, form, unit and channel, never which response).
#[utoipa::path(
    tag = "responses",
    params(("form_id" = String, Path, description = "Form id")),
    request_body(content = SubmissionRequest, content_type = "application/json"),
    responses(
        (status = 201, body = Created, description = "stored"),
        (status = 200, body = Created, description = "the same client_id and content was stored before"),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 401, body = ErrorBody, description = "unauthenticated: credentials given but not valid"),
        (status = 403, body = ErrorBody, description = "channel_not_allowed: kiosk here, or paper without a clerk's or admin's credentials"),
        (status = 404, body = ErrorBody, description = "unknown_form, unknown_unit"),
        (status = 409, body = ErrorBody, description = "duplicate_conflict, invitation_used"),
        (status = 410, body = ErrorBody, description = "invitation_expired: the invitation is past its deadline"),
        (status = 413, body = ErrorBody, description = "payload_too_large"),
        (status = 408, body = ErrorBody, description = "request_timeout: the body came too slowly"),
        (status = 415, body = ErrorBody, description = "unsupported_media_type"),
        (status = 422, body = ErrorBody, description = "validation_failed"),
        (status = 429, body = ErrorBody, description = "too_many_requests"),
    ),
    security((), ("bearer" = []))
)]
#[post("/forms/{form_id}/responses")]
pub async fn submit_response(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: Caller,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let loaded = state
        .forms
        .get(&path)
        .ok_or_else(|| ApiError::unknown_form(&path))?;
    let request = read_json::<SubmissionRequest>(&req, payload).await?;
    let staff = caller.0;
    let permit = submission_limit(&req, &state, staff.as_ref())?;
    let submitter = match &staff {
        Some(s) => Submitter::Staff(Actor::staff(s, address_hash(&req, &state))),
        None => Submitter::Citizen,
    };
    let outcome =
        submit::submit_response(&state.writer, submitter, loaded, request, state.config.tz).await;
    if let Some(permit) = permit {
        permit.settle(matches!(outcome, Ok(Submitted::Created(_))));
    }
    let outcome = outcome?;
    Ok(match outcome {
        Submitted::Created(id) => {
            tracing::info!(response = %id, "response stored");
            HttpResponse::Created().json(Created { id })
        }
        Submitted::Replayed(id) => HttpResponse::Ok().json(Created { id }),
    })
}

/// A stored response as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredResponse {
    pub id: String,
    pub form: String,
    pub form_version: i32,
    pub unit: String,
    pub channel: String,
    /// UTC, RFC 3339.
    pub submitted_at: String,
    pub received_at: String,
    pub weight: f64,
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Value>,
}

/// One stored response with its answers (analyst, admin).
#[utoipa::path(
    tag = "responses",
    params(("id" = String, Path, description = "Response id")),
    responses(
        (status = 200, body = StoredResponse),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[get("/responses/{id}")]
pub async fn get_response(
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Analyst, Role::Admin])?;
    let id = path.into_inner();
    let found = with_conn(&state, move |conn| responses::get(conn, &id)).await?;
    let (row, answers) = found.ok_or_else(ApiError::not_found)?;
    let answers = answers
        .into_iter()
        .map(|a| {
            (
                a.question,
                a.num_value
                    .map_or_else(|| json!(a.text_value), |n| json!(n)),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(StoredResponse {
        id: row.id,
        form: row.form_id,
        form_version: row.form_version,
        unit: row.unit,
        channel: row.channel,
        submitted_at: row.submitted_at.and_utc().to_rfc3339(),
        received_at: row.received_at.and_utc().to_rfc3339(),
        weight: row.weight,
        answers,
    }))
}
