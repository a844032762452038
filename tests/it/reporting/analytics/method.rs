//! docs/method.md §8 and its intervals, and `analytics::stats` on hand values.

use super::*;

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
