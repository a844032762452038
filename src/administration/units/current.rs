//! Today's tree: where each unit that ever existed stands in the tree of today, through the old →
//! new mappings of administrative reforms (e.g. the 2025 mergers of communes).
//!
//! - A unit's **place** is the end of its mapping chain (old → new → newer …, following only
//!   mappings already in effect today). For a unit that still exists, that is the unit itself.
//! - Today's tree holds the units valid today, each under its nearest ancestor that is valid today
//!   (its stored parent, unless that was closed: then the parent's own place, and so on up).
//! - A closed unit without a successor (e.g. a district abolished, its one-stop office closed)
//!   stays its own place, hung under its nearest ancestor valid today, so that its past responses
//!   still count in that ancestor's reports. It is not selectable as a report's unit (it is not in
//!   today's tree), only visible as a group.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{Mapping, Unit};

/// Today's tree and the place of every stored unit in it.
#[derive(Debug, Clone, Default)]
pub struct CurrentTree {
    /// Units valid today, plus closed units without a successor, with their parents in today's
    /// tree.
    pub units: Vec<Unit>,
    /// Every stored unit's place in today's tree (itself for units valid today).
    pub place: HashMap<String, String>,
}

/// Builds today's tree from every stored unit and mapping.
pub fn current_tree(units: &[Unit], mappings: &[Mapping], today: NaiveDate) -> CurrentTree {
    let by_code: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let successor: HashMap<&str, &str> = mappings
        .iter()
        .filter(|m| m.effective <= today && by_code.contains_key(m.new.as_str()))
        .map(|m| (m.old.as_str(), m.new.as_str()))
        .collect();
    // The end of a mapping chain (a cycle, which validation refuses, stops where it closes).
    let terminal = |code: &str| -> String {
        let mut at = code;
        let mut seen = HashSet::from([code]);
        while let Some(&next) = successor.get(at) {
            if !seen.insert(next) {
                break;
            }
            at = next;
        }
        at.to_string()
    };
    let open = |code: &str| by_code.get(code).is_some_and(|u| u.is_valid_on(today));
    // The nearest unit valid today at or above `start` (walking places and parents).
    let climb = |start: Option<&str>| -> Option<String> {
        let mut at = start.map(str::to_string);
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(code) = at {
            let placed = terminal(&code);
            if !seen.insert(placed.clone()) {
                return None;
            }
            if open(&placed) {
                return Some(placed);
            }
            at = by_code.get(placed.as_str()).and_then(|u| u.parent.clone());
        }
        None
    };
    let place: HashMap<String, String> = units
        .iter()
        .map(|u| (u.code.clone(), terminal(&u.code)))
        .collect();
    let mut out: Vec<Unit> = units
        .iter()
        .filter(|u| place.get(&u.code) == Some(&u.code))
        .map(|u| Unit {
            parent: climb(u.parent.as_deref()).filter(|p| p != &u.code),
            ..u.clone()
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    CurrentTree { units: out, place }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn unit(code: &str, parent: Option<&str>, from: &str, to: Option<&str>) -> Unit {
        Unit {
            code: code.into(),
            name: code.to_uppercase(),
            level: "xa".into(),
            parent: parent.map(Into::into),
            valid_from: d(from),
            valid_to: to.map(d),
            population: None,
        }
    }

    fn map(old: &str, new: &str, effective: &str) -> Mapping {
        Mapping {
            old: old.into(),
            new: new.into(),
            effective: d(effective),
        }
    }

    fn reform() -> (Vec<Unit>, Vec<Mapping>) {
        let units = vec![
            unit("tinh", None, "2000-01-01", None),
            unit("huyen", Some("tinh"), "2000-01-01", Some("2025-07-01")),
            unit("mc", Some("huyen"), "2000-01-01", Some("2025-07-01")),
            unit("a", Some("huyen"), "2000-01-01", Some("2025-07-01")),
            unit("b", Some("huyen"), "2000-01-01", Some("2025-07-01")),
            unit("kept", Some("tinh"), "2000-01-01", None),
            unit("ab", Some("tinh"), "2025-07-01", Some("2026-01-01")),
            unit("abc", Some("tinh"), "2026-01-01", None),
        ];
        let mappings = vec![
            map("a", "ab", "2025-07-01"),
            map("b", "ab", "2025-07-01"),
            map("ab", "abc", "2026-01-01"),
        ];
        (units, mappings)
    }

    #[test]
    fn chains_end_in_todays_unit() {
        let (units, mappings) = reform();
        let t = current_tree(&units, &mappings, d("2026-06-01"));
        assert_eq!(t.place["a"], "abc");
        assert_eq!(t.place["ab"], "abc");
        assert_eq!(t.place["kept"], "kept");
        // Before the second step, the first one only.
        let t = current_tree(&units, &mappings, d("2025-08-01"));
        assert_eq!(t.place["a"], "ab");
    }

    #[test]
    fn closed_units_without_successor_hang_under_the_nearest_open_ancestor() {
        let (units, mappings) = reform();
        let t = current_tree(&units, &mappings, d("2026-06-01"));
        let codes: Vec<&str> = t.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, ["abc", "huyen", "kept", "mc", "tinh"]);
        let parent = |c: &str| t.units.iter().find(|u| u.code == c).unwrap().parent.clone();
        assert_eq!(parent("mc").as_deref(), Some("tinh"));
        assert_eq!(parent("huyen").as_deref(), Some("tinh"));
        assert_eq!(parent("abc").as_deref(), Some("tinh"));
        assert_eq!(parent("tinh"), None);
    }

    #[test]
    fn a_cycle_does_not_hang() {
        let units = vec![
            unit("a", None, "2000-01-01", Some("2020-01-01")),
            unit("b", None, "2000-01-01", Some("2020-01-01")),
        ];
        let t = current_tree(
            &units,
            &[map("a", "b", "2020-01-01"), map("b", "a", "2020-01-01")],
            d("2026-01-01"),
        );
        assert_eq!(t.place.len(), 2);
    }
}
