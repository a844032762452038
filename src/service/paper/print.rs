//! Printing numbered paper sheets (admin, clerk): a batch is the next `count` serials of a unit
//! for one form, recorded in `paper_batches` with its audit record `paper.print`, and drawn as one
//! PDF (`collecting::paper::print`). Drawn before it is recorded, so a drawing that fails records
//! nothing; recorded under a lock of the unit (PostgreSQL) or the write lock (SQLite), checking
//! that no other print took those serials meanwhile — if one did, the sheets are drawn again with
//! the next free serials. Two batches of a unit never overlap.

use chrono::NaiveDate;
use serde_json::json;

use crate::administration::units::Unit;
use crate::collecting::paper::print::{self as drawing, PrintJob, Printed};
use crate::collecting::submission::SubmitError;
use crate::domain::{Channel, FieldError, Role, SheetNumber};
use crate::forms::{Form, FormRegistry};
use crate::service::{in_transaction, record, Actor, ServiceError};
use crate::store::paper::batches::{self, BatchRow};
use crate::store::{self, units, DbConnection, StoreError};

/// The audit action of a printed batch (target: the batch id).
pub const PRINT_AUDIT_ACTION: &str = "paper.print";
/// The audit action of a batch's PDF drawn again (target: the batch id).
pub const REPRINT_AUDIT_ACTION: &str = "paper.reprint";
/// Most sheets in one batch.
pub const MAX_SHEETS: i64 = 2000;
/// A print whose serials another print took meanwhile draws again, up to this many times; then
/// it draws under the lock.
const OPTIMISTIC_TRIES: usize = 10;

/// What to print.
#[derive(Debug, Clone, Copy)]
pub struct PrintRequest<'a> {
    pub form: &'a Form,
    /// The unit's code.
    pub unit: &'a str,
    pub count: i64,
    /// Every sheet entered twice by different operators (`false`: one entry is enough).
    pub double_entry: bool,
    /// The local day (the unit must be open on it).
    pub today: NaiveDate,
}

/// A printed batch and its PDF.
#[derive(Debug, Clone)]
pub struct PrintedBatch {
    pub batch: BatchRow,
    pub pdf: Vec<u8>,
    pub pages_per_sheet: usize,
}

impl PrintedBatch {
    /// `phieu-<form>-<unit>-<first>-<last>.pdf`, serials as in the sheet numbers (6 digits).
    pub fn filename(&self) -> String {
        let b = &self.batch;
        format!(
            "phieu-{}-{}-{:06}-{:06}.pdf",
            b.form_id, b.unit, b.first_serial, b.last_serial
        )
    }
}

/// Prints a batch: checks the count (1 to 2000, 422 field `count`), the form (takes paper
/// answers, 422 field `form`) and the unit (`unknown_unit`; closed: 422 field `unit`), draws the
/// next serials of the unit and records the batch and `paper.print` together.
pub fn print_batch(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &PrintRequest<'_>,
) -> Result<PrintedBatch, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    check_request(request)?;
    let unit = open_unit(conn, request.unit, request.today)?;
    for attempt in 1..=OPTIMISTIC_TRIES {
        let first = batches::last_serial(conn, &unit.code)? + 1;
        let batch = new_batch(actor, request, &unit, first);
        let printed = draw(request.form, &unit, &batch)?;
        match store_batch(conn, actor, request, batch, printed, false) {
            Err(Attempt::Moved) => {
                tracing::info!(unit = %unit.code, attempt, "serials taken by another print; drawing again");
            }
            other => return other.map_err(Attempt::into_error),
        }
    }
    // Still moving: allocate and draw under the lock.
    let batch = new_batch(actor, request, &unit, 0);
    let printed = Printed {
        pdf: Vec::new(),
        pages_per_sheet: 0,
    };
    store_batch(conn, actor, request, batch, printed, true).map_err(Attempt::into_error)
}

/// The printed batches, newest first, of a form and/or a unit (admin, clerk).
pub fn list_batches(
    conn: &mut DbConnection,
    actor: &Actor,
    form: Option<&str>,
    unit: Option<&str>,
) -> Result<Vec<BatchRow>, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    Ok(batches::list(conn, form, unit)?)
}

/// Draws a printed batch again, the same serials with the form's current version (admin, clerk),
/// recorded as `paper.reprint`; `not_found` for an unknown batch or a form no longer offered.
pub fn reprint_batch(
    conn: &mut DbConnection,
    actor: &Actor,
    forms: &FormRegistry,
    id: &str,
) -> Result<PrintedBatch, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    let batch = batches::get(conn, id)?.ok_or(ServiceError::NotFound)?;
    let loaded = forms.get(&batch.form_id).ok_or(ServiceError::NotFound)?;
    let unit: Unit = units::get(conn, &batch.unit)?
        .ok_or(ServiceError::NotFound)?
        .into();
    let printed = draw(&loaded.form, &unit, &batch)?;
    let entry = actor
        .entry(REPRINT_AUDIT_ACTION)
        .target(batch.id.clone())
        .detail(json!({
            "form": batch.form_id, "unit": batch.unit, "first_serial": batch.first_serial,
            "last_serial": batch.last_serial, "count": batch.count(),
        }));
    record(conn, &entry)?;
    Ok(PrintedBatch {
        batch,
        pdf: printed.pdf,
        pages_per_sheet: printed.pages_per_sheet,
    })
}

fn check_request(request: &PrintRequest<'_>) -> Result<(), ServiceError> {
    if !(1..=MAX_SHEETS).contains(&request.count) {
        return Err(invalid(
            "count",
            "out_of_range",
            &format!("Số phiếu in phải từ 1 đến {MAX_SHEETS}."),
            &format!("count must be 1 to {MAX_SHEETS}."),
        ));
    }
    if !request.form.accepts(Channel::Paper) {
        return Err(invalid(
            "form",
            "channel_not_accepted",
            "Phiếu này không nhận trả lời trên giấy.",
            "This form does not take answers on paper.",
        ));
    }
    Ok(())
}

fn open_unit(conn: &mut DbConnection, code: &str, today: NaiveDate) -> Result<Unit, ServiceError> {
    let unit: Unit = units::get(conn, code)?
        .ok_or_else(|| SubmitError::UnknownUnit(code.to_string()))?
        .into();
    if !unit.is_valid_on(today) {
        return Err(invalid(
            "unit",
            "unit_not_valid",
            "Đơn vị này đã đóng.",
            "This unit is closed.",
        ));
    }
    Ok(unit)
}

fn new_batch(actor: &Actor, request: &PrintRequest<'_>, unit: &Unit, first: i64) -> BatchRow {
    BatchRow {
        id: uuid::Uuid::now_v7().to_string(),
        form_id: request.form.id.clone(),
        unit: unit.code.clone(),
        first_serial: first,
        last_serial: first + request.count - 1,
        double_entry: request.double_entry,
        printed_at: store::now_utc(),
        printed_by: actor.name.clone(),
    }
}

fn draw(form: &Form, unit: &Unit, batch: &BatchRow) -> Result<Printed, ServiceError> {
    let sheets = (batch.first_serial..=batch.last_serial)
        .map(|serial| SheetNumber {
            unit: batch.unit.clone(),
            serial: serial.unsigned_abs(),
        })
        .collect();
    let job = PrintJob {
        form,
        unit_name: &unit.name,
        sheets,
    };
    drawing::render(&job).map_err(|e| {
        tracing::error!(error = %e, batch = %batch.id, "paper sheets could not be drawn");
        ServiceError::Internal(format!("the paper sheets could not be drawn: {e}"))
    })
}

/// How recording a drawn batch ended, short of success.
enum Attempt {
    /// Another print took these serials since they were read: draw again.
    Moved,
    Failed(ServiceError),
}

impl From<StoreError> for Attempt {
    fn from(e: StoreError) -> Self {
        Attempt::Failed(e.into())
    }
}

impl Attempt {
    fn into_error(self) -> ServiceError {
        match self {
            Attempt::Failed(e) => e,
            Attempt::Moved => ServiceError::Internal("serials kept moving".into()),
        }
    }
}

/// Records the batch and `paper.print` in one transaction, under the unit's lock. With `locked`,
/// its serials are allocated and its sheets drawn here; otherwise they must still be free.
fn store_batch(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &PrintRequest<'_>,
    mut batch: BatchRow,
    mut printed: Printed,
    locked: bool,
) -> Result<PrintedBatch, Attempt> {
    in_transaction(conn, |c| {
        batches::lock_unit(c, &batch.unit)?;
        let first = batches::last_serial(c, &batch.unit)? + 1;
        if locked {
            batch.first_serial = first;
            batch.last_serial = first + request.count - 1;
            let unit: Unit = units::get(c, &batch.unit)?
                .ok_or_else(|| Attempt::Failed(ServiceError::NotFound))?
                .into();
            printed = draw(request.form, &unit, &batch).map_err(Attempt::Failed)?;
        } else if first != batch.first_serial {
            return Err(Attempt::Moved);
        }
        batches::insert(c, &batch)?;
        let entry = actor
            .entry(PRINT_AUDIT_ACTION)
            .target(batch.id.clone())
            .detail(json!({
                "form": batch.form_id, "unit": batch.unit, "first_serial": batch.first_serial,
                "last_serial": batch.last_serial, "count": batch.count(),
                "double_entry": batch.double_entry, "pages_per_sheet": printed.pages_per_sheet,
            }));
        tracing::info!(batch = %batch.id, unit = %batch.unit, first = batch.first_serial, last = batch.last_serial, by = %actor.name, "paper batch printed");
        Ok((
            PrintedBatch {
                batch,
                pdf: printed.pdf,
                pages_per_sheet: printed.pages_per_sheet,
            },
            entry,
        ))
    })
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, code, vi, en)])
}
