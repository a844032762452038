//! The tree checks of a change and what it would write, in four steps: each unit on its own
//! ([`propose`]), each unit in the tree that would result ([`check_tree`]), the mappings
//! (`mapping_checks`), then what to write ([`what_to_write`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;

use super::checks::{check_spec, same, until, valid_on, Errors};
use super::mapping_checks::check_mappings;
use super::{field, Change, MappingChange, Plan, Snapshot, UnitChange, UnitSpec};
use crate::domain::FieldError;
use crate::store::models::UnitRow;

/// Checks a change against what is stored; every problem, or what to do.
pub fn plan(
    snapshot: &Snapshot,
    change: &Change,
    now: NaiveDateTime,
) -> Result<Plan, Vec<FieldError>> {
    let mut errors = Errors::default();
    // 1. Each unit on its own, and each code once.
    let proposed = propose(snapshot, change, now, &mut errors);
    // 2. Each touched unit in the tree that would result.
    check_tree(snapshot, change, &proposed, &mut errors);
    // 3. Mappings.
    let (new_mappings, mappings_unchanged) =
        check_mappings(snapshot, change, &proposed.rows, &mut errors);
    if !errors.0.is_empty() {
        return Err(errors.0);
    }
    // 4. What to write: new units parents first, then changed ones, then mappings.
    what_to_write(snapshot, &proposed, &new_mappings, mappings_unchanged)
}

/// The tree a change would make.
struct Proposed<'a> {
    /// Every stored unit, with the change's units as they would be.
    rows: BTreeMap<String, UnitRow>,
    /// The change's unit of each code it names (once each).
    touched: HashMap<String, &'a UnitChange>,
    /// Those codes, in the change's order.
    order: Vec<String>,
}

/// Step 1: each unit of the change on its own, and each code once.
fn propose<'a>(
    snapshot: &Snapshot,
    change: &'a Change,
    now: NaiveDateTime,
    errors: &mut Errors,
) -> Proposed<'a> {
    let mut proposed = Proposed {
        rows: snapshot.units.clone(),
        touched: HashMap::new(),
        order: Vec::new(),
    };
    for c in &change.units {
        let before = snapshot.units.get(&c.spec.code);
        let Some(spec) = check_spec(c, before, errors) else {
            continue;
        };
        if proposed.touched.contains_key(&spec.code) {
            errors.add(
                field(&c.label, "code"),
                c.line,
                "duplicate",
                format!("{}: đơn vị có mặt hai lần.", spec.code),
                format!("{}: the unit is listed twice.", spec.code),
            );
            continue;
        }
        let row = proposed_row(&spec, c, snapshot.units.get(&spec.code), now);
        proposed.touched.insert(spec.code.clone(), c);
        proposed.order.push(spec.code.clone());
        proposed.rows.insert(spec.code.clone(), row);
    }
    proposed
}

/// The row a unit of the change would be (a stored one keeps its creation time and, unless the
/// change sets it, its population).
fn proposed_row(
    spec: &UnitSpec,
    c: &UnitChange,
    before: Option<&UnitRow>,
    now: NaiveDateTime,
) -> UnitRow {
    match before {
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
    }
}

/// A unit the change names, as it would be; its errors are on its own fields.
struct Subject<'a> {
    code: &'a str,
    change: &'a UnitChange,
    row: &'a UnitRow,
}

impl Subject<'_> {
    fn add(&self, errors: &mut Errors, name: &str, code: &'static str, vi: String, en: String) {
        errors.add(
            field(&self.change.label, name),
            self.change.line,
            code,
            vi,
            en,
        );
    }
}

/// Step 2: each unit the change names, in the tree that would result.
fn check_tree(snapshot: &Snapshot, change: &Change, proposed: &Proposed, errors: &mut Errors) {
    let mut children: HashMap<&str, Vec<&UnitRow>> = HashMap::new();
    for row in proposed.rows.values() {
        if let Some(p) = &row.parent {
            children.entry(p.as_str()).or_default().push(row);
        }
    }
    for code in &proposed.order {
        let s = Subject {
            code,
            change: proposed.touched[code],
            row: &proposed.rows[code],
        };
        let row = s.row;
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
                .zip(proposed.rows.get(p))
                .is_some_and(|(b, a)| b.valid_from != a.valid_from || b.valid_to != a.valid_to)
        });
        if let (Some(p), true) = (&row.parent, moved_or_new || parent_changed) {
            check_parent(&s, p, &proposed.rows, errors);
        }
        if before.is_some() && validity_changed {
            let kids = children.get(code.as_str()).map_or(&[][..], Vec::as_slice);
            check_children(&s, kids, &proposed.touched, errors);
            check_responses(&s, snapshot.spans.get(code), errors);
            check_stored_mappings(&s, snapshot, change, errors);
        }
    }
}

/// The unit's parent `p`: it exists, is not the unit or under it, exists on the unit's
/// `valid_from`, and does not close before the unit does.
fn check_parent(s: &Subject, p: &str, proposed: &BTreeMap<String, UnitRow>, errors: &mut Errors) {
    let (code, row) = (s.code, s.row);
    match proposed.get(p) {
        _ if p == code => s.add(
            errors,
            "parent",
            "cycle",
            format!("{code}: một đơn vị không thể trực thuộc chính nó."),
            format!("{code}: a unit cannot be its own parent."),
        ),
        None => s.add(
            errors,
            "parent",
            "unknown_unit",
            format!("{code}: không có đơn vị cấp trên \"{p}\"."),
            format!("{code}: there is no parent unit \"{p}\"."),
        ),
        Some(parent) if !valid_on(parent, row.valid_from) => s.add(
            errors,
            "parent",
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
                    s.add(
                        errors,
                        "valid_to",
                        "outlives_parent",
                        format!("{code}: đơn vị cấp trên {p} chấm dứt từ {end}; đơn vị này phải đóng (valid_to) không muộn hơn ngày đó, hoặc chuyển sang đơn vị cấp trên khác."),
                        format!("{code}: the parent {p} ends on {end}; this unit must close (valid_to) by then too, or move to another parent."),
                    );
                }
            }
            if is_under(p, code, proposed) {
                s.add(
                    errors,
                    "parent",
                    "cycle",
                    format!("{code}: {p} là đơn vị trực thuộc của chính nó; không thể làm đơn vị cấp trên."),
                    format!("{code}: {p} is one of its own descendants and cannot be its parent."),
                );
            }
        }
    }
}

/// Whether `unit` or one of its ancestors (in the proposed tree) is `code`.
fn is_under(unit: &str, code: &str, proposed: &BTreeMap<String, UnitRow>) -> bool {
    let mut at = Some(unit.to_string());
    let mut seen = HashSet::new();
    while let Some(a) = at {
        if a == code {
            return true;
        }
        if !seen.insert(a.clone()) {
            return false;
        }
        at = proposed.get(&a).and_then(|r| r.parent.clone());
    }
    false
}

/// Children the change does not name must still fit in the unit's new validity.
fn check_children(
    s: &Subject,
    kids: &[&UnitRow],
    touched: &HashMap<String, &UnitChange>,
    errors: &mut Errors,
) {
    let (code, row) = (s.code, s.row);
    let early: Vec<&str> = kids
        .iter()
        .filter(|k| !touched.contains_key(&k.code) && k.valid_from < row.valid_from)
        .map(|k| k.code.as_str())
        .collect();
    if !early.is_empty() {
        s.add(
            errors,
            "valid_from",
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
    let Some(end) = row.valid_to else {
        return;
    };
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
        s.add(
            errors,
            "valid_to",
            "open_children",
            format!("{code}: còn đơn vị trực thuộc chưa đóng trước {end}: {}. Hãy đóng hoặc chuyển chúng (có thể trong cùng một lần nhập).", open.join(", ")),
            format!("{code}: units under it are still open on {end}: {}. Close or move them first (or in the same import).", open.join(", ")),
        );
    }
}

/// Responses keep their unit: its validity must still cover them (`span`: their first and last
/// local date).
fn check_responses(
    s: &Subject,
    span: Option<&(chrono::NaiveDate, chrono::NaiveDate)>,
    errors: &mut Errors,
) {
    let (code, row) = (s.code, s.row);
    let Some(&(first, last)) = span else {
        return;
    };
    if first < row.valid_from {
        s.add(
            errors,
            "valid_from",
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
        s.add(
            errors,
            "valid_to",
            "responses_after",
            format!("{code}: đã có phiếu trả lời ngày {last}, từ {end} trở đi; không thể đóng sớm hơn."),
            format!("{code}: responses were given to it on {last}, on or after {end}; it cannot close earlier."),
        );
    }
}

/// Stored mappings the change does not restate must stay valid.
fn check_stored_mappings(s: &Subject, snapshot: &Snapshot, change: &Change, errors: &mut Errors) {
    let (code, row) = (s.code, s.row);
    for m in snapshot.mappings.values() {
        let restated = change.mappings.iter().any(|x| x.mapping.old == m.old);
        if restated {
            continue;
        }
        if m.old == code && row.valid_to.is_none_or(|t| t > m.effective) {
            s.add(
                errors,
                "valid_to",
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
        if m.new == code && !valid_on(row, m.effective) {
            s.add(
                errors,
                "valid_from",
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

/// Step 4: what a valid change writes — new units parents first, changed ones, new mappings.
fn what_to_write(
    snapshot: &Snapshot,
    proposed: &Proposed,
    new_mappings: &[&MappingChange],
    mappings_unchanged: usize,
) -> Result<Plan, Vec<FieldError>> {
    let mut plan = Plan {
        mappings_created: new_mappings.iter().map(|mc| mc.mapping.clone()).collect(),
        mappings_unchanged,
        ..Plan::default()
    };
    let mut pending: Vec<&UnitRow> = Vec::new();
    for code in &proposed.order {
        let after = &proposed.rows[code];
        match snapshot.units.get(code) {
            None => pending.push(after),
            Some(before) if same(before, after) => plan.unchanged.push(code.clone()),
            Some(before) => plan.updated.push((before.clone(), after.clone())),
        }
    }
    plan.created = parents_first(pending)?;
    Ok(plan)
}

/// New units ordered so that each comes after its parent.
fn parents_first(mut pending: Vec<&UnitRow>) -> Result<Vec<UnitRow>, Vec<FieldError>> {
    let mut created = Vec::new();
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
        created.extend(ready.into_iter().cloned());
        pending = rest;
    }
    Ok(created)
}
