//! Unit administration (admin): create a unit, change one (rename, move, close, population), add
//! old → new mappings, import a whole tree (CSV or JSON). Each change is checked as a whole
//! (`administration::units::admin`) and written with its audit record in one transaction; nothing
//! is written when anything is refused. The JSON API and the admin pages call these.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::json;

use super::{in_transaction, Actor, ServiceError};
use crate::administration::units::admin::{self, AdminError, Change, Plan, Snapshot, UnitChange};
use crate::administration::units::import::{self, ImportOut, ImportRequest};
use crate::administration::units::{Mapping, UnitSpec};
use crate::domain::{FieldError, Role};
use crate::platform::audit::Entry;
use crate::store::models::UnitRow;
use crate::store::{now_utc, DbConnection};

/// Changes to one unit; absent fields stay as they are. The code never changes.
#[derive(Debug, Clone, Default)]
pub struct UnitEdit {
    pub name: Option<String>,
    pub level: Option<String>,
    /// `Some(None)`: a root.
    pub parent: Option<Option<String>>,
    pub valid_from: Option<NaiveDate>,
    /// `Some(Some(day))` closes the unit from that day; `Some(None)` reopens it.
    pub valid_to: Option<Option<NaiveDate>>,
    /// `Some(None)` clears the population.
    pub population: Option<Option<i64>>,
}

/// A whole tree to import, as sent.
#[derive(Debug, Clone)]
pub enum TreeFile {
    /// CSV bytes (UTF-8), parsed by `administration::units::import::parse_csv`.
    Csv(Vec<u8>),
    /// Parsed JSON.
    Json(ImportRequest),
}

/// Largest population accepted.
const MAX_POPULATION: i64 = 1_000_000_000;

/// Checks a change as a whole and writes it with its audit record (`entry`, which `audit`
/// completes from what the change does), in one transaction.
fn change_units(
    conn: &mut DbConnection,
    tz: Tz,
    entry: Entry,
    build: impl FnOnce(&Snapshot) -> Result<Change, AdminError>,
    audit: impl FnOnce(Entry, &Plan) -> Entry,
) -> Result<Plan, ServiceError> {
    in_transaction(conn, |c| {
        let plan = admin::make_change(c, tz, now_utc(), build)?;
        let entry = audit(entry, &plan);
        Ok((plan, entry))
    })
}

/// Creates a unit (`unit.create`); `unit_exists` (409) when its code is taken.
pub fn create_unit(
    conn: &mut DbConnection,
    actor: &Actor,
    tz: Tz,
    spec: UnitSpec,
) -> Result<UnitRow, ServiceError> {
    actor.require(&[Role::Admin])?;
    let plan = change_units(
        conn,
        tz,
        actor.entry("unit.create"),
        |snapshot| {
            if snapshot.units.contains_key(&spec.code) {
                return Err(AdminError::UnitExists(spec.code.clone()));
            }
            Ok(Change {
                units: vec![UnitChange::single(spec)],
                mappings: Vec::new(),
            })
        },
        |entry, plan| {
            let created = plan.created.first();
            entry
                .target(created.map(|r| r.code.clone()).unwrap_or_default())
                .detail(created.map(admin::audit_json).unwrap_or_default())
        },
    )?;
    plan.created
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::Internal("a created unit is missing from its plan".into()))
}

/// Changes a unit (`unit.update`): rename, move, close, reopen, population. `unknown_unit` (404)
/// when there is none of that code; an empty plan when it is already so.
pub fn update_unit(
    conn: &mut DbConnection,
    actor: &Actor,
    tz: Tz,
    code: String,
    edit: UnitEdit,
) -> Result<Plan, ServiceError> {
    actor.require(&[Role::Admin])?;
    if edit
        .population
        .flatten()
        .is_some_and(|p| p <= 0 || p > MAX_POPULATION)
    {
        return Err(AdminError::Invalid(vec![FieldError::new(
            "population",
            "out_of_range",
            "Dân số phải là số nguyên dương.",
            "population must be a positive whole number.",
        )])
        .into());
    }
    let entry = actor.entry("unit.update").target(&code);
    change_units(
        conn,
        tz,
        entry,
        |snapshot| {
            let Some(row) = snapshot.units.get(&code) else {
                return Err(AdminError::UnknownUnit(code.clone()));
            };
            let spec = UnitSpec {
                code: row.code.clone(),
                name: edit.name.unwrap_or_else(|| row.name.clone()),
                level: edit.level.unwrap_or_else(|| row.level.clone()),
                parent: edit.parent.unwrap_or_else(|| row.parent.clone()),
                valid_from: edit.valid_from.unwrap_or(row.valid_from),
                valid_to: edit.valid_to.unwrap_or(row.valid_to),
            };
            Ok(Change {
                units: vec![UnitChange {
                    population: edit.population,
                    ..UnitChange::single(spec)
                }],
                mappings: Vec::new(),
            })
        },
        |entry, plan| {
            entry.detail(match plan.updated.first() {
                Some((before, after)) => json!({
                    "before": admin::audit_json(before),
                    "after": admin::audit_json(after),
                }),
                None => json!({"unchanged": true}),
            })
        },
    )
}

/// Adds old → new mappings (`unit_mapping.create`), numbered `mappings[i]` in errors. Those
/// stored already are no change (`plan.mappings_unchanged`).
pub fn add_mappings(
    conn: &mut DbConnection,
    actor: &Actor,
    tz: Tz,
    mappings: Vec<Mapping>,
) -> Result<Plan, ServiceError> {
    actor.require(&[Role::Admin])?;
    if mappings.is_empty() {
        return Err(AdminError::Invalid(vec![FieldError::new(
            "mappings",
            "required",
            "Không có ánh xạ nào.",
            "There are no mappings.",
        )])
        .into());
    }
    // Numbered `mappings[i]` as in an import.
    let change = ImportRequest {
        units: Vec::new(),
        mappings,
    }
    .into_change();
    change_units(
        conn,
        tz,
        actor.entry("unit_mapping.create"),
        |_| Ok(change),
        |entry, plan| {
            let olds: Vec<&str> = plan
                .mappings_created
                .iter()
                .map(|m| m.old.as_str())
                .collect();
            entry.target(olds.join(",")).detail(json!({
                "created": plan.mappings_created,
                "unchanged": plan.mappings_unchanged,
            }))
        },
    )
}

/// Imports a whole tree (`units.import`): units created or updated by code, mappings added; every
/// problem listed (CSV line numbers in the messages) and nothing written, or all of it. The same
/// file again changes nothing.
pub fn import_tree(
    conn: &mut DbConnection,
    actor: &Actor,
    tz: Tz,
    file: TreeFile,
) -> Result<Plan, ServiceError> {
    actor.require(&[Role::Admin])?;
    let (format, change) = match file {
        TreeFile::Csv(bytes) => (
            "csv",
            import::parse_csv(&bytes).map_err(AdminError::Invalid)?,
        ),
        TreeFile::Json(request) => ("json", request.into_change()),
    };
    if change.units.is_empty() && change.mappings.is_empty() {
        return Err(AdminError::Invalid(vec![FieldError::new(
            "units",
            "required",
            "Không có đơn vị hay ánh xạ nào để nhập.",
            "There are no units or mappings to import.",
        )])
        .into());
    }
    change_units(
        conn,
        tz,
        actor.entry("units.import"),
        |_| Ok(change),
        |entry, plan| {
            let mut detail = serde_json::to_value(ImportOut::from(plan)).unwrap_or_default();
            detail["format"] = json!(format);
            entry.detail(detail)
        },
    )
}
