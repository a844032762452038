//! `GET /api/v1/units`.

use actix_web::{get, web, HttpResponse};

use super::with_conn;
use crate::startup::AppState;
use crate::store::units;
use crate::units::Unit;
use crate::web::error::{ApiError, ErrorBody};

/// The unit tree, every unit with its parent and validity dates.
#[utoipa::path(tag = "units", responses((status = 200, body = [Unit]), (status = 503, body = ErrorBody)))]
#[get("/units")]
pub async fn list_units(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = with_conn(&state, units::list).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Unit::from).collect::<Vec<_>>()))
}
