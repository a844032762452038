//! Reports: a selection of responses read into an answers frame, the indices of `analytics`, and
//! the answer docs/api.md §9 promises — grouped, sorted, against the target.

pub mod cache;
pub mod labels;
pub mod load;
pub mod output;
pub mod query;

use chrono_tz::Tz;
use serde_json::{Map, Value};

use crate::domain::Channel;
use crate::forms::Form;
use crate::reporting::analytics::{self, AnalyticsError};
use crate::store::{DbConnection, StoreError};
pub use cache::ReportCache;
pub use load::{Scope, Tree};
pub use output::ReportOut;
pub use query::{GroupBy, PeriodKind, RawReportQuery, ReportQuery, TreeKind, TreeQuery};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A query parameter is wrong: `vi` for people (pages, the JSON `message`), `en` for
    /// `message_en`.
    #[error("{en}")]
    BadQuery { vi: String, en: String },
    #[error("unknown unit {0}")]
    UnknownUnit(String),
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReportError {
    pub fn bad_query(vi: impl Into<String>, en: impl Into<String>) -> Self {
        ReportError::BadQuery {
            vi: vi.into(),
            en: en.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ReportError::BadQuery { .. } => "bad_query",
            ReportError::UnknownUnit(_) => "unknown_unit",
            ReportError::Analytics(e) => e.code(),
            ReportError::Store(e) => e.code(),
        }
    }
}

/// Checks the selected unit and fills in the default (the root of the tree).
pub fn resolve_unit(mut query: ReportQuery, tree: &Tree) -> Result<ReportQuery, ReportError> {
    match &query.unit {
        Some(code) if tree.get(code).is_none() => {
            return Err(ReportError::UnknownUnit(code.clone()))
        }
        Some(_) => {}
        None => query.unit = tree.root().map(|u| u.code.clone()),
    }
    Ok(query)
}

/// Computes the report of `form` for `query` (already parsed and resolved).
pub fn report(
    conn: &mut DbConnection,
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    tz: Tz,
) -> Result<ReportOut, ReportError> {
    let frame = load::load_frame(conn, form, query, tree, tz)?;
    let responses = frame.height() as u64;
    let results = analytics::compute(&frame, form)?;
    Ok(assemble(form, query, tree, responses, results))
}

/// From this many responses a report's transient memory (its columns for the passes, a first
/// load of the cache) is worth giving back to the system at once (`memory::release_freed`).
const LARGE_SELECTION: u64 = 100_000;

/// Computes the report of `form` for `query` (parsed and resolved by `scope`) in the scope's tree,
/// from the report cache when there is one, else reading the selection afresh.
pub fn report_in(
    conn: &mut DbConnection,
    cache: Option<&ReportCache>,
    form: &Form,
    query: &ReportQuery,
    scope: &Scope,
    tz: Tz,
) -> Result<ReportOut, ReportError> {
    let (frame, grouping) = match cache {
        Some(cache) => cache.frame(conn, form, query, scope, tz)?,
        None => (load::load_frame_in(conn, form, query, scope, tz)?, None),
    };
    let responses = frame.height() as u64;
    let started = std::time::Instant::now();
    let results = analytics::compute_grouped(&frame, grouping, form)?;
    tracing::debug!(
        form = %form.id,
        responses,
        groups = results.len(),
        compute_ms = started.elapsed().as_secs_f64() * 1e3,
        "report computed"
    );
    drop(frame);
    if responses >= LARGE_SELECTION {
        crate::platform::memory::release_freed();
    }
    Ok(assemble_in(form, query, scope, responses, results))
}

/// [`assemble`] in the scope's tree (the selection says which).
pub fn assemble_in(
    form: &Form,
    query: &ReportQuery,
    scope: &Scope,
    responses: u64,
    results: Vec<analytics::GroupResult>,
) -> ReportOut {
    let mut out = assemble(form, query, &scope.tree, responses, results);
    out.selection.tree = scope.kind.as_str().to_string();
    out
}

/// The local date today in `tz` (the day today's tree is taken on).
pub fn today(tz: Tz) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// Orders the groups (docs/api.md §9), adds keys, sample adequacy and the change between periods.
pub fn assemble(
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    responses: u64,
    mut results: Vec<analytics::GroupResult>,
) -> ReportOut {
    sort_groups(form, query, &mut results);
    let groups = group_outs(form, query, tree, &results);
    output::ReportOut {
        form: form.id.clone(),
        form_title: form.title.clone(),
        target: form.target,
        method: form.index_method,
        selection: selection_out(query, tree),
        responses,
        groups,
    }
}

/// Sorts the groups in the order of docs/api.md §9 for the query's grouping.
fn sort_groups(form: &Form, query: &ReportQuery, results: &mut [analytics::GroupResult]) {
    let option_rank = |key: &Option<String>| -> usize {
        let Some(k) = key else { return usize::MAX };
        match &query.group_by {
            Some(GroupBy::Channel) => Channel::ALL.iter().position(|c| c.as_str() == k),
            Some(GroupBy::Question(code)) => form
                .question(code)
                .and_then(|q| q.options.iter().position(|o| &o.code == k)),
            _ => None,
        }
        .unwrap_or(usize::MAX - 1)
    };
    match &query.group_by {
        Some(GroupBy::Unit) => results.sort_by(|a, b| {
            let (va, vb) = (
                a.index.value.unwrap_or(f64::NEG_INFINITY),
                b.index.value.unwrap_or(f64::NEG_INFINITY),
            );
            vb.total_cmp(&va)
                .then(b.responses.cmp(&a.responses))
                .then(a.key.cmp(&b.key))
        }),
        Some(GroupBy::Period(_)) => results.sort_by(|a, b| a.key.cmp(&b.key)),
        _ => results.sort_by(|a, b| {
            option_rank(&a.key)
                .cmp(&option_rank(&b.key))
                .then(a.key.cmp(&b.key))
        }),
    }
}

/// The sorted groups as output: keys, populations and the change from the previous period.
fn group_outs(
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    results: &[analytics::GroupResult],
) -> Vec<output::GroupOut> {
    let selection_population = query
        .unit
        .as_ref()
        .and_then(|u| tree.population.get(u).copied());
    let mut groups: Vec<output::GroupOut> = Vec::with_capacity(results.len());
    for g in results {
        let mut key = Map::new();
        let population = match &query.group_by {
            None => selection_population,
            Some(GroupBy::Unit) => g.key.as_ref().and_then(|u| tree.population.get(u).copied()),
            Some(GroupBy::Period(_)) => selection_population,
            Some(_) => None,
        };
        if let Some(group_by) = &query.group_by {
            key.insert(
                group_by.key_name().to_string(),
                g.key.clone().map_or(Value::Null, Value::from),
            );
        }
        let mut out = output::group_out(g, form, key, population);
        if let (Some(GroupBy::Period(_)), Some(previous)) = (&query.group_by, groups.last()) {
            let previous_key = previous
                .key
                .get("period")
                .and_then(Value::as_str)
                .unwrap_or_default();
            out.change = Some(output::change(previous_key, &previous.estimate, &g.index));
        }
        groups.push(out);
    }
    groups
}

/// The selection of the query as output (the tree as given: `assemble_in` sets it).
fn selection_out(query: &ReportQuery, tree: &Tree) -> output::SelectionOut {
    output::SelectionOut {
        unit: query.unit.clone(),
        unit_name: query
            .unit
            .as_ref()
            .and_then(|u| tree.get(u))
            .map(|u| u.name.clone()),
        from: query.from.map(|d| d.to_string()),
        to: query.to.map(|d| d.to_string()),
        group_by: query.group_by.as_ref().map(|g| match g {
            GroupBy::Period(kind) => format!("period:{}", format!("{kind:?}").to_lowercase()),
            other => other.key_name().to_string(),
        }),
        tree: TreeKind::AsGiven.as_str().to_string(),
    }
}
