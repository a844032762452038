//! Loading a selection from the database into an answers frame (see `store::selection` for how
//! this scales and where it stops).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;

use super::query::{GroupBy, ReportQuery};
use super::ReportError;
use crate::analytics::frame::GROUP;
use crate::analytics::{FrameBuilder, ResponseFields};
use crate::forms::Form;
use crate::store::selection::{self, Filter};
use crate::store::{units, DbConnection};
use crate::units::Unit;

/// The unit tree as loaded from the database, for subtree and ancestor questions.
pub struct Tree {
    pub units: Vec<Unit>,
    pub population: HashMap<String, i64>,
}

impl Tree {
    pub fn load(conn: &mut DbConnection) -> Result<Tree, ReportError> {
        let rows = units::list(conn)?;
        let population = rows
            .iter()
            .filter_map(|r| r.population.map(|p| (r.code.clone(), p)))
            .collect();
        Ok(Tree {
            units: rows.into_iter().map(Unit::from).collect(),
            population,
        })
    }

    pub fn get(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    /// The single root, when the tree has exactly one.
    pub fn root(&self) -> Option<&Unit> {
        let mut roots = self.units.iter().filter(|u| u.parent.is_none());
        match (roots.next(), roots.next()) {
            (Some(root), None) => Some(root),
            _ => None,
        }
    }

    /// `code` and all its descendants.
    pub fn subtree(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_string()];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].clone();
            out.extend(
                self.units
                    .iter()
                    .filter(|u| u.parent.as_deref() == Some(parent.as_str()))
                    .map(|u| u.code.clone()),
            );
            i += 1;
        }
        out
    }

    /// For each unit under `top`: the child of `top` it belongs to (or `top` itself for responses
    /// given directly to it). Grouping by unit pools each child's whole subtree.
    pub fn child_of(&self, top: Option<&str>) -> HashMap<String, String> {
        let mut map = HashMap::new();
        let children: Vec<&Unit> = match top {
            Some(t) => {
                map.insert(t.to_string(), t.to_string());
                self.units
                    .iter()
                    .filter(|u| u.parent.as_deref() == Some(t))
                    .collect()
            }
            None => self.units.iter().filter(|u| u.parent.is_none()).collect(),
        };
        for child in children {
            for code in self.subtree(&child.code) {
                map.insert(code, child.code.clone());
            }
        }
        map
    }
}

/// The UTC instant at which a local date begins.
pub fn local_midnight_utc(date: NaiveDate, tz: Tz) -> NaiveDateTime {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

/// The selection's database filter.
pub fn filter(form: &Form, query: &ReportQuery, tree: &Tree, tz: Tz) -> Filter {
    Filter {
        form_id: form.id.clone(),
        units: query.unit.as_deref().map(|u| tree.subtree(u)),
        from_utc: query.from.map(|d| local_midnight_utc(d, tz)),
        to_utc: query.to.map(|d| local_midnight_utc(d, tz)),
    }
}

/// Reads the selection into an answers frame with, when grouping, a `group` column.
pub fn load_frame(
    conn: &mut DbConnection,
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    tz: Tz,
) -> Result<DataFrame, ReportError> {
    let filter = filter(form, query, tree, tz);
    let heads = selection::responses(conn, &filter)?;
    let mut builder = FrameBuilder::new(form, heads.len());
    let mut row_of: HashMap<i64, usize> = HashMap::with_capacity(heads.len());
    let child_of =
        matches!(query.group_by, Some(GroupBy::Unit)).then(|| tree.child_of(query.unit.as_deref()));
    let mut keys: Vec<Option<String>> = Vec::new();
    for h in &heads {
        let local = tz.from_utc_datetime(&h.submitted_at);
        let row = builder.push_response(ResponseFields {
            id: &h.id,
            unit: &h.unit,
            channel: &h.channel,
            submitted_at_micros: h.submitted_at.and_utc().timestamp_micros(),
            local_year: local.year(),
            local_month: local.month() as i32,
            weight: h.weight,
        });
        row_of.insert(h.seq, row);
        match &query.group_by {
            Some(GroupBy::Unit) => {
                keys.push(child_of.as_ref().and_then(|m| m.get(&h.unit).cloned()))
            }
            Some(GroupBy::Period(kind)) => {
                keys.push(Some(kind.key(local.year(), local.month() as i32)))
            }
            Some(GroupBy::Channel) => keys.push(Some(h.channel.clone())),
            Some(GroupBy::Question(_)) | None => {}
        }
    }
    drop(heads);
    selection::for_each_answer(conn, &filter, |cell| {
        if let Some(&row) = row_of.get(&cell.response_seq) {
            builder.set_answer(
                row,
                &cell.question,
                cell.num_value,
                cell.text_value.as_deref(),
            );
        }
    })?;
    let mut df = builder
        .finish()
        .map_err(crate::analytics::AnalyticsError::from)?;
    let group = match &query.group_by {
        Some(GroupBy::Question(code)) => Some(
            df.column(code)
                .map_err(crate::analytics::AnalyticsError::from)?
                .clone(),
        ),
        Some(_) => Some(Column::new(GROUP.into(), keys)),
        None => None,
    };
    if let Some(group) = group {
        let group = group.with_name(GROUP.into());
        df.with_column(group)
            .map_err(crate::analytics::AnalyticsError::from)?;
    }
    Ok(df)
}
