//! Items skipped by routing, empty elements and groups; weights.

use super::*;

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
