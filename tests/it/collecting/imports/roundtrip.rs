//! An export imported into a fresh service: same report, same export; the same file again (CSV,
//! then the XLSX export of the same responses, then into the service it came from) stores
//! nothing new; the audit record names the file by its SHA-256 and holds no answer.

use super::*;

/// Responses of several units, channels and times, a comment that looks like a formula (the
/// CSV export guards it with `'`), one with commas and quotes, a PAKN branch.
async fn seed(app: &TestApp) -> usize {
    let clerk = app.token_for(Role::Clerk).await;
    let mut bodies = Vec::new();
    for (i, unit) in ["phuoc-son", "phuoc-thang", "phuoc-hung"]
        .iter()
        .enumerate()
    {
        for k in 0..4 {
            let mut answers = full_answers();
            answers["TC1"] = json!(1 + (i + k) % 5);
            answers["CC2"] = json!(1 + (i * 3 + k) % 5);
            if k == 1 {
                answers["da_pakn"] = json!("co");
                answers["PA1"] = json!(2);
                answers["PA2"] = json!(5);
                answers["PA3"] = json!(4);
                answers["gioi_tinh"] = json!("nu");
                answers["KV1"] = json!(3);
            }
            if k == 2 {
                answers["y_kien"] = json!(format!("=1+1 là công thức {i}"));
            }
            if k == 3 {
                answers["y_kien"] = json!("Tốt, \"rất\" tốt\nxin cảm ơn");
                answers["linh_vuc"] = json!("ho_tich");
            }
            bodies.push(json!({
                "client_id": new_client_id(),
                "unit": unit,
                "channel": if k % 2 == 0 { "paper" } else { "phone" },
                "submitted_at": format!("2024-0{}-1{}T{:02}:15:00+07:00", i + 3, k, k + 7),
                "answers": answers,
            }));
        }
    }
    // And one from a citizen, at the server's time.
    let (status, body) = send_submission(app, &valid_submission()).await;
    assert_eq!(status, 201, "{body}");
    for body in &bodies {
        let response = post_auth(
            app,
            &format!("/api/v1/forms/{FORM}/responses"),
            Some(&clerk),
            body,
        )
        .await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    bodies.len() + 1
}

async fn export(app: &TestApp, token: &str, ext: &str) -> Vec<u8> {
    let response = app
        .get_auth(&format!("/api/v1/exports/{FORM}.{ext}"), token)
        .await;
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

async fn stored(response: reqwest::Response) -> (u64, u64) {
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    (
        body["stored"].as_u64().expect("stored"),
        body["already_present"].as_u64().expect("already_present"),
    )
}

async fn an_export_imports_into_a_fresh_service(app: TestApp) {
    let n = seed(&app).await as u64;
    let (_, analyst) = tokens(&app).await;
    let csv = export(&app, &analyst, "csv").await;
    let xlsx = export(&app, &analyst, "xlsx").await;
    let fresh = TestApp::spawn(app.backend).await.expect("a second app");
    let (clerk2, analyst2) = tokens(&fresh).await;

    assert_eq!(fresh.counts().0, 0);
    let first = stored(import(&fresh, &clerk2, "", CSV, csv.clone()).await).await;
    assert_eq!(first, (n, 0));
    assert_eq!(fresh.counts(), app.counts(), "responses and answers");

    // The same report, whole and per unit, and the same export, byte for byte.
    for query in ["", "unit=phuoc-thang", "group_by=unit", "group_by=channel"] {
        let before = report_of(&app, &analyst, query).await;
        let after = report_of(&fresh, &analyst2, query).await;
        assert_eq!(before["groups"], after["groups"], "report ?{query}");
        assert!(before["groups"][0]["responses"].as_u64().unwrap() > 0);
    }
    let again = export(&fresh, &analyst2, "csv").await;
    assert_eq!(
        String::from_utf8(again).unwrap(),
        String::from_utf8(csv.clone()).unwrap()
    );

    // Again: nothing new, whether the CSV, the XLSX of the same responses, or into the source.
    assert_eq!(
        stored(import(&fresh, &clerk2, "", CSV, csv.clone()).await).await,
        (0, n)
    );
    assert_eq!(
        stored(import(&fresh, &clerk2, "", XLSX, xlsx.clone()).await).await,
        (0, n)
    );
    let clerk = app.token_for(Role::Clerk).await;
    assert_eq!(
        stored(import(&app, &clerk, "", CSV, csv.clone()).await).await,
        (0, n)
    );
    assert_eq!(fresh.counts(), app.counts());

    // One record per import, newest first; the file by its hash, never an answer.
    let records = audit_rows_of(&fresh, "response.import");
    assert_eq!(records.len(), 3);
    let first = audit_detail(&records[2]);
    assert_eq!(first["form"], FORM);
    assert_eq!(first["rows"], n);
    assert_eq!(first["stored"], n);
    assert_eq!(first["already_present"], 0);
    assert_eq!(first["format"], "csv");
    assert_eq!(first["sha256"], sha256_hex(&csv));
    assert_eq!(audit_detail(&records[0])["format"], "xlsx");
    let text = records[2].detail.clone().unwrap_or_default();
    assert!(
        !text.contains("phuoc-son") && !text.contains("TC1"),
        "{text}"
    );
    assert!(records[2]
        .actor
        .as_deref()
        .is_some_and(|a| a.starts_with("clerk-")));
}
both_backends!(an_export_imports_into_a_fresh_service);

/// The XLSX export alone (date-time cells, numbers) imports as the CSV does.
async fn the_xlsx_export_imports_too(app: TestApp) {
    let n = seed(&app).await as u64;
    let (_, analyst) = tokens(&app).await;
    let xlsx = export(&app, &analyst, "xlsx").await;
    let csv = export(&app, &analyst, "csv").await;
    let fresh = TestApp::spawn(app.backend).await.expect("a second app");
    let (clerk2, analyst2) = tokens(&fresh).await;
    assert_eq!(
        stored(import(&fresh, &clerk2, "", XLSX, xlsx).await).await,
        (n, 0)
    );
    assert_eq!(export(&fresh, &analyst2, "csv").await, csv);
}
both_backends!(the_xlsx_export_imports_too);

/// A CSV export with its labels row (`labels=1`) imports: the labels row is recognised.
async fn the_labels_row_is_skipped(app: TestApp) {
    let n = seed(&app).await as u64;
    let (clerk, analyst) = tokens(&app).await;
    let response = app
        .get_auth(&format!("/api/v1/exports/{FORM}.csv?labels=1"), &analyst)
        .await;
    let csv = response.bytes().await.unwrap().to_vec();
    let (status, body) =
        status_and_json(import(&app, &clerk, "?dry_run=true", CSV, csv).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows"], n);
    assert_eq!(body["problems"], json!([]));
}
both_backends!(the_labels_row_is_skipped);
