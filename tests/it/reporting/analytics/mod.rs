//! Hand-computed cases of METHOD.md through `sipas::reporting::analytics::compute` on frames built with
//! `FrameBuilder` (pure: no database, no HTTP). Every expected number is worked out in the
//! comment beside it; nothing here re-implements the code under test.

use crate::common::*;
use polars::prelude::{Column, DataFrame};
use sipas::forms::Form;
use sipas::reporting::analytics::indices::{ElementResult, ItemResult, PartResult};
use sipas::reporting::analytics::stats::{
    kish_effective_n, normal_interval, required_sample, verdict, wilson_interval, z_difference,
};
use sipas::reporting::analytics::{
    compute, Estimate, FrameBuilder, GroupResult, ResponseFields, Verdict,
};

mod expectations_and_grouping;
mod method;
mod other_forms;
mod skipped_and_weights;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One response of a test frame: its weight, rated/expectation answers and choice answers.
struct Row<'a> {
    weight: f64,
    numbers: &'a [(&'a str, i32)],
    choices: &'a [(&'a str, &'a str)],
}

fn row<'a>(numbers: &'a [(&'a str, i32)]) -> Row<'a> {
    Row {
        weight: 1.0,
        numbers,
        choices: &[],
    }
}

fn weighted<'a>(weight: f64, numbers: &'a [(&'a str, i32)]) -> Row<'a> {
    Row {
        weight,
        numbers,
        choices: &[],
    }
}

fn with_choices<'a>(numbers: &'a [(&'a str, i32)], choices: &'a [(&'a str, &'a str)]) -> Row<'a> {
    Row {
        weight: 1.0,
        numbers,
        choices,
    }
}

fn frame(form: &Form, rows: &[Row<'_>]) -> DataFrame {
    let mut b = FrameBuilder::new(form, rows.len());
    for (k, r) in rows.iter().enumerate() {
        let id = format!("r{k}");
        let at = b.push_response(ResponseFields {
            id: &id,
            unit: "phuoc-son",
            channel: "paper",
            submitted_at_micros: 1_714_617_000_000_000 + k as i64,
            local_year: 2024,
            local_month: 5,
            weight: r.weight,
        });
        for (code, v) in r.numbers {
            b.set_answer(at, code, Some(*v), None);
        }
        for (code, v) in r.choices {
            b.set_answer(at, code, None, Some(v));
        }
    }
    b.finish().expect("frame builds")
}

/// Adds the `group` column a report adds when grouping.
fn with_group(mut df: DataFrame, keys: &[Option<&str>]) -> DataFrame {
    df.with_column(Column::new("group".into(), keys.to_vec()))
        .expect("group column");
    df
}

fn only(groups: &[GroupResult]) -> &GroupResult {
    assert_eq!(groups.len(), 1, "one group: {groups:#?}");
    &groups[0]
}

fn part<'a>(g: &'a GroupResult, code: &str) -> &'a PartResult {
    g.parts
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("part {code}"))
}

fn element<'a>(g: &'a GroupResult, code: &str) -> &'a ElementResult {
    g.parts
        .iter()
        .flat_map(|p| &p.elements)
        .find(|e| e.code == code)
        .unwrap_or_else(|| panic!("element {code}"))
}

fn item<'a>(g: &'a GroupResult, code: &str) -> &'a ItemResult {
    g.parts
        .iter()
        .flat_map(|p| &p.elements)
        .flat_map(|e| &e.items)
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("item {code}"))
}

#[track_caller]
fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (tolerance {tol})"
    );
}

#[track_caller]
fn value(e: &Estimate, expected: f64) {
    close(e.value.expect("an index value"), expected, 1e-9);
}

#[track_caller]
fn interval(e: &Estimate, low: f64, high: f64) {
    let (l, h) = e.ci95.expect("an interval");
    close(l, low, 1e-6);
    close(h, high, 1e-6);
}

#[track_caller]
fn no_index(e: &Estimate) {
    assert_eq!(e.value, None, "no index: {e:?}");
    assert_eq!(e.ci95, None, "no interval: {e:?}");
}

#[track_caller]
fn same_estimate(a: &Estimate, b: &Estimate, what: &str) {
    match (a.value, b.value) {
        (Some(x), Some(y)) => close(x, y, 1e-9),
        (x, y) => assert_eq!(x, y, "{what}: value"),
    }
    match (a.ci95, b.ci95) {
        (Some((l1, h1)), Some((l2, h2))) => {
            close(l1, l2, 1e-9);
            close(h1, h2, 1e-9);
        }
        (x, y) => assert_eq!(x, y, "{what}: ci95"),
    }
    match (a.variance, b.variance) {
        (Some(x), Some(y)) => close(x, y, 1e-9 * x.abs().max(1.0)),
        (x, y) => assert_eq!(x, y, "{what}: variance"),
    }
}

/// Every number of two group results agrees (keys aside).
fn same_numbers(a: &GroupResult, b: &GroupResult) {
    assert_eq!(a.responses, b.responses, "responses");
    same_estimate(&a.index, &b.index, "form index");
    assert_eq!(a.parts.len(), b.parts.len());
    for (pa, pb) in a.parts.iter().zip(&b.parts) {
        same_estimate(&pa.estimate, &pb.estimate, &pa.code);
        for (ea, eb) in pa.elements.iter().zip(&pb.elements) {
            same_estimate(&ea.estimate, &eb.estimate, &ea.code);
            for (ia, ib) in ea.items.iter().zip(&eb.items) {
                assert_eq!(ia.code, ib.code);
                assert_eq!(ia.stats.n, ib.stats.n, "{}: n", ia.code);
                assert_eq!(ia.stats.satisfied, ib.stats.satisfied, "{}", ia.code);
                assert_eq!(ia.stats.distribution, ib.stats.distribution, "{}", ia.code);
                same_estimate(&ia.estimate, &ib.estimate, &ia.code);
                match (ia.mean_score, ib.mean_score) {
                    (Some(x), Some(y)) => close(x, y, 1e-9),
                    (x, y) => assert_eq!(x, y, "{}: mean score", ia.code),
                }
            }
        }
    }
    assert_eq!(a.expectations.len(), b.expectations.len());
    for (xa, xb) in a.expectations.iter().zip(&b.expectations) {
        assert_eq!(xa.n, xb.n, "{}", xa.code);
        match (xa.value, xb.value) {
            (Some(x), Some(y)) => close(x, y, 1e-9),
            (x, y) => assert_eq!(x, y, "{}", xa.code),
        }
    }
}
