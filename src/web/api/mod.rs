//! JSON endpoints under `/api/v1` (and `/healthz`).

pub mod audit;
pub mod auth;
pub mod charts;
pub mod exports;
pub mod forms;
pub mod forms_admin;
pub mod health;
pub mod invitations;
pub mod kiosks;
pub mod qr;
pub mod reports;
pub mod responses;
pub mod units;
pub mod users;

use actix_web::web;

use super::error::ApiError;
use crate::startup::AppState;
use crate::store::{DbConnection, StoreError};

/// Runs blocking database work off the async workers.
pub async fn with_conn<T, E>(
    state: &web::Data<AppState>,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool
            .get()
            .map_err(|e| ApiError::from(StoreError::from(e)))?;
        work(&mut conn).map_err(Into::into)
    })
    .await?
}
