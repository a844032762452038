//! The tree checks of a change and what it would write.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;

use super::checks::{check_spec, same, until, valid_on, Errors};
use super::{field, Change, Mapping, MappingChange, Plan, Snapshot, UnitChange};
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
