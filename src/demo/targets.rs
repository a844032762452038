//! The units and days `sipas demo` gives responses to.

use chrono::{Datelike, Months, NaiveDate, Weekday};

use super::model::{PROFILES, YEARS};
use crate::administration::units::{parse_tree, DEFAULT_TREE};
use crate::store::models::UnitRow;
use crate::store::{self};

/// A unit responses are generated for.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoUnit {
    pub code: String,
    /// The district's one-stop office (rather than a commune or town).
    pub office: bool,
    pub(super) traffic: f64,
    pub(super) base: f64,
    pub(super) trend: f64,
    pub(super) pakn_rate: f64,
}

/// The units of the default tree that take responses: communes and towns (`xa`) and one-stop
/// offices (`mot_cua`), with their profiles.
pub fn default_units() -> Vec<DemoUnit> {
    let rows = parse_tree(DEFAULT_TREE, store::now_utc()).unwrap_or_default();
    demo_units(&rows)
}

pub(super) fn demo_units(rows: &[UnitRow]) -> Vec<DemoUnit> {
    rows.iter()
        .filter(|r| r.level == "xa" || r.level == "mot_cua")
        .map(|r| {
            let (traffic, base, trend, pakn_rate) = PROFILES
                .iter()
                .find(|p| p.0 == r.code)
                .map_or((1.0, 0.0, 0.0, 0.2), |p| (p.1, p.2, p.3, p.4));
            DemoUnit {
                code: r.code.clone(),
                office: r.level == "mot_cua",
                traffic,
                base,
                trend,
                pakn_rate,
            }
        })
        .collect()
}

/// Days that take responses: working days from `YEARS` years before `today` up to yesterday.
pub(super) fn working_days(today: NaiveDate) -> (NaiveDate, Vec<NaiveDate>) {
    let start = today
        .checked_sub_months(Months::new(12 * YEARS))
        .unwrap_or(today);
    let days = start
        .iter_days()
        .take_while(|d| *d < today)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|d| !matches!((d.month(), d.day()), (1, 1) | (4, 30) | (5, 1) | (9, 2)))
        .collect();
    (start, days)
}
