//! The báo cáo: the reports of one selection that a written report needs (the selection, its
//! units ranked, by quarter and by channel, the same selection in the previous period, and the
//! delegates' survey where there is one), the text written from them ([`narrative`]) and the Word
//! document ([`word`]). `sipas report` (both the folder and `--format docx`) and
//! `GET /api/v1/reports/{form_id}/bao-cao.docx` compute the same [`ReportSet`], so the HTML folder
//! and the Word file say the same (docs/reports.md).

pub mod assessment;
pub mod letterhead;
pub mod narrative;
pub mod period;
pub mod word;

use std::collections::HashMap;

use crate::forms::Form;
use crate::reporting::reports::{GroupBy, PeriodKind, ReportError, ReportOut, ReportQuery, Tree};
pub use letterhead::Letterhead;
pub use period::Period;

/// The delegates' and leaders' survey (an invitation-only form) over the same selection.
pub struct DelegatesPart {
    pub form: Form,
    pub report: ReportOut,
}

/// Every report a báo cáo is written from. All are of the same unit and period except
/// `previous` (the period before) and `delegates` (another form).
pub struct ReportSet {
    pub period: Period,
    /// The selection, ungrouped.
    pub report: ReportOut,
    /// The units that serve citizens under the selected unit, ranked.
    pub by_unit: ReportOut,
    /// By quarter.
    pub trend: ReportOut,
    /// By channel (kiosk, phone, paper, …).
    pub by_channel: ReportOut,
    /// The same unit in [`Period::previous`], ungrouped; `None` when that period cannot be
    /// formed.
    pub previous: Option<ReportOut>,
    pub delegates: Option<DelegatesPart>,
    /// The units that serve citizens under the selection and exist in the period (codes), with
    /// or without responses.
    pub served: Vec<String>,
    /// Unit code → name, for labels.
    pub unit_names: HashMap<String, String>,
}

impl ReportSet {
    /// The unit's name ("Huyện Tuy Phước"), or "toàn bộ các đơn vị" without a unit.
    pub fn unit_name(&self) -> String {
        self.report
            .selection
            .unit_name
            .clone()
            .unwrap_or_else(|| "toàn bộ các đơn vị".to_string())
    }

    /// The name of a unit code (the code itself when unknown).
    pub fn name_of(&self, code: &str) -> String {
        self.unit_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
}

/// What [`compute_set`] needs besides a way to compute one report.
pub struct SetRequest<'a> {
    pub form: &'a Form,
    /// An invitation-only form to report beside `form` (not `form` itself).
    pub delegates: Option<&'a Form>,
    /// The selection, resolved (its unit known), ungrouped, with `from` and `to` set.
    pub query: ReportQuery,
    pub period: Period,
    /// The tree the query was resolved in: the units that serve citizens and their names.
    pub tree: &'a Tree,
}

/// Computes the reports of a báo cáo with `run` (one report of a form for a resolved query:
/// the CLI's direct read or the service's cached one).
pub fn compute_set(
    mut run: impl FnMut(&Form, &ReportQuery) -> Result<ReportOut, ReportError>,
    request: SetRequest<'_>,
) -> Result<ReportSet, ReportError> {
    let SetRequest {
        form,
        delegates,
        query,
        period,
        tree,
    } = request;
    // The units that serve citizens: the selected unit's children, or below a chain of single
    // units that district's (as the `units` chart ranks them).
    let ranking_unit = query.unit.as_ref().map(|u| tree.ranking_unit(u));
    let served = ranking_unit
        .as_deref()
        .map(|u| served_units(tree, u, period))
        .unwrap_or_default();
    let unit_names = tree
        .units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    let grouped = |group_by| ReportQuery {
        group_by: Some(group_by),
        ..query.clone()
    };
    let report = run(form, &query)?;
    let ranked = ReportQuery {
        unit: ranking_unit,
        ..grouped(GroupBy::Unit)
    };
    let by_unit = run(form, &ranked)?;
    let trend = run(form, &grouped(GroupBy::Period(PeriodKind::Quarter)))?;
    let by_channel = run(form, &grouped(GroupBy::Channel))?;
    let previous = match period.previous() {
        Some(p) => Some(run(
            form,
            &ReportQuery {
                from: Some(p.from),
                to: Some(p.to),
                ..query.clone()
            },
        )?),
        None => None,
    };
    let delegates = match delegates.filter(|d| d.id != form.id) {
        Some(d) => {
            let r = run(d, &query)?;
            (r.responses > 0).then(|| DelegatesPart {
                form: d.clone(),
                report: r,
            })
        }
        None => None,
    };
    Ok(ReportSet {
        period,
        report,
        by_unit,
        trend,
        by_channel,
        previous,
        delegates,
        served,
        unit_names,
    })
}

/// The children of `unit` in `tree` that exist during `period`.
fn served_units(tree: &Tree, unit: &str, period: Period) -> Vec<String> {
    tree.units
        .iter()
        .filter(|u| u.parent.as_deref() == Some(unit))
        .filter(|u| u.valid_from < period.to && u.valid_to.is_none_or(|end| end > period.from))
        .map(|u| u.code.clone())
        .collect()
}

/// The invitation-only form to report beside `form`: the first of `forms` that is one, unless
/// `form` is itself invitation-only.
pub fn delegates_form<'a>(
    form: &Form,
    forms: impl IntoIterator<Item = &'a Form>,
) -> Option<&'a Form> {
    if form.invitation_only {
        return None;
    }
    forms
        .into_iter()
        .find(|f| f.invitation_only && f.id != form.id)
}

/// "bao-cao-sipas-dich-vu-tuy-phuoc-2024-01-01-2025-01-01.docx" (`--to` exclusive, as given).
pub fn docx_file_name(form: &Form, unit: Option<&str>, p: Period) -> String {
    let unit = unit.map(|u| format!("-{u}")).unwrap_or_default();
    format!("bao-cao-{}{unit}-{}-{}.docx", form.id, p.from, p.to)
}
