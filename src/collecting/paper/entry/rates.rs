//! How often each operator's entries disagree with a second operator's (docs/paper.md): per
//! operator, the sheets entered, those of double entry that got their second entry, and how many
//! of those went to the supervisor (disputed, or reconciled since).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::SheetState;

/// One entry, with what is known of its sheet.
#[derive(Debug, Clone)]
pub struct EntryFact {
    pub operator: String,
    pub sheet: String,
    pub state: SheetState,
    pub double_entry: bool,
}

/// One operator's figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OperatorRate {
    /// The operator's username.
    pub operator: String,
    /// Sheets this operator entered.
    pub entered: u64,
    /// Of those, sheets of double-entry batches that have both entries.
    pub compared: u64,
    /// Of those, sheets whose two entries differed (disputed, or reconciled since).
    pub disagreements: u64,
    /// `disagreements / compared` as a percentage (2 decimals); `null` when nothing was compared.
    pub disagreement_rate: Option<f64>,
}

/// The figures per operator of `facts` (username order). `all_entries` gives, per sheet, how many
/// entries it has in all (also those outside the selection).
pub fn operator_rates(
    facts: &[EntryFact],
    all_entries: &HashMap<String, u64>,
) -> Vec<OperatorRate> {
    let mut by_operator: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for fact in facts {
        let counts = by_operator.entry(&fact.operator).or_default();
        counts.0 += 1;
        let both = all_entries.get(&fact.sheet).copied().unwrap_or(1) >= 2;
        if fact.double_entry && both {
            counts.1 += 1;
            if matches!(fact.state, SheetState::Disputed | SheetState::Reconciled) {
                counts.2 += 1;
            }
        }
    }
    by_operator
        .into_iter()
        .map(
            |(operator, (entered, compared, disagreements))| OperatorRate {
                operator: operator.to_string(),
                entered,
                compared,
                disagreements,
                disagreement_rate: (compared > 0)
                    .then(|| (disagreements as f64 * 10_000.0 / compared as f64).round() / 100.0),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(operator: &str, sheet: &str, state: SheetState, double_entry: bool) -> EntryFact {
        EntryFact {
            operator: operator.into(),
            sheet: sheet.into(),
            state,
            double_entry,
        }
    }

    #[test]
    fn rates_count_compared_sheets_only() {
        use SheetState::*;
        let facts = [
            fact("an", "s1", Agreed, true),
            fact("binh", "s1", Agreed, true),
            fact("an", "s2", Disputed, true),
            fact("binh", "s2", Disputed, true),
            fact("an", "s3", Reconciled, true),
            fact("chi", "s3", Reconciled, true),
            fact("an", "s4", Waiting, true),
            fact("an", "s5", Agreed, false),
        ];
        let mut all = HashMap::new();
        for (sheet, n) in [("s1", 2), ("s2", 2), ("s3", 2), ("s4", 1), ("s5", 1)] {
            all.insert(sheet.to_string(), n);
        }
        let rates = operator_rates(&facts, &all);
        let an = &rates[0];
        assert_eq!(
            (
                an.operator.as_str(),
                an.entered,
                an.compared,
                an.disagreements
            ),
            ("an", 5, 3, 2)
        );
        assert_eq!(an.disagreement_rate, Some(66.67));
        assert_eq!(rates[1].disagreement_rate, Some(50.0));
        assert_eq!(rates[2].operator, "chi");
        assert_eq!(rates[2].disagreement_rate, Some(100.0));
        assert!(operator_rates(&facts[6..], &all)[0]
            .disagreement_rate
            .is_none());
    }
}
