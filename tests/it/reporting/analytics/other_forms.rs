//! The delegates' survey (score_share) and the household form's two parts.

use super::*;

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
