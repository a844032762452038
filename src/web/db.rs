//! Database work from a request handler: on the blocking pool, never on the async workers.

use actix_web::web;

use crate::store::{DbConnection, StoreError};
use crate::web::error::ApiError;
use crate::web::state::AppState;

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
