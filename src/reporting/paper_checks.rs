//! The numbers of a paper campaign (docs/paper.md): the error rate of the re-checked sheets per
//! printed batch and per operator (with a Wilson 95 % interval, docs/method.md §7), and the
//! response rate per unit (printed, returned, stored, pending, checked). Pure: the store reads the
//! rows, this counts them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::analytics::stats::wilson_interval;

/// One re-checked sheet, as the error rates count it.
#[derive(Debug, Clone)]
pub struct CheckedSheet {
    pub sheet: String,
    pub batch_id: String,
    pub wrong: bool,
    /// Who entered the sheet (one or two operators).
    pub operators: Vec<String>,
    /// Of those, whose entry differed from the corrected sheet (empty when correct).
    pub faulty: Vec<String>,
    pub checked_at: chrono::NaiveDateTime,
}

/// Checked, wrong, the rate in percent and its Wilson 95 % interval (none when nothing checked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rate {
    pub checked: u64,
    pub wrong: u64,
    pub rate_percent: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

impl Rate {
    fn add(&mut self, wrong: bool) {
        self.checked += 1;
        self.wrong += u64::from(wrong);
    }

    fn finish(mut self) -> Rate {
        if self.checked > 0 {
            let n = self.checked as f64;
            let p = self.wrong as f64 / n;
            self.rate_percent = Some(100.0 * p);
            if let Some((low, high)) = wilson_interval(p, n) {
                self.ci_low = Some(low);
                self.ci_high = Some(high);
            }
        }
        self
    }
}

/// The error rates of a form's re-checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErrorRates {
    /// Every checked sheet once (its latest check).
    pub total: Rate,
    /// By printed batch id, in id order.
    pub by_batch: BTreeMap<String, Rate>,
    /// By operator (username): the checked sheets they entered, and those where their own entry
    /// differed from the corrected sheet.
    pub by_operator: BTreeMap<String, Rate>,
}

/// Counts the error rates; a sheet checked in several samples counts once, by its latest check.
pub fn error_rates(checks: &[CheckedSheet]) -> ErrorRates {
    let mut latest: HashMap<&str, &CheckedSheet> = HashMap::new();
    for c in checks {
        let keep = latest
            .get(c.sheet.as_str())
            .is_none_or(|seen| seen.checked_at <= c.checked_at);
        if keep {
            latest.insert(&c.sheet, c);
        }
    }
    let mut out = ErrorRates::default();
    for c in latest.values() {
        out.total.add(c.wrong);
        out.by_batch
            .entry(c.batch_id.clone())
            .or_default()
            .add(c.wrong);
        let operators: BTreeSet<&String> = c.operators.iter().collect();
        for op in operators {
            let faulty = c.wrong && c.faulty.contains(op);
            out.by_operator.entry(op.clone()).or_default().add(faulty);
        }
    }
    out.total = out.total.finish();
    out.by_batch = out
        .by_batch
        .into_iter()
        .map(|(k, r)| (k, r.finish()))
        .collect();
    out.by_operator = out
        .by_operator
        .into_iter()
        .map(|(k, r)| (k, r.finish()))
        .collect();
    out
}

/// A printed batch, as the progress counts it.
#[derive(Debug, Clone)]
pub struct PrintedBatch {
    pub id: String,
    pub unit: String,
    pub sheets: u64,
}

/// An entered sheet: its batch and state (`waiting`, `disputed`, `agreed`, `reconciled`).
#[derive(Debug, Clone)]
pub struct EnteredSheet {
    pub sheet: String,
    pub batch_id: String,
    pub state: String,
}

/// One row of the progress table (a unit, or the totals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    /// The unit's code (`None` on the totals row).
    pub unit: Option<String>,
    /// The unit's name (`Tổng cộng` on the totals row).
    pub name: String,
    /// Sheets printed: the sum of the unit's batch sizes.
    pub printed: u64,
    /// Sheets entered at least once.
    pub returned: u64,
    /// Agreed or reconciled: stored as responses.
    pub stored: u64,
    /// Waiting for a second entry, or disputed.
    pub pending: u64,
    /// In a re-check sample, with an outcome.
    pub checked: u64,
    /// returned / printed, in percent (none when nothing printed).
    pub returned_percent: Option<f64>,
    /// stored / printed, in percent.
    pub stored_percent: Option<f64>,
}

impl ProgressRow {
    fn finish(mut self) -> ProgressRow {
        let share =
            |part: u64| (self.printed > 0).then(|| 100.0 * part as f64 / self.printed as f64);
        self.returned_percent = share(self.returned);
        self.stored_percent = share(self.stored);
        self
    }

    fn add(&mut self, other: &ProgressRow) {
        self.printed += other.printed;
        self.returned += other.returned;
        self.stored += other.stored;
        self.pending += other.pending;
        self.checked += other.checked;
    }
}

/// The progress of a form per unit (in unit-name order), then the totals row. `checked`: the
/// sheets with an outcome; `names`: unit code → name.
pub fn progress(
    batches: &[PrintedBatch],
    sheets: &[EnteredSheet],
    checked: &BTreeSet<String>,
    names: &HashMap<String, String>,
) -> (Vec<ProgressRow>, ProgressRow) {
    let mut rows: BTreeMap<&str, ProgressRow> = BTreeMap::new();
    let unit_of: HashMap<&str, &str> = batches
        .iter()
        .map(|b| (b.id.as_str(), b.unit.as_str()))
        .collect();
    for b in batches {
        rows.entry(&b.unit).or_default().printed += b.sheets;
    }
    for s in sheets {
        let Some(unit) = unit_of.get(s.batch_id.as_str()) else {
            continue;
        };
        let row = rows.entry(unit).or_default();
        row.returned += 1;
        match s.state.as_str() {
            "agreed" | "reconciled" => row.stored += 1,
            _ => row.pending += 1,
        }
        row.checked += u64::from(checked.contains(&s.sheet));
    }
    let mut total = ProgressRow {
        name: "Tổng cộng".to_string(),
        ..ProgressRow::default()
    };
    let mut out: Vec<ProgressRow> = rows
        .into_iter()
        .map(|(unit, mut row)| {
            total.add(&row);
            row.name = names.get(unit).cloned().unwrap_or_else(|| unit.to_string());
            row.unit = Some(unit.to_string());
            row.finish()
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.unit.cmp(&b.unit)));
    (out, total.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(9, minute, 0))
            .unwrap()
    }

    fn check(sheet: &str, batch: &str, ops: &[&str], faulty: &[&str], minute: u32) -> CheckedSheet {
        CheckedSheet {
            sheet: sheet.into(),
            batch_id: batch.into(),
            wrong: !faulty.is_empty() || sheet.ends_with('w'),
            operators: ops.iter().map(|s| s.to_string()).collect(),
            faulty: faulty.iter().map(|s| s.to_string()).collect(),
            checked_at: at(minute),
        }
    }

    #[test]
    fn error_rates_per_batch_and_operator() {
        let checks = [
            check("a1", "b1", &["an", "binh"], &[], 1),
            check("a2", "b1", &["an", "binh"], &["an"], 2),
            check("a3", "b1", &["an", "binh"], &["an", "binh"], 3),
            check("c1", "b2", &["chi"], &["chi"], 4),
            // Checked again later: only the later check counts.
            check("c1", "b2", &["chi"], &[], 5),
            // Wrong, but both entries agreed with the correction (the reconciliation was wrong).
            check("c2w", "b2", &["an", "chi"], &[], 6),
        ];
        let rates = error_rates(&checks);
        assert_eq!((rates.total.checked, rates.total.wrong), (5, 3));
        assert_eq!(
            (rates.by_batch["b1"].checked, rates.by_batch["b1"].wrong),
            (3, 2)
        );
        assert_eq!(
            (rates.by_batch["b2"].checked, rates.by_batch["b2"].wrong),
            (2, 1)
        );
        assert_eq!(
            (
                rates.by_operator["an"].checked,
                rates.by_operator["an"].wrong
            ),
            (4, 2)
        );
        assert_eq!(
            (
                rates.by_operator["binh"].checked,
                rates.by_operator["binh"].wrong
            ),
            (3, 1)
        );
        assert_eq!(
            (
                rates.by_operator["chi"].checked,
                rates.by_operator["chi"].wrong
            ),
            (2, 0)
        );
        let b1 = &rates.by_batch["b1"];
        assert!((b1.rate_percent.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        let (low, high) = (b1.ci_low.unwrap(), b1.ci_high.unwrap());
        assert!(
            low < 66.7 && high > 66.6 && low > 0.0 && high < 100.0,
            "{low} {high}"
        );
        assert_eq!(error_rates(&[]).total.rate_percent, None);
    }

    #[test]
    fn progress_per_unit_with_totals() {
        let batches = [
            PrintedBatch {
                id: "b1".into(),
                unit: "u1".into(),
                sheets: 10,
            },
            PrintedBatch {
                id: "b2".into(),
                unit: "u1".into(),
                sheets: 10,
            },
            PrintedBatch {
                id: "b3".into(),
                unit: "u2".into(),
                sheets: 5,
            },
        ];
        let sheet = |s: &str, b: &str, st: &str| EnteredSheet {
            sheet: s.into(),
            batch_id: b.into(),
            state: st.into(),
        };
        let sheets = [
            sheet("u1-1", "b1", "agreed"),
            sheet("u1-2", "b1", "waiting"),
            sheet("u1-11", "b2", "reconciled"),
            sheet("u1-12", "b2", "disputed"),
            sheet("u2-1", "b3", "agreed"),
        ];
        let checked: BTreeSet<String> = ["u1-1".to_string()].into();
        let names: HashMap<String, String> = [
            ("u1".to_string(), "Xã B".to_string()),
            ("u2".to_string(), "Xã A".to_string()),
        ]
        .into();
        let (rows, total) = progress(&batches, &sheets, &checked, &names);
        assert_eq!(rows[0].name, "Xã A");
        let u1 = &rows[1];
        assert_eq!(
            (u1.printed, u1.returned, u1.stored, u1.pending, u1.checked),
            (20, 4, 2, 2, 1)
        );
        assert_eq!(u1.returned_percent, Some(20.0));
        assert_eq!(u1.stored_percent, Some(10.0));
        assert_eq!(
            (total.printed, total.returned, total.stored, total.pending),
            (25, 5, 3, 2)
        );
        assert_eq!(total.stored_percent, Some(12.0));
        assert_eq!(total.unit, None);
    }
}
