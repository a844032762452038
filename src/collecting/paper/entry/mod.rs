//! Entering paper sheets (docs/paper.md "Nhập phiếu"): the state of a sheet in double entry, the
//! decision an operator's entry leads to, and the comparison of two entries. Pure: the service
//! (`service::paper::entry`, `service::paper::reconcile`) reads and writes the tables.

mod digits;
mod rates;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use digits::{
    answers_from_digits, digit_of, digit_text, parse_sheet_and_date, parse_survey_date,
};
pub use rates::{operator_rates, EntryFact, OperatorRate};

/// Where a sheet is in double entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SheetState {
    /// One entry of two: waits for a second operator.
    Waiting,
    /// Two entries that differ: waits for the supervisor.
    Disputed,
    /// Two equal entries, or the one entry of a single-entry batch: a response.
    Agreed,
    /// The supervisor decided between two entries: a response.
    Reconciled,
}

impl SheetState {
    pub const ALL: [SheetState; 4] = [
        SheetState::Waiting,
        SheetState::Disputed,
        SheetState::Agreed,
        SheetState::Reconciled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SheetState::Waiting => "waiting",
            SheetState::Disputed => "disputed",
            SheetState::Agreed => "agreed",
            SheetState::Reconciled => "reconciled",
        }
    }

    /// Whether the sheet is a stored response (never a pending one).
    pub fn is_stored(self) -> bool {
        matches!(self, SheetState::Agreed | SheetState::Reconciled)
    }

    /// The state in Vietnamese, for pages.
    pub fn label(self) -> &'static str {
        match self {
            SheetState::Waiting => "Chờ nhập lần hai",
            SheetState::Disputed => "Hai lần nhập khác nhau, chờ đối chiếu",
            SheetState::Agreed => "Đã khớp, đã lưu",
            SheetState::Reconciled => "Đã đối chiếu, đã lưu",
        }
    }
}

impl fmt::Display for SheetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SheetState {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        SheetState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or(())
    }
}

/// One operator's entry of a sheet, as stored: the survey date and the normalised answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    pub operator: String,
    pub survey_date: NaiveDate,
    /// The checked answers as canonical JSON (codes sorted, values normalised).
    pub answers: String,
}

impl Typed {
    /// Whether two entries say the same: same survey date, same answers after normalisation.
    pub fn agrees_with(&self, other: &Typed) -> bool {
        self.survey_date == other.survey_date && self.answers == other.answers
    }
}

/// Why an entry of a sheet is refused before its answers are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The sheet is already a response (agreed or reconciled).
    AlreadyStored,
    /// This operator already entered this sheet.
    AlreadyEntered,
    /// Two entries differ: the sheet waits for the supervisor, no third entry.
    Disputed,
}

/// What an admissible entry leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub state: SheetState,
    /// Whether the response is stored now (with the entry, in the same transaction).
    pub store: bool,
}

/// Whether `operator` may enter a sheet in `state` with these earlier entries.
pub fn admissible(
    state: Option<SheetState>,
    prior: &[Typed],
    operator: &str,
) -> Result<(), Refused> {
    if state.is_some_and(SheetState::is_stored) {
        return Err(Refused::AlreadyStored);
    }
    if prior.iter().any(|e| e.operator == operator) {
        return Err(Refused::AlreadyEntered);
    }
    if state == Some(SheetState::Disputed) || prior.len() >= 2 {
        return Err(Refused::Disputed);
    }
    Ok(())
}

/// The sheet's new state after `entry`: a single-entry batch stores the first entry; in double
/// entry the first waits, the second stores when both agree and is disputed otherwise.
pub fn decide(
    double_entry: bool,
    state: Option<SheetState>,
    prior: &[Typed],
    entry: &Typed,
) -> Result<Decision, Refused> {
    admissible(state, prior, &entry.operator)?;
    let stored = Decision {
        state: SheetState::Agreed,
        store: true,
    };
    if !double_entry {
        return Ok(stored);
    }
    Ok(match prior.first() {
        None => Decision {
            state: SheetState::Waiting,
            store: false,
        },
        Some(first) if first.agrees_with(entry) => stored,
        Some(_) => Decision {
            state: SheetState::Disputed,
            store: false,
        },
    })
}

/// The question codes whose answers differ between two entries' answer objects, in `order`
/// (the form's question order); codes answered in neither are equal.
pub fn differences(order: &[&str], a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<String> {
    order
        .iter()
        .filter(|code| a.get(**code) != b.get(**code))
        .map(|code| code.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn typed(operator: &str, day: u32, answers: &str) -> Typed {
        Typed {
            operator: operator.to_string(),
            survey_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            answers: answers.to_string(),
        }
    }

    #[test]
    fn single_entry_stores_at_once() {
        let d = decide(false, None, &[], &typed("an", 2, "{}")).unwrap();
        assert_eq!((d.state, d.store), (SheetState::Agreed, true));
    }

    #[test]
    fn double_entry_waits_then_agrees_or_disputes() {
        let first = typed("an", 2, r#"{"TC1":5}"#);
        let d = decide(true, None, &[], &first).unwrap();
        assert_eq!((d.state, d.store), (SheetState::Waiting, false));
        let prior = [first.clone()];
        let same = typed("binh", 2, r#"{"TC1":5}"#);
        let d = decide(true, Some(SheetState::Waiting), &prior, &same).unwrap();
        assert_eq!((d.state, d.store), (SheetState::Agreed, true));
        let other_answer = typed("binh", 2, r#"{"TC1":4}"#);
        let d = decide(true, Some(SheetState::Waiting), &prior, &other_answer).unwrap();
        assert_eq!((d.state, d.store), (SheetState::Disputed, false));
        let other_date = typed("binh", 3, r#"{"TC1":5}"#);
        let d = decide(true, Some(SheetState::Waiting), &prior, &other_date).unwrap();
        assert_eq!(d.state, SheetState::Disputed);
    }

    #[test]
    fn refusals_come_in_order() {
        let prior = [typed("an", 2, "{}"), typed("binh", 2, "{\"x\":1}")];
        let third = typed("chi", 2, "{}");
        let state = Some(SheetState::Disputed);
        assert_eq!(decide(true, state, &prior, &third), Err(Refused::Disputed));
        let again = typed("an", 2, "{}");
        assert_eq!(
            decide(true, state, &prior, &again),
            Err(Refused::AlreadyEntered)
        );
        for stored in [SheetState::Agreed, SheetState::Reconciled] {
            assert_eq!(
                decide(true, Some(stored), &prior, &third),
                Err(Refused::AlreadyStored)
            );
        }
        assert_eq!(
            decide(false, Some(SheetState::Agreed), &prior[..1], &third),
            Err(Refused::AlreadyStored)
        );
    }

    #[test]
    fn states_round_trip() {
        for s in SheetState::ALL {
            assert_eq!(s.as_str().parse::<SheetState>(), Ok(s));
        }
        assert!("done".parse::<SheetState>().is_err());
    }

    #[test]
    fn differences_follow_the_form_order() {
        let a = json!({"TC1": 5, "gioi_tinh": "nam", "TC2": 3});
        let b = json!({"TC1": 4, "gioi_tinh": "nam"});
        let order = ["gioi_tinh", "TC1", "TC2", "TC3"];
        let diff = differences(&order, a.as_object().unwrap(), b.as_object().unwrap());
        assert_eq!(diff, ["TC1", "TC2"]);
    }
}
