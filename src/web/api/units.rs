//! `GET /api/v1/units`.

use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::with_conn;
use crate::domain::Role;
use crate::startup::AppState;
use crate::store::units;
use crate::units::Unit;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};

/// The unit tree, every unit with its parent and validity dates.
#[utoipa::path(tag = "units", responses((status = 200, body = [Unit]), (status = 503, body = ErrorBody)))]
#[get("/units")]
pub async fn list_units(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = with_conn(&state, units::list).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Unit::from).collect::<Vec<_>>()))
}

/// Admin changes to a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    /// Population the unit serves (METHOD.md §6, sample adequacy); `null` clears it.
    pub population: Option<i64>,
}

/// Sets a unit's population (admin).
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Unit code")),
    request_body(content = UnitPatch, content_type = "application/json"),
    responses(
        (status = 204, description = "changed"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_unit"), (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[patch("/units/{code}")]
pub async fn patch_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin])?;
    let body: UnitPatch = read_json(&req, payload).await?;
    if body.population.is_some_and(|p| p <= 0 || p > 1_000_000_000) {
        return Err(ApiError::validation(vec![crate::forms::FieldError::new(
            "population",
            "out_of_range",
            "Dân số phải là số nguyên dương.",
            "population must be a positive whole number.",
        )]));
    }
    let code = path.into_inner();
    let code_for_error = code.clone();
    let found = with_conn(&state, move |conn| {
        units::set_population(conn, &code, body.population)
    })
    .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(crate::submission::SubmitError::UnknownUnit(code_for_error).into())
    }
}
