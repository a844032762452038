//! `/entry` and `/entry/reconcile` as plain HTML forms, without script: what a browser without
//! JavaScript posts, and what it is shown.

use reqwest::header::COOKIE;
use serde_json::json;
use sipas::domain::Role;

use super::*;

async fn get_page(app: &TestApp, path: &str, session: &Session) -> Page {
    Page::from(
        app.client
            .get(app.url(path))
            .header(COOKIE, &session.cookie)
            .send()
            .await
            .expect("GET"),
    )
    .await
}

async fn post_page(
    app: &TestApp,
    path: &str,
    session: &Session,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header(COOKIE, &session.cookie)
        .form(fields)
        .send()
        .await
        .expect("POST")
}

/// A sheet's fields as a clerk types them: da_pakn 2 (Chưa), the service items as digits.
fn typed<'a>(session: &'a Session, sheet: &'a str, tc1: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", session.csrf.as_str()),
        ("form", FORM),
        ("count", "0"),
        ("sheet", sheet),
        ("survey_date", "02112026"),
        ("da_pakn", "2"),
        ("gioi_tinh", "2"),
        ("TC1", tc1),
    ];
    for code in ["TC2", "TC3", "TT1", "CC1", "KQ1"] {
        fields.push((code, "4"));
    }
    fields
}

async fn entry_page_works_without_script(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 50), false);
    assert_eq!(location(&app.get("/entry").await), "/login");
    let analyst = page_login(&app, Role::Analyst).await;
    assert_eq!(get_page(&app, "/entry", &analyst).await.status, 403);
    let clerk = page_login(&app, Role::Clerk).await;
    let page = get_page(&app, &format!("/entry?form={FORM}"), &clerk).await;
    page.assert_html(200);
    assert!(page.has("form#entry-form[method=post][action='/entry']"));
    assert!(
        page.has("input#sheet[autofocus]")
            && page.has("label[for=sheet]")
            && page.has("label[for=survey_date]")
    );
    assert!(page.has("label[for=TC1]") && page.has("input#TC1[data-max='5'][inputmode=numeric]"));
    assert!(page.has("#entry-live[aria-live]"));
    assert!(page.has("#q-TC1") && page.has("script[src^='/static/entry.js']"));

    let response = post_page(
        &app,
        "/entry",
        &clerk,
        &typed(&clerk, "phuoc-son-000004", "5"),
    )
    .await;
    let saved = Page::from(response).await;
    saved.assert_html(201);
    assert!(
        saved.body.contains("Đã lưu phiếu phuoc-son-000004"),
        "{}",
        saved.body
    );
    assert_eq!(text(saved.one("#entry-count-n")), "1");
    assert_eq!(
        attr(saved.one("input#sheet"), "value"),
        "",
        "cleared for the next sheet"
    );
    assert_eq!(app.counts().0, 1);
    let admin = app.token_for(Role::Admin).await;
    let (_, list) = status_and_json(
        app.get_auth(&format!("/api/v1/paper/sheets?form={FORM}"), &admin)
            .await,
    )
    .await;
    let answers = &list["sheets"][0]["entries"][0]["answers"];
    assert_eq!(answers["da_pakn"], "khong");
    assert_eq!(answers["gioi_tinh"], "nu");
    assert_eq!(answers["TC1"], 5);
    assert_eq!(list["sheets"][0]["entries"][0]["survey_date"], "2026-11-02");
}
both_backends!(entry_page_works_without_script);

async fn entry_page_shows_problems_beside_the_fields(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 50), false);
    let clerk = page_login(&app, Role::Clerk).await;
    let mut fields = typed(&clerk, "phuoc-son-000005", "7");
    fields.retain(|(k, _)| *k != "survey_date");
    fields.push(("survey_date", "31022026"));
    let page = Page::from(post_page(&app, "/entry", &clerk, &fields).await).await;
    page.assert_html(422);
    assert!(
        page.has("#TC1-err") && page.has("#survey_date-err"),
        "{}",
        page.body
    );
    assert!(page.has("input#TC1[aria-invalid=true]"));
    assert_eq!(
        attr(page.one("input#TC1"), "value"),
        "7",
        "what was typed is kept"
    );
    assert!(page.has(".error-summary"));

    let unknown = Page::from(
        post_page(
            &app,
            "/entry",
            &clerk,
            &typed(&clerk, "phuoc-son-000099", "5"),
        )
        .await,
    )
    .await;
    unknown.assert_html(422);
    assert!(
        text(unknown.one("#sheet-err")).contains("không thuộc đợt in"),
        "{}",
        unknown.body
    );

    let mut no_csrf = typed(&clerk, "phuoc-son-000005", "5");
    no_csrf.retain(|(k, _)| *k != "csrf");
    assert_eq!(
        post_page(&app, "/entry", &clerk, &no_csrf).await.status(),
        403
    );
    assert_eq!(paper_counts(&app), (0, 0));
    assert_eq!(app.counts().0, 0);
}
both_backends!(entry_page_shows_problems_beside_the_fields);

async fn reconcile_page_decides_a_disputed_sheet(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 50), true);
    let (an, binh) = (
        app.token_for(Role::Clerk).await,
        app.token_for(Role::Clerk).await,
    );
    let sheet = "phuoc-son-000006";
    send_entry(&app, &an, &entry(sheet, "2026-11-02", full_answers())).await;
    send_entry(
        &app,
        &binh,
        &entry(sheet, "2026-11-02", answers_with(json!({"TC1": 2}))),
    )
    .await;
    let clerk = page_login(&app, Role::Clerk).await;
    assert_eq!(get_page(&app, "/entry/reconcile", &clerk).await.status, 403);
    let admin = page_login(&app, Role::Admin).await;
    let page = get_page(&app, &format!("/entry/reconcile?form={FORM}"), &admin).await;
    page.assert_html(200);
    let section = format!("#sheet-{sheet}");
    assert!(page.has(&section), "{}", page.body);
    let differing = page.all(&format!("{section} tr.differs"));
    assert_eq!(differing.len(), 1, "only TC1 differs");
    assert!(text(differing[0]).contains("Khác nhau") && text(differing[0]).contains("TC1"));
    assert!(page.has("#sheet-counts tr[data-state=disputed]"));
    assert!(page.has("#operator-rates"));

    let path = format!("/entry/reconcile/{sheet}");
    let base = [("csrf", admin.csrf.as_str()), ("form", FORM)];
    let missing = Page::from(post_page(&app, &path, &admin, &base).await).await;
    missing.assert_html(422);
    assert_eq!(app.counts().0, 0);
    let mut picked = base.to_vec();
    picked.push(("pick_TC1", "b"));
    let response = post_page(&app, &path, &admin, &picked).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.counts().0, 1);
    let token = app.token_for(Role::Admin).await;
    let (_, list) = status_and_json(
        app.get_auth(
            &format!("/api/v1/paper/sheets?form={FORM}&state=reconciled"),
            &token,
        )
        .await,
    )
    .await;
    let id = list["sheets"][0]["response_id"]
        .as_str()
        .expect("reconciled with a response");
    let (_, stored) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{id}"), &token)
            .await,
    )
    .await;
    assert_eq!(stored["answers"]["TC1"], 2);
}
both_backends!(reconcile_page_decides_a_disputed_sheet);
