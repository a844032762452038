//! CSV, XLSX and Parquet read back equal to what was submitted.

use super::*;

async fn exports_read_back_equal_what_was_submitted(app: TestApp) {
    let expected = seed(&app).await;
    let codes = form_codes(&app).await;
    let header = expected_header(&codes);
    let analyst = app.token_for(Role::Analyst).await;

    // CSV
    let (headers, body) = download(&app, &format!("/api/v1/exports/{FORM}.csv"), &analyst).await;
    assert_eq!(
        header_value(&headers, "content-type"),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        header_value(&headers, "content-disposition"),
        format!("attachment; filename=\"{FORM}_binh-dinh_all_all.csv\"")
    );
    let rows = parse_csv(&body);
    assert_eq!(
        rows[0], header,
        "header: fixed columns then codes in form order"
    );
    assert_eq!(rows.len(), 1 + expected.len());
    assert_rows_equal("CSV", &by_id(&rows[1..]), &expected, &codes, true);
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    assert!(
        text.contains("Ở quầy \"\"Một cửa\"\" phải đợi lâu"),
        "quotes doubled"
    );

    // CSV with a second header row of labels
    let rows = csv_export(&app, "?labels=1", &analyst).await;
    assert_eq!(rows[0], header);
    assert_eq!(
        rows[1][..4],
        ["Mã phiếu trả lời", "Đơn vị", "Kênh", "Thời điểm trả lời"]
    );
    let labels: Vec<String> = codes.iter().map(|(_, l)| l.clone()).collect();
    assert_eq!(
        rows[1][4..],
        labels[..],
        "Vietnamese labels of the questions"
    );
    assert_eq!(rows.len(), 2 + expected.len());

    // XLSX
    let (headers, body) = download(&app, &format!("/api/v1/exports/{FORM}.xlsx"), &analyst).await;
    assert_eq!(header_value(&headers, "content-type"), XLSX_TYPE);
    assert_eq!(
        header_value(&headers, "content-length"),
        body.len().to_string()
    );
    assert!(header_value(&headers, "content-disposition").ends_with(".xlsx\""));
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(body)).expect("an XLSX file");
    assert_eq!(
        workbook.sheet_names(),
        ["Phiếu trả lời", "Chỉ số", "Câu hỏi"]
    );
    let rows = sheet_rows(&mut workbook, "Phiếu trả lời", header.len());
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), 1 + expected.len());
    assert_rows_equal("XLSX", &by_id(&rows[1..]), &expected, &codes, false);

    // The index sheet agrees with the report of the same selection.
    let report: Value = app
        .get_auth(&format!("/api/v1/reports/{FORM}"), &analyst)
        .await
        .json()
        .await
        .unwrap();
    let index = sheet_rows(&mut workbook, "Chỉ số", 12);
    // The unit by its name, its code on its own row.
    let unit_row = index.iter().find(|r| r[0] == "Đơn vị").expect("unit row");
    assert_eq!(unit_row[1], "Tỉnh Bình Định");
    let code_row = index
        .iter()
        .find(|r| r[0] == "Mã đơn vị")
        .expect("unit code row");
    assert_eq!(code_row[1], "binh-dinh");
    assert!(
        index.iter().any(|r| r[0].contains("«Đạt mục tiêu»")),
        "legend"
    );
    let form_row = index
        .iter()
        .find(|r| r[0] == "Chỉ số chung")
        .expect("the form index row");
    assert_eq!(form_row[1], FORM);
    assert_eq!(form_row[3], expected.len().to_string(), "responses");
    let value: f64 = form_row[5].parse().unwrap();
    let reported = report["groups"][0]["index"]["value"].as_f64().unwrap();
    assert!((value - reported).abs() < 0.006, "{value} vs {reported}");
    let tc1 = index.iter().find(|r| r[1] == "TC1").expect("item TC1");
    assert_eq!(tc1[0], "Tiêu chí");
    let tc1_report = &report["groups"][0]["parts"][0]["elements"][0]["items"][0];
    assert_eq!(tc1_report["code"], "TC1");
    assert_eq!(tc1[3], tc1_report["n"].to_string());
    assert!(index.iter().any(|r| r[0] == "Yếu tố" && r[1] == "tiep_can"));
    // The questions sheet maps codes to the Vietnamese labels.
    let questions = sheet_rows(&mut workbook, "Câu hỏi", 6);
    for (code, label) in &codes {
        let row = questions
            .iter()
            .find(|r| &r[0] == code)
            .unwrap_or_else(|| panic!("{code} in Câu hỏi"));
        assert_eq!(&row[3], label);
    }

    // Parquet
    let (headers, body) =
        download(&app, &format!("/api/v1/exports/{FORM}.parquet"), &analyst).await;
    assert_eq!(
        header_value(&headers, "content-type"),
        "application/vnd.apache.parquet"
    );
    let (df, rows) = parquet_rows(body, header.len());
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, header);
    assert_eq!(df.column("TC1").unwrap().dtype(), &DataType::Int8);
    assert_eq!(df.column("KV1").unwrap().dtype(), &DataType::Int8);
    assert_eq!(df.column("gioi_tinh").unwrap().dtype(), &DataType::String);
    assert_eq!(
        df.column("submitted_at").unwrap().dtype(),
        &DataType::String
    );
    assert_rows_equal("Parquet", &by_id(&rows), &expected, &codes, false);

    // The unit filter: a unit's own responses (a commune has no children).
    let rows = csv_export(&app, "?unit=phuoc-son", &analyst).await;
    let only: BTreeMap<String, Expected> = expected
        .iter()
        .filter(|(_, e)| e.unit == "phuoc-son")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(only.len(), 3);
    assert_rows_equal(
        "CSV unit=phuoc-son",
        &by_id(&rows[1..]),
        &only,
        &codes,
        true,
    );
    // The district pools its subtree.
    let rows = csv_export(&app, "?unit=tuy-phuoc", &analyst).await;
    assert_eq!(rows.len(), 1 + expected.len());

    // Local dates: the paper response at 2024-12-31T23:30+07:00 belongs to 2024.
    let (headers, body) = download(
        &app,
        &format!("/api/v1/exports/{FORM}.csv?unit=phuoc-son&from=2024-01-01&to=2025-01-01"),
        &analyst,
    )
    .await;
    assert_eq!(
        header_value(&headers, "content-disposition"),
        format!("attachment; filename=\"{FORM}_phuoc-son_2024-01-01_2025-01-01.csv\"")
    );
    let rows = parse_csv(&body);
    assert_eq!(rows.len(), 2, "header and the paper response");
    assert_eq!(rows[1][2], "paper");
    assert_eq!(rows[1][3], PAPER_TIME);
    let rows = csv_export(&app, "?from=2025-01-01", &analyst).await;
    assert_eq!(rows.len(), expected.len(), "all but the paper response");
    assert!(rows.iter().all(|r| r[2] != "paper"));

    // The same selections in the other formats.
    let (_, body) = download(
        &app,
        &format!("/api/v1/exports/{FORM}.parquet?from=2024-01-01&to=2025-01-01"),
        &analyst,
    )
    .await;
    let (_, rows) = parquet_rows(body, header.len());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][3], PAPER_TIME);
    let (_, body) = download(
        &app,
        &format!("/api/v1/exports/{FORM}.xlsx?unit=phuoc-son"),
        &analyst,
    )
    .await;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(body)).unwrap();
    let rows = sheet_rows(&mut workbook, "Phiếu trả lời", header.len());
    assert_rows_equal(
        "XLSX unit=phuoc-son",
        &by_id(&rows[1..]),
        &only,
        &codes,
        false,
    );

    // An admin may export too.
    let admin = app.token_for(Role::Admin).await;
    let rows = csv_export(&app, "", &admin).await;
    assert_eq!(rows.len(), 1 + expected.len());
}
both_backends!(exports_read_back_equal_what_was_submitted);
