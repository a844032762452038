//! Expectations, and grouped results.

use super::*;

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
