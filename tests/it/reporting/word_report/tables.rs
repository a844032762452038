//! The báo cáo's numbers over HTTP, on both backends over demo data: every table and the
//! sentences that carry numbers, equal to the JSON reports of the same selection (the units
//! ranked, the year before, the delegates' survey) formatted as `reports::labels` does.

use chrono::Datelike;
use sipas::reporting::reports::labels::points;

use super::*;

fn significance(change: &Value) -> &'static str {
    match change["significant"].as_bool() {
        Some(true) => "Có",
        Some(false) => "Không",
        None => "—",
    }
}

/// "+2,32" / "−1,05" back to a number.
fn parse_points(text: &str) -> f64 {
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, '+' | '.'))
        .map(|c| match c {
            '−' => '-',
            ',' => '.',
            c => c,
        })
        .collect();
    plain
        .parse()
        .unwrap_or_else(|_| panic!("points, got {text:?}"))
}

async fn tables_are_the_json_reports(app: TestApp) {
    let analyst = seed_demo(&app).await;
    let (from, to) = last_year();
    let year = from.year();
    let before = NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap();
    let query = format!("unit={DISTRICT}&from={from}&to={to}");
    let docx = download(&app, &analyst, FORM, &query).await;
    let previous_words = format!("cùng kỳ năm trước (năm {})", year - 1);
    let comparison = format!("So sánh với {previous_words}");

    // The overall index and the elements: the JSON report of the same selection.
    let report = json_report(&app, &analyst, FORM, &query).await;
    let overall = &report["groups"][0];
    assert!(overall["responses"].as_u64().unwrap() >= 30, "{report}");
    let element_table = docx.table_under("Chỉ số hài lòng chung và theo yếu tố");
    assert_eq!(
        body_of(element_table, &heading(&["Nội dung"])),
        element_rows(&report, OVERALL)
    );
    let items = docx.table_under("Chỉ số hài lòng theo tiêu chí");
    assert_eq!(
        body_of(items, &heading(&["Mã", "Tiêu chí"])),
        item_rows(&report, &service_form())
    );
    let value = percent(overall["index"]["value"].as_f64());
    let said = docx.under_heading("1. Chỉ số hài lòng chung");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with(&format!(
            "Chỉ số hài lòng chung đạt {value} (khoảng tin cậy 95 %: {} %)",
            interval(&overall["index"])
        )) && said[0].contains(&format!(
            "(dựa trên {} phiếu)",
            count(report["responses"].as_u64().unwrap())
        )),
        "{said:?}"
    );

    // The units, ranked as `group_by=unit` ranks them; the sample per unit.
    let by_unit = json_report(&app, &analyst, FORM, &format!("{query}&group_by=unit")).await;
    let tree = units(&app).await;
    let r = ranking(&by_unit, &tree, &served(&tree, DISTRICT, (from, to)));
    assert!(r.ranked.len() >= 2, "several units answered: {by_unit}");
    let (ranked, silent) = unit_rows(&r);
    let unit_table = docx.table_under("Chỉ số hài lòng theo đơn vị, xếp từ cao xuống thấp");
    let units_body = body_of(unit_table, &heading(&["STT", "Đơn vị"]));
    assert_ranked_rows(&units_body, ranked, &silent, "units");
    let sample = docx.table_under("Số phiếu thu được so với cỡ mẫu tối thiểu");
    let mut sample = body_of(
        sample,
        &[
            "STT",
            "Đơn vị",
            "Số phiếu",
            "Số được phục vụ (N)",
            "Cỡ mẫu tối thiểu",
            "Đánh giá",
        ],
    );
    let total = sample.pop().unwrap();
    let responses = count(report["responses"].as_u64().unwrap());
    assert_eq!(total, ["", "Tổng cộng", &responses, "", "", ""]);
    let ranked_samples: Vec<Vec<String>> = r
        .ranked
        .iter()
        .map(|(_, name, g)| {
            let n = count(g["responses"].as_u64().unwrap());
            let s = &g["sample"];
            match s["population"].as_i64() {
                Some(population) => {
                    let required = count(s["required"].as_u64().unwrap());
                    let ok = if s["adequate"] == true {
                        "Đủ"
                    } else {
                        "Chưa đủ"
                    };
                    vec![
                        name.clone(),
                        n,
                        count(population as u64),
                        required,
                        ok.into(),
                    ]
                }
                None => vec![name.clone(), n, "—".into(), "—".into(), "Chưa có N".into()],
            }
        })
        .collect();
    let with_population = ranked_samples.iter().filter(|r| r[2] != "—").count();
    assert_eq!(with_population, 2, "{ranked_samples:?}");
    assert_ranked_rows(&sample, ranked_samples, &silent, "sample");

    // The same period a year before: the reports of both years and the API's change.
    let previous = json_report(
        &app,
        &analyst,
        FORM,
        &format!("unit={DISTRICT}&from={before}&to={from}"),
    )
    .await;
    assert!(previous["responses"].as_u64().unwrap() > 0, "{previous}");
    let years = json_report(
        &app,
        &analyst,
        FORM,
        &format!("unit={DISTRICT}&from={before}&to={to}&group_by=period&period=year"),
    )
    .await;
    let this_year = years["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"]["period"].as_str() == Some(year.to_string().as_str()))
        .expect("this year's group");
    assert_eq!(
        this_year["index"], overall["index"],
        "the same numbers both ways"
    );
    let change = &this_year["change"];
    let changes = body_of(
        docx.table_under(&comparison),
        &[
            "Nội dung",
            "Kỳ này",
            "Kỳ trước",
            "Thay đổi (điểm %)",
            "Có ý nghĩa thống kê",
        ],
    );
    let then = percent(previous["groups"][0]["index"]["value"].as_f64());
    assert_eq!(
        changes[0],
        [
            OVERALL,
            value.as_str(),
            then.as_str(),
            points(change["delta"].as_f64()).as_str(),
            significance(change),
        ]
    );
    let now_elements = element_rows(&report, OVERALL);
    let then_elements = element_rows(&previous, OVERALL);
    let elements: usize = report["groups"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["elements"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        changes.len(),
        1 + elements,
        "the overall index and each element"
    );
    for row in &changes[1..] {
        let now = now_elements
            .iter()
            .find(|r| r[0] == row[0])
            .expect("an element now");
        let old = then_elements
            .iter()
            .find(|r| r[0] == row[0])
            .expect("an element then");
        assert_eq!((&row[1], &row[2]), (&now[2], &old[2]), "{row:?}");
        let number = |s: &str| parse_points(s.trim_end_matches(" %"));
        let delta = number(&now[2]) - number(&old[2]);
        assert!((parse_points(&row[3]) - delta).abs() <= 0.0101, "{row:?}");
        assert!(["Có", "Không", "—"].contains(&row[4].as_str()), "{row:?}");
    }
    let compared = docx.under_heading(&format!("5. {comparison}"));
    let counted = format!(
        "So với cùng kỳ năm trước (năm {}; {} phiếu), chỉ số hài lòng chung ",
        year - 1,
        count(previous["responses"].as_u64().unwrap())
    );
    assert!(
        compared[0].starts_with(&counted) && compared[0].contains(&format!("({then} → {value})")),
        "{compared:?}"
    );

    // The delegates' survey of the same selection.
    let delegates = json_report(&app, &analyst, DELEGATES, &query).await;
    assert!(delegates["responses"].as_u64().unwrap() > 0, "{delegates}");
    let caption = docx
        .styled("Caption")
        .into_iter()
        .filter_map(|c| c.split_once(". ").map(|(_, rest)| rest.to_string()))
        .find(|c| c.starts_with("Kết quả khảo sát"))
        .expect("a table of the delegates' survey");
    assert_eq!(
        body_of(docx.table_under(&caption), &heading(&["Nội dung"])),
        element_rows(&delegates, OVERALL_DELEGATES)
    );

    // IV: the assessment starts from the overall index; the recommendations are left to write.
    let assessment = docx.under_heading("1. Đánh giá");
    assert!(
        assessment[0].starts_with(&format!("Chỉ số hài lòng chung năm {year} là {value}, "))
            && assessment[0].contains(&previous_words),
        "{assessment:?}"
    );
    assert_eq!(docx.under_heading("2. Kiến nghị").len(), 1);
}
both_backends!(tables_are_the_json_reports);
