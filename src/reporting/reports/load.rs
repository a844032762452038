//! Loading a selection from the database into an answers frame (see `store::selection` for how
//! this scales and where it stops).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;

use super::query::{GroupBy, ReportQuery, TreeKind};
use super::ReportError;
use crate::administration::units::{Mapping, Unit};
use crate::forms::Form;
use crate::reporting::analytics::frame::GROUP;
use crate::reporting::analytics::{FrameBuilder, ResponseFields};
use crate::store::selection::{self, Filter};
use crate::store::{mappings, units, DbConnection};

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

    /// The unit whose children a ranking of units shows for a selection of `code`: `code`
    /// itself, or while it has a single child, that child — a province over one district ranks
    /// the district's communes and one-stop office, the units that serve citizens, not one bar.
    pub fn ranking_unit(&self, code: &str) -> String {
        let mut at = code.to_string();
        for _ in 0..self.units.len() {
            let mut children = self
                .units
                .iter()
                .filter(|u| u.parent.as_deref() == Some(at.as_str()));
            match (children.next(), children.next()) {
                (Some(only), None) => at = only.code.clone(),
                _ => break,
            }
        }
        at
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

/// The tree a report reads units in (`tree=as_given|current`).
///
/// - `as_given`: the tree as stored; each response counts for the unit it was given to.
/// - `current`: today's tree (`units::current_tree`): each response counts for the unit that took
///   its unit over (through the chain of old → new mappings), `unit=` selects a unit of today's
///   tree and its subtree there, and `group_by=unit` uses today's parents. The responses
///   themselves keep their unit; only the frame's `unit` column is mapped.
pub struct Scope {
    pub kind: TreeKind,
    /// The units of the chosen tree (for `current`, today's units with today's parents).
    pub tree: Tree,
    /// `current`: every stored unit's unit in today's tree; empty for `as_given`.
    pub place: HashMap<String, String>,
    /// The local date the current tree is taken on.
    pub today: NaiveDate,
}

impl Scope {
    pub fn load(
        conn: &mut DbConnection,
        kind: TreeKind,
        today: NaiveDate,
    ) -> Result<Scope, ReportError> {
        let tree = Tree::load(conn)?;
        if kind == TreeKind::AsGiven {
            return Ok(Scope {
                kind,
                tree,
                place: HashMap::new(),
                today,
            });
        }
        let mappings: Vec<Mapping> = mappings::list(conn)?
            .into_iter()
            .map(Mapping::from)
            .collect();
        let current = crate::administration::units::current_tree(&tree.units, &mappings, today);
        let population = tree
            .population
            .into_iter()
            .filter(|(code, _)| current.units.iter().any(|u| &u.code == code))
            .collect();
        Ok(Scope {
            kind,
            tree: Tree {
                units: current.units,
                population,
            },
            place: current.place,
            today,
        })
    }

    /// The mapping of stored units to the tree's units (`None` for the tree as given).
    pub fn placement(&self) -> Option<&HashMap<String, String>> {
        (self.kind == TreeKind::Current).then_some(&self.place)
    }

    /// Checks the selected unit against the chosen tree and fills in the default (its root).
    pub fn resolve(&self, mut query: ReportQuery) -> Result<ReportQuery, ReportError> {
        if self.kind == TreeKind::AsGiven {
            return super::resolve_unit(query, &self.tree);
        }
        let today = self.today;
        match &query.unit {
            Some(code) => match self.tree.get(code) {
                Some(u) if u.is_valid_on(today) => {}
                _ => {
                    let Some(place) = self.place.get(code) else {
                        return Err(ReportError::UnknownUnit(code.clone()));
                    };
                    let successor = self
                        .tree
                        .get(place)
                        .filter(|u| u.is_valid_on(today))
                        .map(|u| u.code.clone());
                    return Err(match successor {
                        Some(s) if s != *code => ReportError::bad_query(
                            format!("đơn vị {code} không còn trong địa giới hiện nay (tree=current); các phiếu của đơn vị này được tính cho {s}: hãy chọn unit={s}, hoặc tree=as_given"),
                            format!("unit {code} is not in today's tree (tree=current); its responses count for {s}: use unit={s}, or tree=as_given"),
                        ),
                        _ => ReportError::bad_query(
                            format!("đơn vị {code} không có trong địa giới hiện nay (tree=current) ngày {today}; hãy chọn tree=as_given, hoặc một đơn vị đang tồn tại"),
                            format!("unit {code} is not in today's tree (tree=current) on {today}; use tree=as_given, or a unit that exists today"),
                        ),
                    });
                }
            },
            None => {
                let mut roots = self
                    .tree
                    .units
                    .iter()
                    .filter(|u| u.parent.is_none() && u.is_valid_on(today));
                query.unit = match (roots.next(), roots.next()) {
                    (Some(root), None) => Some(root.code.clone()),
                    _ => None,
                };
            }
        }
        Ok(query)
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
    placed_filter(form, query, tree, None, tz)
}

/// The filter when stored units are placed in another tree: the stored units whose place is in
/// the selected unit's subtree there.
pub(super) fn placed_filter(
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    place: Option<&HashMap<String, String>>,
    tz: Tz,
) -> Filter {
    let units = query.unit.as_deref().map(|u| {
        let subtree = tree.subtree(u);
        match place {
            None => subtree,
            Some(place) => {
                let nodes: std::collections::HashSet<&str> =
                    subtree.iter().map(String::as_str).collect();
                let mut codes: Vec<String> = place
                    .iter()
                    .filter(|(_, p)| nodes.contains(p.as_str()))
                    .map(|(code, _)| code.clone())
                    .collect();
                codes.sort();
                codes
            }
        }
    });
    Filter {
        form_id: form.id.clone(),
        units,
        from_utc: query.from.map(|d| local_midnight_utc(d, tz)),
        to_utc: query.to.map(|d| local_midnight_utc(d, tz)),
    }
}

/// Reads the selection into an answers frame with, when grouping, a `group` column (the tree as
/// stored).
pub fn load_frame(
    conn: &mut DbConnection,
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    tz: Tz,
) -> Result<DataFrame, ReportError> {
    placed_frame(conn, form, query, tree, None, tz)
}

/// Reads the selection into an answers frame in the scope's tree: with `tree=current` the frame's
/// `unit` column (and the unit groups) hold each response's unit in today's tree.
pub fn load_frame_in(
    conn: &mut DbConnection,
    form: &Form,
    query: &ReportQuery,
    scope: &Scope,
    tz: Tz,
) -> Result<DataFrame, ReportError> {
    placed_frame(conn, form, query, &scope.tree, scope.placement(), tz)
}

fn placed_frame(
    conn: &mut DbConnection,
    form: &Form,
    query: &ReportQuery,
    tree: &Tree,
    place: Option<&HashMap<String, String>>,
    tz: Tz,
) -> Result<DataFrame, ReportError> {
    let filter = placed_filter(form, query, tree, place, tz);
    let heads = selection::responses(conn, &filter)?;
    let mut builder = FrameBuilder::new(form, heads.len());
    let mut row_of: HashMap<i64, usize> = HashMap::with_capacity(heads.len());
    let child_of =
        matches!(query.group_by, Some(GroupBy::Unit)).then(|| tree.child_of(query.unit.as_deref()));
    let mut keys: Vec<Option<String>> = Vec::new();
    for h in &heads {
        let local = tz.from_utc_datetime(&h.submitted_at);
        let unit = place
            .and_then(|p| p.get(&h.unit))
            .map_or(h.unit.as_str(), String::as_str);
        let row = builder.push_response(ResponseFields {
            id: &h.id,
            unit,
            channel: &h.channel,
            submitted_at_micros: h.submitted_at.and_utc().timestamp_micros(),
            local_year: local.year(),
            local_month: local.month() as i32,
            weight: h.weight,
        });
        row_of.insert(h.seq, row);
        match &query.group_by {
            Some(GroupBy::Unit) => keys.push(child_of.as_ref().and_then(|m| m.get(unit).cloned())),
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
        .map_err(crate::reporting::analytics::AnalyticsError::from)?;
    let group = match &query.group_by {
        Some(GroupBy::Question(code)) => Some(
            df.column(code)
                .map_err(crate::reporting::analytics::AnalyticsError::from)?
                .clone(),
        ),
        Some(_) => Some(Column::new(GROUP.into(), keys)),
        None => None,
    };
    if let Some(group) = group {
        let group = group.with_name(GROUP.into());
        df.with_column(group)
            .map_err(crate::reporting::analytics::AnalyticsError::from)?;
    }
    Ok(df)
}
