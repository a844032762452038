//! Properties of `sipas::reporting::analytics::compute` on random answer frames (proptest): random
//! responses answering random subsets of a two-part form's items with 1–5, random positive
//! weights.
//!
//! (a) every index lies inside its 95 % interval and in [0, 100];
//! (b) results do not depend on row order;
//! (c) a parent equals its children pooled (not averaged), and group counts add up;
//! (d) weights that are all equal to a constant give the numbers of weight 1.

use std::sync::OnceLock;

use polars::prelude::{Column, DataFrame};
use proptest::prelude::*;
use sipas::forms::{parse_form, Form};
use sipas::reporting::analytics::{compute, Estimate, FrameBuilder, GroupResult, ResponseFields};

/// A small two-part form (elements of 3, 1, 2 and 1 items) keeps each `compute` cheap enough
/// for many cases in an unoptimised build; the arithmetic does not depend on the form's size.
const FORM: &str = r#"
id = "props"
title = "Phiếu kiểm thử"
target = 90.0
index_method = "top2_share"
channels = ["web"]
invitation_only = false

[scale]
labels = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]

[expectation_scale]
labels = ["Ít", "Nhiều", "Rất nhiều"]

[[parts]]
code = "chinh_sach"
label = "Chính sách"

[[parts.elements]]
code = "e1"
label = "E1"

[[parts.elements.items]]
code = "A1"
label = "A1"

[[parts.elements.items]]
code = "A2"
label = "A2"

[[parts.elements.items]]
code = "A3"
label = "A3"

[[parts.elements]]
code = "e2"
label = "E2"

[[parts.elements.items]]
code = "B1"
label = "B1"

[[parts]]
code = "dich_vu"
label = "Dịch vụ"

[[parts.elements]]
code = "e3"
label = "E3"

[[parts.elements.items]]
code = "C1"
label = "C1"

[[parts.elements.items]]
code = "C2"
label = "C2"

[[parts.elements]]
code = "e4"
label = "E4"

[[parts.elements.items]]
code = "D1"
label = "D1"

[[expectations]]
code = "X1"
label = "X1"
"#;

const ITEMS: [&str; 7] = ["A1", "A2", "A3", "B1", "C1", "C2", "D1"];
const EXPECTATIONS: [&str; 1] = ["X1"];
const TOL: f64 = 1e-9;

fn test_form() -> &'static Form {
    static FORM_CELL: OnceLock<Form> = OnceLock::new();
    FORM_CELL.get_or_init(|| {
        parse_form(std::path::Path::new("props.toml"), FORM).expect("the test form is valid")
    })
}

#[derive(Debug, Clone)]
struct Response {
    weight: f64,
    items: Vec<Option<i32>>,
    expectations: Vec<Option<i32>>,
}

/// One response answering each item with probability `p_answer`.
fn response(p_answer: f64) -> impl Strategy<Value = Response> {
    (
        0.1f64..5.0,
        prop::collection::vec(prop::option::weighted(p_answer, 1i32..=5), ITEMS.len()),
        prop::collection::vec(prop::option::of(1i32..=3), EXPECTATIONS.len()),
    )
        .prop_map(|(weight, items, expectations)| Response {
            weight,
            items,
            expectations,
        })
}

/// 1–`max` responses. Each case draws which items can be answered at all (as routing or a short
/// form would: whole elements and parts may go unanswered) and how sparse the answers are.
fn responses(max: usize) -> impl Strategy<Value = Vec<Response>> {
    (
        prop::collection::vec(prop::bool::weighted(0.6), ITEMS.len()),
        0.05f64..0.95,
    )
        .prop_flat_map(move |(asked, p)| {
            prop::collection::vec(response(p), 1..max).prop_map(move |mut rows| {
                for r in &mut rows {
                    for (answer, asked) in r.items.iter_mut().zip(&asked) {
                        if !asked {
                            *answer = None;
                        }
                    }
                }
                rows
            })
        })
}

/// The answers frame; `weight` replaces every response's weight when given.
fn frame(rows: &[Response], weight: Option<f64>) -> DataFrame {
    let form = test_form();
    let mut b = FrameBuilder::new(form, rows.len());
    for (k, r) in rows.iter().enumerate() {
        let id = format!("r{k}");
        let at = b.push_response(ResponseFields {
            id: &id,
            unit: "phuoc-son",
            channel: "web",
            submitted_at_micros: k as i64,
            local_year: 2024,
            local_month: 1,
            weight: weight.unwrap_or(r.weight),
        });
        for (code, v) in ITEMS.iter().zip(&r.items) {
            if let Some(v) = v {
                b.set_answer(at, code, Some(*v), None);
            }
        }
        for (code, v) in EXPECTATIONS.iter().zip(&r.expectations) {
            if let Some(v) = v {
                b.set_answer(at, code, Some(*v), None);
            }
        }
    }
    b.finish().unwrap()
}

fn run(df: &DataFrame) -> Vec<GroupResult> {
    compute(df, test_form()).expect("compute")
}

fn single(df: &DataFrame) -> GroupResult {
    let mut groups = run(df);
    assert_eq!(groups.len(), 1, "ungrouped: one group");
    groups.remove(0)
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * a.abs().max(b.abs()).max(1.0)
}

fn assert_near_opt(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(x), Some(y)) => assert!(near(x, y), "{what}: {x} vs {y}"),
        (x, y) => assert_eq!(x, y, "{what}"),
    }
}

fn assert_same_estimate(a: &Estimate, b: &Estimate, what: &str) {
    assert_near_opt(a.value, b.value, &format!("{what} value"));
    assert_near_opt(
        a.ci95.map(|c| c.0),
        b.ci95.map(|c| c.0),
        &format!("{what} low"),
    );
    assert_near_opt(
        a.ci95.map(|c| c.1),
        b.ci95.map(|c| c.1),
        &format!("{what} high"),
    );
    assert_near_opt(a.variance, b.variance, &format!("{what} variance"));
}

/// All numbers of two results agree within `TOL` (weight sums aside: see `assert_same_sums`).
fn assert_same_numbers(a: &GroupResult, b: &GroupResult) {
    assert_eq!(a.responses, b.responses, "responses");
    assert_same_estimate(&a.index, &b.index, "form");
    for (pa, pb) in a.parts.iter().zip(&b.parts) {
        assert_same_estimate(&pa.estimate, &pb.estimate, &pa.code);
        for (ea, eb) in pa.elements.iter().zip(&pb.elements) {
            assert_same_estimate(&ea.estimate, &eb.estimate, &ea.code);
            for (ia, ib) in ea.items.iter().zip(&eb.items) {
                assert_eq!(ia.stats.n, ib.stats.n, "{} n", ia.code);
                assert_eq!(ia.stats.satisfied, ib.stats.satisfied, "{}", ia.code);
                assert_eq!(ia.stats.distribution, ib.stats.distribution, "{}", ia.code);
                assert_same_estimate(&ia.estimate, &ib.estimate, &ia.code);
                assert_near_opt(ia.mean_score, ib.mean_score, &ia.code);
            }
        }
    }
    assert_eq!(a.expectations.len(), b.expectations.len());
    for (xa, xb) in a.expectations.iter().zip(&b.expectations) {
        assert_eq!(xa.n, xb.n, "{}", xa.code);
        assert_near_opt(xa.value, xb.value, &xa.code);
    }
}

/// Every estimate of a result with its kind: (what, estimate, composite?).
fn estimates(g: &GroupResult) -> Vec<(String, Estimate, bool)> {
    let mut out = vec![("form".to_string(), g.index, true)];
    for p in &g.parts {
        out.push((p.code.clone(), p.estimate, true));
        for e in &p.elements {
            out.push((e.code.clone(), e.estimate, true));
            for i in &e.items {
                out.push((i.code.clone(), i.estimate, false));
            }
        }
    }
    out
}

fn check_inside_interval(g: &GroupResult) {
    for (what, e, composite) in estimates(g) {
        let Some(v) = e.value else {
            assert_eq!(e.ci95, None, "{what}: no value, no interval");
            continue;
        };
        // 1e-9: the nested means are sums of float coefficients times item indices (see
        // `an_index_exactly_at_the_target_meets_it` in analytics.rs for where that matters).
        assert!(
            (-1e-9..=100.0 + 1e-9).contains(&v),
            "{what}: {v} outside [0, 100]"
        );
        // Items: always a Wilson interval; composites: a linearised one from 2 responses on.
        if !composite || g.responses >= 2 {
            let (low, high) = e
                .ci95
                .unwrap_or_else(|| panic!("{what}: an interval for {v}"));
            assert!(
                0.0 <= low && low <= high && high <= 100.0,
                "{what}: [{low}, {high}]"
            );
            assert!(
                low - 1e-9 <= v && v <= high + 1e-9,
                "{what}: {v} outside [{low}, {high}]"
            );
        }
    }
    for x in &g.expectations {
        if let Some(v) = x.value {
            assert!((0.0..=100.0).contains(&v), "{}: {v}", x.code);
        }
    }
}

/// 32 cases a property by default (each `compute` takes ~0.1 s unoptimised); `PROPTEST_CASES`
/// raises it.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: crate::common::proptest_cases(32),
        // No regression files next to the tests: a failure prints its minimal input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (a) Every index value lies inside its 95 % interval and in [0, 100].
    #[test]
    fn every_index_lies_inside_its_interval(rows in responses(40)) {
        let g = single(&frame(&rows, None));
        prop_assert_eq!(g.responses, rows.len() as u64);
        check_inside_interval(&g);
    }

    /// (b) Shuffling the rows changes nothing.
    #[test]
    fn results_do_not_depend_on_row_order(
        (rows, shuffled) in responses(40)
            .prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle()))
    ) {
        let a = single(&frame(&rows, None));
        let b = single(&frame(&shuffled, None));
        assert_same_numbers(&a, &b);
    }

    /// (c) A parent pools its children's responses: the union computed ungrouped equals the
    /// grouped frame without its group column; a group equals its own rows alone; counts,
    /// answers and weights add up; each item index of the parent is the W-weighted mean of its
    /// children's (a pooled ratio, not an average of children).
    #[test]
    fn a_parent_equals_its_children_pooled(a in responses(25), b in responses(25)) {
        let union: Vec<Response> = a.iter().chain(&b).cloned().collect();
        let mut grouped = frame(&union, None);
        let keys: Vec<Option<&str>> = a
            .iter()
            .map(|_| Some("a"))
            .chain(b.iter().map(|_| Some("b")))
            .collect();
        grouped.with_column(Column::new("group".into(), keys)).unwrap();
        let groups = run(&grouped);
        prop_assert_eq!(groups.len(), 2);
        let ga = groups.iter().find(|g| g.key.as_deref() == Some("a")).unwrap();
        let gb = groups.iter().find(|g| g.key.as_deref() == Some("b")).unwrap();
        assert_same_numbers(gb, &single(&frame(&b, None)));

        // The parent: the same rows without the group column.
        let parent = single(&grouped.drop("group").unwrap());
        prop_assert_eq!(parent.responses, ga.responses + gb.responses);
        prop_assert_eq!(parent.responses, union.len() as u64);
        let items = |g: &GroupResult| -> Vec<_> {
            g.parts
                .iter()
                .flat_map(|p| &p.elements)
                .flat_map(|e| &e.items)
                .cloned()
                .collect()
        };
        for ((p, x), y) in items(&parent).iter().zip(items(ga)).zip(items(gb)) {
            prop_assert_eq!(p.stats.n, x.stats.n + y.stats.n);
            prop_assert_eq!(p.stats.satisfied, x.stats.satisfied + y.stats.satisfied);
            for k in 0..5 {
                prop_assert_eq!(
                    p.stats.distribution[k],
                    x.stats.distribution[k] + y.stats.distribution[k]
                );
            }
            prop_assert!(near(p.stats.sum_w, x.stats.sum_w + y.stats.sum_w));
            let pooled = match (x.estimate.value, y.estimate.value) {
                (None, None) => None,
                (Some(vx), None) => Some(vx),
                (None, Some(vy)) => Some(vy),
                (Some(vx), Some(vy)) => Some(
                    (x.stats.sum_w * vx + y.stats.sum_w * vy) / (x.stats.sum_w + y.stats.sum_w),
                ),
            };
            assert_near_opt(p.estimate.value, pooled, &p.code);
        }
    }

    /// (d) All weights equal to a constant c: the numbers of weight 1.
    #[test]
    fn constant_weights_equal_weight_one(rows in responses(40), c in 0.05f64..20.0) {
        let one = single(&frame(&rows, Some(1.0)));
        let scaled = single(&frame(&rows, Some(c)));
        assert_same_numbers(&one, &scaled);
    }
}
