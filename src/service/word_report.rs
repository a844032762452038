//! The Word báo cáo of a selection (analyst, admin): the reports of `reporting::document`, read
//! like every report (the tree the query names, the report cache), recorded as `report_docx`
//! before the file is returned.

use serde_json::Value;

use super::reporting::{Reporter, READERS};
use super::{Actor, Refusal, ServiceError};
use crate::forms::Form;
use crate::platform::config::LetterheadSettings;
use crate::reporting::charts::ChartOptions;
use crate::reporting::document::{self, word, Letterhead, Period, SetRequest};
use crate::reporting::reports::{self, ReportQuery, TreeKind};
use crate::store::DbConnection;

/// The audit action of a Word báo cáo.
pub const WORD_AUDIT_ACTION: &str = "report_docx";

/// A báo cáo to write: the selection (parsed, not yet resolved; ungrouped, with a period), the
/// tree, the delegates' form to report beside it, the heading settings and the charts' labels.
pub struct WordRequest<'a> {
    pub query: ReportQuery,
    pub tree: TreeKind,
    pub delegates: Option<&'a Form>,
    pub letterhead: &'a LetterheadSettings,
    pub charts: ChartOptions,
}

/// The selection's period, or why a báo cáo cannot be written without one.
fn period(query: &ReportQuery) -> Result<Period, ServiceError> {
    query
        .from
        .zip(query.to)
        .and_then(|(from, to)| Period::new(from, to))
        .ok_or_else(|| {
            ServiceError::refused(
                Refusal::BadRequest,
                "bad_query",
                "Báo cáo Word cần một kỳ báo cáo: chọn từ ngày (from) và đến ngày (to).",
                "A Word report needs a period: give from and to",
            )
        })
}

/// The `.docx` bytes of the báo cáo of `form` for `request`, recorded with `detail` first.
pub fn word_report(
    conn: &mut DbConnection,
    actor: &Actor,
    reporter: Reporter<'_>,
    form: &Form,
    request: WordRequest<'_>,
    detail: Value,
) -> Result<Vec<u8>, ServiceError> {
    actor.require(READERS)?;
    let period = period(&request.query)?;
    let scope = reporter.scope(conn, request.tree)?;
    let query = scope.resolve(ReportQuery {
        group_by: None,
        ..request.query
    })?;
    let unit = query.unit.as_ref().and_then(|u| scope.tree.get(u)).cloned();
    let set_request = SetRequest {
        form,
        delegates: request.delegates,
        query,
        period,
        tree: &scope.tree,
    };
    let set = document::compute_set(
        |f, q| reporter.report_resolved(conn, &scope, f, q),
        set_request,
    )?;
    let entry = actor
        .entry(WORD_AUDIT_ACTION)
        .target(form.id.clone())
        .detail(detail);
    super::record(conn, &entry)?;
    let letterhead = Letterhead::resolve(request.letterhead, unit.as_ref());
    let charts = ChartOptions {
        unit_names: set.unit_names.clone(),
        ..request.charts
    };
    let input = word::WordInput {
        form,
        set: &set,
        letterhead: &letterhead,
        date: reports::today(reporter.tz),
        charts,
    };
    word::render(&input).map_err(|e| ServiceError::Internal(e.to_string()))
}
