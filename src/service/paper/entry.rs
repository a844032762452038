//! Entering a paper sheet (`POST /api/v1/paper/entries`, the `/entry` page): the sheet must be
//! in a printed batch of the form; its answers are checked as any submission's (channel paper,
//! a staff sender); in one transaction the entry is stored, the sheet's state decided and — when
//! the sheet is agreed — the response stored with its `response.create` record.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use crate::collecting::paper::entry::{self as rules, Refused, SheetState, Typed};
use crate::collecting::submission::{self, Prepared, Sender, SubmissionRequest, Submitted};
use crate::domain::{Channel, FieldError, Role, SheetNumber};
use crate::forms::LoadedForm;
use crate::platform::keys::ServerKey;
use crate::service::{in_transaction, Actor, Refusal, ServiceError};
use crate::store::paper::batches::{self, BatchRow};
use crate::store::paper::entries::{self, EntryRow};
use crate::store::paper::sheets::{self, SheetRow};
use crate::store::{self, DbConnection};

/// The audit action of an entry (who, sheet, form, resulting state; never the answers).
pub const ENTRY_AUDIT_ACTION: &str = "paper.entry";

/// One operator's entry of one sheet.
#[derive(Debug, Clone)]
pub struct SheetEntry {
    pub sheet: SheetNumber,
    pub survey_date: NaiveDate,
    /// By question code, as in a submission (integers for ratings, option codes for choices).
    pub answers: Map<String, Value>,
}

/// The time zone, the clock and the key a sheet's response is checked with.
#[derive(Clone, Copy)]
pub struct Clock<'a> {
    pub tz: Tz,
    pub now: DateTime<Utc>,
    pub keys: &'a ServerKey,
}

/// What an entry led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    pub sheet: String,
    pub state: SheetState,
    /// The stored response, once the sheet is agreed or reconciled.
    pub response_id: Option<String>,
}

/// Enters one sheet (clerk, admin). Refusals: `unknown_sheet` (422), `sheet_already_stored`,
/// `sheet_already_entered`, `sheet_disputed` (409), the submission's own 422 fields.
pub fn enter_sheet(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &LoadedForm,
    entry: &SheetEntry,
    clock: Clock<'_>,
) -> Result<Entered, ServiceError> {
    actor.require(&[Role::Clerk, Role::Admin])?;
    in_transaction(conn, |c| {
        let batch = batch_of_form(c, &entry.sheet, &loaded.form.id)?;
        let sheet = entry.sheet.to_string();
        let row = sheets::get(c, &sheet)?;
        let state = row.as_ref().map(sheet_state).transpose()?;
        let prior = typed_entries(c, &sheet)?;
        refuse_stored(c, &entry.sheet, clock.tz)?;
        rules::admissible(state, &prior, &actor.name).map_err(|r| refusal(r, &sheet))?;
        let prepared = prepare_sheet(
            c,
            actor,
            loaded,
            &entry.sheet,
            entry.survey_date,
            &entry.answers,
            clock,
        )?;
        let typed = Typed {
            operator: actor.name.clone(),
            survey_date: entry.survey_date,
            answers: canonical(loaded, &entry.answers)?,
        };
        let decision = rules::decide(batch.double_entry, state, &prior, &typed)
            .map_err(|r| refusal(r, &sheet))?;
        let now = store::now_utc();
        let response_id = match decision.store {
            true => Some(store_response(c, &prepared)?),
            false => None,
        };
        save_state(
            c,
            row,
            &batch,
            &sheet,
            decision.state,
            response_id.as_deref(),
            now,
        )?;
        entries::insert(
            c,
            &EntryRow {
                id: uuid::Uuid::now_v7().to_string(),
                sheet: sheet.clone(),
                operator: actor.name.clone(),
                survey_date: entry.survey_date,
                answers: typed.answers,
                entered_at: now,
            },
        )?;
        let detail = json!({
            "sheet": sheet, "form": loaded.form.id, "unit": batch.unit,
            "state": decision.state.as_str(),
        });
        let record = actor
            .entry(ENTRY_AUDIT_ACTION)
            .target(sheet.clone())
            .detail(detail);
        let entered = Entered {
            sheet,
            state: decision.state,
            response_id,
        };
        Ok((entered, record))
    })
}

/// The printed batch of this form holding the sheet, else `unknown_sheet`.
pub(super) fn batch_of_form(
    conn: &mut DbConnection,
    sheet: &SheetNumber,
    form: &str,
) -> Result<BatchRow, ServiceError> {
    let serial = i64::try_from(sheet.serial).unwrap_or(i64::MAX);
    match batches::batch_of_sheet(conn, &sheet.unit, serial)? {
        Some(batch) if batch.form_id == form => Ok(batch),
        Some(batch) => Err(ServiceError::refused(
            Refusal::Unprocessable,
            "unknown_sheet",
            format!(
                "Phiếu {sheet} được in cho phiếu khảo sát \"{}\", không phải phiếu này.",
                batch.form_id
            ),
            format!(
                "Sheet {sheet} was printed for the form \"{}\", not this one.",
                batch.form_id
            ),
        )),
        None => Err(ServiceError::refused(
            Refusal::Unprocessable,
            "unknown_sheet",
            format!("Số phiếu {sheet} không thuộc đợt in nào của phiếu khảo sát này."),
            format!("Sheet number {sheet} is in no printed batch of this form."),
        )),
    }
}

pub(super) fn sheet_state(row: &SheetRow) -> Result<SheetState, ServiceError> {
    row.state
        .parse()
        .map_err(|()| ServiceError::Internal(format!("sheet {} in state {}", row.sheet, row.state)))
}

/// The entries of a sheet as the rules compare them.
fn typed_entries(conn: &mut DbConnection, sheet: &str) -> Result<Vec<Typed>, ServiceError> {
    Ok(entries::of_sheets(conn, &[sheet.to_string()])?
        .into_iter()
        .map(|e| Typed {
            operator: e.operator,
            survey_date: e.survey_date,
            answers: e.answers,
        })
        .collect())
}

/// `sheet_already_stored` when the sheet is a response: the message says when it was stored and
/// its id.
pub(super) fn refuse_stored(
    conn: &mut DbConnection,
    sheet: &SheetNumber,
    tz: Tz,
) -> Result<(), ServiceError> {
    let Some((id, at)) = sheets::stored_response(conn, &sheet.client_id())? else {
        return Ok(());
    };
    let local = at.and_utc().with_timezone(&tz).format("%d/%m/%Y %H:%M");
    Err(ServiceError::refused(
        Refusal::Conflict,
        "sheet_already_stored",
        format!("Phiếu {sheet} đã được nhập và lưu lúc {local} (mã trả lời {id}); không nhập lại."),
        format!("Sheet {sheet} was already stored at {local} (response {id})."),
    ))
}

fn refusal(refused: Refused, sheet: &str) -> ServiceError {
    match refused {
        // The stored response is looked up first; a state without it is still a refusal.
        Refused::AlreadyStored => ServiceError::refused(
            Refusal::Conflict,
            "sheet_already_stored",
            format!("Phiếu {sheet} đã được lưu; không nhập lại."),
            format!("Sheet {sheet} was already stored."),
        ),
        Refused::AlreadyEntered => ServiceError::refused(
            Refusal::Conflict,
            "sheet_already_entered",
            format!("Bạn đã nhập phiếu {sheet} rồi; lần nhập thứ hai phải do một người khác làm."),
            format!("You already entered sheet {sheet}; the second entry is another operator's."),
        ),
        Refused::Disputed => ServiceError::refused(
            Refusal::Conflict,
            "sheet_disputed",
            format!("Hai lần nhập phiếu {sheet} khác nhau; phiếu đang chờ người giám sát đối chiếu, không nhập thêm."),
            format!("The two entries of sheet {sheet} differ; it waits for the supervisor."),
        ),
    }
}

/// When a sheet was answered: its survey date at noon, local time (the time is not on the
/// sheet); today's sheets entered before noon take the present moment. A date after today is
/// `in_future`.
fn submitted_at(date: NaiveDate, clock: Clock<'_>) -> Result<DateTime<Utc>, ServiceError> {
    let today = clock.now.with_timezone(&clock.tz).date_naive();
    if date > today {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "survey_date",
            "in_future",
            "Ngày khảo sát không được sau hôm nay.",
            "The survey date must not be after today.",
        )]));
    }
    let noon = date.and_hms_opt(12, 0, 0).unwrap_or(NaiveDateTime::MIN);
    let at = clock
        .tz
        .from_local_datetime(&noon)
        .earliest()
        .map_or(clock.now, |t| t.with_timezone(&Utc));
    Ok(at.min(clock.now))
}

/// The sheet's answers checked as a paper submission by a staff member, ready to store under
/// `paper:<sheet>` with its `response.create` record.
pub(super) fn prepare_sheet(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &LoadedForm,
    sheet: &SheetNumber,
    survey_date: NaiveDate,
    answers: &Map<String, Value>,
    clock: Clock<'_>,
) -> Result<Prepared, ServiceError> {
    let at = submitted_at(survey_date, clock)?;
    let request = SubmissionRequest {
        client_id: None,
        unit: sheet.unit.clone(),
        channel: Channel::Paper.as_str().to_string(),
        answers: answers.clone(),
        submitted_at: Some(at.to_rfc3339()),
        invitation: None,
    };
    let sender = Sender {
        recorder: true,
        via_kiosk: false,
    };
    let prepared = submission::prepare(
        conn, loaded, &request, sender, clock.tz, clock.now, clock.keys,
    )?;
    Ok(prepared
        .with_client_id(sheet.client_id())
        .audited(Some(actor.entry(crate::service::submit::AUDIT_ACTION))))
}

/// The answers as compared between two entries: the checked answers as canonical JSON.
pub(super) fn canonical(
    loaded: &LoadedForm,
    answers: &Map<String, Value>,
) -> Result<String, ServiceError> {
    let valid = crate::forms::validate_answers(&loaded.form, Channel::Paper, answers)
        .map_err(ServiceError::Invalid)?;
    serde_json::to_string(&valid).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Stores the sheet's response (in the caller's transaction) and answers its id.
pub(super) fn store_response(
    conn: &mut DbConnection,
    prepared: &Prepared,
) -> Result<String, ServiceError> {
    match submission::store_audited(conn, prepared)? {
        Submitted::Created(id) => Ok(id),
        Submitted::Replayed(id) => Ok(id),
    }
}

/// Writes the sheet's new state: its first row, or a change from the state it was read in.
fn save_state(
    conn: &mut DbConnection,
    row: Option<SheetRow>,
    batch: &BatchRow,
    sheet: &str,
    state: SheetState,
    response_id: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    match row {
        Some(seen) => sheets::advance(conn, &seen, state.as_str(), response_id, now)?,
        None => sheets::insert(
            conn,
            &SheetRow {
                sheet: sheet.to_string(),
                batch_id: batch.id.clone(),
                state: state.as_str().to_string(),
                response_id: response_id.map(str::to_string),
                updated_at: now,
            },
        )?,
    }
    Ok(())
}
