//! The báo cáo where data is missing — a period without responses, a period without the year
//! before, communes without responses among others — says so in words (and never prints a
//! float that is not a number); and its numbers are the API's to the last digit, also where the
//! exact value lies half-way between two displayed ones.

use sipas::domain::Role;

use super::docx::Docx;
use super::*;

const COMMUNE: &str = "phuoc-son";
const COMMUNE_NAME: &str = "Xã Phước Sơn";
const YEAR_2024: &str = "from=2024-01-01&to=2025-01-01";

/// 32 paper responses to `COMMUNE` spread over 2024, rating only TC1: 29 × 5 and 3 × 2, so
/// that TC1 — and the element and the overall index made of it alone — is 29/32 = 90.625 %,
/// exactly half-way between 90,62 and 90,63.
async fn seed_one_commune_in_2024(app: &TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for i in 0..32 {
        let at = format!(
            "2024-{:02}-{:02}T09:30:00+07:00",
            1 + i % 12,
            1 + 9 * (i / 12)
        );
        let tc1 = if i < 3 { 2 } else { 5 };
        paper_at(
            app,
            &clerk,
            COMMUNE,
            &at,
            json!({"da_pakn": "khong", "TC1": tc1}),
        )
        .await;
    }
}

fn captions(docx: &Docx) -> Vec<String> {
    docx.styled("Caption")
}

async fn missing_data_is_said_in_words(app: TestApp) {
    seed_one_commune_in_2024(&app).await;
    let analyst = app.token_for(Role::Analyst).await;
    let tree = units(&app).await;

    // 2024 in the district: one commune answered, the year before had nothing.
    let query = format!("unit={DISTRICT}&{YEAR_2024}");
    let report = json_report(&app, &analyst, FORM, &query).await;
    assert_eq!(report["responses"], 32);
    let docx = download(&app, &analyst, FORM, &query).await;
    let text = docx.text();
    assert_no_float_garbage(&text);
    let heading = "5. So sánh với cùng kỳ năm trước (năm 2023)";
    assert_eq!(
        docx.under_heading(heading),
        ["Không có số liệu của cùng kỳ năm trước (năm 2023) để so sánh."]
    );
    assert!(
        !captions(&docx).iter().any(|c| c.contains("So sánh với")),
        "no comparison table without a previous year: {:?}",
        captions(&docx)
    );
    // The communes without responses are named, the one that answered is not.
    let period = (
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
    );
    let served = served(&tree, DISTRICT, period);
    let mut expected: Vec<String> = served
        .iter()
        .filter(|u| u.code != COMMUNE)
        .map(|u| u.name.clone())
        .collect();
    expected.sort();
    assert!(expected.len() >= 2 && expected.iter().any(|n| n == "Xã Phước Thắng"));
    let said = docx.under_heading("4. Chỉ số hài lòng theo đơn vị");
    let prefix = "Chưa có phiếu trả lời trong kỳ: ";
    let silent = said
        .iter()
        .find_map(|p| p.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("a sentence {prefix:?} in {said:?}"));
    let mut named: Vec<String> = silent
        .trim_end_matches('.')
        .split(", ")
        .map(String::from)
        .collect();
    named.sort();
    assert_eq!(named, expected);
    assert!(!silent.contains(COMMUNE_NAME), "{silent}");
    // The units table: the commune with its numbers, then the others with none.
    let by_unit = json_report(&app, &analyst, FORM, &format!("{query}&group_by=unit")).await;
    let r = ranking(&by_unit, &tree, &served);
    assert_eq!(r.silent, expected);
    let (ranked, silent_rows) = unit_rows(&r);
    assert_eq!(ranked[0][0], COMMUNE_NAME);
    let table = docx.table_under("Chỉ số hài lòng theo đơn vị, xếp từ cao xuống thấp");
    let body = body_of(table, &heading_of_units());
    assert_ranked_rows(&body, ranked, &silent_rows, "units");

    // A year without any response: said, with no table or chart of numbers.
    let empty = format!("unit={DISTRICT}&from=2001-01-01&to=2002-01-01");
    assert_eq!(
        json_report(&app, &analyst, FORM, &empty).await["responses"],
        0
    );
    let docx = download(&app, &analyst, FORM, &empty).await;
    assert_no_float_garbage(&docx.text());
    let overall = docx.under_heading("1. Chỉ số hài lòng chung");
    assert_eq!(overall.len(), 1);
    assert!(
        overall[0].starts_with("Không có phiếu trả lời nào"),
        "{overall:?}"
    );
    // No elements (III.2) or criteria (III.3) without responses.
    assert_eq!(
        docx.styled("Heading2"),
        [
            "1. Chỉ số hài lòng chung",
            "4. Chỉ số hài lòng theo đơn vị",
            "5. So sánh với cùng kỳ năm trước (năm 2000)",
            "1. Đánh giá",
            "2. Kiến nghị",
        ]
    );
    assert!(docx.pictures().is_empty(), "no chart without data");
    let assessment = docx.under_heading("1. Đánh giá");
    assert_eq!(
        assessment,
        ["Chưa có phiếu trả lời của huyện Tuy Phước trong năm 2001; chưa có căn cứ để đánh giá."]
    );
    // Every served unit is listed, none with a number.
    let table = docx.table_under("Chỉ số hài lòng theo đơn vị, xếp từ cao xuống thấp");
    let body = body_of(table, &heading_of_units());
    let r = ranking(
        &json_report(&app, &analyst, FORM, &format!("{empty}&group_by=unit")).await,
        &tree,
        &served,
    );
    assert!(r.ranked.is_empty());
    let (_, silent_rows) = unit_rows(&r);
    assert_ranked_rows(&body, Vec::new(), &silent_rows, "units of an empty year");
}
both_backends!(missing_data_is_said_in_words);

fn heading_of_units() -> Vec<&'static str> {
    heading(&["STT", "Đơn vị"])
}

async fn numbers_are_the_apis_to_the_last_digit(app: TestApp) {
    seed_one_commune_in_2024(&app).await;
    let analyst = app.token_for(Role::Analyst).await;
    let query = format!("unit={COMMUNE}&{YEAR_2024}");
    let report = json_report(&app, &analyst, FORM, &query).await;
    // The premise: the API rounds 90.625 to 90.63 (and the Word file must show what it shows).
    assert_eq!(report_item(&report["groups"][0], "TC1")["value"], 90.63);
    let docx = download(&app, &analyst, FORM, &query).await;
    let elements = docx.table_under("Chỉ số hài lòng chung và theo yếu tố");
    assert_eq!(
        body_of(elements, &heading(&["Nội dung"])),
        element_rows(&report, OVERALL)
    );
    let items = docx.table_under("Chỉ số hài lòng theo tiêu chí");
    assert_eq!(
        body_of(items, &heading(&["Mã", "Tiêu chí"])),
        item_rows(&report, &service_form())
    );
    // The sentences carry the same figure.
    let shown = percent(report["groups"][0]["index"]["value"].as_f64());
    let overall = docx.under_heading("1. Chỉ số hài lòng chung");
    assert!(
        overall[0].starts_with(&format!("Chỉ số hài lòng chung đạt {shown} ")),
        "{overall:?}"
    );
}
both_backends!(numbers_are_the_apis_to_the_last_digit);
