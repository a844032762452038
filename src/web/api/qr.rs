//! `GET /api/v1/units/{code}/qr.{png|svg}?form=`: a unit's printable QR sheet for the one-stop
//! counter (A4), whose code opens the form on the citizen's phone for that unit.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::Role;
use crate::reporting::charts::ChartFormat;
use crate::reporting::reports;
use crate::service::qr_sheets::{self, SheetRequest, DEFAULT_FORM};
use crate::service::Actor;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::links;
use crate::web::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrSheetQuery {
    /// Form id (default `sipas-dich-vu`); it must take answers by phone and not be invitation-only.
    pub form: Option<String>,
}

/// The printable QR sheet of a unit (any staff role): A4 portrait, PNG at 150 dpi (1240 × 1754)
/// or SVG of the same geometry, with the unit's name, the form's title, a QR code of
/// `{public base}/f/{form}?unit={code}&channel=phone`, that link in text and an instruction.
#[utoipa::path(
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code"),
        ("ext" = String, Path, description = "`png` or `svg`"),
        QrSheetQuery
    ),
    responses(
        (status = 200, description = "image/png (1240 × 1754, A4 at 150 dpi) or image/svg+xml"),
        (status = 400, body = ErrorBody, description = "bad_query: format other than png or svg"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "unknown_unit, unknown_form"),
        (status = 422, body = ErrorBody, description = "validation_failed: the form is invitation-only or does not take phone answers; the unit is closed")
    ),
    security(("bearer" = []))
)]
#[get("/units/{code}/qr.{ext}")]
pub async fn get_qr_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<QrSheetQuery>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff
        .0
        .require(&[Role::Admin, Role::Analyst, Role::Clerk])?;
    let (code, ext) = path.into_inner();
    let form_id = query
        .form
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or(DEFAULT_FORM);
    let loaded = state
        .forms
        .get(form_id)
        .ok_or_else(|| ApiError::unknown_form(form_id))?;
    let format: ChartFormat = ext
        .parse()
        .map_err(|_| ApiError::bad_query(format!("unknown format \"{ext}\" (png, svg)")))?;
    let today = reports::today(state.config.tz);
    let form_id = loaded.form.id.clone();
    let url = links::phone_form_url(&links::public_base(&req, &state.config), &form_id, &code);
    let actor = Actor::staff(&staff.0, client::address_hash(&req, &state));
    let sheet = with_conn(&state, move |conn| {
        let request = SheetRequest {
            form: &loaded.form,
            unit: &code,
            format,
            url: &url,
            today,
        };
        qr_sheets::qr_sheet(conn, &actor, &request)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"qr-{}-{}.{}\"",
                sheet.unit,
                form_id,
                format.as_str()
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(sheet.bytes))
}
