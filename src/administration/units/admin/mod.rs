//! Administrators' changes to the unit tree — create, rename, move, close, import a whole tree,
//! old → new mappings — checked as a whole and applied in one transaction with their audit record
//! (the transaction and the record are `service::units`'s).
//!
//! Every change is first turned into the desired state of the units and mappings it names; the
//! tree that would result is checked, and every problem is reported (field `units[3].parent`,
//! `valid_to`, …) before anything is written. Units are never deleted: responses refer to them.
//!
//! The rules (a unit's validity is `[valid_from, valid_to)`, `valid_to` exclusive):
//! - codes are `domain::is_unit_code`, names non-empty (NFC), levels one of [`LEVELS`];
//! - `valid_to` after `valid_from`;
//! - the parent exists, is not the unit or one of its descendants, exists on the unit's
//!   `valid_from`, and a unit does not outlive its parent: when the parent closes, its children
//!   close by then too (closing a unit with open children is refused unless they are closed or
//!   moved in the same change);
//! - a unit's validity still covers the (local) dates of the responses given to it;
//! - a mapping's old unit is closed by `effective` (`valid_to ≤ effective`), its new unit exists on
//!   `effective`; one successor per old unit (an identical mapping again is no change); no cycles.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::{Mapping, UnitSpec, LEVELS};
use crate::domain::FieldError;
use crate::store::mappings;
use crate::store::models::UnitRow;
use crate::store::{units, DbConnection, StoreError};

mod apply;
mod checks;
mod mapping_checks;
mod plan;

pub use apply::{apply, audit_json, make_change};
pub use checks::validity_touched;
pub use plan::plan;

/// Longest unit name accepted (characters).
pub const MAX_NAME: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the change is not valid")]
    Invalid(Vec<FieldError>),
    #[error("unknown unit {0}")]
    UnknownUnit(String),
    #[error("unit {0} exists already")]
    UnitExists(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for AdminError {
    fn from(e: diesel::result::Error) -> Self {
        AdminError::Store(StoreError::from_diesel(e))
    }
}

/// One unit of a change: what the administrator wants it to be.
#[derive(Debug, Clone)]
pub struct UnitChange {
    /// Prefix of its fields in errors: `units[3]` (import) or empty (a single unit).
    pub label: String,
    /// Its line in a CSV file, for messages.
    pub line: Option<usize>,
    pub spec: UnitSpec,
    /// `Some(None)` clears the population; `None` keeps it.
    pub population: Option<Option<i64>>,
}

impl UnitChange {
    pub fn single(spec: UnitSpec) -> Self {
        UnitChange {
            label: String::new(),
            line: None,
            spec,
            population: None,
        }
    }
}

/// One mapping of a change.
#[derive(Debug, Clone)]
pub struct MappingChange {
    /// Prefix of its fields in errors: `mappings[2]`; `units[3].replaces` for a CSV `replaces`
    /// cell (then all its errors are on that one field).
    pub label: String,
    pub line: Option<usize>,
    pub mapping: Mapping,
}

impl MappingChange {
    fn field(&self, name: &str) -> String {
        if self.label.ends_with(".replaces") {
            self.label.clone()
        } else {
            field(&self.label, name)
        }
    }
}

/// What a request asks for.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub units: Vec<UnitChange>,
    pub mappings: Vec<MappingChange>,
}

/// What is stored when a change begins.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub units: BTreeMap<String, UnitRow>,
    /// By old code.
    pub mappings: BTreeMap<String, Mapping>,
    /// First and last local date of the responses of units whose validity the change touches.
    pub spans: HashMap<String, (NaiveDate, NaiveDate)>,
}

impl Snapshot {
    /// Units and mappings (spans are loaded once the change is known).
    pub fn load(conn: &mut DbConnection) -> Result<Snapshot, StoreError> {
        Ok(Snapshot {
            units: units::list(conn)?
                .into_iter()
                .map(|r| (r.code.clone(), r))
                .collect(),
            mappings: mappings::list(conn)?
                .into_iter()
                .map(|r| (r.old_code.clone(), Mapping::from(r)))
                .collect(),
            spans: HashMap::new(),
        })
    }
}

/// What a change does.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// New units, parents first.
    pub created: Vec<UnitRow>,
    /// (before, after) of units that change.
    pub updated: Vec<(UnitRow, UnitRow)>,
    /// Units named by the change that stay as they are.
    pub unchanged: Vec<String>,
    pub mappings_created: Vec<Mapping>,
    pub mappings_unchanged: usize,
}

impl Plan {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.mappings_created.is_empty()
    }
}

fn field(label: &str, name: &str) -> String {
    if label.is_empty() {
        name.to_string()
    } else {
        format!("{label}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn row(code: &str, parent: Option<&str>, from: &str, to: Option<&str>) -> UnitRow {
        UnitRow {
            code: code.into(),
            name: code.to_uppercase(),
            level: "xa".into(),
            parent: parent.map(Into::into),
            valid_from: d(from),
            valid_to: to.map(d),
            population: None,
            created_at: NaiveDateTime::default(),
        }
    }

    fn snapshot() -> Snapshot {
        let rows = [
            row("tinh", None, "2000-01-01", None),
            row("huyen", Some("tinh"), "2000-01-01", None),
            row("a", Some("huyen"), "2000-01-01", None),
            row("b", Some("huyen"), "2000-01-01", None),
        ];
        Snapshot {
            units: rows.into_iter().map(|r| (r.code.clone(), r)).collect(),
            ..Snapshot::default()
        }
    }

    fn spec(r: &UnitRow) -> UnitSpec {
        UnitSpec {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level.clone(),
            parent: r.parent.clone(),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        }
    }

    fn import(rows: &[UnitRow], mappings: &[(&str, &str, &str)]) -> Change {
        Change {
            units: rows
                .iter()
                .enumerate()
                .map(|(i, r)| UnitChange {
                    label: format!("units[{i}]"),
                    line: None,
                    spec: spec(r),
                    population: None,
                })
                .collect(),
            mappings: mappings
                .iter()
                .enumerate()
                .map(|(i, (o, n, e))| MappingChange {
                    label: format!("mappings[{i}]"),
                    line: None,
                    mapping: Mapping {
                        old: (*o).into(),
                        new: (*n).into(),
                        effective: d(e),
                    },
                })
                .collect(),
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(String, &'static str)> {
        errors.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn a_merger_closes_the_old_units_and_maps_them() {
        let change = import(
            &[
                row("huyen", Some("tinh"), "2000-01-01", Some("2025-07-01")),
                row("a", Some("huyen"), "2000-01-01", Some("2025-07-01")),
                row("b", Some("huyen"), "2000-01-01", Some("2025-07-01")),
                row("ab", Some("tinh"), "2025-07-01", None),
            ],
            &[("a", "ab", "2025-07-01"), ("b", "ab", "2025-07-01")],
        );
        let plan = plan(&snapshot(), &change, NaiveDateTime::default()).expect("valid");
        assert_eq!(plan.created.len(), 1);
        assert_eq!(plan.updated.len(), 3);
        assert_eq!(plan.mappings_created.len(), 2);
    }

    #[test]
    fn closing_a_parent_with_open_children_is_refused() {
        let change = import(
            &[row("huyen", Some("tinh"), "2000-01-01", Some("2025-07-01"))],
            &[],
        );
        let errors = plan(&snapshot(), &change, NaiveDateTime::default()).unwrap_err();
        assert_eq!(
            codes(&errors),
            [("units[0].valid_to".to_string(), "open_children")]
        );
    }

    #[test]
    fn new_units_are_created_parents_first() {
        let change = import(
            &[
                row("child", Some("parent"), "2025-01-01", None),
                row("parent", Some("tinh"), "2025-01-01", None),
            ],
            &[],
        );
        let plan = plan(&snapshot(), &change, NaiveDateTime::default()).expect("valid");
        let order: Vec<&str> = plan.created.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(order, ["parent", "child"]);
    }

    #[test]
    fn moving_a_unit_under_its_descendant_is_a_cycle() {
        let change = import(&[row("huyen", Some("a"), "2000-01-01", None)], &[]);
        let errors = plan(&snapshot(), &change, NaiveDateTime::default()).unwrap_err();
        assert!(codes(&errors).contains(&("units[0].parent".to_string(), "cycle")));
    }

    #[test]
    fn mapping_rules() {
        let mut s = snapshot();
        s.units.insert(
            "x".into(),
            row("x", Some("tinh"), "2000-01-01", Some("2020-01-01")),
        );
        s.units.insert(
            "y".into(),
            row("y", Some("tinh"), "2000-01-01", Some("2020-01-01")),
        );
        let change = import(
            &[],
            &[
                ("a", "b", "2025-01-01"),
                ("x", "y", "2020-01-01"),
                ("y", "x", "2020-01-01"),
                ("nowhere", "a", "2025-01-01"),
            ],
        );
        let errors = plan(&s, &change, NaiveDateTime::default()).unwrap_err();
        let got = codes(&errors);
        for want in [
            ("mappings[0].old", "old_not_closed"),
            ("mappings[1].new", "new_not_open"),
            ("mappings[2].new", "cycle"),
            ("mappings[3].old", "unknown_unit"),
        ] {
            assert!(
                got.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {got:?}"
            );
        }
    }
}
