//! The analyst dashboard: login form, session cookie, the report page, logout.

use crate::common::*;

use sipas::domain::Role;

/// Logs in through the form; returns the Cookie header value and the CSRF token.
async fn browser_login(app: &TestApp, role: Role) -> (String, String) {
    let session = page_login(app, role).await;
    (session.cookie, session.csrf)
}

async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .expect("GET")
}

async fn logout(app: &TestApp, cookie: &str, csrf: Option<&str>) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
    app.client
        .post(app.url("/logout"))
        .header(reqwest::header::COOKIE, cookie)
        .form(&fields)
        .send()
        .await
        .expect("POST /logout")
}

async fn dashboard_requires_login(app: TestApp) {
    let response = app.get("/dashboard").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");

    let page = app.get("/login").await;
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(text.contains("lang=\"vi\""));
    assert!(text.contains("action=\"/login\""));
    assert_no_inline_script(&text);

    // A session cookie that is not valid is no session.
    let response = get_with_cookie(&app, "/dashboard", "sipas_session=nonsense").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
}
both_backends!(dashboard_requires_login);

async fn wrong_password_is_refused(app: TestApp) {
    app.create_user("analyst-x", Role::Analyst);
    for (user, password) in [("analyst-x", "wrong-password-123"), ("nobody", "x")] {
        let response = login_form(&app, user, password).await;
        assert_eq!(response.status(), 401);
        assert!(response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_none());
        let text = response.text().await.unwrap();
        assert!(text.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    }
}
both_backends!(wrong_password_is_refused);

async fn analyst_sees_the_dashboard(app: TestApp) {
    for _ in 0..3 {
        assert_eq!(app.submit(&valid_submission()).await.status(), 201);
    }
    let username = "analyst-a";
    let password = app.create_user(username, Role::Analyst);
    let response = login_form(&app, username, &password).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");
    let (session, header) = set_cookie(&response, "sipas_session").expect("session cookie");
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Strict"), "{header}");
    let (csrf, _) = set_cookie(&response, "sipas_csrf").expect("csrf cookie");
    let cookie = format!("{session}; {csrf}");

    let path = "/dashboard?form=sipas-dich-vu&unit=phuoc-son&from=2020-01-01&to=2100-01-01";
    let response = get_with_cookie(&app, path, &cookie).await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    let text = response.text().await.unwrap();
    {
        use diesel::prelude::*;
        use sipas::store::schema::audit_log;
        let recorded: Vec<(Option<String>, Option<String>)> = audit_log::table
            .filter(audit_log::action.eq("report"))
            .select((audit_log::actor, audit_log::target))
            .load(&mut app.db())
            .unwrap();
        assert!(
            recorded
                .iter()
                .any(|(_, target)| target.as_deref() == Some("sipas-dich-vu")),
            "the dashboard's report is on the audit record: {recorded:?}"
        );
    }
    assert!(text.contains("lang=\"vi\""));
    assert!(text.contains("id=\"index-table\""));
    assert!(text.contains("id=\"element-table\""));
    assert!(text.contains("Chưa đủ căn cứ"), "verdict words");
    assert!(text.contains(" %"));
    assert!(text.contains(","), "decimal comma");
    assert_no_inline_script(&text);
    // The print layout (A4) is in the staff stylesheet the page links.
    let at = text
        .find("/static/dashboard.css?v=")
        .expect("the staff stylesheet is linked");
    let href = &text[at..at + text[at..].find('"').unwrap()];
    let css = app.get(href).await.text().await.unwrap();
    assert!(css.contains("@page{size:A4;margin:15mm}"), "{css}");
    let filters = "unit=phuoc-son&amp;from=2020-01-01&amp;to=2100-01-01";
    for kind in ["elements", "items", "distribution", "trend", "units"] {
        let img = format!("<img src=\"/api/v1/reports/sipas-dich-vu/charts/{kind}.svg?{filters}\"");
        assert!(text.contains(&img), "{img}");
        let png = format!("/api/v1/reports/sipas-dich-vu/charts/{kind}.png?{filters}");
        assert!(text.contains(&png), "{png}");
    }
    for ext in ["csv", "xlsx", "parquet"] {
        let link = format!("/api/v1/exports/sipas-dich-vu.{ext}?{filters}");
        assert!(text.contains(&link), "{link}");
    }
    // The báo cáo of the selection shown, in Word, through the same cookie.
    let word = format!("/api/v1/reports/sipas-dich-vu/report.docx?{filters}");
    assert!(
        text.contains(&format!("id=\"word-report\" href=\"{word}\"")),
        "{word}"
    );
    assert!(text.contains("Tải báo cáo (Word)"));
    let docx = get_with_cookie(&app, &word.replace("&amp;", "&"), &cookie).await;
    assert_eq!(docx.status(), 200);
    assert!(docx.headers()[reqwest::header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("bao-cao-sipas-dich-vu-phuoc-son-2020-01-01-2100-01-01.docx"));
    assert!(
        docx.bytes().await.unwrap().starts_with(b"PK\x03\x04"),
        "a zip"
    );
    // The links work with the same cookie.
    let chart = get_with_cookie(
        &app,
        "/api/v1/reports/sipas-dich-vu/charts/elements.svg?unit=phuoc-son",
        &cookie,
    )
    .await;
    assert_eq!(chart.status(), 200);
    let csv = get_with_cookie(
        &app,
        "/api/v1/exports/sipas-dich-vu.csv?unit=phuoc-son",
        &cookie,
    )
    .await;
    assert_eq!(csv.status(), 200);

    // Grouped by period: the index table plus the whole selection's elements.
    let response = get_with_cookie(
        &app,
        "/dashboard?form=sipas-dich-vu&group_by=period&period=quarter",
        &cookie,
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("id=\"index-table\""));
    assert!(text.contains("id=\"element-table\""));
    assert!(text.contains("period=quarter"));
    // Without a period there is no báo cáo to download, and the page says what to choose.
    assert!(!text.contains("id=\"word-report\""));
    assert!(text.contains("id=\"word-report-hint\""));

    // A bad selection is explained on the page, not an error page without the form.
    let response = get_with_cookie(&app, "/dashboard?from=2024-13-01", &cookie).await;
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Không lập được báo cáo"));

    // The print view is the same page.
    let response = get_with_cookie(&app, &format!("{path}&print=1"), &cookie).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("print-view"));
}
both_backends!(analyst_sees_the_dashboard);

async fn clerk_is_forbidden(app: TestApp) {
    let (cookie, _) = browser_login(&app, Role::Clerk).await;
    let response = get_with_cookie(&app, "/dashboard", &cookie).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("lang=\"vi\""));
}
both_backends!(clerk_is_forbidden);

async fn logout_checks_csrf_and_ends_the_session(app: TestApp) {
    let (cookie, csrf) = browser_login(&app, Role::Analyst).await;
    assert_eq!(
        get_with_cookie(&app, "/dashboard", &cookie).await.status(),
        200
    );

    let response = logout(&app, &cookie, None).await;
    assert_eq!(response.status(), 403);
    let response = logout(&app, &cookie, Some("not-the-token")).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        get_with_cookie(&app, "/dashboard", &cookie).await.status(),
        200,
        "a refused logout leaves the session"
    );

    let response = logout(&app, &cookie, Some(&csrf)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
    let (cleared, _) = set_cookie(&response, "sipas_session").expect("cookie removal");
    assert_eq!(cleared, "sipas_session=");

    let response = get_with_cookie(&app, "/dashboard", &cookie).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
    let chart = get_with_cookie(
        &app,
        "/api/v1/reports/sipas-dich-vu/charts/elements.svg",
        &cookie,
    )
    .await;
    assert_eq!(chart.status(), 401);
}
both_backends!(logout_checks_csrf_and_ends_the_session);

/// Scripts only from the service's own file (a strict Content-Security-Policy holds).
fn assert_no_inline_script(text: &str) {
    for (at, _) in text.match_indices("<script") {
        let tag = &text[at..text[at..].find('>').map_or(text.len(), |end| at + end)];
        assert!(
            tag.contains("src=\"/static/sipas.js?v="),
            "only the service's own script file: {tag}"
        );
    }
}

/// Responses on two channels, one with a PAKN (its items answered) and expectations.
async fn varied_responses(app: &TestApp) {
    for (i, channel) in ["phone", "web", "phone"].iter().enumerate() {
        let mut body = valid_submission();
        body["channel"] = serde_json::json!(channel);
        if i == 0 {
            let answers = body["answers"].as_object_mut().unwrap();
            answers.insert("da_pakn".into(), serde_json::json!("co"));
            for code in ["PA1", "PA2", "PA3"] {
                answers.insert(code.into(), serde_json::json!(4));
            }
            answers.insert("KV1".into(), serde_json::json!(3));
            answers.insert("KV2".into(), serde_json::json!(1));
        }
        let response = app.submit(&body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
}

/// Every grouping the form offers, submitted as the form submits it (the "Kỳ" select always
/// sends `period`): a table, charts, no error.
async fn every_grouping_works_through_the_form(app: TestApp) {
    varied_responses(&app).await;
    let (cookie, _) = browser_login(&app, Role::Analyst).await;
    let page = Page::from(get_with_cookie(&app, "/dashboard", &cookie).await).await;
    assert_eq!(page.status, 200);
    let groupings: Vec<String> = page
        .all("select#group_by option")
        .iter()
        .map(|o| attr(*o, "value").to_string())
        .collect();
    assert!(groupings.len() >= 5, "{groupings:?}");
    for g in ["", "unit", "period", "channel", "gioi_tinh"] {
        assert!(groupings.iter().any(|v| v == g), "{g} in {groupings:?}");
    }
    for grouping in &groupings {
        for period in ["year", "quarter", "month"] {
            let query = serde_urlencoded::to_string([
                ("form", "sipas-dich-vu"),
                ("unit", ""),
                ("tree", ""),
                ("from", ""),
                ("to", ""),
                ("group_by", grouping.as_str()),
                ("period", period),
            ])
            .unwrap();
            let page =
                Page::from(get_with_cookie(&app, &format!("/dashboard?{query}"), &cookie).await)
                    .await;
            assert_eq!(
                page.status, 200,
                "group_by={grouping} period={period}: {}",
                page.body
            );
            assert!(
                !page.has(".error-summary"),
                "group_by={grouping}: {}",
                page.body
            );
            assert!(page.has("#index-table tbody tr"), "group_by={grouping}");
            assert!(page.has("#element-table"), "group_by={grouping}");
            assert!(page.all("figure img").len() >= 6, "charts for {grouping}");
        }
    }
    // The API itself still refuses a period without a period grouping.
    let token = app.token_for(Role::Analyst).await;
    let response = app
        .get_auth(
            "/api/v1/reports/sipas-dich-vu?group_by=channel&period=year",
            &token,
        )
        .await;
    let body = expect_error(response, 400, "bad_query").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("chỉ dùng khi nhóm theo kỳ"),
        "{body}"
    );
}
both_backends!(every_grouping_works_through_the_form);

/// What the tables say: channels, periods and options in words, criterion statements, the
/// PAKN element's n, expectations, the legend, the labelled CSV, Vietnamese errors.
async fn the_dashboard_reads_in_vietnamese(app: TestApp) {
    varied_responses(&app).await;
    let (cookie, _) = browser_login(&app, Role::Analyst).await;
    let get = |path: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move { Page::from(get_with_cookie(app, &path, &cookie).await).await }
    };
    let page = get("/dashboard?group_by=channel".into()).await;
    let groups: Vec<String> = page
        .all("#index-table tbody th")
        .iter()
        .map(|th| text(*th))
        .collect();
    assert_eq!(groups, ["Điện thoại", "Trang web"], "{}", page.body);
    assert!(page.body.contains("Đạt mục tiêu"));
    assert!(page
        .body
        .contains("điều khoảng tin cậy 95 % cho phép khẳng định"));
    // Criteria with their statements.
    let tc1 = page
        .all("#element-table tr.item")
        .into_iter()
        .find(|tr| text(*tr).contains("TC1"))
        .expect("a TC1 row");
    assert!(
        text(tc1).contains("theo nhiều hình thức, dễ tiếp cận"),
        "{}",
        text(tc1)
    );
    // The PAKN element counts only the one response that had a PAKN; the others count 3.
    let element_n = |code: &str| -> String {
        let row = page
            .all("#element-table tr.element")
            .into_iter()
            .find(|tr| text(*tr).starts_with(code))
            .unwrap_or_else(|| panic!("element {code}"));
        let cells: Vec<_> = row.select(&sel("td")).collect();
        text(cells[1])
    };
    assert_eq!(element_n("pakn"), "1");
    assert_eq!(element_n("tiep_can"), "3");
    // Expectations: a table with the options' shares.
    let kv1 = page
        .all("#expectation-table tbody tr")
        .into_iter()
        .find(|tr| text(*tr).contains("KV1"))
        .expect("KV1 row");
    assert!(text(kv1).contains("100,00 % (1)"), "{}", text(kv1));
    assert!(page.body.contains("charts/expectations.svg"));
    // The labelled CSV is offered, and it has the labels row.
    let href = attr(page.one("a#csv-labelled"), "href").to_string();
    assert!(href.contains("labels=1"), "{href}");
    let csv = get_with_cookie(&app, &href, &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.lines().nth(1).unwrap().contains("Kênh"), "{csv}");

    let page = get("/dashboard?group_by=period&period=quarter".into()).await;
    let first = text(page.all("#index-table tbody th")[0]);
    assert!(first.starts_with("Quý "), "{first}");
    let page = get("/dashboard?group_by=period&period=month".into()).await;
    assert!(text(page.all("#index-table tbody th")[0]).starts_with("Tháng "));
    let page = get("/dashboard?group_by=gioi_tinh".into()).await;
    assert!(text(page.one("#index-table tbody th")).contains("không trả lời"));

    for (query, words) in [
        ("from=2024-13-01", "phải là một ngày dạng"),
        ("from=2025-01-01&to=2024-01-01", "phải trước Đến ngày"),
        ("group_by=khong-co", "Nhóm theo (group_by) phải là"),
    ] {
        let page = get(format!("/dashboard?{query}")).await;
        assert_eq!(page.status, 400, "{query}");
        let message = text(page.one(".error-summary p"));
        assert!(message.contains(words), "{query}: {message}");
        assert!(!message.contains("must be"), "{query}: {message}");
    }
}
both_backends!(the_dashboard_reads_in_vietnamese);
