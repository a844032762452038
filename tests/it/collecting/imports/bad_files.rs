//! Dry runs list every problem by row and column and store nothing; without `dry_run` the same
//! file is refused whole (422 `import_rejected` with the same problems, nothing stored); files
//! that are not what they claim are refused whole too.

use super::*;

/// One file with a problem of every kind a row can have, and clean rows around them.
async fn a_dry_run_lists_every_problem_and_stores_nothing(app: TestApp) {
    let (clerk, analyst) = tokens(&app).await;
    let header = export_header(&app, &analyst).await;
    // Already stored with other content (a sheet number typed in before).
    let mut stored = valid_cells("phuoc-son-000007");
    let (status, body) = status_and_json(
        import(
            &app,
            &clerk,
            "",
            CSV,
            csv_file(&header, std::slice::from_ref(&stored)),
        )
        .await,
    )
    .await;
    assert_eq!((status, body["stored"].as_u64()), (201, Some(1)), "{body}");
    stored["TC1"] = json!(1);

    let mut labels = valid_cells("so-3");
    labels["da_pakn"] = json!("Chưa");
    labels["gioi_tinh"] = json!("nữ");
    labels["submitted_at"] = json!("02/05/2024 09:30");
    let mut kiosk = valid_cells("so-4");
    kiosk["channel"] = json!("kiosk");
    let mut bad = vec![
        valid_cells("so-1"),   // row 2: clean
        json!({"id": "so-2"}), // 3: unit, channel, time, answers
        labels,                // 4: labels instead of codes: clean
        kiosk,                 // 5: kiosk imports: clean
        valid_cells("so-1"),   // 6: duplicate of row 2
        valid_cells("so-6"),   // 7: TC2 = 7
        valid_cells("so-7"),   // 8: hidden by routing
        valid_cells("so-8"),   // 9: unknown unit
        valid_cells("so-9"),   // 10: bad date
        valid_cells("so-10"),  // 11: not an option
        stored,                // 12: stored, other content
        valid_cells(""),       // 13: no id
    ];
    bad[5]["TC2"] = json!(7);
    bad[6]["PA1"] = json!(4);
    bad[7]["unit"] = json!("khong-co");
    bad[8]["submitted_at"] = json!("31/02/2024");
    bad[9]["linh_vuc"] = json!("thiên văn");
    let file = csv_file(&header, &bad);
    let before = app.counts();

    let (status, body) =
        status_and_json(import(&app, &clerk, "?dry_run=true", CSV, file.clone()).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows"], 12);
    let found = problems(&body["problems"]);
    for want in [
        cell(3, "unit", "unknown_unit"),
        cell(3, "submitted_at", "required"),
        cell(6, "id", "duplicate_in_file"),
        cell(7, "TC2", "out_of_range"),
        cell(8, "PA1", "hidden_by_routing"),
        cell(9, "unit", "unknown_unit"),
        cell(10, "submitted_at", "invalid_date"),
        cell(11, "linh_vuc", "not_an_option"),
        cell(12, "id", "already_stored_differently"),
        cell(13, "id", "required"),
    ] {
        assert!(found.contains(&want), "{want:?} in {found:?}");
    }
    for clean in [2, 4, 5] {
        assert!(
            !found.iter().any(|p| p.0 == Some(clean)),
            "row {clean} is clean: {found:?}"
        );
    }
    assert_eq!(app.counts(), before, "a dry run stores nothing");

    // Without dry_run: the same problems, nothing stored (not even the clean rows).
    let response = import(&app, &clerk, "", CSV, file).await;
    let body = expect_error(response, 422, "import_rejected").await;
    assert_eq!(problems(&body["error"]["problems"]), found);
    assert_eq!(app.counts(), before);
    assert_eq!(
        audit_rows_of(&app, "response.import").len(),
        1,
        "the first file only"
    );

    // Fixed, the file imports; the labels were stored as option codes.
    let fixed: Vec<Value> = [0usize, 2, 3].iter().map(|&i| bad[i].clone()).collect();
    let (status, body) =
        status_and_json(import(&app, &clerk, "", CSV, csv_file(&header, &fixed)).await).await;
    assert_eq!((status, body["stored"].as_u64()), (201, Some(3)), "{body}");
    let mut conn = app.db();
    let stored = sipas::store::imports::by_client_id(
        &mut conn,
        &[sipas::collecting::import::RowKey::parse("so-3")
            .client_id(FORM)
            .as_str()],
    )
    .unwrap();
    let id = &stored.values().next().expect("so-3 stored").id;
    let answers = response_answers(&app, &analyst, id).await;
    assert_eq!(answers["da_pakn"], "khong");
    assert_eq!(answers["gioi_tinh"], "nu");
}
both_backends!(a_dry_run_lists_every_problem_and_stores_nothing);

/// Header problems: an unknown column (row 1), a missing fixed column (only that is reported).
async fn header_problems(app: TestApp) {
    let (clerk, analyst) = tokens(&app).await;
    let header = export_header(&app, &analyst).await;
    let with_unknown = format!("{header},XX9");
    let file = csv_file(&with_unknown, &[valid_cells("a-1")]);
    let (status, body) =
        status_and_json(import(&app, &clerk, "?dry_run=true", CSV, file).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        problems(&body["problems"]),
        [cell(1, "XX9", "unknown_column")]
    );

    let without_unit = header.replacen(",unit,", ",", 1);
    let file = csv_file(&without_unit, &[valid_cells("a-1")]);
    let body = expect_error(
        import(&app, &clerk, "", CSV, file).await,
        422,
        "import_rejected",
    )
    .await;
    assert_eq!(
        problems(&body["error"]["problems"]),
        [cell(1, "unit", "missing_column")]
    );
    assert_eq!(app.counts().0, 0);
}
both_backends!(header_problems);

/// Files that are not what they say: not UTF-8, not a workbook, empty; a media type that is
/// neither; a role that may not import.
async fn files_that_are_not_what_they_claim(app: TestApp) {
    let (clerk, analyst) = tokens(&app).await;
    let header = export_header(&app, &analyst).await;
    let good = csv_file(&header, &[valid_cells("a-1")]);

    // Windows-1258 / Latin-1 bytes for "Phước Sơn" in a comment.
    let mut latin1 = good.clone().into_bytes();
    latin1.truncate(latin1.len() - 2);
    latin1.extend_from_slice(b"Ph\xf9\xefc S\xf5n\r\n");
    let body = expect_error(
        import(&app, &clerk, "", CSV, latin1).await,
        422,
        "import_rejected",
    )
    .await;
    let found = problems(&body["error"]["problems"]);
    assert_eq!(found, [(Some(2), None, "not_utf8".to_string())]);
    assert!(body["error"]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("UTF-8"));

    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for not_xlsx in [random, good.clone().into_bytes()] {
        let body = expect_error(
            import(&app, &clerk, "", XLSX, not_xlsx).await,
            422,
            "import_rejected",
        )
        .await;
        assert_eq!(problems(&body["error"]["problems"])[0].2, "not_xlsx");
    }
    for empty in ["", "\u{feff}", "\r\n"] {
        let body = expect_error(
            import(&app, &clerk, "", CSV, empty.to_string()).await,
            422,
            "import_rejected",
        )
        .await;
        assert_eq!(
            problems(&body["error"]["problems"])[0].2,
            "empty_file",
            "{empty:?}"
        );
    }
    expect_error(
        import(&app, &clerk, "", "application/json", good.clone()).await,
        415,
        "unsupported_media_type",
    )
    .await;
    expect_error(
        import(&app, &clerk, "?dry_run=maybe", CSV, good.clone()).await,
        400,
        "bad_query",
    )
    .await;
    expect_error(
        import(&app, &analyst, "", CSV, good.clone()).await,
        403,
        "forbidden",
    )
    .await;
    let response = app
        .client
        .post(app.url("/api/v1/imports/khong-co-phieu"))
        .bearer_auth(&clerk)
        .header(reqwest::header::CONTENT_TYPE, CSV)
        .body(good.clone())
        .send()
        .await
        .unwrap();
    expect_error(response, 404, "unknown_form").await;
    assert_eq!(app.counts().0, 0, "nothing stored by any of them");

    // And the good one, with an admin's token.
    let admin = app.token_for(Role::Admin).await;
    let (status, body) = status_and_json(import(&app, &admin, "", CSV, good).await).await;
    assert_eq!((status, body["stored"].as_u64()), (201, Some(1)), "{body}");
}
both_backends!(files_that_are_not_what_they_claim);
