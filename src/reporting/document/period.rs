//! The period of a báo cáo in words ("năm 2024", "quý II năm 2024"), and the period it is
//! compared with: the same period a year earlier (cùng kỳ năm trước) when it is at most a year
//! long, else the period of the same length just before it.

use chrono::{Datelike, Months, NaiveDate, TimeDelta};

/// A reported period of local dates: `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

const QUARTERS: [&str; 4] = ["I", "II", "III", "IV"];

/// "05/01/2024".
pub fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Period {
    /// The period `from`..`to`; `None` unless `from` is before `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Option<Period> {
        (from < to).then_some(Period { from, to })
    }

    fn months_later(d: NaiveDate, months: u32) -> Option<NaiveDate> {
        d.checked_add_months(Months::new(months))
    }

    /// Whether the period is `months` whole calendar months from the first of a month.
    fn is_months(&self, months: u32) -> bool {
        self.from.day() == 1 && Self::months_later(self.from, months) == Some(self.to)
    }

    /// The last day of the period (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        self.to - TimeDelta::days(1)
    }

    /// "năm 2024", "quý II năm 2024", "6 tháng đầu năm 2024", "6 tháng cuối năm 2024",
    /// "tháng 3 năm 2024", else "từ ngày 05/01/2024 đến ngày 20/02/2024".
    pub fn words(&self) -> String {
        let (y, m) = (self.from.year(), self.from.month());
        if self.is_months(12) && m == 1 {
            return format!("năm {y}");
        }
        if self.is_months(6) && (m == 1 || m == 7) {
            let half = if m == 1 { "đầu" } else { "cuối" };
            return format!("6 tháng {half} năm {y}");
        }
        if self.is_months(3) && (m - 1) % 3 == 0 {
            return format!("quý {} năm {y}", QUARTERS[((m - 1) / 3) as usize]);
        }
        if self.is_months(1) {
            return format!("tháng {m} năm {y}");
        }
        format!(
            "từ ngày {} đến ngày {}",
            date_vi(self.from),
            date_vi(self.last_day())
        )
    }

    /// Whether the period lasts at most a year.
    fn within_a_year(&self) -> bool {
        Self::months_later(self.from, 12).is_some_and(|a_year| self.to <= a_year)
    }

    /// The period compared with: a year earlier when this one lasts at most a year (cùng kỳ),
    /// else the one of the same length just before it.
    pub fn previous(&self) -> Option<Period> {
        if self.within_a_year() {
            let back = |d: NaiveDate| d.checked_sub_months(Months::new(12));
            return Period::new(back(self.from)?, back(self.to)?);
        }
        let length = self.to - self.from;
        Period::new(self.from.checked_sub_signed(length)?, self.from)
    }

    /// How the previous period is named in a sentence: "cùng kỳ năm trước (năm 2023)" or
    /// "kỳ trước (từ ngày … đến ngày …)".
    pub fn previous_words(&self) -> String {
        match self.previous() {
            Some(p) if self.within_a_year() => format!("cùng kỳ năm trước ({})", p.words()),
            Some(p) => format!("kỳ trước ({})", p.words()),
            None => "kỳ trước".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(from: &str, to: &str) -> Period {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Period::new(d(from), d(to)).unwrap()
    }

    #[test]
    fn names_years_halves_quarters_months_and_other_spans() {
        assert_eq!(period("2024-01-01", "2025-01-01").words(), "năm 2024");
        assert_eq!(
            period("2024-07-01", "2025-01-01").words(),
            "6 tháng cuối năm 2024"
        );
        assert_eq!(
            period("2024-01-01", "2024-07-01").words(),
            "6 tháng đầu năm 2024"
        );
        assert_eq!(
            period("2024-04-01", "2024-07-01").words(),
            "quý II năm 2024"
        );
        assert_eq!(
            period("2024-10-01", "2025-01-01").words(),
            "quý IV năm 2024"
        );
        assert_eq!(
            period("2024-03-01", "2024-04-01").words(),
            "tháng 3 năm 2024"
        );
        assert_eq!(
            period("2024-02-01", "2024-05-01").words(),
            "từ ngày 01/02/2024 đến ngày 30/04/2024"
        );
    }

    #[test]
    fn compares_with_the_same_period_a_year_earlier_or_the_span_before() {
        let q2 = period("2024-04-01", "2024-07-01");
        assert_eq!(q2.previous(), Some(period("2023-04-01", "2023-07-01")));
        assert_eq!(q2.previous_words(), "cùng kỳ năm trước (quý II năm 2023)");
        let two_years = period("2023-01-01", "2025-01-01");
        assert_eq!(
            two_years.previous(),
            Some(period("2020-12-31", "2023-01-01"))
        );
        assert!(two_years.previous_words().starts_with("kỳ trước ("));
        // 29 February moves to 28 February.
        let leap = period("2024-02-29", "2024-03-01");
        assert_eq!(leap.previous(), Some(period("2023-02-28", "2023-03-01")));
    }
}
