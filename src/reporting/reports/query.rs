//! What a report asks for: parsed from the query string, checked against the form.

use chrono::NaiveDate;

use super::ReportError;
use crate::forms::Form;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Year,
    Quarter,
    Month,
}

impl PeriodKind {
    /// The key of a local (year, month): `2024`, `2024-Q2`, `2024-05`.
    pub fn key(self, year: i32, month: i32) -> String {
        match self {
            PeriodKind::Year => format!("{year}"),
            PeriodKind::Quarter => format!("{year}-Q{}", (month - 1) / 3 + 1),
            PeriodKind::Month => format!("{year}-{month:02}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// The children of the selected unit, each pooling its whole subtree.
    Unit,
    Period(PeriodKind),
    Channel,
    /// A respondent (choice) question of the form, e.g. `gioi_tinh`.
    Question(String),
}

impl GroupBy {
    /// The name used in group keys: `{"unit": …}`, `{"period": …}`, `{"gioi_tinh": …}`.
    pub fn key_name(&self) -> &str {
        match self {
            GroupBy::Unit => "unit",
            GroupBy::Period(_) => "period",
            GroupBy::Channel => "channel",
            GroupBy::Question(code) => code,
        }
    }
}

/// Which tree a report reads units in (`tree=` in the query; see `load::Scope`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TreeKind {
    /// The tree as stored: each response counts for the unit valid when it was given.
    #[default]
    AsGiven,
    /// Today's tree: each response counts for the unit that took its unit over.
    Current,
}

impl TreeKind {
    pub fn parse(value: Option<&str>) -> Result<TreeKind, ReportError> {
        match value {
            None | Some("") | Some("as_given") => Ok(TreeKind::AsGiven),
            Some("current") => Ok(TreeKind::Current),
            Some(other) => Err(ReportError::bad_query(
                format!("tree phải là as_given (như khi trả lời) hoặc current (địa giới hiện nay), không phải \"{other}\""),
                format!("tree must be as_given or current, not \"{other}\""),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TreeKind::AsGiven => "as_given",
            TreeKind::Current => "current",
        }
    }
}

/// The `tree` parameter of reports, charts and exports.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// `as_given` (default): each response counts for the unit it was given to, in the tree as
    /// stored. `current`: today's tree — responses of units closed by a reform count for the unit
    /// that took them over (old → new mappings), `unit` and `group_by=unit` use today's units
    /// and parents (exports: the `unit` column too).
    pub tree: Option<String>,
}

impl TreeQuery {
    pub fn kind(&self) -> Result<TreeKind, ReportError> {
        TreeKind::parse(self.tree.as_deref())
    }
}

/// A parsed report request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportQuery {
    pub unit: Option<String>,
    /// Local dates; `to` is exclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub group_by: Option<GroupBy>,
}

/// The raw query parameters.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawReportQuery {
    /// Unit code; default: the root of the tree. A unit pools all responses of its subtree.
    pub unit: Option<String>,
    /// First local date (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Last local date (YYYY-MM-DD), exclusive.
    pub to: Option<String>,
    /// `unit`, `period`, `channel`, or a respondent question code such as `gioi_tinh`.
    pub group_by: Option<String>,
    /// With `group_by=period`: `year` (default), `quarter` or `month`.
    pub period: Option<String>,
}

fn date(name: &str, value: &str) -> Result<NaiveDate, ReportError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        let vi_name = if name == "from" { "Từ ngày" } else { "Đến ngày" };
        ReportError::bad_query(
            format!("{vi_name} ({name}) phải là một ngày dạng NNNN-TT-NN (ví dụ 2024-01-31), không phải \"{value}\""),
            format!("{name} must be a date YYYY-MM-DD, not \"{value}\""),
        )
    })
}

/// `period` other than year, quarter or month.
pub fn bad_period(other: &str) -> ReportError {
    ReportError::bad_query(
        format!("Kỳ (period) phải là year (năm), quarter (quý) hoặc month (tháng), không phải \"{other}\""),
        format!("period must be year, quarter or month, not \"{other}\""),
    )
}

impl RawReportQuery {
    /// The dashboard's form always sends its "Kỳ" select: `period` counts only with a period
    /// grouping there (the API refuses it elsewhere, see [`RawReportQuery::parse`]).
    pub fn without_stray_period(mut self) -> Self {
        if self.group_by.as_deref() != Some("period") {
            self.period = None;
        }
        self
    }

    pub fn parse(&self, form: &Form) -> Result<ReportQuery, ReportError> {
        let from = self
            .from
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|v| date("from", v))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|v| date("to", v))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(ReportError::bad_query(
                    format!("Từ ngày ({f}) phải trước Đến ngày ({t}); ngày cuối không được tính"),
                    format!("from ({f}) must be before to ({t}); to is exclusive"),
                ));
            }
        }
        let period = match self.period.as_deref() {
            None | Some("") | Some("year") => PeriodKind::Year,
            Some("quarter") => PeriodKind::Quarter,
            Some("month") => PeriodKind::Month,
            Some(other) => return Err(bad_period(other)),
        };
        let group_by = match self.group_by.as_deref() {
            None | Some("") => None,
            Some("unit") => Some(GroupBy::Unit),
            Some("period") => Some(GroupBy::Period(period)),
            Some("channel") => Some(GroupBy::Channel),
            Some(code) if form.question(code).is_some() => Some(GroupBy::Question(code.to_string())),
            Some(other) => {
                return Err(ReportError::bad_query(
                    format!("Nhóm theo (group_by) phải là unit (đơn vị), period (kỳ), channel (kênh) hoặc một câu hỏi về người trả lời của phiếu này, không phải \"{other}\""),
                    format!("group_by must be unit, period, channel or a respondent question of this form, not \"{other}\""),
                ))
            }
        };
        if self.period.as_deref().is_some_and(|p| !p.is_empty())
            && !matches!(group_by, Some(GroupBy::Period(_)))
        {
            return Err(ReportError::bad_query(
                "Kỳ (period) chỉ dùng khi nhóm theo kỳ (group_by=period)",
                "period goes with group_by=period",
            ));
        }
        let unit = self.unit.clone().filter(|u| !u.is_empty());
        Ok(ReportQuery {
            unit,
            from,
            to,
            group_by,
        })
    }
}
