//! The pages as a browser without JavaScript uses them: draw a sample, record đúng and sai with
//! corrections, the progress table; the CSRF field and the problems shown beside the form.

use super::*;
use reqwest::header::COOKIE;

async fn get_page(app: &TestApp, path: &str, session: &Session) -> (u16, String) {
    let r = app
        .client
        .get(app.url(path))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .expect("GET");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
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

async fn the_pages_draw_check_and_show_progress(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let token = app.token_for(Role::Admin).await;
    let clerk = app.token_for(Role::Clerk).await;
    insert_batch(&app, "b1", "phuoc-son", 1, 10);
    let a = full_answers();
    let entries = [("op-an", &a), ("op-binh", &a)];
    let mut ids = Vec::new();
    for serial in 1..=2 {
        let sheet = sheet_number("phuoc-son", serial);
        ids.push(
            stored_sheet(
                &app,
                &clerk,
                "b1",
                &sheet,
                "agreed",
                &a,
                &entries,
                "2026-11-02",
            )
            .await,
        );
    }
    let csrf = admin.csrf.clone();
    let (status, html) = get_page(&app, "/admin/paper/checks", &admin).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Phúc tra phiếu giấy") && html.contains("Chưa có mẫu nào."),
        "{html}"
    );

    // Without the CSRF field: refused, nothing drawn.
    let r = post_page(
        &app,
        "/admin/paper/checks",
        &admin,
        &[("form", "sipas-dich-vu"), ("count_per_unit", "2")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(count_rows(&app, "paper_samples"), 0);
    // A bad share: the form again, with the problem.
    let r = post_page(
        &app,
        "/admin/paper/checks",
        &admin,
        &[
            ("csrf", &csrf),
            ("form", "sipas-dich-vu"),
            ("share_percent", "0"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("error-summary") && html.contains("value=\"0\""),
        "{html}"
    );
    assert_eq!(count_rows(&app, "paper_samples"), 0);

    let r = post_page(
        &app,
        "/admin/paper/checks",
        &admin,
        &[
            ("csrf", &csrf),
            ("form", "sipas-dich-vu"),
            ("count_per_unit", "2"),
            ("seed", "77"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with("/admin/paper/checks/"), "{to}");
    let (status, html) = get_page(&app, &to, &admin).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("phuoc-son-000001") && html.contains("phuoc-son-000002"),
        "{html}"
    );
    assert!(
        html.contains("TC1=5"),
        "the stored answers are shown: {html}"
    );
    assert!(html.contains(">77<"), "the seed is shown");

    // Đúng, then sai with a correction typed as CODE=value.
    let r = post_page(
        &app,
        &to,
        &admin,
        &[
            ("csrf", &csrf),
            ("sheet", "phuoc-son-000001"),
            ("outcome", "correct"),
            ("corrections", ""),
            ("survey_date", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    // A correction that is not CODE=value: shown beside the sheet, nothing stored.
    let r = post_page(
        &app,
        &to,
        &admin,
        &[
            ("csrf", &csrf),
            ("sheet", "phuoc-son-000002"),
            ("outcome", "wrong"),
            ("corrections", "TC1"),
            ("survey_date", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("MÃ=giá trị"));
    let r = post_page(
        &app,
        &to,
        &admin,
        &[
            ("csrf", &csrf),
            ("sheet", "phuoc-son-000002"),
            ("outcome", "wrong"),
            ("corrections", "TC1=2 TC2=1"),
            ("survey_date", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = get_page(&app, &location(&r), &admin).await;
    assert!(
        html.contains("Đã ghi kết quả phúc tra phiếu phuoc-son-000002"),
        "{html}"
    );
    assert!(html.contains("Sai (đã sửa)"));
    assert_eq!(
        response_answers(&app, &token, &ids[1]).await,
        answers_with(json!({"TC1": 2, "TC2": 1}))
    );
    assert_eq!(
        response_answers(&app, &token, &ids[0]).await,
        full_answers()
    );

    let (status, html) = get_page(&app, "/admin/paper/progress?form=sipas-dich-vu", &admin).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("progress-table") && html.contains("Tổng cộng"),
        "{html}"
    );
    assert!(
        html.contains("<td>10</td>") && html.contains("20,0 %"),
        "printed 10, stored 2/10: {html}"
    );
    assert!(
        html.contains("op-an") && html.contains("batch-rates"),
        "{html}"
    );
    let (status, _) = get_page(&app, "/admin/paper/progress?form=nope", &admin).await;
    assert_eq!(status, 404);
    let clerk_session = page_login(&app, Role::Clerk).await;
    let (status, _) = get_page(&app, "/admin/paper/progress", &clerk_session).await;
    assert_eq!(status, 403);
}
both_backends!(the_pages_draw_check_and_show_progress);
