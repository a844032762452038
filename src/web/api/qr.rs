//! `GET /api/v1/units/{code}/qr.{png|svg}?form=`: a unit's printable QR sheet for the one-stop
//! counter (A4), whose code opens the form on the citizen's phone for that unit.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::administration::units::Unit;
use crate::collecting::submission::SubmitError;
use crate::domain::FieldError;
use crate::domain::{Channel, Role};
use crate::reporting::charts::qr_sheet::{self, QrSheet};
use crate::reporting::charts::ChartFormat;
use crate::store::{units, StoreError};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::StaffUser;
use crate::web::links;
use crate::web::state::AppState;

/// The form a sheet is for when the query names none: the one-stop counter's survey.
pub const DEFAULT_FORM: &str = "sipas-dich-vu";

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
    let form = &loaded.form;
    if form.invitation_only {
        return Err(ApiError::validation(vec![FieldError::new(
            "form",
            "invitation_required",
            "Phiếu này chỉ trả lời được qua thư mời, không dùng mã QR tại quầy.",
            "This form is answered through invitations only, not a counter QR code.",
        )]));
    }
    if !form.accepts(Channel::Phone) {
        return Err(ApiError::validation(vec![FieldError::new(
            "form",
            "channel_not_accepted",
            "Phiếu này không nhận trả lời qua điện thoại.",
            "This form does not take answers by phone.",
        )]));
    }

    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    let lookup = code.clone();
    let unit = with_conn(&state, move |conn| -> Result<Option<Unit>, StoreError> {
        Ok(units::get(conn, &lookup)?.map(Unit::from))
    })
    .await?
    .ok_or_else(|| ApiError::from(SubmitError::UnknownUnit(code.clone())))?;
    if !unit.is_valid_on(today) {
        return Err(ApiError::validation(vec![FieldError::new(
            "unit",
            "unit_not_valid",
            "Đơn vị này đã đóng.",
            "This unit is closed.",
        )]));
    }

    let url = links::phone_form_url(
        &links::public_base(&req, &state.config),
        &form.id,
        &unit.code,
    );
    let (unit_name, form_title) = (unit.name.clone(), form.title.clone());
    let bytes = web::block(move || {
        qr_sheet::render(
            format,
            &QrSheet {
                unit_name: &unit_name,
                form_title: &form_title,
                url: &url,
            },
        )
    })
    .await??;
    // Recorded before it is sent; no record, no sheet.
    client::record(
        &state,
        client::audit_entry(&req, &state, Some(&staff.0), "qr_sheet")
            .target(unit.code.clone())
            .detail(serde_json::json!({"form": form.id, "format": format.as_str()})),
    )
    .await?;

    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"qr-{}-{}.{}\"",
                unit.code,
                form.id,
                format.as_str()
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(bytes))
}
