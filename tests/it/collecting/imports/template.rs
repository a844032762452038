//! The import template: downloaded, read (its header is the export's, its lists hold the units
//! and the options' labels), filled in as a clerk would (labels, a date-time cell, whole
//! numbers) and imported.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use super::*;

async fn the_template_filled_in_imports(app: TestApp) {
    let (clerk, analyst) = tokens(&app).await;
    let response = app
        .get_auth(&format!("/api/v1/imports/{FORM}/template.xlsx"), &clerk)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], XLSX);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("sipas-dich-vu_mau-nhap.xlsx"));
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX");
    assert_eq!(
        book.sheet_names(),
        ["Phiếu trả lời", "Hướng dẫn", "Danh mục"]
    );
    let sheet = book.worksheet_range("Phiếu trả lời").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.join(","), export_header(&app, &analyst).await);
    let lists = book.worksheet_range("Danh mục").unwrap();
    let column = |title: &str| -> Vec<String> {
        let col = lists
            .rows()
            .next()
            .unwrap()
            .iter()
            .position(|c| *c == Data::String(title.to_string()))
            .unwrap_or_else(|| panic!("a list {title}"));
        lists
            .rows()
            .skip(1)
            .filter_map(|r| match &r[col] {
                Data::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    assert!(column("unit (Đơn vị)").contains(&"phuoc-son".to_string()));
    assert_eq!(column("da_pakn"), ["Có", "Chưa"]);
    let guide = book.worksheet_range("Hướng dẫn").unwrap();
    assert!(guide
        .rows()
        .any(|r| r[0] == Data::String("TC1".into()) && r[2].to_string().contains("5 = ")));

    // Filled in: labels for the choices, a date-time cell, whole numbers.
    let mut filled = Workbook::new();
    let sheet = filled.add_worksheet();
    sheet.set_name("Phiếu trả lời").unwrap();
    let when = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let answers = full_answers();
    for (col, code) in header.iter().enumerate() {
        let col = col as u16;
        sheet.write_string(0, col, code).unwrap();
        for row in 1..=2u32 {
            match code.as_str() {
                "id" => sheet.write_string(row, col, format!("so-tay-{row}")),
                "unit" => sheet.write_string(row, col, "phuoc-thang"),
                "channel" => sheet.write_string(row, col, "paper"),
                "submitted_at" => {
                    let t =
                        ExcelDateTime::parse_from_str(&format!("2024-05-0{row} 09:30:00")).unwrap();
                    sheet.write_datetime_with_format(row, col, t, &when)
                }
                "da_pakn" => sheet.write_string(row, col, "Chưa"),
                code => match &answers[code] {
                    Value::Number(n) => sheet.write_number(row, col, n.as_f64().unwrap()),
                    _ => Ok(&mut *sheet),
                },
            }
            .unwrap();
        }
    }
    let file = filled.save_to_buffer().unwrap();
    let (status, body) = status_and_json(import(&app, &clerk, "", XLSX, file).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["stored"], 2);
    let report = crate::common::report_of(&app, &analyst, "unit=phuoc-thang").await;
    assert_eq!(report["groups"][0]["responses"], 2);
    let stored = sipas::store::imports::by_client_id(
        &mut app.db(),
        &[sipas::collecting::import::RowKey::parse("so-tay-1")
            .client_id(FORM)
            .as_str()],
    )
    .unwrap();
    let id = stored.values().next().expect("so-tay-1 stored").id.clone();
    let (status, body) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{id}"), &analyst)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let at = chrono::DateTime::parse_from_rfc3339(body["submitted_at"].as_str().unwrap()).unwrap();
    assert_eq!(at.to_rfc3339(), "2024-05-01T02:30:00+00:00", "09:30 local");
    assert_eq!(body["answers"]["da_pakn"], "khong");

    expect_error(
        app.get_auth(&format!("/api/v1/imports/{FORM}/template.xlsx"), &analyst)
            .await,
        403,
        "forbidden",
    )
    .await;
}
both_backends!(the_template_filled_in_imports);
