//! A unit's printable QR sheet for the one-stop counter (any staff role): the form must take
//! answers by phone and not be invitation-only, the unit must be open; the sheet is drawn
//! (`reporting::charts::qr_sheet`) and recorded (`qr_sheet`: the unit as target, the form and the
//! format in the detail) before it is handed out — no record, no sheet.

use chrono::NaiveDate;
use serde_json::json;

use super::{record, Actor, ServiceError};
use crate::administration::units::Unit;
use crate::collecting::submission::SubmitError;
use crate::domain::{Channel, FieldError, Role};
use crate::forms::Form;
use crate::reporting::charts::qr_sheet::{self, QrSheet};
use crate::reporting::charts::ChartFormat;
use crate::store::{units, DbConnection};

/// The audit action of a QR sheet handed out.
pub const QR_SHEET_AUDIT_ACTION: &str = "qr_sheet";

/// The form a sheet is for when the request names none: the one-stop counter's survey.
pub const DEFAULT_FORM: &str = "sipas-dich-vu";

/// What sheet to draw.
#[derive(Debug, Clone, Copy)]
pub struct SheetRequest<'a> {
    pub form: &'a Form,
    /// The unit's code.
    pub unit: &'a str,
    pub format: ChartFormat,
    /// The link the code holds: the form's phone link for this unit
    /// (`{public base}/f/{form}?unit={code}&channel=phone`).
    pub url: &'a str,
    /// The local day (the unit must be open on it).
    pub today: NaiveDate,
}

/// A drawn sheet.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub bytes: Vec<u8>,
    /// The unit's code.
    pub unit: String,
}

/// Draws the QR sheet of a unit for a form and records it. Refused: the form is invitation-only
/// or does not take phone answers, the unit is closed (422 fields `form`, `unit`); no such unit
/// (`unknown_unit`).
pub fn qr_sheet(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &SheetRequest<'_>,
) -> Result<Sheet, ServiceError> {
    actor.require(&[Role::Admin, Role::Analyst, Role::Clerk])?;
    let form = request.form;
    check_form(form)?;
    let unit: Unit = units::get(conn, request.unit)?
        .ok_or_else(|| SubmitError::UnknownUnit(request.unit.to_string()))?
        .into();
    if !unit.is_valid_on(request.today) {
        return Err(invalid(
            "unit",
            "unit_not_valid",
            "Đơn vị này đã đóng.",
            "This unit is closed.",
        ));
    }
    let bytes = qr_sheet::render(
        request.format,
        &QrSheet {
            unit_name: &unit.name,
            form_title: &form.title,
            url: request.url,
        },
    )?;
    // Recorded before it is sent; no record, no sheet.
    let entry = actor
        .entry(QR_SHEET_AUDIT_ACTION)
        .target(unit.code.clone())
        .detail(json!({"form": form.id, "format": request.format.as_str()}));
    record(conn, &entry)?;
    Ok(Sheet {
        bytes,
        unit: unit.code,
    })
}

/// A counter sheet is for a form answered by phone, without an invitation.
fn check_form(form: &Form) -> Result<(), ServiceError> {
    if form.invitation_only {
        return Err(invalid(
            "form",
            "invitation_required",
            "Phiếu này chỉ trả lời được qua thư mời, không dùng mã QR tại quầy.",
            "This form is answered through invitations only, not a counter QR code.",
        ));
    }
    if !form.accepts(Channel::Phone) {
        return Err(invalid(
            "form",
            "channel_not_accepted",
            "Phiếu này không nhận trả lời qua điện thoại.",
            "This form does not take answers by phone.",
        ));
    }
    Ok(())
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, code, vi, en)])
}
