//! Kiosk administration: `POST/GET /api/v1/kiosks`, `DELETE /api/v1/kiosks/{id}` (admin), each
//! calling its action in `service::kiosks`.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Role;
use crate::platform::qr::Qr;
use crate::reporting::reports;
use crate::service::kiosks;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{read_json, StaffUser};
use crate::web::links::{kiosk_url, public_base};
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKiosk {
    /// A name staff recognise, e.g. "Quầy 1 – Phước Sơn".
    pub name: String,
    /// The unit whose counter the tablet stands at.
    pub unit: String,
}

/// A registered kiosk. `token`, `url` and the QR codes appear only in the answer to its
/// registration: the service keeps only a hash of the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct KioskOut {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The page to open on the tablet (`{base}/k/{token}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// QR code of `url` as a `data:image/png;base64,…` URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_png: Option<String>,
    /// QR code of `url` as a `data:image/svg+xml;base64,…` URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
}

impl From<crate::store::models::KioskRow> for KioskOut {
    fn from(row: crate::store::models::KioskRow) -> Self {
        KioskOut {
            id: row.id,
            name: row.name,
            unit: row.unit,
            created_at: row.created_at.and_utc(),
            revoked_at: row.revoked_at.map(|t| t.and_utc()),
            token: None,
            url: None,
            qr_png: None,
            qr_svg: None,
        }
    }
}

/// Registers a kiosk tablet for a unit (admin). The answer carries the device link, once.
#[utoipa::path(
    tag = "kiosks",
    request_body(content = NewKiosk, content_type = "application/json"),
    responses(
        (status = 201, body = KioskOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_unit"), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
#[post("/kiosks")]
pub async fn create_kiosk(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Admin],
        kiosks::CREATE_AUDIT_ACTION,
    )
    .await?;
    let body: NewKiosk = read_json(&req, payload).await?;
    let today = reports::today(state.config.tz);
    let actor = client::actor(&req, &state, &staff.0);
    let registered = with_conn(&state, move |conn| {
        kiosks::register_kiosk(conn, &actor, &body.name, &body.unit, today)
    })
    .await?;
    let url = kiosk_url(&public_base(&req, &state.config), &registered.token);
    let qr = Qr::encode(&url).map_err(|_| ApiError::internal())?;
    let mut out = KioskOut::from(registered.kiosk);
    out.qr_png = Some(qr.png_data_uri(8).map_err(|_| ApiError::internal())?);
    out.qr_svg = Some(qr.svg_data_uri());
    out.token = Some(registered.token);
    out.url = Some(url);
    Ok(HttpResponse::Created().json(out))
}

/// Every kiosk, newest first (admin). Tokens are not shown again.
#[utoipa::path(
    tag = "kiosks",
    responses((status = 200, body = [KioskOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/kiosks")]
pub async fn list_kiosks(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.0.require(&[Role::Admin])?;
    let actor = client::actor(&req, &state, &staff.0);
    let rows = with_conn(&state, move |conn| kiosks::list_kiosks(conn, &actor)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(KioskOut::from).collect::<Vec<_>>()))
}

/// Revokes a kiosk (admin): its link stops working at once. Revoking twice is harmless.
#[utoipa::path(
    tag = "kiosks",
    params(("id" = String, Path, description = "kiosk id")),
    responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[delete("/kiosks/{id}")]
pub async fn revoke_kiosk(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    client::require_role(
        &req,
        &state,
        &staff.0,
        &[Role::Admin],
        kiosks::REVOKE_AUDIT_ACTION,
    )
    .await?;
    let id = path.into_inner();
    let actor = client::actor(&req, &state, &staff.0);
    with_conn(&state, move |conn| kiosks::revoke_kiosk(conn, &actor, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
