//! The checks that need no tree: one unit on its own, and the small helpers the tree checks share.

use chrono::NaiveDate;

use super::{field, Change, Snapshot, UnitChange, UnitSpec, LEVELS, MAX_NAME};
use crate::domain::FieldError;
use crate::forms::validate::normalize_text;
use crate::store::models::UnitRow;

pub(super) fn valid_on(row: &UnitRow, date: NaiveDate) -> bool {
    row.valid_from <= date && row.valid_to.is_none_or(|end| date < end)
}

pub(super) fn until(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "…".to_string(), |d| d.to_string())
}

pub(super) fn same(a: &UnitRow, b: &UnitRow) -> bool {
    a.name == b.name
        && a.level == b.level
        && a.parent == b.parent
        && a.valid_from == b.valid_from
        && a.valid_to == b.valid_to
        && a.population == b.population
}

/// Collects field errors with messages that say which unit (and CSV line) they are about.
#[derive(Default)]
pub(super) struct Errors(pub(super) Vec<FieldError>);

impl Errors {
    pub(super) fn add(
        &mut self,
        field: String,
        line: Option<usize>,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) {
        let (vi, en) = (vi.into(), en.into());
        let (vi, en) = match line {
            Some(n) => (format!("Dòng {n}: {vi}"), format!("Line {n}: {en}")),
            None => (vi, en),
        };
        let error = FieldError::new(&field, code, vi, en);
        if !self.0.contains(&error) {
            self.0.push(error);
        }
    }
}

/// The checks on one unit that need nothing else; returns the spec with its name normalised, or
/// `None` (errors added) when it cannot take part in the tree checks. A stored unit's level is
/// checked only when it changes (a tree file may use other levels).
pub(super) fn check_spec(
    c: &UnitChange,
    before: Option<&UnitRow>,
    errors: &mut Errors,
) -> Option<UnitSpec> {
    let s = &c.spec;
    let f = |name: &str| field(&c.label, name);
    let mut ok = true;
    if !crate::domain::is_unit_code(&s.code) {
        errors.add(
            f("code"),
            c.line,
            "invalid_code",
            format!(
                "\"{}\": mã đơn vị chỉ gồm chữ thường a–z, chữ số và dấu \"-\", tối đa 64 ký tự.",
                s.code
            ),
            format!(
                "\"{}\": a unit code is 1–64 characters of a–z, 0–9 and \"-\".",
                s.code
            ),
        );
        ok = false;
    }
    let name = check_name(c, errors);
    if !LEVELS.contains(&s.level.as_str()) && before.is_none_or(|b| b.level != s.level) {
        errors.add(
            f("level"),
            c.line,
            "unknown_level",
            format!(
                "{}: cấp \"{}\" không có; dùng một trong {}.",
                s.code,
                s.level,
                LEVELS.join(", ")
            ),
            format!(
                "{}: level \"{}\" is unknown; use one of {}.",
                s.code,
                s.level,
                LEVELS.join(", ")
            ),
        );
    }
    if s.valid_to.is_some_and(|end| end <= s.valid_from) {
        errors.add(
            f("valid_to"),
            c.line,
            "before_valid_from",
            format!(
                "{}: ngày chấm dứt (valid_to) phải sau ngày bắt đầu {}.",
                s.code, s.valid_from
            ),
            format!(
                "{}: valid_to must be after valid_from ({}).",
                s.code, s.valid_from
            ),
        );
        ok = false;
    }
    ok.then(|| UnitSpec {
        name,
        parent: s.parent.clone().filter(|p| !p.is_empty()),
        ..s.clone()
    })
}

/// The unit's name, NFC-normalised: present, not too long, no control characters.
fn check_name(c: &UnitChange, errors: &mut Errors) -> String {
    let (s, f) = (&c.spec, |name: &str| field(&c.label, name));
    let name = normalize_text(&s.name);
    if name.is_empty() {
        errors.add(
            f("name"),
            c.line,
            "required",
            format!("{}: cần có tên đơn vị.", s.code),
            format!("{}: the name is required.", s.code),
        );
    } else if name.chars().count() > MAX_NAME {
        errors.add(
            f("name"),
            c.line,
            "too_long",
            format!("{}: tên dài quá {MAX_NAME} ký tự.", s.code),
            format!("{}: the name is longer than {MAX_NAME} characters.", s.code),
        );
    } else if name.chars().any(char::is_control) {
        errors.add(
            f("name"),
            c.line,
            "invalid",
            format!("{}: tên có ký tự điều khiển.", s.code),
            format!("{}: the name contains control characters.", s.code),
        );
    }
    name
}

/// Which stored units a change touches the validity of (their responses' dates must be loaded).
pub fn validity_touched(snapshot: &Snapshot, change: &Change) -> Vec<String> {
    change
        .units
        .iter()
        .filter(|c| {
            snapshot
                .units
                .get(&c.spec.code)
                .is_some_and(|r| r.valid_from != c.spec.valid_from || r.valid_to != c.spec.valid_to)
        })
        .map(|c| c.spec.code.clone())
        .collect()
}
