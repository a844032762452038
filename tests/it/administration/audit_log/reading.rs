//! Reading the log: filters and pages, and the CSV (itself recorded).

use super::*;

async fn filters_and_pages(app: TestApp) {
    let analyst_name = "minh-analyst";
    let password = app.create_user(analyst_name, Role::Analyst);
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": analyst_name, "password": password}),
        )
        .await;
    let analyst = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = app.token_for(Role::Admin).await;
    for _ in 0..5 {
        let r = app
            .get_auth(&format!("/api/v1/reports/{FORM}"), &analyst)
            .await;
        assert_eq!(r.status(), 200);
    }
    // Pages of two, backwards.
    let (status, first) = status_and_json(
        app.get_auth("/api/v1/audit?action=report&limit=2", &admin)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let page = first["records"].as_array().unwrap();
    assert_eq!(page.len(), 2);
    let next = first["next_before_id"].as_i64().expect("a next page");
    assert_eq!(next, page[1]["id"].as_i64().unwrap());
    let (_, second) = status_and_json(
        app.get_auth(
            &format!("/api/v1/audit?action=report&limit=2&before_id={next}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(second["records"].as_array().unwrap().len(), 2);
    assert!(second["records"][0]["id"].as_i64().unwrap() < next);
    let last = second["next_before_id"].as_i64().unwrap();
    let (_, third) = status_and_json(
        app.get_auth(
            &format!("/api/v1/audit?action=report&limit=2&before_id={last}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(third["records"].as_array().unwrap().len(), 1);
    assert!(third["next_before_id"].is_null(), "the last page: {third}");

    // By actor; by local date (`to` exclusive).
    assert_eq!(
        records(&app, &admin, &format!("actor={analyst_name}&action=report"))
            .await
            .len(),
        5
    );
    assert!(records(&app, &admin, "actor=nobody").await.is_empty());
    let (today, tomorrow) = (local_day(0), local_day(1));
    assert_eq!(
        records(
            &app,
            &admin,
            &format!("action=report&from={today}&to={tomorrow}")
        )
        .await
        .len(),
        5
    );
    assert!(
        records(&app, &admin, &format!("action=report&from={tomorrow}"))
            .await
            .is_empty()
    );
    assert!(records(&app, &admin, &format!("action=report&to={today}"))
        .await
        .is_empty());
    // A record's time is local, with its offset.
    let at = records(&app, &admin, "action=report&limit=1").await[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(at.starts_with(&today) && at.ends_with("+07:00"), "{at}");

    for bad in [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "before_id=abc",
        "before_id=-3",
        "from=2026-13-01",
        "to=yesterday",
        "from=2026-02-01&to=2026-01-01",
        "from=2026-01-01&to=2026-01-01",
    ] {
        for path in ["/api/v1/audit", "/api/v1/audit.csv"] {
            expect_error(
                app.get_auth(&format!("{path}?{bad}"), &admin).await,
                400,
                "bad_query",
            )
            .await;
        }
    }
}
both_backends!(filters_and_pages);

async fn the_csv_holds_every_match_and_is_itself_recorded(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    // A name a spreadsheet would run as a formula (e.g. a failed login's username).
    let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    app.db()
        .transaction(|conn| {
            for i in 0..1_205 {
                let entry = sipas::platform::audit::Entry::new("test.bulk")
                    .by_name(if i == 0 { formula } else { "bulk" })
                    .target(format!("t{i}"))
                    .detail(json!({"i": i, "note": "a, \"quoted\"\nline"}));
                sipas::platform::audit::record(conn, &entry).unwrap();
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    let today = local_day(0);
    let response = app
        .get_auth(
            &format!("/api/v1/audit.csv?action=test.bulk&from={today}"),
            &admin,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"audit_{today}_all.csv\"").as_str()
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "at",
            "actor",
            "role",
            "action",
            "target",
            "outcome",
            "detail",
            "address_hash"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        1_205,
        "every match, past one page of the database"
    );
    let ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let targets: std::collections::HashSet<&str> = rows.iter().map(|r| r.get(5).unwrap()).collect();
    assert_eq!(targets.len(), 1_205, "each record once");
    let oldest = rows.last().unwrap();
    assert_eq!(
        &oldest[2],
        format!("'{formula}"),
        "a formula is written as text"
    );
    assert_eq!(&oldest[4], "test.bulk");
    assert_eq!(&oldest[6], "ok");
    let detail: Value = serde_json::from_str(&oldest[7]).unwrap();
    assert_eq!(detail["note"], "a, \"quoted\"\nline");
    assert!(oldest[1].ends_with("+07:00"), "local time: {}", &oldest[1]);

    // The download is recorded, with its filters.
    let export = newest(&app, &admin, "audit.export").await;
    assert_eq!(export["role"], "admin");
    assert_eq!(export["detail"]["action"], "test.bulk");
    assert_eq!(export["detail"]["from"], today.as_str());
    assert_address_hash(&export);
}
both_backends!(the_csv_holds_every_match_and_is_itself_recorded);
