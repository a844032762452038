//! The supervisor's side of double entry (role admin): the sheets of a form by state with their
//! entries (`GET /api/v1/paper/sheets`, `/entry/reconcile`), the decision on a disputed sheet
//! (`POST /api/v1/paper/sheets/{sheet}/reconcile`) and the operators' disagreement rates
//! (`GET /api/v1/paper/operators`).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Map, Value};

use super::entry::{self, Clock, Entered};
use crate::collecting::paper::entry::{operator_rates, EntryFact, OperatorRate, SheetState};
use crate::domain::{Role, SheetNumber};
use crate::forms::FormRegistry;
use crate::service::{in_transaction, Actor, Refusal, ServiceError};
use crate::store::paper::{batches, entries, sheets};
use crate::store::{self, DbConnection};

/// The audit action of a supervisor's decision on a disputed sheet.
pub const RECONCILE_AUDIT_ACTION: &str = "paper.reconcile";

/// Most sheets one listing answers.
pub const LIST_LIMIT: i64 = 1000;

/// One operator's entry, as the supervisor sees it.
#[derive(Debug, Clone)]
pub struct EntryView {
    pub operator: String,
    pub survey_date: NaiveDate,
    pub answers: Map<String, Value>,
    pub entered_at: NaiveDateTime,
}

/// A sheet with its entries.
#[derive(Debug, Clone)]
pub struct SheetView {
    pub sheet: String,
    pub unit: String,
    pub batch: String,
    pub double_entry: bool,
    pub state: SheetState,
    pub response_id: Option<String>,
    pub updated_at: NaiveDateTime,
    pub entries: Vec<EntryView>,
}

/// The sheets of `form` (in `state` when given) with their entries, by sheet number (admin).
pub fn list_sheets(
    conn: &mut DbConnection,
    actor: &Actor,
    form: &str,
    state: Option<SheetState>,
) -> Result<Vec<SheetView>, ServiceError> {
    actor.require(&[Role::Admin])?;
    let rows = sheets::list(conn, form, state.map(SheetState::as_str), LIST_LIMIT)?;
    let names: Vec<String> = rows.iter().map(|(s, _)| s.sheet.clone()).collect();
    let mut by_sheet: HashMap<String, Vec<EntryView>> = HashMap::new();
    for e in entries::of_sheets(conn, &names)? {
        let answers = serde_json::from_str::<Map<String, Value>>(&e.answers)
            .map_err(|err| ServiceError::Internal(format!("entry {}: {err}", e.id)))?;
        by_sheet.entry(e.sheet).or_default().push(EntryView {
            operator: e.operator,
            survey_date: e.survey_date,
            answers,
            entered_at: e.entered_at,
        });
    }
    rows.into_iter()
        .map(|(sheet, batch)| {
            Ok(SheetView {
                state: entry::sheet_state(&sheet)?,
                entries: by_sheet.remove(&sheet.sheet).unwrap_or_default(),
                sheet: sheet.sheet,
                unit: batch.unit,
                batch: batch.id,
                double_entry: batch.double_entry,
                response_id: sheet.response_id,
                updated_at: sheet.updated_at,
            })
        })
        .collect()
}

/// How many sheets of `form` are in each state, every state listed (admin).
pub fn sheet_counts(
    conn: &mut DbConnection,
    actor: &Actor,
    form: &str,
) -> Result<Vec<(SheetState, i64)>, ServiceError> {
    actor.require(&[Role::Admin])?;
    let stored = sheets::counts(conn, form)?;
    Ok(SheetState::ALL
        .into_iter()
        .map(|s| {
            let n = stored
                .iter()
                .find(|(k, _)| k == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect())
}

/// Which entries the operators' figures count: a unit's sheets, entered in `[from, to)` (UTC).
#[derive(Debug, Clone, Default)]
pub struct RateSelection {
    pub unit: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Per operator: sheets entered, sheets compared with a second entry, disagreements, rate (admin).
pub fn operator_figures(
    conn: &mut DbConnection,
    actor: &Actor,
    form: &str,
    selection: &RateSelection,
) -> Result<Vec<OperatorRate>, ServiceError> {
    actor.require(&[Role::Admin])?;
    let rows = entries::facts(conn, form)?;
    let mut per_sheet: HashMap<String, u64> = HashMap::new();
    for r in &rows {
        *per_sheet.entry(r.sheet.clone()).or_default() += 1;
    }
    let mut facts = Vec::new();
    for r in rows {
        let in_unit = selection.unit.as_ref().is_none_or(|u| *u == r.unit);
        let after = selection.from.is_none_or(|f| r.entered_at >= f);
        let before = selection.to.is_none_or(|t| r.entered_at < t);
        if in_unit && after && before {
            facts.push(EntryFact {
                state: r.state.parse().map_err(|()| {
                    ServiceError::Internal(format!("sheet {} in state {}", r.sheet, r.state))
                })?,
                operator: r.operator,
                sheet: r.sheet,
                double_entry: r.double_entry,
            });
        }
    }
    Ok(operator_rates(&facts, &per_sheet))
}

/// The supervisor's decision on a disputed sheet: the answers and survey date to keep.
#[derive(Debug, Clone)]
pub struct Decided {
    pub sheet: SheetNumber,
    pub survey_date: NaiveDate,
    pub answers: Map<String, Value>,
}

/// Decides a disputed sheet (admin): its response is stored with the decided answers, the sheet
/// becomes `reconciled`. `not_found` for a sheet never entered, `sheet_not_disputed` (409) for
/// one that is not disputed; the answers are checked as any paper submission's.
pub fn reconcile_sheet(
    conn: &mut DbConnection,
    actor: &Actor,
    forms: &FormRegistry,
    decided: &Decided,
    clock: Clock<'_>,
) -> Result<Entered, ServiceError> {
    actor.require(&[Role::Admin])?;
    in_transaction(conn, |c| {
        let sheet = decided.sheet.to_string();
        let row = sheets::get(c, &sheet)?.ok_or(ServiceError::NotFound)?;
        let state = entry::sheet_state(&row)?;
        entry::refuse_stored(c, &decided.sheet, clock.tz)?;
        if state != SheetState::Disputed {
            return Err(ServiceError::refused(
                Refusal::Conflict,
                "sheet_not_disputed",
                format!(
                    "Phiếu {sheet} không ở trạng thái chờ đối chiếu ({}).",
                    state.label()
                ),
                format!("Sheet {sheet} is not disputed ({state})."),
            ));
        }
        let batch = batches::batch_of_sheet(
            c,
            &decided.sheet.unit,
            i64::try_from(decided.sheet.serial).unwrap_or(i64::MAX),
        )?
        .ok_or(ServiceError::NotFound)?;
        let loaded = forms.get(&batch.form_id).ok_or(ServiceError::NotFound)?;
        let prepared = entry::prepare_sheet(
            c,
            actor,
            &loaded,
            &decided.sheet,
            decided.survey_date,
            &decided.answers,
            clock,
        )?;
        let id = entry::store_response(c, &prepared)?;
        let reconciled = SheetState::Reconciled;
        sheets::advance(c, &row, reconciled.as_str(), Some(&id), store::now_utc())?;
        let detail = json!({
            "sheet": sheet, "form": batch.form_id, "unit": batch.unit,
            "state": reconciled.as_str(),
        });
        let record = actor
            .entry(RECONCILE_AUDIT_ACTION)
            .target(sheet.clone())
            .detail(detail);
        let done = Entered {
            sheet,
            state: reconciled,
            response_id: Some(id),
        };
        Ok((done, record))
    })
}
