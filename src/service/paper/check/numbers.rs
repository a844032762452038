//! The numbers of a paper campaign, read for the admin: the re-check error rates (per batch and
//! per operator) and the response rate per unit (`reporting::paper_checks` counts them).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::super::super::{Actor, ServiceError};
use crate::domain::Role;
use crate::reporting::paper_checks::{
    self, CheckedSheet, EnteredSheet, PrintedBatch, ProgressRow, Rate,
};
use crate::store::paper::checks;
use crate::store::{units, DbConnection};

/// The error rate of one printed batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchRate {
    pub batch: String,
    pub unit: String,
    pub first_serial: i64,
    pub last_serial: i64,
    #[serde(flatten)]
    pub rate: Rate,
}

/// The error rate of one operator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OperatorRate {
    pub operator: String,
    #[serde(flatten)]
    pub rate: Rate,
}

/// A form's re-check error rates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorRatesOut {
    pub form: String,
    /// Every checked sheet once (its latest check).
    pub total: Rate,
    /// Every batch with a checked sheet, in unit and serial order.
    pub batches: Vec<BatchRate>,
    /// Every operator of a checked sheet, by username.
    pub operators: Vec<OperatorRate>,
}

/// The error rates of `form`'s re-checks (admin). A wrong sheet counts in its batch's rate, and
/// against each operator whose own entry differed from the corrected sheet.
pub fn error_rates(
    conn: &mut DbConnection,
    actor: &Actor,
    form_id: &str,
) -> Result<ErrorRatesOut, ServiceError> {
    actor.require(&[Role::Admin])?;
    let mut operators: HashMap<String, Vec<String>> = HashMap::new();
    for (sheet, operator) in checks::operators_of_form(conn, form_id)? {
        operators.entry(sheet).or_default().push(operator);
    }
    let rows = checks::checks_of_form(conn, form_id)?;
    let checked: Vec<CheckedSheet> = rows
        .into_iter()
        .map(
            |(sheet, batch_id, outcome, checked_at, faulty)| CheckedSheet {
                operators: operators.get(&sheet).cloned().unwrap_or_default(),
                faulty: faulty
                    .and_then(|f| serde_json::from_str(&f).ok())
                    .unwrap_or_default(),
                wrong: outcome == "wrong",
                sheet,
                batch_id,
                checked_at,
            },
        )
        .collect();
    let rates = paper_checks::error_rates(&checked);
    let batches = checks::batches_of_form(conn, form_id)?
        .into_iter()
        .filter_map(|(id, unit, first_serial, last_serial)| {
            let rate = rates.by_batch.get(&id)?.clone();
            Some(BatchRate {
                batch: id,
                unit,
                first_serial,
                last_serial,
                rate,
            })
        })
        .collect();
    let operators = rates
        .by_operator
        .into_iter()
        .map(|(operator, rate)| OperatorRate { operator, rate })
        .collect();
    Ok(ErrorRatesOut {
        form: form_id.to_string(),
        total: rates.total,
        batches,
        operators,
    })
}

/// The paper response rate of a form, per unit and in total.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub form: String,
    pub units: Vec<ProgressRow>,
    pub total: ProgressRow,
}

/// The paper response rate of `form` per unit (admin): printed, returned, stored, pending,
/// checked.
pub fn progress(
    conn: &mut DbConnection,
    actor: &Actor,
    form_id: &str,
) -> Result<Progress, ServiceError> {
    actor.require(&[Role::Admin])?;
    let batches: Vec<PrintedBatch> = checks::batches_of_form(conn, form_id)?
        .into_iter()
        .map(|(id, unit, first, last)| PrintedBatch {
            id,
            unit,
            sheets: u64::try_from(last - first + 1).unwrap_or(0),
        })
        .collect();
    let sheets: Vec<EnteredSheet> = checks::sheets_of_form(conn, form_id)?
        .into_iter()
        .map(|(sheet, batch_id, state)| EnteredSheet {
            sheet,
            batch_id,
            state,
        })
        .collect();
    let checked: BTreeSet<String> = checks::checks_of_form(conn, form_id)?
        .into_iter()
        .map(|(sheet, ..)| sheet)
        .collect();
    let names: HashMap<String, String> = units::list(conn)?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect();
    let (units, total) = paper_checks::progress(&batches, &sheets, &checked, &names);
    Ok(Progress {
        form: form_id.to_string(),
        units,
        total,
    })
}
