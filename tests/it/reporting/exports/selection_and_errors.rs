//! An empty selection gives the header only; the errors of an export.

use super::*;

async fn an_empty_selection_gives_the_header_only(app: TestApp) {
    seed(&app).await;
    let codes = form_codes(&app).await;
    let header = expected_header(&codes);
    let analyst = app.token_for(Role::Analyst).await;
    let query = "?from=2001-01-01&to=2001-02-01";

    let rows = csv_export(&app, query, &analyst).await;
    assert_eq!(rows, vec![header.clone()]);

    let (_, body) = download(
        &app,
        &format!("/api/v1/exports/{FORM}.xlsx{query}"),
        &analyst,
    )
    .await;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(body)).unwrap();
    let rows = sheet_rows(&mut workbook, "Phiếu trả lời", header.len());
    assert_eq!(rows, vec![header.clone()]);
    assert!(workbook.worksheet_range("Chỉ số").is_ok());

    let (_, body) = download(
        &app,
        &format!("/api/v1/exports/{FORM}.parquet{query}"),
        &analyst,
    )
    .await;
    let (df, rows) = parquet_rows(body, header.len());
    assert!(rows.is_empty());
    assert_eq!(df.column("TC1").unwrap().dtype(), &DataType::Int8);
}
both_backends!(an_empty_selection_gives_the_header_only);

async fn export_errors(app: TestApp) {
    let path = format!("/api/v1/exports/{FORM}.csv");
    expect_error(app.get(&path).await, 401, "unauthenticated").await;
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(app.get_auth(&path, &clerk).await, 403, "forbidden").await;

    let analyst = app.token_for(Role::Analyst).await;
    for (path, status, code) in [
        (format!("/api/v1/exports/{FORM}.xls"), 404, "not_found"),
        (format!("/api/v1/exports/{FORM}.json"), 404, "not_found"),
        (format!("/api/v1/exports/{FORM}"), 404, "not_found"),
        (
            "/api/v1/exports/no-such-form.csv".to_string(),
            404,
            "unknown_form",
        ),
        (
            "/api/v1/exports/no-such-form.parquet".to_string(),
            404,
            "unknown_form",
        ),
        (format!("{path}?unit=no-such-unit"), 404, "unknown_unit"),
        (
            format!("/api/v1/exports/{FORM}.xlsx?unit=no-such-unit"),
            404,
            "unknown_unit",
        ),
        (format!("{path}?from=2024-13-01"), 400, "bad_query"),
        (format!("{path}?to=yesterday"), 400, "bad_query"),
        (
            format!("{path}?from=2025-01-01&to=2024-01-01"),
            400,
            "bad_query",
        ),
        (format!("{path}?group_by=unit"), 400, "bad_query"),
        (format!("{path}?period=year"), 400, "bad_query"),
        (format!("{path}?labels=maybe"), 400, "bad_query"),
    ] {
        let response = app.get_auth(&path, &analyst).await;
        let body = expect_error(response, status, code).await;
        assert!(body["error"]["message"].is_string(), "{path}");
    }
}
both_backends!(export_errors);
