//! The ungrouped report against hand computation: indices, intervals, verdicts, element n and the
//! expectation options.

use super::*;

// ---------------------------------------------------------------------------------------------
// Ungrouped: shape and hand-computed values
// ---------------------------------------------------------------------------------------------

async fn ungrouped_report_matches_hand_computation(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=phuoc-son").await;
    assert_eq!(r["form"], "sipas-dich-vu");
    num(&r["target"], 90.0);
    assert_eq!(r["method"], "top2_share");
    assert_eq!(r["selection"]["unit"], "phuoc-son");
    assert!(r["selection"]["from"].is_null() && r["selection"]["to"].is_null());
    let g = only_group(&r);
    assert_eq!(g["key"], json!({}), "ungrouped key is {{}}");
    assert_eq!(responses(g), 3);
    assert!(g.get("sample").is_none(), "no population: no sample");
    assert!(g.get("change").is_none());
    assert_rounded(&r, "report");

    // The shape of API.md.
    has_keys(
        &g["index"],
        &["value", "ci95", "meets_target", "verdict", "gap"],
    );
    let dich_vu = report_part(g, "dich_vu");
    has_keys(
        dich_vu,
        &[
            "code",
            "value",
            "ci95",
            "meets_target",
            "verdict",
            "gap",
            "elements",
        ],
    );
    has_keys(
        report_element(g, "tiep_can"),
        &[
            "code",
            "value",
            "ci95",
            "meets_target",
            "verdict",
            "gap",
            "items",
        ],
    );
    has_keys(
        report_item(g, "TC1"),
        &[
            "code",
            "n",
            "satisfied",
            "value",
            "ci95",
            "meets_target",
            "verdict",
            "gap",
            "mean_score",
            "distribution",
        ],
    );

    // Items. TC1: 5, 3, 4 → n 3, satisfied 2 → 66.67; Wilson(2/3, 3) = [20.77, 93.85];
    // mean (5+3+4)/3 = 4; gap 66.67 − 90 = −23.33.
    let tc1 = report_item(g, "TC1");
    assert_eq!(tc1["n"], 3);
    assert_eq!(tc1["satisfied"], 2);
    num(&tc1["value"], 66.67);
    ci(&tc1["ci95"], 20.77, 93.85);
    num(&tc1["mean_score"], 4.0);
    num(&tc1["gap"], -23.33);
    assert_eq!(tc1["meets_target"], false);
    assert_eq!(tc1["verdict"], "chua_du_can_cu");
    assert_eq!(
        tc1["distribution"],
        json!({"1": 0, "2": 0, "3": 1, "4": 1, "5": 1})
    );
    // TC2: 4, 2 → 50, mean 3.
    num(&report_item(g, "TC2")["value"], 50.0);
    num(&report_item(g, "TC2")["mean_score"], 3.0);
    // TT1: 4, 5 → 100; Wilson(1, 2): centre 1.9604/2.9208 = 0.671186, half 0.671049·0.49
    // = 0.328814 → [34.24, 100]; meets the target but the evidence is thin.
    let tt1 = report_item(g, "TT1");
    num(&tt1["value"], 100.0);
    ci(&tt1["ci95"], 34.24, 100.0);
    assert_eq!(tt1["meets_target"], true);
    assert_eq!(tt1["verdict"], "chua_du_can_cu");
    num(&tt1["gap"], 10.0);
    // TC3: nobody → n 0, nulls, an all-zero distribution.
    let tc3 = report_item(g, "TC3");
    assert_eq!(tc3["n"], 0);
    assert_eq!(tc3["satisfied"], 0);
    no_answers(tc3);
    assert!(tc3["mean_score"].is_null());
    assert_eq!(
        tc3["distribution"],
        json!({"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})
    );

    // Elements: tiep_can (66.67 + 50)/2 = 58.33 (§8); tthc = TT1 = 100; pakn = PA1 = 100 (one
    // answer from the one respondent routed to it); cong_chuc, ket_qua: no answers.
    let tiep_can = report_element(g, "tiep_can");
    num(&tiep_can["value"], 58.33);
    // Var = 3/2 · 161250/324 = 746.53 (as §8) → 58.33 ± 53.55 = [4.78, 100 (clipped)].
    ci(&tiep_can["ci95"], 4.78, 100.0);
    assert_eq!(tiep_can["verdict"], "chua_du_can_cu");
    assert_eq!(tiep_can["reason"], "few_responses");
    num(&report_element(g, "tthc")["value"], 100.0);
    num(&report_element(g, "pakn")["value"], 100.0);
    no_answers(report_element(g, "cong_chuc"));
    no_answers(report_element(g, "ket_qua"));
    let codes: Vec<&str> = report_part(g, "dich_vu")["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["tiep_can", "tthc", "cong_chuc", "ket_qua", "pakn"],
        "form order"
    );

    // Part = form = (58.33 + 100 + 100)/3 = 86.11; gap −3.89.
    // Form = ⅙·TC1 + ⅙·TC2 + ⅓·TT1 + ⅓·PA1; residuals (y* − p)/W·c:
    //   TC1 (W 3, p 66.67): r1 +11.11/6, r2 −22.22/6, r3 +11.11/6
    //   TC2 (W 2, p 50):    r1 +25/6, r3 −25/6; TT1, PA1 (p 100): 0
    //   u = 6.01852, −3.70370, −2.31481; Σu² = 55.2984; Var = 3/2 · 55.2984 = 82.9475
    //   86.11 ± 1.96·9.10755 = [68.26, 103.96 → 100].
    let index = &g["index"];
    num(&index["value"], 86.11);
    ci(&index["ci95"], 68.26, 100.0);
    assert_eq!(index["meets_target"], false);
    num(&index["gap"], -3.89);
    // 3 responses: no verdict on a linearised interval from so few.
    assert_eq!(index["verdict"], "chua_du_can_cu");
    assert_eq!(index["reason"], "few_responses");
    num(&dich_vu["value"], 86.11);
    ci(&dich_vu["ci95"], 68.26, 100.0);
    assert_eq!(dich_vu["verdict"], "chua_du_can_cu");

    // Default unit: the root of the tree, which pools all 9 responses.
    let root = report_of(&app, &s.analyst, "").await;
    assert_eq!(root["selection"]["unit"], "binh-dinh");
    assert_eq!(responses(only_group(&root)), 9);
    assert_eq!(root["responses"], 9);
}
both_backends!(ungrouped_report_matches_hand_computation);

async fn item_verdicts_read_the_wilson_bounds(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    // phuoc-thang: TC1 = 1 once. Wilson(0, 1): centre = 1.9208/4.8416 = 0.396728,
    // half = 1.96/4.8416 · √(3.8416/4) = 0.396728 → [0, 79.35]: below 90 → khong_dat.
    let r = report_of(&app, &s.analyst, "unit=phuoc-thang").await;
    let g = only_group(&r);
    let tc1 = report_item(g, "TC1");
    num(&tc1["value"], 0.0);
    ci(&tc1["ci95"], 0.0, 79.35);
    assert_eq!(tc1["verdict"], "khong_dat");
    assert_eq!(tc1["meets_target"], false);
    // The form index from one response: value 0 but no verdict from one answer.
    num(&g["index"]["value"], 0.0);
    assert_eq!(g["index"]["verdict"], "chua_du_can_cu");
    assert_eq!(g["index"]["reason"], "few_responses");
}
both_backends!(item_verdicts_read_the_wilson_bounds);

async fn composite_verdicts_need_thirty_responses(app: TestApp) {
    let s = staff(&app).await;
    for _ in 0..29 {
        paper(
            &app,
            &s.clerk,
            "phuoc-an",
            json!({"da_pakn": "khong", "TC1": 5}),
        )
        .await;
    }
    // 29 responses, all satisfied: 100 with a zero-width interval, yet too few for a verdict.
    let r = report_of(&app, &s.analyst, "unit=phuoc-an").await;
    let index = &only_group(&r)["index"];
    num(&index["value"], 100.0);
    assert_eq!(index["meets_target"], true);
    assert_eq!(index["verdict"], "chua_du_can_cu");
    assert_eq!(index["reason"], "few_responses");
    // The item's Wilson interval needs no such guard: Wilson(1, 29) = [88.30, 100] → not dat.
    assert_eq!(
        report_item(only_group(&r), "TC1")["verdict"],
        "chua_du_can_cu"
    );

    paper(
        &app,
        &s.clerk,
        "phuoc-an",
        json!({"da_pakn": "khong", "TC1": 5}),
    )
    .await;
    // 30: the lower bound 100 ≥ 90 → dat, and no reason.
    let r = report_of(&app, &s.analyst, "unit=phuoc-an").await;
    let g = only_group(&r);
    assert_eq!(responses(g), 30);
    assert_eq!(g["index"]["verdict"], "dat");
    assert!(g["index"].get("reason").is_none(), "{}", g["index"]);
    assert_eq!(report_part(g, "dich_vu")["verdict"], "dat");
    assert_eq!(report_element(g, "tiep_can")["verdict"], "dat");
    // Wilson(1, 30): centre = (1 + 0.064027)/1.128053 = 0.943243; half = 0.056757 → 88.65 < 90.
    assert_eq!(report_item(g, "TC1")["verdict"], "chua_du_can_cu");
    num(&report_item(g, "TC1")["ci95"][0], 88.65);
}
both_backends!(composite_verdicts_need_thirty_responses);

/// The PAKN element counts those who answered its items; expectations give n and the share of
/// each option; the selection names its unit.
async fn element_n_and_expectation_options(app: TestApp) {
    let s = staff(&app).await;
    for (pakn, kv1) in [
        (true, Some(3)),
        (false, Some(1)),
        (false, Some(3)),
        (false, None),
    ] {
        let mut answers = full_answers();
        if pakn {
            answers["da_pakn"] = json!("co");
            answers["PA1"] = json!(5);
        }
        if let Some(v) = kv1 {
            answers["KV1"] = json!(v);
        }
        submit(&app, &s.clerk, "phuoc-son", "paper", MAY_2024, answers).await;
    }
    let r = report_of(&app, &s.analyst, "unit=phuoc-son").await;
    assert_eq!(r["selection"]["unit_name"], "Xã Phước Sơn");
    let g = only_group(&r);
    assert_eq!(responses(g), 4);
    assert_eq!(report_element(g, "pakn")["n"], 1);
    assert_eq!(report_element(g, "pakn")["reason"], "few_responses");
    assert_eq!(report_element(g, "tiep_can")["n"], 4);
    assert_eq!(report_part(g, "dich_vu")["n"], 4);
    let kv1 = g["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "KV1")
        .expect("KV1");
    assert_eq!(kv1["n"], 3);
    assert!(kv1["label"].as_str().is_some_and(|l| !l.is_empty()));
    num(&kv1["value"], 66.67);
    let options = kv1["options"].as_array().unwrap();
    let shares: Vec<(&str, u64, f64)> = options
        .iter()
        .map(|o| {
            (
                o["label"].as_str().unwrap(),
                o["n"].as_u64().unwrap(),
                o["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [("Ít", 1, 33.33), ("Nhiều", 0, 0.0), ("Rất nhiều", 2, 66.67)]
    );
}
both_backends!(element_n_and_expectation_options);
