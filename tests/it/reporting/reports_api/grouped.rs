//! Reports grouped by unit, by period in local time (and date ranges), by channel and by the
//! respondent questions.

use super::*;

// ---------------------------------------------------------------------------------------------
// Grouping by unit
// ---------------------------------------------------------------------------------------------

async fn grouped_by_unit_pools_each_child_and_ranks(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=tuy-phuoc&group_by=unit").await;
    assert_rounded(&r, "report");
    // One group per child with responses, by index (desc), ties by count (desc); the child with
    // no answered item (null index) last. binh-dinh's own response is outside tuy-phuoc.
    //   phuoc-hoa 100 (2), phuoc-an 100 (1), phuoc-son 86.11 (3), phuoc-thang 0 (1), phuoc-loc –.
    assert_eq!(
        keys(&r, "unit"),
        vec![
            json!("phuoc-hoa"),
            json!("phuoc-an"),
            json!("phuoc-son"),
            json!("phuoc-thang"),
            json!("phuoc-loc"),
        ]
    );
    let counts: Vec<u64> = groups(&r).iter().map(responses).collect();
    assert_eq!(counts, vec![2, 1, 3, 1, 1]);
    num(
        &group(&r, "unit", json!("phuoc-son"))["index"]["value"],
        86.11,
    );
    no_answers(&group(&r, "unit", json!("phuoc-loc"))["index"]);

    // Each child's numbers are those of its own ungrouped report.
    for g in groups(&r) {
        let unit = g["key"]["unit"].as_str().unwrap();
        let alone = report_of(&app, &s.analyst, &format!("unit={unit}")).await;
        assert_eq!(numbers(g), numbers(only_group(&alone)), "{unit}");
    }

    // The district pools its responses, it does not average its children:
    // TC1 answers 5,3,4 | 5,5 | 5 | 1 → 5 of 7 = 71.43 (the mean of children would be 66.67).
    let district = report_of(&app, &s.analyst, "unit=tuy-phuoc").await;
    let g = only_group(&district);
    assert_eq!(responses(g), 8);
    assert_eq!(report_item(g, "TC1")["n"], 7);
    num(&report_item(g, "TC1")["value"], 71.43);
    let sum: u64 = groups(&r).iter().map(responses).sum();
    assert_eq!(sum, 8, "the children's responses add up to the district's");
    assert_eq!(r["responses"], 8);
}
both_backends!(grouped_by_unit_pools_each_child_and_ranks);

// ---------------------------------------------------------------------------------------------
// Grouping by period; date ranges
// ---------------------------------------------------------------------------------------------

async fn grouped_by_period_in_local_time(app: TestApp) {
    let s = staff(&app).await;
    seed_periods(&app, &s.clerk).await;

    // Years: 2024 = A B C D (TC1 5 2 4 3 → 2 of 4 = 50), 2025 = E F (5 4 → 100).
    // D at 2024-12-31 23:30 +07:00 belongs to 2024; E at 2025-01-01 00:30 +07:00 (still 2024 in
    // UTC) belongs to 2025.
    let r = report_of(&app, &s.analyst, "group_by=period&period=year").await;
    assert_rounded(&r, "report");
    assert_eq!(keys(&r, "period"), vec![json!("2024"), json!("2025")]);
    let y2024 = group(&r, "period", json!("2024"));
    let y2025 = group(&r, "period", json!("2025"));
    assert_eq!((responses(y2024), responses(y2025)), (4, 2));
    num(&y2024["index"]["value"], 50.0);
    num(&y2025["index"]["value"], 100.0);
    assert!(
        y2024.get("change").is_none(),
        "no change on the first period"
    );
    // Change of 2025 against 2024: delta 50; Var 2024 = 4/3 · 4·12.5² = 833.33 (u = ±50/4),
    // Var 2025 = 0 (all satisfied) → z = 50/√833.33 = 1.73, not significant.
    let change = &y2025["change"];
    assert_eq!(change["previous"], "2024");
    num(&change["delta"], 50.0);
    num(&change["z"], 1.73);
    assert_eq!(change["significant"], false);
    // Without `period`, group_by=period means years.
    let default = report_of(&app, &s.analyst, "group_by=period").await;
    assert_eq!(keys(&default, "period"), vec![json!("2024"), json!("2025")]);

    // Quarters: B (Sep 30 23:50) in Q3, C (Oct 1 00:10, Sep 30 in UTC) in Q4.
    let r = report_of(&app, &s.analyst, "group_by=period&period=quarter").await;
    assert_eq!(
        keys(&r, "period"),
        vec![
            json!("2024-Q2"),
            json!("2024-Q3"),
            json!("2024-Q4"),
            json!("2025-Q1")
        ]
    );
    let counts: Vec<u64> = groups(&r).iter().map(responses).collect();
    assert_eq!(counts, vec![1, 1, 2, 2]);
    // Q2 = 100 (A), Q3 = 0 (B), Q4 = 50 (C 4, D 3), 2025-Q1 = 100.
    let values: Vec<f64> = groups(&r)
        .iter()
        .map(|g| g["index"]["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, vec![100.0, 0.0, 50.0, 100.0]);
    // Q3 against Q2: delta −100; Q2 has a single response (no variance) → z null.
    let q3 = group(&r, "period", json!("2024-Q3"));
    assert_eq!(q3["change"]["previous"], "2024-Q2");
    num(&q3["change"]["delta"], -100.0);
    assert!(q3["change"]["z"].is_null());

    // Months, in time order.
    let r = report_of(&app, &s.analyst, "group_by=period&period=month").await;
    assert_eq!(
        keys(&r, "period"),
        vec![
            json!("2024-04"),
            json!("2024-09"),
            json!("2024-10"),
            json!("2024-12"),
            json!("2025-01"),
            json!("2025-02")
        ]
    );
    assert!(groups(&r).iter().all(|g| responses(g) == 1));
    assert_eq!(
        group(&r, "period", json!("2025-01"))["change"]["previous"],
        "2024-12"
    );
}
both_backends!(grouped_by_period_in_local_time);

async fn from_and_to_are_local_dates_to_exclusive(app: TestApp) {
    let s = staff(&app).await;
    seed_periods(&app, &s.clerk).await;
    // to=2025-01-01 (exclusive): A B C D, including D at 23:30 on Dec 31 → 50 over 4.
    let r = report_of(&app, &s.analyst, "to=2025-01-01").await;
    assert_eq!(r["selection"]["to"], "2025-01-01");
    let g = only_group(&r);
    assert_eq!(responses(g), 4);
    num(&g["index"]["value"], 50.0);
    // from=2025-01-01: E (00:30 local, the day before in UTC) and F → 100 over 2.
    let r = report_of(&app, &s.analyst, "from=2025-01-01").await;
    assert_eq!(r["selection"]["from"], "2025-01-01");
    let g = only_group(&r);
    assert_eq!(responses(g), 2);
    num(&g["index"]["value"], 100.0);
    // Q4 2024: C (Oct 1 00:10 local) and D; not B (Sep 30 23:50) → TC1 4, 3 → 50.
    let r = report_of(&app, &s.analyst, "from=2024-10-01&to=2025-01-01").await;
    let g = only_group(&r);
    assert_eq!(responses(g), 2);
    num(&g["index"]["value"], 50.0);
    // One day: Dec 31 holds D only.
    let r = report_of(&app, &s.analyst, "from=2024-12-31&to=2025-01-01").await;
    assert_eq!(responses(only_group(&r)), 1);
    num(&only_group(&r)["index"]["value"], 0.0);
    // Grouped by period inside a range.
    let r = report_of(
        &app,
        &s.analyst,
        "from=2024-10-01&to=2025-02-01&group_by=period&period=month",
    )
    .await;
    assert_eq!(
        keys(&r, "period"),
        vec![json!("2024-10"), json!("2024-12"), json!("2025-01")]
    );
}
both_backends!(from_and_to_are_local_dates_to_exclusive);

async fn an_empty_selection_has_null_indices(app: TestApp) {
    let s = staff(&app).await;
    seed_periods(&app, &s.clerk).await;
    let range = "from=2023-01-01&to=2023-02-01";
    // Ungrouped: still one group, with 0 responses and null indices (never 0).
    let r = report_of(&app, &s.analyst, range).await;
    assert_eq!(r["responses"], 0);
    let g = only_group(&r);
    assert_eq!(g["key"], json!({}));
    assert_eq!(responses(g), 0);
    no_answers(&g["index"]);
    no_answers(report_part(g, "dich_vu"));
    no_answers(report_element(g, "tiep_can"));
    let tc1 = report_item(g, "TC1");
    assert_eq!(tc1["n"], 0);
    no_answers(tc1);
    // Grouped: no groups at all.
    for group_by in [
        "group_by=unit",
        "group_by=period",
        "group_by=period&period=month",
        "group_by=channel",
        "group_by=gioi_tinh",
    ] {
        let r = report_of(&app, &s.analyst, &format!("{range}&{group_by}")).await;
        assert_eq!(r["groups"], json!([]), "{group_by}: {r}");
        assert_eq!(r["responses"], 0);
    }
    // A unit with no responses at all, ungrouped.
    let r = report_of(&app, &s.analyst, "unit=phuoc-nghia").await;
    assert_eq!(responses(only_group(&r)), 0);
    no_answers(&only_group(&r)["index"]);
}
both_backends!(an_empty_selection_has_null_indices);

// ---------------------------------------------------------------------------------------------
// Grouping by channel and by respondent questions
// ---------------------------------------------------------------------------------------------

async fn grouped_by_channel(app: TestApp) {
    let s = staff(&app).await;
    // kiosk ×1, phone ×2 with the complete answers of `full_answers()`:
    //   tiep_can (TC 5 4 4 3) = 75, tthc (TT 5 5 4 2) = 75, cong_chuc = 100, ket_qua = 100
    //   → 87.5; web ×1 with TC1 = 1 → 0; no paper.
    submit(
        &app,
        &s.clerk,
        "phuoc-son",
        "kiosk",
        MAY_2024,
        full_answers(),
    )
    .await;
    for _ in 0..2 {
        submit(
            &app,
            &s.clerk,
            "phuoc-son",
            "phone",
            MAY_2024,
            full_answers(),
        )
        .await;
    }
    submit(
        &app,
        &s.clerk,
        "phuoc-son",
        "web",
        MAY_2024,
        json!({"da_pakn": "khong", "TC1": 1}),
    )
    .await;
    let r = report_of(&app, &s.analyst, "group_by=channel").await;
    let mut got: Vec<String> = keys(&r, "channel")
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    got.sort();
    assert_eq!(got, ["kiosk", "phone", "web"], "no paper group");
    let kiosk = group(&r, "channel", json!("kiosk"));
    let phone = group(&r, "channel", json!("phone"));
    let web = group(&r, "channel", json!("web"));
    assert_eq!(
        (responses(kiosk), responses(phone), responses(web)),
        (1, 2, 1)
    );
    num(&kiosk["index"]["value"], 87.5);
    num(&report_element(kiosk, "tiep_can")["value"], 75.0);
    num(&phone["index"]["value"], 87.5);
    num(&web["index"]["value"], 0.0);
    no_answers(report_element(web, "tthc"));
}
both_backends!(grouped_by_channel);

async fn grouped_by_gender_with_a_null_group(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=phuoc-son&group_by=gioi_tinh").await;
    assert_rounded(&r, "report");
    assert_eq!(groups(&r).len(), 3, "nam, nu and not answered: {r}");
    // nu: r1 → tiep_can (TC1 5, TC2 4) 100, tthc (TT1 4) 100 → 100.
    let nu = group(&r, "gioi_tinh", json!("nu"));
    assert_eq!(responses(nu), 1);
    num(&nu["index"]["value"], 100.0);
    // nam: r2 → tiep_can (TC1 3) 0, tthc (TT1 5) 100 → 50.
    let nam = group(&r, "gioi_tinh", json!("nam"));
    num(&nam["index"]["value"], 50.0);
    // Not answered: key {"gioi_tinh": null}; r3 → tiep_can (TC1 4, TC2 2) 50, pakn 100 → 75.
    let none = group(&r, "gioi_tinh", Value::Null);
    assert_eq!(none["key"], json!({"gioi_tinh": null}));
    assert_eq!(responses(none), 1);
    num(&none["index"]["value"], 75.0);
    let sum: u64 = groups(&r).iter().map(responses).sum();
    assert_eq!(sum, 3);
}
both_backends!(grouped_by_gender_with_a_null_group);

async fn grouped_by_pakn_routing_question(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=phuoc-son&group_by=da_pakn").await;
    assert_eq!(groups(&r).len(), 2);
    // co: r3 → tiep_can (TC1 4, TC2 2) 50, pakn (PA1 5) 100 → 75.
    let co = group(&r, "da_pakn", json!("co"));
    assert_eq!(responses(co), 1);
    num(&report_element(co, "pakn")["value"], 100.0);
    num(&co["index"]["value"], 75.0);
    // khong: r1, r2 → TC1 5 3 = 50, TC2 4 = 100 → tiep_can 75; TT1 4 5 → tthc 100 → 87.5;
    // pakn was never asked: null with a reason, and left out of the part.
    let khong = group(&r, "da_pakn", json!("khong"));
    assert_eq!(responses(khong), 2);
    num(&report_element(khong, "tiep_can")["value"], 75.0);
    no_answers(report_element(khong, "pakn"));
    assert_eq!(report_item(khong, "PA1")["n"], 0);
    num(&khong["index"]["value"], 87.5);
}
both_backends!(grouped_by_pakn_routing_question);

async fn group_responses_add_up_to_the_ungrouped_count(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    seed_periods(&app, &s.clerk).await;
    submit(
        &app,
        &s.clerk,
        "phuoc-hoa",
        "kiosk",
        MAY_2024,
        full_answers(),
    )
    .await;
    for selection in ["", "unit=tuy-phuoc&", "from=2024-06-01&"] {
        let total = report_of(&app, &s.analyst, selection.trim_end_matches('&')).await;
        let total = responses(only_group(&total));
        assert!(total > 0);
        for group_by in [
            "group_by=unit",
            "group_by=period",
            "group_by=period&period=quarter",
            "group_by=period&period=month",
            "group_by=channel",
            "group_by=gioi_tinh",
            "group_by=da_pakn",
            "group_by=linh_vuc",
        ] {
            let r = report_of(&app, &s.analyst, &format!("{selection}{group_by}")).await;
            let sum: u64 = groups(&r).iter().map(responses).sum();
            assert_eq!(sum, total, "{selection}{group_by}");
            assert_eq!(r["responses"], total, "{selection}{group_by}");
        }
    }
}
both_backends!(group_responses_add_up_to_the_ungrouped_count);
