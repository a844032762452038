//! METHOD.md §3–§4 on an answers frame: item, element, part and form indices with their 95 %
//! intervals, per group.
//!
//! Two passes over the frame. The first, one `group_by`, gathers every item's sufficient
//! statistics per group (n, Σw, Σw², Σw·y*, Σw·value, the 1–5 counts). The second, once per group,
//! computes the linearisation residuals `u_r` of every index (METHOD.md §4) with that group's item
//! indices as literals, and sums their squares. `y*` is 100·[value ≥ 4] for `top2_share` and
//! 100·(value − 1)/4 for `score_share`, so the item index is the weighted mean of `y*`.

use polars::prelude::*;

use super::frame::{GROUP, WEIGHT};
use super::stats::{kish_effective_n, normal_interval, wilson_interval};
use super::AnalyticsError;
use crate::forms::{Form, IndexMethod};

/// The key of rows whose grouping value is null (a respondent who did not answer the grouping
/// question). Not a valid answer code, so it cannot collide with one.
const NULL_KEY: &str = "\u{0}null";

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

/// One index (item, element, part or form) with its interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    /// Percent; `None` when no item under it was answered.
    pub value: Option<f64>,
    pub ci95: Option<(f64, f64)>,
    /// Linearised variance (percent²), used for intervals and for z of differences.
    pub variance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub code: String,
    pub stats: ItemStats,
    pub estimate: Estimate,
    pub mean_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ElementResult {
    pub code: String,
    pub estimate: Estimate,
    pub items: Vec<ItemResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartResult {
    pub code: String,
    pub estimate: Estimate,
    pub elements: Vec<ElementResult>,
}

/// Expectation index (METHOD.md §3): share answering 2 or 3.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectationResult {
    pub code: String,
    pub n: u64,
    pub value: Option<f64>,
}

/// All indices of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// The grouping value; `None` for responses without one (or ungrouped: see `compute`).
    pub key: Option<String>,
    pub responses: u64,
    pub index: Estimate,
    pub parts: Vec<PartResult>,
    pub expectations: Vec<ExpectationResult>,
}

fn ystar(code: &str, method: IndexMethod) -> Expr {
    match method {
        IndexMethod::Top2Share => col(code).gt_eq(lit(4)).cast(DataType::Float64) * lit(100.0),
        IndexMethod::ScoreShare => (col(code).cast(DataType::Float64) - lit(1.0)) * lit(25.0),
    }
}

fn answered_weight(code: &str) -> Expr {
    when(col(code).is_not_null())
        .then(col(WEIGHT))
        .otherwise(lit(0.0))
}

fn stat_name(code: &str, what: &str) -> String {
    format!("{code}\u{1f}{what}")
}

/// Computes every index of `form` for each value of the frame's `group` column (string; nulls
/// form their own group), or for the whole frame as one group with key `None` when it has none.
pub fn compute(frame: &DataFrame, form: &Form) -> Result<Vec<GroupResult>, AnalyticsError> {
    let grouped = frame.column(GROUP).is_ok();
    // Common-subexpression elimination of polars 0.55 panics on these plans (a literal column,
    // a filter, then repeated sums): turned off.
    let mut lf = {
        let lf = frame.clone().lazy();
        let mut flags = lf.get_current_optimizations();
        flags.remove(OptFlags::COMM_SUBEXPR_ELIM);
        lf.with_optimizations(flags)
    };
    lf = if grouped {
        lf.with_column(col(GROUP).fill_null(lit(NULL_KEY)))
    } else {
        lf.with_column(lit(NULL_KEY).alias(GROUP))
    };
    let method = form.index_method;
    let items: Vec<&str> = form
        .parts
        .iter()
        .flat_map(|p| {
            p.elements
                .iter()
                .flat_map(|e| e.items.iter().map(|i| i.code.as_str()))
        })
        .collect();

    // Pass 1: sufficient statistics per group.
    let mut aggs = vec![len().alias("\u{1f}responses")];
    for &code in &items {
        let w = col(WEIGHT);
        aggs.push(
            col(code)
                .count()
                .cast(DataType::Float64)
                .alias(stat_name(code, "n")),
        );
        aggs.push(
            col(code)
                .gt_eq(lit(4))
                .sum()
                .cast(DataType::Float64)
                .alias(stat_name(code, "sat")),
        );
        aggs.push(answered_weight(code).sum().alias(stat_name(code, "w")));
        aggs.push(
            (answered_weight(code) * w.clone())
                .sum()
                .alias(stat_name(code, "w2")),
        );
        aggs.push(
            (ystar(code, method) * w.clone())
                .sum()
                .alias(stat_name(code, "wy")),
        );
        aggs.push(
            (col(code).cast(DataType::Float64) * w)
                .sum()
                .alias(stat_name(code, "wv")),
        );
        for k in 1..=5 {
            aggs.push(
                col(code)
                    .eq(lit(k))
                    .sum()
                    .cast(DataType::Float64)
                    .alias(stat_name(code, &format!("d{k}"))),
            );
        }
    }
    for e in &form.expectations {
        let code = e.code.as_str();
        aggs.push(
            col(code)
                .count()
                .cast(DataType::Float64)
                .alias(stat_name(code, "n")),
        );
        aggs.push(answered_weight(code).sum().alias(stat_name(code, "w")));
        aggs.push(
            (col(code).gt_eq(lit(2)).cast(DataType::Float64) * col(WEIGHT))
                .sum()
                .alias(stat_name(code, "x")),
        );
    }
    let stats = lf.clone().group_by([col(GROUP)]).agg(aggs).collect()?;

    let keys = stats.column(GROUP)?.str()?.clone();
    let mut results = Vec::with_capacity(stats.height());
    for row in 0..stats.height() {
        let get = |name: &str| -> Result<f64, AnalyticsError> {
            Ok(stats
                .column(name)?
                .cast(&DataType::Float64)?
                .f64()?
                .get(row)
                .unwrap_or(0.0))
        };
        let key = keys.get(row).unwrap_or(NULL_KEY).to_string();
        let mut item_stats = Vec::with_capacity(items.len());
        for &code in &items {
            let mut distribution = [0u64; 5];
            for (k, slot) in distribution.iter_mut().enumerate() {
                *slot = get(&stat_name(code, &format!("d{}", k + 1)))? as u64;
            }
            item_stats.push(ItemStats {
                n: get(&stat_name(code, "n"))? as u64,
                satisfied: get(&stat_name(code, "sat"))? as u64,
                sum_w: get(&stat_name(code, "w"))?,
                sum_w2: get(&stat_name(code, "w2"))?,
                sum_wy: get(&stat_name(code, "wy"))?,
                sum_wv: get(&stat_name(code, "wv"))?,
                distribution,
            });
        }
        let mut expectations = Vec::new();
        for e in &form.expectations {
            let n = get(&stat_name(&e.code, "n"))? as u64;
            let w = get(&stat_name(&e.code, "w"))?;
            let x = get(&stat_name(&e.code, "x"))?;
            expectations.push(ExpectationResult {
                code: e.code.clone(),
                n,
                value: (w > 0.0).then(|| percent(100.0 * x / w)),
            });
        }
        let responses = get("\u{1f}responses")? as u64;
        let group_lf = lf.clone().filter(col(GROUP).eq(lit(key.clone())));
        let mut result = indices_for_group(group_lf, form, &items, item_stats, responses)?;
        result.key = (grouped && key != NULL_KEY).then_some(key);
        result.expectations = expectations;
        results.push(result);
    }
    if !grouped && results.is_empty() {
        // An empty selection is still one (empty) group: its indices are null, not absent.
        let empty = vec![ItemStats::default(); items.len()];
        let mut result = indices_for_group(lf.clone(), form, &items, empty, 0)?;
        result.expectations = form
            .expectations
            .iter()
            .map(|e| ExpectationResult {
                code: e.code.clone(),
                n: 0,
                value: None,
            })
            .collect();
        results.push(result);
    }
    Ok(results)
}

/// A share in percent: a weighted sum over another weighted sum can land a rounding error outside
/// [0, 100] (100.00000000000001); the quantity itself cannot.
fn percent(x: f64) -> f64 {
    x.clamp(0.0, 100.0)
}

/// The item index of each item (percent), `None` where nobody answered.
fn item_values(stats: &[ItemStats]) -> Vec<Option<f64>> {
    stats
        .iter()
        .map(|s| (s.n > 0 && s.sum_w > 0.0).then(|| percent(s.sum_wy / s.sum_w)))
        .collect()
}

/// Coefficients `c_i` of an index over items (METHOD.md §4): the index is `Σ c_i·p_i`.
type Coefficients = Vec<f64>;

/// Builds the nested means of METHOD.md §3 and the coefficients of each index, then runs pass 2.
fn indices_for_group(
    group_lf: LazyFrame,
    form: &Form,
    items: &[&str],
    stats: Vec<ItemStats>,
    responses: u64,
) -> Result<GroupResult, AnalyticsError> {
    let p = item_values(&stats);
    let n_items = items.len();
    let mut index_coefs: Vec<Coefficients> = Vec::new(); // element…, part…, form (in that order)
    let mut element_slots = Vec::new(); // per part: (first element coef slot, count)
    let mut part_coefs: Vec<Option<Coefficients>> = Vec::new();
    let mut offset = 0;
    for part in &form.parts {
        let first = index_coefs.len();
        let mut existing: Vec<Coefficients> = Vec::new();
        for element in &part.elements {
            let answered: Vec<usize> = (offset..offset + element.items.len())
                .filter(|&i| p[i].is_some())
                .collect();
            let mut c = vec![0.0; n_items];
            for &i in &answered {
                c[i] = 1.0 / answered.len() as f64;
            }
            if !answered.is_empty() {
                existing.push(c.clone());
            }
            index_coefs.push(c);
            offset += element.items.len();
        }
        element_slots.push((first, part.elements.len()));
        part_coefs.push((!existing.is_empty()).then(|| {
            let mut c = vec![0.0; n_items];
            for e in &existing {
                for (ci, ei) in c.iter_mut().zip(e) {
                    *ci += ei / existing.len() as f64;
                }
            }
            c
        }));
    }
    let existing_parts: Vec<&Coefficients> = part_coefs.iter().flatten().collect();
    let form_coef = (!existing_parts.is_empty()).then(|| {
        let mut c = vec![0.0; n_items];
        for pc in &existing_parts {
            for (ci, pi) in c.iter_mut().zip(pc.iter()) {
                *ci += pi / existing_parts.len() as f64;
            }
        }
        c
    });

    // Pass 2: Σ u_r² for every index, items included (c = 1 on the item itself).
    let mut all: Vec<Coefficients> = (0..n_items)
        .map(|i| {
            let mut c = vec![0.0; n_items];
            c[i] = 1.0;
            c
        })
        .collect();
    all.extend(index_coefs.iter().cloned());
    all.extend(
        part_coefs
            .iter()
            .map(|c| c.clone().unwrap_or_else(|| vec![0.0; n_items])),
    );
    all.push(form_coef.clone().unwrap_or_else(|| vec![0.0; n_items]));
    let sum_u2 = sum_squared_residuals(group_lf, form.index_method, items, &stats, &p, &all)?;
    let n = responses as f64;
    let variance = |k: usize| (n >= 2.0).then(|| n / (n - 1.0) * sum_u2[k]);
    // Values are the nested means of METHOD.md §3 computed as means (exact: six items at 80 give
    // 80, not 79.999…); the coefficients serve the variances only.
    let estimate = |value: Option<f64>, k: usize| -> Estimate {
        let Some(value) = value else {
            return Estimate::default();
        };
        let var = variance(k);
        Estimate {
            value: Some(value),
            ci95: var.and_then(|v| normal_interval(value, v)),
            variance: var,
        }
    };
    let mean = |values: &[Option<f64>]| -> Option<f64> {
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
    };

    let mut parts = Vec::new();
    let mut item_cursor = 0;
    for (pi, part) in form.parts.iter().enumerate() {
        let (first, _) = element_slots[pi];
        let mut elements = Vec::new();
        for (ei, element) in part.elements.iter().enumerate() {
            let slot = first + ei;
            let mut item_results = Vec::new();
            for item in &element.items {
                let i = item_cursor;
                item_cursor += 1;
                let s = &stats[i];
                let ci95 = match (p[i], form.index_method) {
                    (Some(v), IndexMethod::Top2Share) => {
                        wilson_interval(v / 100.0, kish_effective_n(s.sum_w, s.sum_w2))
                    }
                    (Some(v), IndexMethod::ScoreShare) => {
                        variance(i).and_then(|var| normal_interval(v, var))
                    }
                    (None, _) => None,
                };
                item_results.push(ItemResult {
                    code: item.code.clone(),
                    estimate: Estimate {
                        value: p[i],
                        ci95,
                        variance: p[i].and(variance(i)),
                    },
                    mean_score: (s.sum_w > 0.0).then(|| s.sum_wv / s.sum_w),
                    stats: s.clone(),
                });
            }
            let value = mean(
                &item_results
                    .iter()
                    .map(|i| i.estimate.value)
                    .collect::<Vec<_>>(),
            );
            elements.push(ElementResult {
                code: element.code.clone(),
                estimate: estimate(value, n_items + slot),
                items: item_results,
            });
        }
        let value = mean(
            &elements
                .iter()
                .map(|e| e.estimate.value)
                .collect::<Vec<_>>(),
        );
        parts.push(PartResult {
            code: part.code.clone(),
            estimate: estimate(value, n_items + index_coefs.len() + pi),
            elements,
        });
    }
    let form_slot = all.len() - 1;
    let form_value = mean(&parts.iter().map(|p| p.estimate.value).collect::<Vec<_>>());
    Ok(GroupResult {
        key: None,
        responses,
        index: estimate(form_value, form_slot),
        parts,
        expectations: Vec::new(),
    })
}

/// For each coefficient vector `c`: `Σ_r u_r²` with `u_r = Σ_i (c_i / W_i)·w_r·(y*_ri − p_i)` over the
/// items `r` answered (METHOD.md §4).
fn sum_squared_residuals(
    group_lf: LazyFrame,
    method: IndexMethod,
    items: &[&str],
    stats: &[ItemStats],
    p: &[Option<f64>],
    coefficients: &[Coefficients],
) -> Result<Vec<f64>, AnalyticsError> {
    let exprs: Vec<Expr> = coefficients
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let terms = items.iter().enumerate().filter_map(|(i, &code)| {
                let (Some(pi), true) = (p[i], c[i] != 0.0 && stats[i].sum_w > 0.0) else {
                    return None;
                };
                let a = c[i] / stats[i].sum_w;
                Some((lit(a) * col(WEIGHT) * (ystar(code, method) - lit(pi))).fill_null(lit(0.0)))
            });
            let u = terms.reduce(|acc, t| acc + t).unwrap_or(lit(0.0));
            (u.clone() * u).sum().alias(format!("u{k}"))
        })
        .collect();
    if exprs.is_empty() {
        return Ok(Vec::new());
    }
    let sums = group_lf.select(exprs).collect()?;
    (0..coefficients.len())
        .map(|k| {
            Ok(sums
                .column(&format!("u{k}"))?
                .cast(&DataType::Float64)?
                .f64()?
                .get(0)
                .unwrap_or(0.0))
        })
        .collect()
}
