//! docs/method.md §4–§8 on an answers frame: item, element, part and form indices with their 95 %
//! intervals, per group (the passes over the frame are in `passes`).

use polars::prelude::DataFrame;

use super::frame::GROUP;
use super::passes::{self, ExpectationStats, Grouping, ItemStats, Term};
use super::stats::{kish_effective_n, normal_interval, wilson_interval};
use super::AnalyticsError;
use crate::forms::model::Element;
use crate::forms::{Form, IndexMethod};

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
    /// Responses that answered at least one of its items.
    pub n: u64,
    pub estimate: Estimate,
    pub items: Vec<ItemResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartResult {
    pub code: String,
    /// Responses that answered at least one of its items.
    pub n: u64,
    pub estimate: Estimate,
    pub elements: Vec<ElementResult>,
}

/// Expectation index (docs/method.md §6): share answering 2 or 3; and the share of each level.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectationResult {
    pub code: String,
    pub n: u64,
    pub value: Option<f64>,
    /// Unweighted counts of 1 Ít, 2 Nhiều, 3 Rất nhiều.
    pub levels: [u64; 3],
    /// Weighted share (percent) of each level; `None` when nobody answered.
    pub shares: [Option<f64>; 3],
}

impl ExpectationResult {
    fn new(code: &str, s: &ExpectationStats) -> Self {
        let share = |w: f64| (s.sum_w > 0.0).then(|| percent(100.0 * w / s.sum_w));
        ExpectationResult {
            code: code.to_string(),
            n: s.n,
            value: share(s.sum_w_wanted),
            levels: s.levels,
            shares: s.level_w.map(share),
        }
    }
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

/// Computes every index of `form` for each value of the frame's `group` column (string; nulls
/// form their own group), or for the whole frame as one group with key `None` when it has none.
///
/// Two passes over the frame's columns (`passes`): the first gathers every item's sufficient
/// statistics per group (n, Σw, Σw², Σw·y*, Σw·value, the 1–5 counts); the second computes the
/// linearisation residuals `u_r` of every index (docs/method.md §8) with each group's item indices and
/// sums their squares. `y*` is 100·[value ≥ 4] for `top2_share` and 100·(value − 1)/4 for
/// `score_share`, so the item index is the weighted mean of `y*`.
pub fn compute(frame: &DataFrame, form: &Form) -> Result<Vec<GroupResult>, AnalyticsError> {
    compute_grouped(frame, None, form)
}

/// [`compute`] with the groups given by `grouping` (one id per row of `frame`) instead of a
/// `group` column; `None`: as [`compute`].
pub fn compute_grouped(
    frame: &DataFrame,
    grouping: Option<Grouping>,
    form: &Form,
) -> Result<Vec<GroupResult>, AnalyticsError> {
    let grouped = grouping.is_some() || frame.column(GROUP).is_ok();
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
    let expectation_codes: Vec<&str> = form.expectations.iter().map(|e| e.code.as_str()).collect();
    let mut data = passes::prepare(frame, grouping, &items, &expectation_codes, method)?;
    let stats = std::mem::take(&mut data.stats);
    let values: Vec<Vec<Option<f64>>> = stats.iter().map(|g| item_values(&g.items)).collect();
    let plans: Vec<Plan> = values
        .iter()
        .map(|p| Plan::new(form, items.len(), p))
        .collect();
    let terms: Vec<Vec<Vec<Term>>> = plans
        .iter()
        .zip(&stats)
        .zip(&values)
        .map(|((plan, g), p)| plan.terms(&g.items, p))
        .collect();
    let sum_u2 = passes::second_pass(&data, method, &terms);
    let answered = data.answered_any(&answer_ranges(form));

    let mut results = Vec::with_capacity(stats.len());
    for ((((group, plan), sums), key), answered) in stats
        .into_iter()
        .zip(&plans)
        .zip(&sum_u2)
        .zip(&data.keys)
        .zip(&answered)
    {
        if group.responses == 0 {
            continue;
        }
        let expectations = form
            .expectations
            .iter()
            .zip(&group.expectations)
            .map(|(e, s)| ExpectationResult::new(&e.code, s))
            .collect();
        let counts = (group.items, group.responses, answered.as_slice());
        let mut result = indices_for_group(form, counts, plan, sums);
        result.key = if grouped { key.clone() } else { None };
        result.expectations = expectations;
        results.push(result);
    }
    if !grouped && results.is_empty() {
        // An empty selection is still one (empty) group: its indices are null, not absent.
        let empty = vec![ItemStats::default(); items.len()];
        let plan = Plan::new(form, items.len(), &item_values(&empty));
        let sums = vec![0.0; plan.all.len()];
        let none_answered = vec![0; answer_ranges(form).len()];
        let mut result = indices_for_group(form, (empty, 0, &none_answered), &plan, &sums);
        result.expectations = form
            .expectations
            .iter()
            .map(|e| ExpectationResult::new(&e.code, &ExpectationStats::default()))
            .collect();
        results.push(result);
    }
    Ok(results)
}

/// The item positions of every element (in form order), then of every part: the responses
/// that answered at least one item of each are its `n`.
fn answer_ranges(form: &Form) -> Vec<std::ops::Range<usize>> {
    let mut elements = Vec::new();
    let mut parts = Vec::new();
    let mut offset = 0;
    for part in &form.parts {
        let start = offset;
        for element in &part.elements {
            elements.push(offset..offset + element.items.len());
            offset += element.items.len();
        }
        parts.push(start..offset);
    }
    elements.extend(parts);
    elements
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

/// Coefficients `c_i` of an index over items (docs/method.md §8): the index is `Σ c_i·p_i`.
type Coefficients = Vec<f64>;

/// The coefficients of every index of one group (docs/method.md §5, §8): the nested means over the
/// items, elements and parts that have answers in that group.
struct Plan {
    /// Item indices (`c = 1` on the item itself), then elements, parts and the form.
    all: Vec<Coefficients>,
    /// Per part: the slot of its first element among the element coefficients.
    element_slots: Vec<(usize, usize)>,
    /// How many element coefficient vectors there are.
    elements: usize,
}

impl Plan {
    fn new(form: &Form, n_items: usize, p: &[Option<f64>]) -> Plan {
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
        Plan {
            all,
            element_slots,
            elements: index_coefs.len(),
        }
    }

    /// The non-zero terms of each index's residual (`passes::second_pass`).
    fn terms(&self, stats: &[ItemStats], p: &[Option<f64>]) -> Vec<Vec<Term>> {
        self.all
            .iter()
            .map(|c| {
                (0..c.len())
                    .filter_map(|i| match p[i] {
                        Some(pi) if c[i] != 0.0 && stats[i].sum_w > 0.0 => Some(Term {
                            item: i,
                            a: c[i] / stats[i].sum_w,
                            p: pi,
                        }),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }
}

/// Every index of one group from its statistics (item statistics, responses, and the
/// responses that answered each element and part: see [`answer_ranges`]), its plan and its
/// `Σ u_r²` per index.
fn indices_for_group(
    form: &Form,
    (stats, responses, answered): (Vec<ItemStats>, u64, &[u64]),
    plan: &Plan,
    sum_u2: &[f64],
) -> GroupResult {
    let n_elements: usize = form.parts.iter().map(|p| p.elements.len()).sum();
    let n_items = stats.len();
    let group = GroupStats {
        method: form.index_method,
        p: item_values(&stats),
        stats: &stats,
        n: responses as f64,
        sum_u2,
    };
    let mut parts = Vec::new();
    let mut item_cursor = 0;
    for (pi, part) in form.parts.iter().enumerate() {
        let (first, _) = plan.element_slots[pi];
        let mut elements = Vec::new();
        for (ei, element) in part.elements.iter().enumerate() {
            let slot = first + ei;
            let n = answered.get(slot).copied().unwrap_or(0);
            elements.push(group.element(element, item_cursor, n, n_items + slot));
            item_cursor += element.items.len();
        }
        let value = mean(
            &elements
                .iter()
                .map(|e| e.estimate.value)
                .collect::<Vec<_>>(),
        );
        parts.push(PartResult {
            code: part.code.clone(),
            n: answered.get(n_elements + pi).copied().unwrap_or(0),
            estimate: group.estimate(value, n_items + plan.elements + pi),
            elements,
        });
    }
    let form_slot = plan.all.len() - 1;
    let form_value = mean(&parts.iter().map(|p| p.estimate.value).collect::<Vec<_>>());
    GroupResult {
        key: None,
        responses,
        index: group.estimate(form_value, form_slot),
        parts,
        expectations: Vec::new(),
    }
}

/// The mean of the present values; `None` when there is none.
fn mean(values: &[Option<f64>]) -> Option<f64> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

/// What one group's estimates are made of: its item statistics and indices, responses and
/// `Σ u_r²` per index.
struct GroupStats<'a> {
    method: IndexMethod,
    stats: &'a [ItemStats],
    /// The item indices (`item_values`).
    p: Vec<Option<f64>>,
    /// The group's responses.
    n: f64,
    sum_u2: &'a [f64],
}

impl GroupStats<'_> {
    /// The linearised variance of index `k`; `None` under two responses.
    fn variance(&self, k: usize) -> Option<f64> {
        let n = self.n;
        (n >= 2.0).then(|| n / (n - 1.0) * self.sum_u2[k])
    }

    /// The estimate of index `k` with its normal interval.
    fn estimate(&self, value: Option<f64>, k: usize) -> Estimate {
        // Values are the nested means of docs/method.md §5 computed as means (exact: six items at
        // 80 give 80, not 79.999…); the coefficients serve the variances only.
        let Some(value) = value else {
            return Estimate::default();
        };
        let var = self.variance(k);
        Estimate {
            value: Some(value),
            ci95: var.and_then(|v| normal_interval(value, v)),
            variance: var,
        }
    }

    /// The result of `element`, its first item at `first` among the form's items, `n` its
    /// responses and `k` its index.
    fn element(&self, element: &Element, first: usize, n: u64, k: usize) -> ElementResult {
        let items: Vec<ItemResult> = element
            .items
            .iter()
            .enumerate()
            .map(|(j, item)| self.item(first + j, &item.code))
            .collect();
        let value = mean(&items.iter().map(|i| i.estimate.value).collect::<Vec<_>>());
        ElementResult {
            code: element.code.clone(),
            n,
            estimate: self.estimate(value, k),
            items,
        }
    }

    /// The result of the item at `i` among the form's items: Wilson interval for `top2_share`,
    /// normal for `score_share`.
    fn item(&self, i: usize, code: &str) -> ItemResult {
        let s = &self.stats[i];
        let p = self.p[i];
        let ci95 = match (p, self.method) {
            (Some(v), IndexMethod::Top2Share) => {
                wilson_interval(v / 100.0, kish_effective_n(s.sum_w, s.sum_w2))
            }
            (Some(v), IndexMethod::ScoreShare) => {
                self.variance(i).and_then(|var| normal_interval(v, var))
            }
            (None, _) => None,
        };
        ItemResult {
            code: code.to_string(),
            estimate: Estimate {
                value: p,
                ci95,
                variance: p.and(self.variance(i)),
            },
            mean_score: (s.sum_w > 0.0).then(|| s.sum_wv / s.sum_w),
            stats: s.clone(),
        }
    }
}
