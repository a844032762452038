//! The two passes of `indices::compute` over the columns of an answers frame.
//!
//! Written as loops over the frame's columns rather than as polars expressions: the second pass
//! needs, for every row, a sum over up to ~20 items for each of ~30 indices; as expressions each
//! term is a full column (a million rows, 8 MB) made and dropped, ~300 of them per group, which
//! took over a second for a million responses. Here each row is read once per pass and every
//! index is a sparse dot product on the row's residuals (~100 multiply-adds a row). The rows are
//! split among a few threads, each with its own sums, added up in a fixed order.

use std::collections::HashMap;

use polars::prelude::*;

use super::frame::{GROUP, WEIGHT};
use super::AnalyticsError;
use crate::forms::IndexMethod;

/// Sufficient statistics of one item in one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemStats {
    /// Responses that answered the item (unweighted).
    pub n: u64,
    /// Of those, answers 4 or 5 (unweighted).
    pub satisfied: u64,
    pub sum_w: f64,
    pub sum_w2: f64,
    /// Σ w·y*
    pub sum_wy: f64,
    /// Σ w·value (for the mean score)
    pub sum_wv: f64,
    /// Unweighted counts of 1, 2, 3, 4, 5.
    pub distribution: [u64; 5],
}

/// A rating column as `i8`, [`NONE`] for "not answered".
type Codes = Vec<i8>;
const NONE: i8 = i8::MIN;

/// Below this many rows, one thread.
const ROWS_PER_THREAD: usize = 100_000;

/// Which group each row of a frame is in (`ids`, one per row) and each group's key (by id;
/// `None`: the responses without a grouping value). Groups no row is in are left out of the
/// results.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    pub ids: Vec<u32>,
    pub keys: Vec<Option<String>>,
}

impl Grouping {
    /// The grouping of a frame's string `group` column (nulls form their own group).
    pub fn of_column(column: &Column) -> Result<Grouping, AnalyticsError> {
        let mut ids: HashMap<Option<&str>, u32> = HashMap::new();
        let mut keys: Vec<Option<String>> = Vec::new();
        let strings = column.str()?;
        let mut group = Vec::with_capacity(strings.len());
        for key in strings.iter() {
            let id = *ids.entry(key).or_insert_with(|| {
                keys.push(key.map(str::to_string));
                (keys.len() - 1) as u32
            });
            group.push(id);
        }
        Ok(Grouping { ids: group, keys })
    }
}

/// The columns the passes read, in plain vectors, and every group's sufficient statistics
/// (pass 1, done as the columns are read).
pub(super) struct Prepared {
    /// The key of each group, by group id (`None`: the null key, or the only group when ungrouped).
    pub keys: Vec<Option<String>>,
    pub stats: Vec<GroupStats>,
    group: Vec<u32>,
    weight: Vec<f64>,
    items: Vec<Codes>,
}

/// Sufficient statistics of one group.
#[derive(Debug, Clone, Default)]
pub(super) struct GroupStats {
    pub responses: u64,
    pub items: Vec<ItemStats>,
    /// Per expectation.
    pub expectations: Vec<ExpectationStats>,
}

/// Sufficient statistics of one expectation question (levels 1 Ít, 2 Nhiều, 3 Rất nhiều) in one
/// group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExpectationStats {
    /// Responses that answered it (unweighted).
    pub n: u64,
    pub sum_w: f64,
    /// Σw·[value ≥ 2] (Nhiều or Rất nhiều).
    pub sum_w_wanted: f64,
    /// Unweighted counts of 1, 2, 3.
    pub levels: [u64; 3],
    /// Σw of 1, 2, 3.
    pub level_w: [f64; 3],
}

/// One term of an index's residual: item `item`, coefficient `a = c_i / W_i`, item index `p`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Term {
    pub item: usize,
    pub a: f64,
    pub p: f64,
}

fn threads_for(rows: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(rows.div_ceil(ROWS_PER_THREAD))
        .max(1)
}

/// `f` over `inputs`, split among `threads` scoped threads; results in input order.
fn parallel_map<T: Sync, R: Send>(
    inputs: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || inputs.len() <= 1 {
        return inputs.iter().map(f).collect();
    }
    let chunk = inputs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn codes(frame: &DataFrame, code: &str) -> Result<Codes, AnalyticsError> {
    let series = frame
        .column(code)?
        .as_materialized_series()
        .cast(&DataType::Int8)?;
    let ca = series.i8()?;
    let mut out = Vec::with_capacity(ca.len());
    for array in ca.downcast_iter() {
        match array.validity() {
            None => out.extend_from_slice(array.values()),
            Some(valid) => {
                out.extend(
                    array
                        .values()
                        .iter()
                        .zip(valid.iter())
                        .map(|(&v, ok)| if ok { v } else { NONE }),
                )
            }
        }
    }
    Ok(out)
}

/// Reads the weight and the rated columns of `frame`, grouped by `grouping` (or, without one,
/// by the frame's `group` column when it has one, else as one group), and runs pass 1.
pub(super) fn prepare(
    frame: &DataFrame,
    grouping: Option<Grouping>,
    items: &[&str],
    expectations: &[&str],
    method: IndexMethod,
) -> Result<Prepared, AnalyticsError> {
    let height = frame.height();
    let weight_series = frame
        .column(WEIGHT)?
        .as_materialized_series()
        .cast(&DataType::Float64)?;
    let mut weight = Vec::with_capacity(height);
    for array in weight_series.f64()?.downcast_iter() {
        weight.extend(array.iter().map(|v| v.copied().unwrap_or(0.0)));
    }
    let grouping = match (grouping, frame.column(GROUP)) {
        (Some(g), _) => g,
        (None, Ok(column)) => Grouping::of_column(column)?,
        (None, Err(_)) => Grouping {
            ids: vec![0; height],
            keys: if height > 0 { vec![None] } else { Vec::new() },
        },
    };
    let Grouping { ids: group, keys } = grouping;
    if group.len() != height {
        return Err(AnalyticsError::Polars(PolarsError::ShapeMismatch(
            format!("{} group ids for {height} rows", group.len()).into(),
        )));
    }
    let groups = keys.len();
    if group.iter().any(|&g| g as usize >= groups) {
        return Err(AnalyticsError::Polars(PolarsError::OutOfBounds(
            "a group id without a key".into(),
        )));
    }
    let threads = threads_for(height);
    let all: Vec<&str> = items.iter().chain(expectations).copied().collect();
    let columns: Vec<Codes> = parallel_map(&all, threads, |code| codes(frame, code))
        .into_iter()
        .collect::<Result<_, _>>()?;
    let (item_columns, expectation_columns) = columns.split_at(items.len());
    let item_stats = parallel_map(item_columns, threads, |column| {
        item_pass(column, &group, &weight, groups, method)
    });
    let expectation_stats = parallel_map(expectation_columns, threads, |column| {
        expectation_pass(column, &group, &weight, groups)
    });
    let mut stats = vec![GroupStats::default(); groups];
    for &g in &group {
        stats[g as usize].responses += 1;
    }
    for (g, s) in stats.iter_mut().enumerate() {
        s.items = item_stats
            .iter()
            .map(|per_group| per_group[g].clone())
            .collect();
        s.expectations = expectation_stats
            .iter()
            .map(|per_group| per_group[g])
            .collect();
    }
    let mut items_only = columns;
    items_only.truncate(items.len());
    Ok(Prepared {
        keys,
        stats,
        group,
        weight,
        items: items_only,
    })
}

fn ystar(value: i8, method: IndexMethod) -> f64 {
    match method {
        IndexMethod::Top2Share => {
            if value >= 4 {
                100.0
            } else {
                0.0
            }
        }
        IndexMethod::ScoreShare => (f64::from(value) - 1.0) * 25.0,
    }
}

/// Pass 1 for one item: its sufficient statistics in each group.
fn item_pass(
    column: &[i8],
    group: &[u32],
    weight: &[f64],
    groups: usize,
    method: IndexMethod,
) -> Vec<ItemStats> {
    let mut out = vec![ItemStats::default(); groups];
    for ((&v, &g), &w) in column.iter().zip(group).zip(weight) {
        if v == NONE {
            continue;
        }
        let s = &mut out[g as usize];
        s.n += 1;
        s.satisfied += u64::from(v >= 4);
        s.sum_w += w;
        s.sum_w2 += w * w;
        s.sum_wy += w * ystar(v, method);
        s.sum_wv += w * f64::from(v);
        if (1..=5).contains(&v) {
            s.distribution[(v - 1) as usize] += 1;
        }
    }
    out
}

/// Pass 1 for one expectation: its statistics in each group.
fn expectation_pass(
    column: &[i8],
    group: &[u32],
    weight: &[f64],
    groups: usize,
) -> Vec<ExpectationStats> {
    let mut out = vec![ExpectationStats::default(); groups];
    for ((&v, &g), &w) in column.iter().zip(group).zip(weight) {
        if v == NONE {
            continue;
        }
        let s = &mut out[g as usize];
        s.n += 1;
        s.sum_w += w;
        if v >= 2 {
            s.sum_w_wanted += w;
        }
        if (1..=3).contains(&v) {
            s.levels[(v - 1) as usize] += 1;
            s.level_w[(v - 1) as usize] += w;
        }
    }
    out
}

impl Prepared {
    /// For each group, for each range of item positions (an element's or a part's items): how
    /// many responses answered at least one item of the range.
    pub fn answered_any(&self, ranges: &[std::ops::Range<usize>]) -> Vec<Vec<u64>> {
        let mut out = vec![vec![0u64; ranges.len()]; self.keys.len()];
        for (r, &g) in self.group.iter().enumerate() {
            let counts = &mut out[g as usize];
            for (count, range) in counts.iter_mut().zip(ranges) {
                if self.items[range.clone()].iter().any(|c| c[r] != NONE) {
                    *count += 1;
                }
            }
        }
        out
    }
}

/// Pass 2: for each group `g` and each index `k` of `terms[g]`, `Σ_r u_r²` over the group's rows,
/// with `u_r = Σ_terms a·w_r·(y*_ri − p)` over the items `i` row `r` answered (docs/method.md §8).
pub(super) fn second_pass(
    d: &Prepared,
    method: IndexMethod,
    terms: &[Vec<Vec<Term>>],
) -> Vec<Vec<f64>> {
    let rows = d.group.len();
    let threads = threads_for(rows);
    let chunk = rows.div_ceil(threads).max(1);
    let parts: Vec<Vec<Vec<f64>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(rows)..((t + 1) * chunk).min(rows);
                scope.spawn(move || second_pass_rows(d, method, terms, range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut total: Vec<Vec<f64>> = terms.iter().map(|t| vec![0.0; t.len()]).collect();
    for part in parts {
        for (sum, add) in total.iter_mut().zip(part) {
            for (s, a) in sum.iter_mut().zip(add) {
                *s += a;
            }
        }
    }
    total
}

fn second_pass_rows(
    d: &Prepared,
    method: IndexMethod,
    terms: &[Vec<Vec<Term>>],
    range: std::ops::Range<usize>,
) -> Vec<Vec<f64>> {
    let mut sums: Vec<Vec<f64>> = terms.iter().map(|t| vec![0.0; t.len()]).collect();
    // Each group's item indices, by item (0 where it has none: no term uses those).
    let p: Vec<Vec<f64>> = terms
        .iter()
        .map(|indices| {
            let mut p = vec![0.0; d.items.len()];
            for t in indices.iter().flatten() {
                p[t.item] = t.p;
            }
            p
        })
        .collect();
    // y* of every possible value, by `value as u8`.
    let mut ystar_of = [0.0; 256];
    for v in i8::MIN..=i8::MAX {
        ystar_of[usize::from(v as u8)] = ystar(v, method);
    }
    // The current row's w·(y*_i − p_i) per item, 0 for an item it did not answer.
    let mut residual = vec![0.0; d.items.len()];
    for r in range {
        let g = d.group[r] as usize;
        let w = d.weight[r];
        for ((res, column), &p) in residual.iter_mut().zip(&d.items).zip(&p[g]) {
            let v = column[r];
            *res = if v == NONE {
                0.0
            } else {
                w * (ystar_of[usize::from(v as u8)] - p)
            };
        }
        for (sum, index) in sums[g].iter_mut().zip(&terms[g]) {
            let u: f64 = index.iter().map(|t| t.a * residual[t.item]).sum();
            *sum += u * u;
        }
    }
    sums
}
