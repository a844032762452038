//! `GET /healthz`.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use serde_json::json;

use crate::store;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::state::AppState;

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(tag = "operations", responses((status = 200, description = "{\"status\":\"ok\"}"), (status = 503, body = ErrorBody, description = "database_unavailable: the database does not answer")))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let ok = web::block(move || {
        pool.get_timeout(Duration::from_secs(2))
            .ok()
            .is_some_and(|mut conn| store::ping(&mut conn).is_ok())
    })
    .await
    .unwrap_or(false);
    if ok {
        Ok(HttpResponse::Ok().json(json!({"status": "ok"})))
    } else {
        Err(ApiError::unavailable())
    }
}
