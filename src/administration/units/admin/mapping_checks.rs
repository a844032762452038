//! Step 3 of a change's checks (`plan`): its old → new mappings against the tree that would
//! result and the mappings stored.

use std::collections::{BTreeMap, HashMap};

use super::checks::{until, valid_on, Errors};
use super::{Change, Mapping, MappingChange, Snapshot};
use crate::store::models::UnitRow;

/// Checks the mappings of a change; the new ones to store, and how many are stored already.
pub(super) fn check_mappings<'a>(
    snapshot: &Snapshot,
    change: &'a Change,
    proposed: &BTreeMap<String, UnitRow>,
    errors: &mut Errors,
) -> (Vec<&'a MappingChange>, usize) {
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
        let ok = check_units(mc, proposed, errors);
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
        check_dates(mc, &proposed[&m.old], &proposed[&m.new], errors);
        if stored.is_none() {
            graph.insert(m.old.clone(), m.new.clone());
            new_mappings.push(mc);
        }
    }
    check_cycles(&graph, &new_mappings, errors);
    (new_mappings, mappings_unchanged)
}

/// Both units exist (in the tree that would result) and differ.
fn check_units(
    mc: &MappingChange,
    proposed: &BTreeMap<String, UnitRow>,
    errors: &mut Errors,
) -> bool {
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
    ok
}

/// The old unit is closed by `effective`, the new one exists on that day.
fn check_dates(mc: &MappingChange, old: &UnitRow, new: &UnitRow, errors: &mut Errors) {
    let m = &mc.mapping;
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
}

/// No chain of mappings (stored and new, `graph`: old → new) leads a new mapping back to its old
/// unit.
fn check_cycles(
    graph: &HashMap<String, String>,
    new_mappings: &[&MappingChange],
    errors: &mut Errors,
) {
    for mc in new_mappings {
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
}
