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

// ---------------------------------------------------------------------------------------------
// METHOD.md §8 and its intervals
// ---------------------------------------------------------------------------------------------

/// §8: element tiep_can, items a = TC1, b = TC2; r1 (a=5, b=4), r2 (a=3, b absent), r3 (a=4, b=2).
fn section_8() -> (Form, DataFrame) {
    let form = service_form();
    let df = frame(
        &form,
        &[
            row(&[("TC1", 5), ("TC2", 4)]),
            row(&[("TC1", 3)]),
            row(&[("TC1", 4), ("TC2", 2)]),
        ],
    );
    (form, df)
}

#[test]
fn section_8_item_element_and_mean_score() {
    let (form, df) = section_8();
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    assert_eq!(g.key, None, "ungrouped: key None");
    assert_eq!(g.responses, 3);

    let a = item(g, "TC1");
    // p_a = 100·2/3 = 66.67: values 5, 3, 4 → two of three are ≥ 4.
    assert_eq!((a.stats.n, a.stats.satisfied), (3, 2));
    value(&a.estimate, 200.0 / 3.0);
    // Mean score of a = (5 + 3 + 4)/3 = 4.0.
    close(a.mean_score.unwrap(), 4.0, 1e-12);
    assert_eq!(a.stats.distribution, [0, 0, 1, 1, 1]);

    let b = item(g, "TC2");
    // p_b = 100·1/2 = 50 (r2 did not answer b and is not in its denominator).
    assert_eq!((b.stats.n, b.stats.satisfied), (2, 1));
    value(&b.estimate, 50.0);
    close(b.mean_score.unwrap(), 3.0, 1e-12); // (4 + 2)/2
    assert_eq!(b.stats.distribution, [0, 1, 0, 1, 0]);

    // TC3, TC4: nobody answered → no index, left out of the element.
    for code in ["TC3", "TC4"] {
        let i = item(g, code);
        assert_eq!(i.stats.n, 0);
        no_index(&i.estimate);
        assert_eq!(i.mean_score, None);
    }

    // Element = (66.67 + 50)/2 = 58.33; the only element answered, so part = form = 58.33.
    value(&element(g, "tiep_can").estimate, 175.0 / 3.0);
    value(&part(g, "dich_vu").estimate, 175.0 / 3.0);
    value(&g.index, 175.0 / 3.0);
    for code in ["tthc", "cong_chuc", "ket_qua", "pakn"] {
        no_index(&element(g, code).estimate);
    }
}

#[test]
fn section_8_item_intervals_are_wilson() {
    let (form, df) = section_8();
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    // Wilson, p = 2/3, n = 3, z² = 3.8416:
    //   d = 1 + 3.8416/3 = 2.280533; centre = (0.666667 + 3.8416/6)/d = 0.573083;
    //   half = 1.96/d · √(0.666667·0.333333/3 + 3.8416/36) = 0.859449 · 0.425188 = 0.365427
    //   → [20.7655, 93.8510].
    interval(
        &item(g, "TC1").estimate,
        20.765495512648798,
        93.85096847238394,
    );
    // Wilson, p = 1/2, n = 2: d = 2.9208; centre = 0.5;
    //   half = 1.96/2.9208 · √(0.125 + 0.2401) = 0.671049 · 0.604235 = 0.405472 → [9.4528, 90.5472].
    let (l, h) = item(g, "TC2").estimate.ci95.unwrap();
    close(
        l,
        100.0 * (0.5 - 1.96 / 2.9208 * (0.125f64 + 0.2401).sqrt()),
        1e-6,
    );
    close(
        h,
        100.0 * (0.5 + 1.96 / 2.9208 * (0.125f64 + 0.2401).sqrt()),
        1e-6,
    );
}

#[test]
fn section_8_linearised_variance_of_element_and_form() {
    let (form, df) = section_8();
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    // Element = ½·p_a + ½·p_b; W_a = 3, W_b = 2; y* = 100·[y ≥ 4].
    //   r1: ½·(100 − 66.67)/3 + ½·(100 − 50)/2 = 50/9 + 12.5 = 325/18
    //   r2: ½·(0 − 66.67)/3                      = −100/9      = −200/18
    //   r3: ½·(100 − 66.67)/3 + ½·(0 − 50)/2   = 50/9 − 12.5  = −125/18
    //   Σu² = (105625 + 40000 + 15625)/324 = 161250/324
    //   Var = 3/2 · 161250/324 = 746.527…; √Var = 27.3227
    //   58.333 ± 1.96·27.3227 = [4.7809, 111.886] → clipped to [4.7809, 100].
    let var = 1.5 * 161_250.0 / 324.0;
    for e in [
        &element(g, "tiep_can").estimate,
        &part(g, "dich_vu").estimate,
        &g.index,
    ] {
        close(e.variance.unwrap(), var, 1e-9);
        interval(e, 175.0 / 3.0 - 1.96 * var.sqrt(), 100.0);
    }
    close(g.index.ci95.unwrap().0, 4.780918718200326, 1e-9);
}

#[test]
fn a_single_response_has_values_but_no_composite_interval() {
    // n = 1: Var = n/(n−1)·Σu² is undefined, so element/part/form have no interval; the item
    // still has its Wilson interval (p = 1, n = 1: centre = (1 + 1.9208)/4.8416 = 0.603273,
    // half = 1.96/4.8416·√(3.8416/4) = 0.396727 → [20.6543, 100]).
    let form = service_form();
    let df = frame(&form, &[row(&[("TC1", 5)])]);
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    value(&g.index, 100.0);
    assert_eq!(g.index.ci95, None);
    interval(&item(g, "TC1").estimate, 20.654329147389287, 100.0);
}

// ---------------------------------------------------------------------------------------------
// Routing-skipped items, empty elements and groups
// ---------------------------------------------------------------------------------------------

/// r1, r2 said they made a PAKN and answered PA1, PA2 (not PA3); r3, r4 did not, and were not
/// asked. Everybody answered TC1; nobody answered tthc, cong_chuc, ket_qua.
fn routed() -> (Form, DataFrame) {
    let form = service_form();
    let df = frame(
        &form,
        &[
            with_choices(&[("TC1", 5), ("PA1", 4), ("PA2", 2)], &[("da_pakn", "co")]),
            with_choices(&[("TC1", 4), ("PA1", 5), ("PA2", 4)], &[("da_pakn", "co")]),
            with_choices(&[("TC1", 2)], &[("da_pakn", "khong")]),
            with_choices(&[("TC1", 2)], &[("da_pakn", "khong")]),
        ],
    );
    (form, df)
}

#[test]
fn routing_skipped_items_use_only_those_asked() {
    let (form, df) = routed();
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    assert_eq!(g.responses, 4);
    // PA1: 4, 5 over the 2 who answered (not over 4 responses) → 100.
    let pa1 = item(g, "PA1");
    assert_eq!((pa1.stats.n, pa1.stats.satisfied), (2, 2));
    value(&pa1.estimate, 100.0);
    // PA2: 2, 4 → 50.
    value(&item(g, "PA2").estimate, 50.0);
    // PA3: n = 0 → no index, and left out of pakn.
    assert_eq!(item(g, "PA3").stats.n, 0);
    no_index(&item(g, "PA3").estimate);
    // pakn = (100 + 50)/2 = 75 (not (100 + 50 + 0)/3).
    value(&element(g, "pakn").estimate, 75.0);
    // TC1: 5, 4, 2, 2 → 50; tiep_can = 50 (TC2–TC4 unanswered, left out).
    value(&element(g, "tiep_can").estimate, 50.0);
    // tthc, cong_chuc, ket_qua have no answers: no index, left out of the part.
    for code in ["tthc", "cong_chuc", "ket_qua"] {
        no_index(&element(g, code).estimate);
    }
    // Part = mean of existing elements = (50 + 75)/2 = 62.5; form = part.
    value(&part(g, "dich_vu").estimate, 62.5);
    value(&g.index, 62.5);
}

#[test]
fn routing_skipped_items_in_the_linearised_variance() {
    let (form, df) = routed();
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    // Form = ½·TC1 + ¼·PA1 + ¼·PA2 (two elements in the part). Residuals (y* − p)/W:
    //   TC1 (W=4, p=50): ±50/4 = ±12.5 → ×½ = +6.25, +6.25, −6.25, −6.25
    //   PA1 (W=2, p=100): 0
    //   PA2 (W=2, p=50): r1 −50/2 = −25, r2 +25 → ×¼ = −6.25, +6.25 (r3, r4 not asked: 0)
    //   u = 0, 12.5, −6.25, −6.25; Σu² = 234.375; Var = 4/3 · 234.375 = 312.5
    //   62.5 ± 1.96·√312.5 = [27.8518, 97.1482].
    close(g.index.variance.unwrap(), 312.5, 1e-9);
    interval(&g.index, 27.85176772185917, 97.14823227814082);
    // pakn = ½·PA1 + ½·PA2: u = −12.5, +12.5, 0, 0; Σu² = 312.5; n is still 4 (all responses
    // of the selection): Var = 4/3 · 312.5 = 416.67.
    close(
        element(g, "pakn").estimate.variance.unwrap(),
        1250.0 / 3.0,
        1e-9,
    );
}

#[test]
fn a_group_with_no_answered_item_has_no_index() {
    let form = service_form();
    // Group "x" answered TC1 (5, 2 → 50); group "y" answered only the respondent question.
    let df = frame(
        &form,
        &[
            with_choices(&[("TC1", 5)], &[("da_pakn", "khong")]),
            with_choices(&[("TC1", 2)], &[("da_pakn", "khong")]),
            with_choices(&[], &[("da_pakn", "khong")]),
            with_choices(&[], &[("da_pakn", "co")]),
        ],
    );
    let df = with_group(df, &[Some("x"), Some("x"), Some("y"), Some("y")]);
    let groups = compute(&df, &form).unwrap();
    assert_eq!(groups.len(), 2);
    let x = groups
        .iter()
        .find(|g| g.key.as_deref() == Some("x"))
        .unwrap();
    let y = groups
        .iter()
        .find(|g| g.key.as_deref() == Some("y"))
        .unwrap();
    value(&x.index, 50.0);
    assert_eq!(y.responses, 2, "the responses are counted");
    no_index(&y.index);
    assert_eq!(y.index.variance, None);
    no_index(&part(y, "dich_vu").estimate);
    for e in &part(y, "dich_vu").elements {
        no_index(&e.estimate);
        for i in &e.items {
            assert_eq!(i.stats.n, 0);
            no_index(&i.estimate);
        }
    }
}

#[test]
fn an_empty_ungrouped_frame_is_one_group_without_index() {
    // METHOD.md §3: a selection with no answered item has no index (null, never 0). Ungrouped,
    // the whole frame is one group — also when it has no rows.
    let form = service_form();
    let df = frame(&form, &[]);
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    assert_eq!(g.responses, 0);
    no_index(&g.index);
    no_index(&part(g, "dich_vu").estimate);
}

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

#[test]
fn weighted_item_index_mean_score_and_kish_n() {
    let form = service_form();
    // TC1: 5 (w 1), 4 (w 2), 2 (w 3).
    let df = frame(
        &form,
        &[
            weighted(1.0, &[("TC1", 5)]),
            weighted(2.0, &[("TC1", 4)]),
            weighted(3.0, &[("TC1", 2)]),
        ],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    let tc1 = item(g, "TC1");
    // p = 100·(1 + 2)/(1 + 2 + 3) = 50 (unweighted it would be 66.67).
    value(&tc1.estimate, 50.0);
    // Unweighted counts are reported as counts.
    assert_eq!((tc1.stats.n, tc1.stats.satisfied), (3, 2));
    // Mean score = (5·1 + 4·2 + 2·3)/6 = 19/6.
    close(tc1.mean_score.unwrap(), 19.0 / 6.0, 1e-12);
    // Kish n_eff = 6²/(1 + 4 + 9) = 36/14 = 2.571429. Wilson, p = 0.5:
    //   z²/n = 1.493956, d = 2.493956, centre = 0.5,
    //   half = 1.96/d · √(0.25/2.571429 + 3.8416/(4·6.612245)) = 0.785900·0.492408 = 0.386984
    //   → [11.3015, 88.6985].
    interval(&tc1.estimate, 11.301468213831367, 88.69853178616863);
    // Linearised (c = 1): u_r = w_r·(y* − 50)/6 = 50/6, 100/6, −150/6;
    //   Σu² = (2500 + 10000 + 22500)/36 = 972.22; Var = 3/2 · 972.22 = 1458.33.
    close(g.index.variance.unwrap(), 1458.0 + 1.0 / 3.0, 1e-9);
    value(&g.index, 50.0);
    // 50 ± 1.96·38.19 reaches past both ends: clipped to [0, 100].
    interval(&g.index, 0.0, 100.0);
}

#[test]
fn weights_of_one_give_the_unweighted_numbers() {
    // Same answers as above with every weight 1: p = 100·2/3, Wilson on n = 3 (= §8's TC1), mean
    // score (5 + 4 + 2)/3 = 11/3; linearised u_r = (y* − 66.67)/3 = 100/9, 100/9, −200/9;
    // Σu² = 60000/81; Var = 3/2 · 60000/81 = 1111.11.
    let form = service_form();
    let df = frame(
        &form,
        &[row(&[("TC1", 5)]), row(&[("TC1", 4)]), row(&[("TC1", 2)])],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    let tc1 = item(g, "TC1");
    value(&tc1.estimate, 200.0 / 3.0);
    interval(&tc1.estimate, 20.765495512648798, 93.85096847238394);
    close(tc1.mean_score.unwrap(), 11.0 / 3.0, 1e-12);
    close(g.index.variance.unwrap(), 1.5 * 60_000.0 / 81.0, 1e-9);
}

// ---------------------------------------------------------------------------------------------
// score_share (the delegates' survey)
// ---------------------------------------------------------------------------------------------

#[test]
fn score_share_indices() {
    let form = shipped_form("khao-sat-dai-bieu");
    assert_eq!(form.target, 80.0);
    // Elements chi_dao (DB1, DB2) and the_che (DB3, DB4) of the one part.
    let df = frame(
        &form,
        &[
            row(&[("DB1", 5), ("DB2", 3), ("DB3", 4)]),
            row(&[("DB1", 4), ("DB2", 1)]),
            row(&[("DB1", 2), ("DB3", 5)]),
        ],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    // DB1: Σ(v − 1) = 4 + 3 + 1 = 8 points of 3·4 = 12 → 66.67.
    value(&item(g, "DB1").estimate, 200.0 / 3.0);
    // DB2: (2 + 0)/8 → 25.
    value(&item(g, "DB2").estimate, 25.0);
    // DB3: (3 + 4)/8 → 87.5.
    value(&item(g, "DB3").estimate, 87.5);
    // DB4: nobody → none.
    no_index(&item(g, "DB4").estimate);
    // Mean score DB1 = 11/3.
    close(item(g, "DB1").mean_score.unwrap(), 11.0 / 3.0, 1e-12);
    // chi_dao = (66.67 + 25)/2 = 45.83; the_che = 87.5; the other six elements: none.
    value(&element(g, "chi_dao").estimate, 275.0 / 6.0);
    value(&element(g, "the_che").estimate, 87.5);
    no_index(&element(g, "tthc").estimate);
    // Part = form = (45.83 + 87.5)/2 = 66.67.
    value(&part(g, "cai_cach_hanh_chinh").estimate, 200.0 / 3.0);
    value(&g.index, 200.0 / 3.0);
    // Linearised: form = ¼·DB1 + ¼·DB2 + ½·DB3; y* = 25·(v − 1).
    //   DB1 (W=3, p=66.67): y* − p = 33.33, 8.33, −41.67 → /3 ×¼ = 25/9, 25/36, −125/36
    //   DB2 (W=2, p=25): r1 +25, r2 −25 → /2 ×¼ = +3.125, −3.125
    //   DB3 (W=2, p=87.5): r1 −12.5, r3 +12.5 → /2 ×½ = −3.125, +3.125
    //   u = 2.77778, −2.43056, −0.34722; Σu² = 13.74421; Var = 3/2 · 13.74421 = 20.61632
    //   66.67 ± 1.96·4.54052 = [57.7672, 75.5661].
    close(g.index.variance.unwrap(), 20.616319444444443, 1e-9);
    interval(&g.index, 57.76724799027113, 75.56608534306221);
}

#[test]
fn an_index_exactly_at_the_target_meets_it() {
    // METHOD.md §5: meets_target is index ≥ target. The delegates' survey (target 80): four
    // responses give 5 and one gives 1 on DB1–DB6, so every item is 100·(4·4 + 0)/(5·4) = 80,
    // each of chi_dao, the_che, tthc is (80 + 80)/2 = 80, and the part and form index are
    // (80 + 80 + 80)/3 = 80 exactly — not 79.99999999999999 (⅙·80 summed six times in floating
    // point), which would read "below target".
    let form = shipped_form("khao-sat-dai-bieu");
    let all = |v: i32| -> Vec<(&'static str, i32)> {
        ["DB1", "DB2", "DB3", "DB4", "DB5", "DB6"]
            .into_iter()
            .map(|c| (c, v))
            .collect()
    };
    let (fives, one) = (all(5), all(1));
    let df = frame(
        &form,
        &[
            row(&fives),
            row(&fives),
            row(&fives),
            row(&fives),
            row(&one),
        ],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    for code in ["DB1", "DB6"] {
        assert_eq!(item(g, code).estimate.value, Some(80.0));
    }
    assert_eq!(element(g, "chi_dao").estimate.value, Some(80.0));
    let part_value = part(g, "cai_cach_hanh_chinh").estimate.value.unwrap();
    let form_value = g.index.value.unwrap();
    assert!(
        part_value >= form.target && form_value >= form.target,
        "an index of exactly 80 must meet the target 80: part {part_value}, form {form_value}"
    );
}

// ---------------------------------------------------------------------------------------------
// The household form: two parts
// ---------------------------------------------------------------------------------------------

#[test]
fn household_sipas_index_is_the_mean_of_its_parts() {
    let form = shipped_form("sipas-ho-gia-dinh");
    let df = frame(
        &form,
        &[
            with_choices(
                &[("GT1", 5), ("GT2", 4), ("TC1", 4)],
                &[("da_giai_quyet_tthc", "co")],
            ),
            with_choices(
                &[("GT1", 3), ("GT2", 4), ("TC1", 2)],
                &[("da_giai_quyet_tthc", "co")],
            ),
        ],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    // chinh_sach: giai_trinh = (GT1 50 + GT2 100)/2 = 75, the only element → part 75.
    value(&part(g, "chinh_sach").estimate, 75.0);
    // dich_vu: tiep_can = TC1 = 50 → part 50.
    value(&part(g, "dich_vu").estimate, 50.0);
    // SIPAS = (75 + 50)/2 = 62.5.
    value(&g.index, 62.5);
    // Form = ¼·GT1 + ¼·GT2 + ½·TC1:
    //   GT1 (W=2, p=50): ±50/2 ×¼ = ±6.25; GT2 (p=100): 0; TC1 (p=50): ±25 ×½ = ±12.5
    //   u = 18.75, −18.75; Σu² = 703.125; Var = 2/1 · 703.125 = 1406.25.
    close(g.index.variance.unwrap(), 1406.25, 1e-9);
}

#[test]
fn household_without_service_answers_is_the_policy_part() {
    let form = shipped_form("sipas-ho-gia-dinh");
    // Nobody dealt with a procedure: the dich_vu part is absent for everybody.
    let df = frame(
        &form,
        &[
            with_choices(
                &[("GT1", 5), ("GT2", 4)],
                &[("da_giai_quyet_tthc", "khong")],
            ),
            with_choices(
                &[("GT1", 3), ("GT2", 4)],
                &[("da_giai_quyet_tthc", "khong")],
            ),
        ],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    no_index(&part(g, "dich_vu").estimate);
    // chinh_sach = 75; the form index is that part alone (not (75 + 0)/2).
    value(&part(g, "chinh_sach").estimate, 75.0);
    value(&g.index, 75.0);
    same_estimate(
        &g.index,
        &part(g, "chinh_sach").estimate,
        "form = chinh_sach",
    );
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

#[test]
fn expectation_index_is_the_share_of_2_or_3() {
    let form = service_form();
    let df = frame(
        &form,
        &[
            row(&[("TC1", 5), ("KV1", 3), ("KV2", 1)]),
            row(&[("TC1", 5), ("KV1", 2), ("KV2", 1)]),
            row(&[("TC1", 5), ("KV1", 1)]),
            row(&[("TC1", 5)]),
            row(&[("TC1", 5), ("KV1", 2)]),
        ],
    );
    let groups = compute(&df, &form).unwrap();
    let g = only(&groups);
    let ex = |code: &str| g.expectations.iter().find(|e| e.code == code).unwrap();
    // KV1: 3, 2, 1, (absent), 2 → n = 4, three of them 2 or 3 → 75.
    assert_eq!(ex("KV1").n, 4);
    close(ex("KV1").value.unwrap(), 75.0, 1e-9);
    // KV2: 1, 1 → 0 (an index of 0, not "none").
    assert_eq!(ex("KV2").n, 2);
    close(ex("KV2").value.unwrap(), 0.0, 1e-12);
    // KV3: nobody → none.
    assert_eq!(ex("KV3").n, 0);
    assert_eq!(ex("KV3").value, None);
    // Expectations are not satisfaction items: the form index is TC1 alone.
    value(&g.index, 100.0);
}

// ---------------------------------------------------------------------------------------------
// Grouping
// ---------------------------------------------------------------------------------------------

#[test]
fn groups_equal_their_rows_computed_alone_and_nulls_form_a_group() {
    let form = service_form();
    let rows = [
        with_choices(
            &[("TC1", 5), ("TC2", 4), ("TT1", 3)],
            &[("da_pakn", "khong")],
        ),
        with_choices(&[("TC1", 2), ("PA1", 5)], &[("da_pakn", "co")]),
        weighted(2.0, &[("TC1", 4), ("TT1", 5), ("KV1", 3)]),
        row(&[("TC1", 1), ("CC1", 4), ("TT1", 4)]),
        row(&[("TC2", 3), ("KQ1", 5)]),
        with_choices(
            &[("TC1", 4), ("TT2", 2), ("KV1", 1)],
            &[("da_pakn", "khong")],
        ),
        row(&[("CC1", 5), ("TC1", 3)]),
    ];
    let keys = [
        Some("a"),
        None,
        Some("b"),
        Some("a"),
        None,
        Some("b"),
        Some("a"),
    ];
    let df = with_group(frame(&form, &rows), &keys);
    let groups = compute(&df, &form).unwrap();
    assert_eq!(groups.len(), 3, "a, b and the null group");
    let mut got: Vec<Option<&str>> = groups.iter().map(|g| g.key.as_deref()).collect();
    got.sort();
    assert_eq!(got, vec![None, Some("a"), Some("b")]);
    for key in [Some("a"), Some("b"), None] {
        let alone: Vec<Row<'_>> = rows
            .iter()
            .zip(&keys)
            .filter(|(_, k)| **k == key)
            .map(|(r, _)| Row {
                weight: r.weight,
                numbers: r.numbers,
                choices: r.choices,
            })
            .collect();
        let expected = compute(&frame(&form, &alone), &form).unwrap();
        let g = groups.iter().find(|g| g.key.as_deref() == key).unwrap();
        same_numbers(g, only(&expected));
    }
    // By hand for group a (rows 0, 3, 6): TC1 5, 1, 3 → 33.33; TC2 4 → 100; tiep_can 66.67;
    // TT1 3, 4 → 50 = tthc; CC1 4, 5 → 100 = cong_chuc; part = (66.67 + 50 + 100)/3 = 72.22.
    let a = groups
        .iter()
        .find(|g| g.key.as_deref() == Some("a"))
        .unwrap();
    assert_eq!(a.responses, 3);
    value(&element(a, "tiep_can").estimate, 200.0 / 3.0);
    value(&a.index, (200.0 / 3.0 + 50.0 + 100.0) / 3.0);
    // Group counts add up to the frame.
    assert_eq!(groups.iter().map(|g| g.responses).sum::<u64>(), 7);
}

// ---------------------------------------------------------------------------------------------
// sipas::reporting::analytics::stats on hand values
// ---------------------------------------------------------------------------------------------

#[test]
fn wilson_interval_on_hand_values() {
    // p = 0.5, n = 4: d = 1 + 0.9604 = 1.9604, centre = (0.5 + 0.4802)/1.9604 = 0.5,
    // half = 1.96/1.9604 · √(0.0625 + 0.060025) = 0.999796 · 0.350036 = 0.349964 → [15.0036, 84.9964].
    let (l, h) = wilson_interval(0.5, 4.0).unwrap();
    close(l, 15.003570882017147, 1e-9);
    close(h, 84.99642911798286, 1e-9);
    // p = 0, n = 10: d = 1.38416; centre = 0.19208/1.38416 = 0.138770;
    // half = 1.96/1.38416 · √(3.8416/400) = 1.416021 · 0.098 = 0.138770 → [0, 27.754].
    let (l, h) = wilson_interval(0.0, 10.0).unwrap();
    close(l, 0.0, 1e-9);
    close(h, 27.75401687666166, 1e-9);
    // p = 1, n = 2 → [34.2372, 100]: centre = 1.9604/2.9208 = 0.671186, half = 0.671049·0.49.
    let (l, h) = wilson_interval(1.0, 2.0).unwrap();
    close(l, 34.23719528896193, 1e-9);
    close(h, 100.0, 1e-9);
    // No answers → no interval.
    assert_eq!(wilson_interval(0.5, 0.0), None);
}

#[test]
fn kish_and_normal_interval_on_hand_values() {
    // Weights 1, 2, 3: (6)²/(1 + 4 + 9) = 36/14.
    close(kish_effective_n(6.0, 14.0), 36.0 / 14.0, 1e-12);
    // 50 ± 1.96·√100 = [30.4, 69.6].
    let (l, h) = normal_interval(50.0, 100.0).unwrap();
    close(l, 30.4, 1e-9);
    close(h, 69.6, 1e-9);
    // 95 ± 1.96·5 = [85.2, 104.8] → clipped to [85.2, 100].
    let (l, h) = normal_interval(95.0, 25.0).unwrap();
    close(l, 85.2, 1e-9);
    close(h, 100.0, 1e-12);
    // Variance 0: a zero-width interval.
    assert_eq!(normal_interval(70.0, 0.0), Some((70.0, 70.0)));
}

#[test]
fn required_sample_follows_the_manual() {
    // n = N/(1 + N·0.0025), rounded up.
    assert_eq!(required_sample(1000), 286); // 1000/3.5 = 285.71
    assert_eq!(required_sample(10_000), 385); // 10000/26 = 384.62
    assert_eq!(required_sample(400), 200); // 400/2 = 200 exactly: not rounded up to 201
    assert_eq!(required_sample(1200), 300); // 1200/4 = 300 exactly
    assert_eq!(required_sample(50), 45); // 50/1.125 = 44.44
    assert_eq!(required_sample(1), 1); // 1/1.0025 = 0.9975
}

#[test]
fn verdict_on_hand_values() {
    // dat: the lower bound reaches the target (≥, not >).
    assert_eq!(verdict(Some((90.0, 97.0)), 90.0), Verdict::Dat);
    assert_eq!(verdict(Some((80.0, 84.0)), 80.0), Verdict::Dat);
    // khong_dat: the upper bound is below the target.
    assert_eq!(verdict(Some((70.0, 89.99)), 90.0), Verdict::KhongDat);
    // The upper bound equal to the target is not "below".
    assert_eq!(verdict(Some((70.0, 90.0)), 90.0), Verdict::ChuaDuCanCu);
    // A point estimate above target with a wide interval is not evidence.
    assert_eq!(verdict(Some((85.1, 95.7)), 90.0), Verdict::ChuaDuCanCu);
    assert_eq!(verdict(None, 90.0), Verdict::ChuaDuCanCu);
}

#[test]
fn z_difference_on_hand_values() {
    // (80 − 77)/√(4 + 5) = 1.
    close(z_difference(80.0, 4.0, 77.0, 5.0).unwrap(), 1.0, 1e-12);
    // (70 − 90)/√(64 + 36) = −2: significant at |z| ≥ 1.96.
    close(z_difference(70.0, 64.0, 90.0, 36.0).unwrap(), -2.0, 1e-12);
    // Both variances 0: undefined.
    assert_eq!(z_difference(90.0, 0.0, 80.0, 0.0), None);
}
