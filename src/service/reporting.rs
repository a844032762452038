//! Reports, charts and exports read the same way whichever front door asks: the tree the query
//! names (as given or today's), the query resolved in it, then the numbers — from the report
//! cache when there is one. [`Reporter`] is that sequence, once; [`run_report`] is the audited
//! action of a report (`report`, recorded before it is sent: no record, no report).

use chrono_tz::Tz;
use serde_json::Value;

use super::{Actor, ServiceError};
use crate::domain::Role;
use crate::forms::Form;
use crate::reporting::reports::{
    self, load, ReportCache, ReportError, ReportOut, ReportQuery, Scope, TreeKind,
};
use crate::store::DbConnection;

/// The audit action of a report (the API's JSON and the dashboard).
pub const REPORT_AUDIT_ACTION: &str = "report";

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
    ) -> Result<(polars::prelude::DataFrame, ReportQuery), ReportError> {
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
