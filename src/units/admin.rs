//! Administrators' changes to the unit tree — create, rename, move, close, import a whole tree,
//! old → new mappings — checked as a whole and applied in one transaction with their audit record.
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

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::Connection;

use super::{Mapping, UnitSpec, LEVELS};
use crate::audit::Entry;
use crate::forms::validate::normalize_text;
use crate::forms::FieldError;
use crate::store::mappings::{self, MappingRow};
use crate::store::models::UnitRow;
use crate::store::{units, DbConnection, StoreError};

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

fn valid_on(row: &UnitRow, date: NaiveDate) -> bool {
    row.valid_from <= date && row.valid_to.is_none_or(|end| date < end)
}

fn until(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "…".to_string(), |d| d.to_string())
}

fn same(a: &UnitRow, b: &UnitRow) -> bool {
    a.name == b.name
        && a.level == b.level
        && a.parent == b.parent
        && a.valid_from == b.valid_from
        && a.valid_to == b.valid_to
        && a.population == b.population
}

/// Collects field errors with messages that say which unit (and CSV line) they are about.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(
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
fn check_spec(c: &UnitChange, before: Option<&UnitRow>, errors: &mut Errors) -> Option<UnitSpec> {
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

/// Checks a change against what is stored; every problem, or what to do.
pub fn plan(
    snapshot: &Snapshot,
    change: &Change,
    now: NaiveDateTime,
) -> Result<Plan, Vec<FieldError>> {
    let mut errors = Errors::default();
    // 1. Each unit on its own, and each code once.
    let mut proposed: BTreeMap<String, UnitRow> = snapshot.units.clone();
    let mut touched: HashMap<String, &UnitChange> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for c in &change.units {
        let Some(spec) = check_spec(c, snapshot.units.get(&c.spec.code), &mut errors) else {
            continue;
        };
        if touched.contains_key(&spec.code) {
            errors.add(
                field(&c.label, "code"),
                c.line,
                "duplicate",
                format!("{}: đơn vị có mặt hai lần.", spec.code),
                format!("{}: the unit is listed twice.", spec.code),
            );
            continue;
        }
        let row = match snapshot.units.get(&spec.code) {
            Some(before) => UnitRow {
                name: spec.name.clone(),
                level: spec.level.clone(),
                parent: spec.parent.clone(),
                valid_from: spec.valid_from,
                valid_to: spec.valid_to,
                population: c.population.unwrap_or(before.population),
                ..before.clone()
            },
            None => UnitRow {
                code: spec.code.clone(),
                name: spec.name.clone(),
                level: spec.level.clone(),
                parent: spec.parent.clone(),
                valid_from: spec.valid_from,
                valid_to: spec.valid_to,
                population: c.population.flatten(),
                created_at: now,
            },
        };
        touched.insert(spec.code.clone(), c);
        order.push(spec.code.clone());
        proposed.insert(spec.code.clone(), row);
    }
    let mut children: HashMap<&str, Vec<&UnitRow>> = HashMap::new();
    for row in proposed.values() {
        if let Some(p) = &row.parent {
            children.entry(p.as_str()).or_default().push(row);
        }
    }
    // 2. Each touched unit in the tree that would result.
    for code in &order {
        let c = touched[code];
        let f = |name: &str| field(&c.label, name);
        let row = &proposed[code];
        let before = snapshot.units.get(code);
        let moved_or_new = before.is_none_or(|b| {
            b.parent != row.parent || b.valid_from != row.valid_from || b.valid_to != row.valid_to
        });
        let validity_changed =
            before.is_some_and(|b| b.valid_from != row.valid_from || b.valid_to != row.valid_to);
        // A parent whose validity the change touches re-checks its children from their side.
        let parent_changed = row.parent.as_ref().is_some_and(|p| {
            snapshot
                .units
                .get(p)
                .zip(proposed.get(p))
                .is_some_and(|(b, a)| b.valid_from != a.valid_from || b.valid_to != a.valid_to)
        });
        if let (Some(p), true) = (&row.parent, moved_or_new || parent_changed) {
            match proposed.get(p) {
                _ if p == code => errors.add(
                    f("parent"),
                    c.line,
                    "cycle",
                    format!("{code}: một đơn vị không thể trực thuộc chính nó."),
                    format!("{code}: a unit cannot be its own parent."),
                ),
                None => errors.add(
                    f("parent"),
                    c.line,
                    "unknown_unit",
                    format!("{code}: không có đơn vị cấp trên \"{p}\"."),
                    format!("{code}: there is no parent unit \"{p}\"."),
                ),
                Some(parent) if !valid_on(parent, row.valid_from) => errors.add(
                    f("parent"),
                    c.line,
                    "parent_not_open",
                    format!(
                        "{code}: đơn vị cấp trên {p} không tồn tại vào ngày {} (hiệu lực {} – {}).",
                        row.valid_from,
                        parent.valid_from,
                        until(parent.valid_to)
                    ),
                    format!(
                        "{code}: the parent {p} does not exist on {} (valid {} – {}).",
                        row.valid_from,
                        parent.valid_from,
                        until(parent.valid_to)
                    ),
                ),
                Some(parent) => {
                    if let Some(end) = parent.valid_to {
                        if row.valid_to.is_none_or(|t| t > end) {
                            errors.add(
                                f("valid_to"),
                                c.line,
                                "outlives_parent",
                                format!("{code}: đơn vị cấp trên {p} chấm dứt từ {end}; đơn vị này phải đóng (valid_to) không muộn hơn ngày đó, hoặc chuyển sang đơn vị cấp trên khác."),
                                format!("{code}: the parent {p} ends on {end}; this unit must close (valid_to) by then too, or move to another parent."),
                            );
                        }
                    }
                    // Under one of its own descendants?
                    let mut at = Some(p.clone());
                    let mut seen = HashSet::new();
                    while let Some(a) = at {
                        if &a == code {
                            errors.add(
                                f("parent"),
                                c.line,
                                "cycle",
                                format!("{code}: {p} là đơn vị trực thuộc của chính nó; không thể làm đơn vị cấp trên."),
                                format!("{code}: {p} is one of its own descendants and cannot be its parent."),
                            );
                            break;
                        }
                        if !seen.insert(a.clone()) {
                            break;
                        }
                        at = proposed.get(&a).and_then(|r| r.parent.clone());
                    }
                }
            }
        }
        if before.is_some() && validity_changed {
            // Children the change does not name must still fit in the unit's validity.
            let kids = children.get(code.as_str()).map_or(&[][..], Vec::as_slice);
            let early: Vec<&str> = kids
                .iter()
                .filter(|k| !touched.contains_key(&k.code) && k.valid_from < row.valid_from)
                .map(|k| k.code.as_str())
                .collect();
            if !early.is_empty() {
                errors.add(
                    f("valid_from"),
                    c.line,
                    "children_before",
                    format!(
                        "{code}: các đơn vị trực thuộc đã có trước {}: {}.",
                        row.valid_from,
                        early.join(", ")
                    ),
                    format!(
                        "{code}: these units under it begin before {}: {}.",
                        row.valid_from,
                        early.join(", ")
                    ),
                );
            }
            if let Some(end) = row.valid_to {
                let open: Vec<&str> = kids
                    .iter()
                    .filter(|k| {
                        !touched.contains_key(&k.code)
                            && k.valid_from >= row.valid_from
                            && k.valid_to.is_none_or(|t| t > end)
                    })
                    .map(|k| k.code.as_str())
                    .collect();
                if !open.is_empty() {
                    errors.add(
                        f("valid_to"),
                        c.line,
                        "open_children",
                        format!("{code}: còn đơn vị trực thuộc chưa đóng trước {end}: {}. Hãy đóng hoặc chuyển chúng (có thể trong cùng một lần nhập).", open.join(", ")),
                        format!("{code}: units under it are still open on {end}: {}. Close or move them first (or in the same import).", open.join(", ")),
                    );
                }
            }
            // Responses keep their unit: its validity must still cover them.
            if let Some(&(first, last)) = snapshot.spans.get(code) {
                if first < row.valid_from {
                    errors.add(
                        f("valid_from"),
                        c.line,
                        "responses_before",
                        format!(
                            "{code}: đã có phiếu trả lời ngày {first}, trước {}.",
                            row.valid_from
                        ),
                        format!(
                            "{code}: responses were given to it on {first}, before {}.",
                            row.valid_from
                        ),
                    );
                }
                if let Some(end) = row.valid_to.filter(|&end| last >= end) {
                    errors.add(
                        f("valid_to"),
                        c.line,
                        "responses_after",
                        format!("{code}: đã có phiếu trả lời ngày {last}, từ {end} trở đi; không thể đóng sớm hơn."),
                        format!("{code}: responses were given to it on {last}, on or after {end}; it cannot close earlier."),
                    );
                }
            }
            // Stored mappings the change does not restate must stay valid.
            for m in snapshot.mappings.values() {
                let restated = change.mappings.iter().any(|x| x.mapping.old == m.old);
                if restated {
                    continue;
                }
                if &m.old == code && row.valid_to.is_none_or(|t| t > m.effective) {
                    errors.add(
                        f("valid_to"),
                        c.line,
                        "breaks_mapping",
                        format!(
                            "{code}: đã được {} kế thừa từ {}; phải đóng không muộn hơn ngày đó.",
                            m.new, m.effective
                        ),
                        format!(
                            "{code}: {} took it over on {}; it must be closed by then.",
                            m.new, m.effective
                        ),
                    );
                }
                if &m.new == code && !valid_on(row, m.effective) {
                    errors.add(
                        f("valid_from"),
                        c.line,
                        "breaks_mapping",
                        format!(
                            "{code}: kế thừa {} từ {}; phải tồn tại vào ngày đó.",
                            m.old, m.effective
                        ),
                        format!(
                            "{code}: it took over {} on {}; it must exist on that day.",
                            m.old, m.effective
                        ),
                    );
                }
            }
        }
    }
    // 3. Mappings.
    let mut graph: HashMap<String, String> = snapshot
        .mappings
        .values()
        .map(|m| (m.old.clone(), m.new.clone()))
        .collect();
    let mut new_mappings: Vec<&MappingChange> = Vec::new();
    let mut asked: HashMap<&str, &Mapping> = HashMap::new();
    let mut mappings_unchanged = 0;
    for mc in &change.mappings {
        let m = &mc.mapping;
        let mut ok = true;
        for (name, code) in [("old", &m.old), ("new", &m.new)] {
            if !proposed.contains_key(code) {
                errors.add(
                    mc.field(name),
                    mc.line,
                    "unknown_unit",
                    format!("Không có đơn vị \"{code}\"."),
                    format!("There is no unit \"{code}\"."),
                );
                ok = false;
            }
        }
        if m.old == m.new {
            errors.add(
                mc.field("new"),
                mc.line,
                "same_unit",
                format!("{}: đơn vị không thể kế thừa chính nó.", m.old),
                format!("{}: a unit cannot take itself over.", m.old),
            );
            ok = false;
        }
        if let Some(earlier) = asked.get(m.old.as_str()) {
            if *earlier != m {
                errors.add(
                    mc.field("old"),
                    mc.line,
                    "duplicate",
                    format!(
                        "{}: mỗi đơn vị cũ chỉ có một đơn vị kế thừa ({} hay {}?).",
                        m.old, earlier.new, m.new
                    ),
                    format!(
                        "{}: an old unit has one successor ({} or {}?).",
                        m.old, earlier.new, m.new
                    ),
                );
            }
            continue;
        }
        asked.insert(&m.old, m);
        let stored = snapshot.mappings.get(&m.old);
        match stored {
            Some(stored) if stored == m => mappings_unchanged += 1,
            Some(stored) => {
                errors.add(
                    mc.field("old"),
                    mc.line,
                    "already_mapped",
                    format!(
                        "{}: đã có đơn vị kế thừa {} từ {}; mỗi đơn vị cũ chỉ có một.",
                        m.old, stored.new, stored.effective
                    ),
                    format!(
                        "{}: it already has a successor, {} from {}; an old unit has one.",
                        m.old, stored.new, stored.effective
                    ),
                );
                continue;
            }
            None => {}
        }
        if !ok {
            continue;
        }
        let (old, new) = (&proposed[&m.old], &proposed[&m.new]);
        if old.valid_to.is_none_or(|end| end > m.effective) {
            errors.add(
                mc.field("old"),
                mc.line,
                "old_not_closed",
                format!(
                    "{}: đơn vị cũ phải đóng (valid_to) không muộn hơn ngày hiệu lực {} (nay: {}).",
                    m.old,
                    m.effective,
                    until(old.valid_to)
                ),
                format!(
                    "{}: the old unit must be closed (valid_to) by {} (now: {}).",
                    m.old,
                    m.effective,
                    until(old.valid_to)
                ),
            );
        }
        if !valid_on(new, m.effective) {
            errors.add(
                mc.field("new"),
                mc.line,
                "new_not_open",
                format!(
                    "{}: đơn vị mới không tồn tại vào ngày hiệu lực {} (hiệu lực {} – {}).",
                    m.new,
                    m.effective,
                    new.valid_from,
                    until(new.valid_to)
                ),
                format!(
                    "{}: the new unit does not exist on {} (valid {} – {}).",
                    m.new,
                    m.effective,
                    new.valid_from,
                    until(new.valid_to)
                ),
            );
        }
        if stored.is_none() {
            graph.insert(m.old.clone(), m.new.clone());
            new_mappings.push(mc);
        }
    }
    for mc in &new_mappings {
        let m = &mc.mapping;
        let mut at = m.new.as_str();
        let mut steps = 0;
        while let Some(next) = graph.get(at) {
            if next == &m.old || steps > graph.len() {
                errors.add(
                    mc.field("new"),
                    mc.line,
                    "cycle",
                    format!("{} → {}: các ánh xạ tạo thành vòng.", m.old, m.new),
                    format!("{} → {}: the mappings would form a cycle.", m.old, m.new),
                );
                break;
            }
            at = next;
            steps += 1;
        }
    }
    if !errors.0.is_empty() {
        return Err(errors.0);
    }
    // 4. What to write: new units parents first, then changed ones, then mappings.
    let mut plan = Plan {
        mappings_created: new_mappings.iter().map(|mc| mc.mapping.clone()).collect(),
        mappings_unchanged,
        ..Plan::default()
    };
    let mut pending: Vec<&UnitRow> = Vec::new();
    for code in &order {
        let after = &proposed[code];
        match snapshot.units.get(code) {
            None => pending.push(after),
            Some(before) if same(before, after) => plan.unchanged.push(code.clone()),
            Some(before) => plan.updated.push((before.clone(), after.clone())),
        }
    }
    while !pending.is_empty() {
        let waiting: HashSet<&str> = pending.iter().map(|r| r.code.as_str()).collect();
        let (ready, rest): (Vec<&UnitRow>, Vec<&UnitRow>) = pending
            .into_iter()
            .partition(|r| r.parent.as_deref().is_none_or(|p| !waiting.contains(p)));
        if ready.is_empty() {
            // A cycle among new units would have been reported above.
            return Err(vec![FieldError::new(
                "units",
                "cycle",
                "Các đơn vị mới tạo thành vòng.",
                "The new units form a cycle.",
            )]);
        }
        plan.created.extend(ready.into_iter().cloned());
        pending = rest;
    }
    Ok(plan)
}

/// Writes a plan (inside the caller's transaction).
pub fn apply(conn: &mut DbConnection, plan: &Plan) -> Result<(), StoreError> {
    for row in &plan.created {
        units::insert(conn, row)?;
    }
    for (_, after) in &plan.updated {
        units::update(conn, after)?;
    }
    for m in &plan.mappings_created {
        mappings::insert(conn, &MappingRow::from(m))?;
    }
    Ok(())
}

/// Runs a change in one transaction: `build` turns the stored state into the change (and may
/// refuse, e.g. 404 or 409), it is checked, written, and `audit` describes it in a record written
/// in the same transaction. Nothing is written when anything fails.
pub fn execute<B, A>(
    conn: &mut DbConnection,
    tz: Tz,
    now: NaiveDateTime,
    build: B,
    audit: A,
) -> Result<Plan, AdminError>
where
    B: FnOnce(&Snapshot) -> Result<Change, AdminError>,
    A: FnOnce(&Plan) -> Entry,
{
    conn.transaction(|c| {
        units::lock_for_change(c)?;
        let mut snapshot = Snapshot::load(c)?;
        let change = build(&snapshot)?;
        let touched = validity_touched(&snapshot, &change);
        snapshot.spans = units::response_spans(c, &touched)?
            .into_iter()
            .map(|(code, first, last)| {
                let local = |t: NaiveDateTime| tz.from_utc_datetime(&t).date_naive();
                (code, (local(first), local(last)))
            })
            .collect();
        let plan = plan(&snapshot, &change, now).map_err(AdminError::Invalid)?;
        apply(c, &plan)?;
        crate::audit::record(c, &audit(&plan))?;
        Ok(plan)
    })
}

/// A unit as the audit log shows it.
pub fn audit_json(row: &UnitRow) -> serde_json::Value {
    serde_json::json!({
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "parent": row.parent,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "population": row.population,
    })
}

#[cfg(test)]
mod tests {
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
