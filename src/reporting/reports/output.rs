//! The report as docs/api.md §9 shows it: rounded percentages, verdicts against the form's target.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::forms::Form;
use crate::reporting::analytics::indices::{
    ElementResult, Estimate, ExpectationResult, GroupResult, ItemResult, PartResult,
};
use crate::reporting::analytics::stats::{required_sample, verdict, z_difference, Z95};
use crate::reporting::analytics::Verdict;

/// Percentages are shown with 2 decimals (full precision internally).
fn round2<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_f64((x * 100.0).round() / 100.0),
        None => s.serialize_none(),
    }
}

fn round2_pair<S: Serializer>(v: &Option<(f64, f64)>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some((a, b)) => [(a * 100.0).round() / 100.0, (b * 100.0).round() / 100.0].serialize(s),
        None => s.serialize_none(),
    }
}

/// An index against the target (docs/method.md §9). All fields are `null` when nothing was answered,
/// and `reason` says so.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndexOut {
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub value: Option<f64>,
    #[serde(serialize_with = "round2_pair")]
    #[schema(value_type = Option<Vec<f64>>)]
    pub ci95: Option<(f64, f64)>,
    pub meets_target: Option<bool>,
    pub verdict: Option<Verdict>,
    /// Percentage points above (+) or below (−) the target.
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub gap: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// Below this many responses the linearised (normal) interval of a composite index is not
/// trusted for a verdict: its variance estimate is itself too unstable (4 identical answers give a
/// zero-width interval): docs/method.md §9. Such indices get `chua_du_can_cu` with reason
/// `few_responses`. Item intervals (Wilson) need no such guard.
pub const MIN_RESPONSES_FOR_COMPOSITE_VERDICT: u64 = 30;

impl IndexOut {
    /// An item index (Wilson interval).
    pub fn item(e: &Estimate, target: f64) -> Self {
        Self::new(e, target, None)
    }

    /// An element, part or form index over `responses` responses (linearised interval).
    pub fn composite(e: &Estimate, target: f64, responses: u64) -> Self {
        Self::new(e, target, Some(responses))
    }

    fn new(e: &Estimate, target: f64, composite_responses: Option<u64>) -> Self {
        let too_few = composite_responses.is_some_and(|n| n < MIN_RESPONSES_FOR_COMPOSITE_VERDICT);
        match e.value {
            Some(v) => IndexOut {
                value: Some(v),
                ci95: e.ci95,
                meets_target: Some(v >= target),
                verdict: Some(if too_few {
                    Verdict::ChuaDuCanCu
                } else {
                    verdict(e.ci95, target)
                }),
                gap: Some(v - target),
                reason: too_few.then_some("few_responses"),
            },
            None => IndexOut {
                value: None,
                ci95: None,
                meets_target: None,
                verdict: None,
                gap: None,
                reason: Some("no_answers"),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemOut {
    pub code: String,
    pub n: u64,
    pub satisfied: u64,
    #[serde(flatten)]
    pub index: IndexOut,
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub mean_score: Option<f64>,
    #[schema(value_type = Object)]
    pub distribution: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ElementOut {
    pub code: String,
    pub label: String,
    /// Responses that answered at least one of its items (e.g. only those who had a PAKN for
    /// the PAKN element); its verdict needs 30 of them.
    pub n: u64,
    #[serde(flatten)]
    pub index: IndexOut,
    pub items: Vec<ItemOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartOut {
    pub code: String,
    pub label: String,
    /// Responses that answered at least one of its items.
    pub n: u64,
    #[serde(flatten)]
    pub index: IndexOut,
    pub elements: Vec<ElementOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpectationOut {
    pub code: String,
    /// The question ("Mong muốn cải thiện: …").
    pub label: String,
    /// Responses that answered it.
    pub n: u64,
    /// Share answering Nhiều or Rất nhiều (docs/method.md §6, expectation index).
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub value: Option<f64>,
    /// Each option of the expectation scale (1 Ít, 2 Nhiều, 3 Rất nhiều): how many chose it and
    /// its (weighted) share of those who answered, in percent.
    pub options: Vec<ExpectationOptionOut>,
}

/// One option of an expectation question.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpectationOptionOut {
    /// `"1"`, `"2"`, `"3"`.
    pub code: String,
    pub label: String,
    pub n: u64,
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub share: Option<f64>,
}

/// docs/method.md §10.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SampleOut {
    pub population: i64,
    pub required: i64,
    pub actual: u64,
    pub adequate: bool,
}

/// Change against the previous period (docs/method.md §11: "năm sau cao hơn năm trước").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeOut {
    pub previous: String,
    /// Percentage points.
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub delta: Option<f64>,
    #[serde(serialize_with = "round2")]
    #[schema(value_type = Option<f64>)]
    pub z: Option<f64>,
    /// |z| ≥ 1.96.
    pub significant: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupOut {
    /// `{}` ungrouped; `{"unit": "phuoc-son"}`, `{"period": "2024-Q2"}`, `{"gioi_tinh": null}`, …
    #[schema(value_type = Object)]
    pub key: Map<String, Value>,
    pub responses: u64,
    pub index: IndexOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<SampleOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeOut>,
    pub parts: Vec<PartOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<ExpectationOut>,
    /// Full-precision form index and its variance, for comparisons.
    #[serde(skip)]
    pub estimate: Estimate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelectionOut {
    pub unit: Option<String>,
    /// The unit's name (`null` without a unit).
    pub unit_name: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    /// `as_given` or `current`: the tree units are read in.
    pub tree: String,
}

/// `GET /api/v1/reports/{form_id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportOut {
    pub form: String,
    pub form_title: String,
    pub target: f64,
    pub method: crate::forms::IndexMethod,
    pub selection: SelectionOut,
    pub responses: u64,
    pub groups: Vec<GroupOut>,
}

fn item_out(r: &ItemResult, target: f64) -> ItemOut {
    let distribution = r
        .stats
        .distribution
        .iter()
        .enumerate()
        .map(|(k, n)| ((k + 1).to_string(), Value::from(*n)))
        .collect();
    ItemOut {
        code: r.code.clone(),
        n: r.stats.n,
        satisfied: r.stats.satisfied,
        index: IndexOut::item(&r.estimate, target),
        mean_score: r.mean_score,
        distribution,
    }
}

fn element_out(e: &ElementResult, form: &Form, target: f64) -> ElementOut {
    let label = form
        .parts
        .iter()
        .flat_map(|p| &p.elements)
        .find(|x| x.code == e.code)
        .map(|x| x.label.clone())
        .unwrap_or_default();
    ElementOut {
        code: e.code.clone(),
        label,
        n: e.n,
        index: IndexOut::composite(&e.estimate, target, e.n),
        items: e.items.iter().map(|i| item_out(i, target)).collect(),
    }
}

fn part_out(p: &PartResult, form: &Form, target: f64) -> PartOut {
    PartOut {
        code: p.code.clone(),
        label: form
            .parts
            .iter()
            .find(|x| x.code == p.code)
            .map(|x| x.label.clone())
            .unwrap_or_default(),
        n: p.n,
        index: IndexOut::composite(&p.estimate, target, p.n),
        elements: p
            .elements
            .iter()
            .map(|e| element_out(e, form, target))
            .collect(),
    }
}

fn expectation_out(e: &ExpectationResult, form: &Form) -> ExpectationOut {
    let scale: &[String] = form
        .expectation_scale
        .as_ref()
        .map_or(&[], |s| s.labels.as_slice());
    let options = (0..3)
        .map(|i| ExpectationOptionOut {
            code: (i + 1).to_string(),
            label: scale.get(i).cloned().unwrap_or_default(),
            n: e.levels[i],
            share: e.shares[i],
        })
        .collect();
    ExpectationOut {
        code: e.code.clone(),
        label: super::labels::expectation_text(form, &e.code).to_string(),
        n: e.n,
        value: e.value,
        options,
    }
}

/// One group of the report; `population` is the group's unit population, if known.
pub fn group_out(
    g: &GroupResult,
    form: &Form,
    key: Map<String, Value>,
    population: Option<i64>,
) -> GroupOut {
    let target = form.target;
    GroupOut {
        key,
        responses: g.responses,
        index: IndexOut::composite(&g.index, target, g.responses),
        sample: population.filter(|&p| p > 0).map(|population| {
            let required = required_sample(population);
            SampleOut {
                population,
                required,
                actual: g.responses,
                adequate: g.responses as i64 >= required,
            }
        }),
        change: None,
        parts: g.parts.iter().map(|p| part_out(p, form, target)).collect(),
        expectations: g
            .expectations
            .iter()
            .map(|e| expectation_out(e, form))
            .collect(),
        estimate: g.index,
    }
}

/// The change of `current` against `previous` (keys as labels).
pub fn change(previous_key: &str, previous: &Estimate, current: &Estimate) -> ChangeOut {
    let delta = current.value.zip(previous.value).map(|(c, p)| c - p);
    let z = match (
        current.value,
        current.variance,
        previous.value,
        previous.variance,
    ) {
        (Some(c), Some(vc), Some(p), Some(vp)) => z_difference(c, vc, p, vp),
        _ => None,
    };
    ChangeOut {
        previous: previous_key.to_string(),
        delta,
        z,
        significant: z.map(|z| z.abs() >= Z95),
    }
}
