//! Reports, charts and exports read the same way whichever front door asks: the tree the query
//! names (as given or today's), the query resolved in it, then the numbers — from the report
//! cache when there is one. [`Reporter`] is that sequence, once. The audited actions on it:
//! [`run_report`] (the API's report), [`dashboard_reports`] (the dashboard's), [`render_chart`]
//! and [`export_selection`] — each checks the role and writes its record (`report`, `chart`,
//! `export`) before anything is returned: no record, no numbers.

use std::collections::HashMap;

use chrono_tz::Tz;
use polars::prelude::DataFrame;
use serde_json::{json, Value};

use super::{Actor, ServiceError};
use crate::domain::Role;
use crate::forms::Form;
use crate::reporting::charts::{self, ChartFormat, ChartKind, ChartOptions};
use crate::reporting::reports::{
    self, load, RawReportQuery, ReportCache, ReportError, ReportOut, ReportQuery, Scope, Tree,
    TreeKind,
};
use crate::store::DbConnection;

/// The audit action of a report (the API's JSON and the dashboard).
pub const REPORT_AUDIT_ACTION: &str = "report";

/// The audit action of a chart picture.
pub const CHART_AUDIT_ACTION: &str = "chart";

/// The audit action of an export file.
pub const EXPORT_AUDIT_ACTION: &str = "export";

/// Who may read reports, charts and exports.
pub const READERS: &[Role] = &[Role::Analyst, Role::Admin];

/// How reports are read: the report cache (if the service keeps one) and the local time zone.
#[derive(Clone, Copy)]
pub struct Reporter<'a> {
    pub cache: Option<&'a ReportCache>,
    pub tz: Tz,
}

impl Reporter<'_> {
    /// The tree a query is read in: as given, or today's through the mappings.
    pub fn scope(&self, conn: &mut DbConnection, tree: TreeKind) -> Result<Scope, ReportError> {
        Scope::load(conn, tree, reports::today(self.tz))
    }

    /// The report of `form` for `query`, resolved in `scope`.
    pub fn report(
        &self,
        conn: &mut DbConnection,
        scope: &Scope,
        form: &Form,
        query: ReportQuery,
    ) -> Result<ReportOut, ReportError> {
        let query = scope.resolve(query)?;
        self.report_resolved(conn, scope, form, &query)
    }

    /// The report of a query already resolved in `scope` (a chart may adjust it first).
    pub fn report_resolved(
        &self,
        conn: &mut DbConnection,
        scope: &Scope,
        form: &Form,
        query: &ReportQuery,
    ) -> Result<ReportOut, ReportError> {
        reports::report_in(conn, self.cache, form, query, scope, self.tz)
    }

    /// The answers frame of `query` resolved in `scope` (the export's rows), with the query as
    /// resolved.
    pub fn frame(
        &self,
        conn: &mut DbConnection,
        scope: &Scope,
        form: &Form,
        query: ReportQuery,
    ) -> Result<(DataFrame, ReportQuery), ReportError> {
        let query = scope.resolve(query)?;
        let frame = load::load_frame_in(conn, form, &query, scope, self.tz)?;
        Ok((frame, query))
    }
}

/// A report of `form` (analyst, admin), recorded as `report` with `detail` (the query as the
/// caller gave it) before it is returned.
pub fn run_report(
    conn: &mut DbConnection,
    actor: &Actor,
    reporter: Reporter<'_>,
    form: &Form,
    query: ReportQuery,
    tree: TreeKind,
    detail: Value,
) -> Result<ReportOut, ServiceError> {
    actor.require(READERS)?;
    let scope = reporter.scope(conn, tree)?;
    let report = reporter.report(conn, &scope, form, query)?;
    let entry = actor
        .entry(REPORT_AUDIT_ACTION)
        .target(form.id.clone())
        .detail(detail);
    super::record(conn, &entry)?;
    Ok(report)
}

/// The reports of the dashboard: the selection's (grouped as asked, or why there is none) and,
/// when grouped, the whole selection's, with the tree they were read in.
pub struct DashboardReports {
    pub tree: Tree,
    pub main: Result<ReportOut, ReportError>,
    pub whole: Option<ReportOut>,
}

/// The dashboard's reports of `form` for `raw` (analyst, admin), recorded as `report` with
/// `detail` first: numbers shown on a page are a report like any other. A query the report
/// refuses (bad date, unknown unit) is the page's message, not an error of the action.
pub fn dashboard_reports(
    conn: &mut DbConnection,
    actor: &Actor,
    reporter: Reporter<'_>,
    form: &Form,
    raw: &RawReportQuery,
    tree: TreeKind,
    detail: Value,
) -> Result<DashboardReports, ServiceError> {
    actor.require(READERS)?;
    let entry = actor
        .entry(REPORT_AUDIT_ACTION)
        .target(form.id.clone())
        .detail(detail);
    super::record(conn, &entry)?;
    let scope = reporter.scope(conn, tree)?;
    let mut run = |raw: &RawReportQuery| reporter.report(conn, &scope, form, raw.parse(form)?);
    let main = run(raw);
    let whole = match raw.group_by {
        Some(_) => {
            let ungrouped = RawReportQuery {
                group_by: None,
                period: None,
                ..raw.clone()
            };
            run(&ungrouped).ok()
        }
        None => None,
    };
    Ok(DashboardReports {
        tree: scope.tree,
        main,
        whole,
    })
}

/// A chart to draw: its kind and format, the selection (parsed, not yet resolved in its tree)
/// and the picture's options (size, labels; unit names and the context line are filled in here).
pub struct ChartRequest {
    pub kind: ChartKind,
    pub format: ChartFormat,
    pub query: ReportQuery,
    pub tree: TreeKind,
    pub options: ChartOptions,
}

/// A chart of `form` (analyst, admin) as PNG or SVG bytes, recorded as `chart` with `detail`
/// before it is returned. `units` ranks the units that serve citizens under the selection.
pub fn render_chart(
    conn: &mut DbConnection,
    actor: &Actor,
    reporter: Reporter<'_>,
    form: &Form,
    request: ChartRequest,
    detail: Value,
) -> Result<Vec<u8>, ServiceError> {
    actor.require(READERS)?;
    let ChartRequest {
        kind,
        format,
        query,
        tree,
        mut options,
    } = request;
    let scope = reporter.scope(conn, tree)?;
    let mut query = scope.resolve(query)?;
    if kind == ChartKind::Units {
        // Rank the units that serve citizens, not a single intermediate level.
        query.unit = query.unit.map(|u| scope.tree.ranking_unit(&u));
    }
    let report = reporter.report_resolved(conn, &scope, form, &query)?;
    options.unit_names = scope
        .tree
        .units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect::<HashMap<_, _>>();
    let names = &options.unit_names;
    options.title_context = charts::default_context(&report, &|code: &str| {
        names.get(code).cloned().unwrap_or_else(|| code.to_string())
    });
    let bytes = charts::render(kind, format, &report, &options)?;
    let entry = actor
        .entry(CHART_AUDIT_ACTION)
        .target(form.id.clone())
        .detail(detail);
    super::record(conn, &entry)?;
    Ok(bytes)
}

/// The responses an export writes: the answers frame, the query as resolved, and its tree.
pub struct ExportSelection {
    pub frame: DataFrame,
    pub query: ReportQuery,
    pub scope: Scope,
}

/// The selection of an export of `form` (analyst, admin), recorded as `export` (format, the
/// resolved unit and dates, labels, tree) before it is returned: the front door writes the
/// file from it, so no byte of a file leaves without its record.
pub fn export_selection(
    conn: &mut DbConnection,
    actor: &Actor,
    tz: Tz,
    form: &Form,
    query: ReportQuery,
    tree: TreeKind,
    file: (&str, bool),
) -> Result<ExportSelection, ServiceError> {
    actor.require(READERS)?;
    let (format, labels) = file;
    let reporter = Reporter { cache: None, tz };
    let scope = reporter.scope(conn, tree)?;
    let (frame, query) = reporter.frame(conn, &scope, form, query)?;
    let entry = actor
        .entry(EXPORT_AUDIT_ACTION)
        .target(form.id.clone())
        .detail(json!({
            "format": format,
            "unit": query.unit,
            "from": query.from.map(|d| d.to_string()),
            "to": query.to.map(|d| d.to_string()),
            "labels": labels,
            "tree": tree.as_str(),
        }));
    super::record(conn, &entry)?;
    Ok(ExportSelection {
        frame,
        query,
        scope,
    })
}
