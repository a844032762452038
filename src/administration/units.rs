//! The administrative unit tree: the shipped default tree, unit validity in time, administrators'
//! changes (`admin`, `import`) and today's tree through the old → new mappings (`current`).

pub mod admin;
pub mod current;
pub mod import;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::store::mappings::MappingRow;
use crate::store::models::UnitRow;

pub use current::{current_tree, CurrentTree};

/// Unit levels: `tinh` (province), `huyen` (district), `xa` (commune, ward or town), `mot_cua`
/// (a one-stop office).
pub const LEVELS: &[&str] = &["tinh", "huyen", "xa", "mot_cua"];

/// The default tree (Bình Định → Tuy Phước → its one-stop office and 13 communes), loaded into an
/// empty database on first start. Units are data: administrators load other trees later.
pub const DEFAULT_TREE: &str = include_str!("../../survey-forms/units/tuy-phuoc.toml");

/// A unit as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unit {
    pub code: String,
    pub name: String,
    /// `tinh` (province), `huyen` (district), `xa` (commune or town), `mot_cua` (one-stop office).
    pub level: String,
    pub parent: Option<String>,
    pub valid_from: NaiveDate,
    /// First day on which the unit no longer exists (exclusive); `null` while it exists.
    pub valid_to: Option<NaiveDate>,
    /// Population served (docs/method.md §10), when an administrator has set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<i64>,
}

impl From<UnitRow> for Unit {
    fn from(row: UnitRow) -> Self {
        Unit {
            code: row.code,
            name: row.name,
            level: row.level,
            parent: row.parent,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            population: row.population,
        }
    }
}

/// A unit as an administrator gives it (create, import): everything but the population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    /// Stable identifier: 1–64 characters, `a-z`, `0-9`, `-`. Never reused.
    pub code: String,
    pub name: String,
    /// `tinh`, `huyen`, `xa` or `mot_cua`.
    pub level: String,
    /// The parent's code; `null` (or absent) for a root.
    #[serde(default)]
    pub parent: Option<String>,
    /// First day of existence.
    pub valid_from: NaiveDate,
    /// First day on which the unit no longer exists (exclusive); `null` while it exists.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

/// An administrative reform: `old` was closed and `new` took it over from `effective` (e.g. a
/// 2025 merger of communes). One successor per old unit; reports with `tree=current` count the
/// old unit's responses for its successor (and the successor's successor …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub old: String,
    pub new: String,
    /// The first day of `new` in place of `old`; `old` is closed by then (`valid_to ≤ effective`).
    pub effective: NaiveDate,
}

impl From<MappingRow> for Mapping {
    fn from(row: MappingRow) -> Self {
        Mapping {
            old: row.old_code,
            new: row.new_code,
            effective: row.effective,
        }
    }
}

impl From<&Mapping> for MappingRow {
    fn from(m: &Mapping) -> Self {
        MappingRow {
            old_code: m.old.clone(),
            new_code: m.new.clone(),
            effective: m.effective,
        }
    }
}

impl Unit {
    /// Whether the unit existed on this (local) date: `valid_from ≤ date < valid_to`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|end| date < end)
    }
}

/// Units in tree order (each parent followed by its children, by name), with their depth.
/// Units whose parent is not in the list count as roots.
pub fn tree_order(units: &[Unit]) -> Vec<(usize, &Unit)> {
    fn visit<'a>(
        units: &'a [Unit],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, &'a Unit)>,
    ) {
        let mut children: Vec<&Unit> = units
            .iter()
            .filter(|u| match parent {
                Some(p) => u.parent.as_deref() == Some(p),
                None => u
                    .parent
                    .as_deref()
                    .is_none_or(|p| !units.iter().any(|o| o.code == p)),
            })
            .collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        for child in children {
            out.push((depth, child));
            visit(units, Some(&child.code), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(units.len());
    visit(units, None, 0, &mut out);
    out
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeFile {
    units: Vec<TreeEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeEntry {
    code: String,
    name: String,
    level: String,
    parent: Option<String>,
    valid_from: toml::value::Datetime,
    valid_to: Option<toml::value::Datetime>,
    population: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("unit tree file: {0}")]
    Parse(String),
    #[error("unit tree: {0}")]
    Invalid(String),
}

fn date(value: &toml::value::Datetime, code: &str) -> Result<NaiveDate, TreeError> {
    let d = value
        .date
        .ok_or_else(|| TreeError::Invalid(format!("{code}: dates must be YYYY-MM-DD")))?;
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        .ok_or_else(|| TreeError::Invalid(format!("{code}: impossible date {d}")))
}

/// Parses a unit tree file into rows, parents before children; checks codes, parents and dates.
pub fn parse_tree(source: &str, now: NaiveDateTime) -> Result<Vec<UnitRow>, TreeError> {
    let file: TreeFile = toml::from_str(source).map_err(|e| TreeError::Parse(e.to_string()))?;
    let mut rows: Vec<UnitRow> = Vec::new();
    for e in file.units {
        if !crate::domain::is_unit_code(&e.code) {
            return Err(TreeError::Invalid(format!(
                "\"{}\" is not a valid unit code",
                e.code
            )));
        }
        if rows.iter().any(|r| r.code == e.code) {
            return Err(TreeError::Invalid(format!(
                "unit {} is listed twice",
                e.code
            )));
        }
        if let Some(parent) = &e.parent {
            if !rows.iter().any(|r| &r.code == parent) {
                return Err(TreeError::Invalid(format!(
                    "{}: parent {parent} must be listed before it",
                    e.code
                )));
            }
        }
        let valid_from = date(&e.valid_from, &e.code)?;
        let valid_to = e.valid_to.as_ref().map(|d| date(d, &e.code)).transpose()?;
        if valid_to.is_some_and(|end| end <= valid_from) {
            return Err(TreeError::Invalid(format!(
                "{}: valid_to must be after valid_from",
                e.code
            )));
        }
        rows.push(UnitRow {
            code: e.code,
            name: crate::forms::validate::normalize_text(&e.name),
            level: e.level,
            parent: e.parent,
            valid_from,
            valid_to,
            population: e.population,
            created_at: now,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tree_has_the_district_and_its_thirteen_communes() {
        let rows =
            parse_tree(DEFAULT_TREE, chrono::Utc::now().naive_utc()).expect("default tree parses");
        assert_eq!(rows[0].code, "binh-dinh");
        let communes = rows
            .iter()
            .filter(|r| r.level == "xa" && r.parent.as_deref() == Some("tuy-phuoc"));
        assert_eq!(communes.count(), 13);
        assert!(rows.iter().any(|r| r.code == "tuy-phuoc-mc"));
    }

    #[test]
    fn a_child_before_its_parent_is_refused() {
        let src = "[[units]]\ncode = \"a\"\nname = \"A\"\nlevel = \"xa\"\nparent = \"b\"\nvalid_from = 2020-01-01\n";
        assert!(matches!(
            parse_tree(src, chrono::Utc::now().naive_utc()),
            Err(TreeError::Invalid(_))
        ));
    }
}
