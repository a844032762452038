//! The admin pages' guards: an admin session, the CSRF field of every form, each role's pages and
//! the logout, no action on one's own account, a creation form sent again.

use super::*;

async fn pages_need_an_admin_session(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let analyst = page_login(&app, Role::Analyst).await;
    let clerk = page_login(&app, Role::Clerk).await;
    for path in PAGES {
        let page = Page::from(get_page(&app, path, Some(&admin)).await).await;
        page.assert_html(200);
        assert_strict_page(&page.body);
        assert_forms_carry_csrf(&page, &admin.csrf);
        assert!(
            page.has("nav.admin a[aria-current=page]"),
            "{path}: the current section is marked"
        );
        for other in [&analyst, &clerk] {
            let page = Page::from(get_page(&app, path, Some(other)).await).await;
            page.assert_html(403);
        }
        let response = get_page(&app, path, None).await;
        assert_eq!(response.status(), 303, "{path} without a session");
        assert_eq!(location(&response), "/login");
        let stale = Session {
            cookie: "sipas_session=not-a-session".into(),
            csrf: String::new(),
            landing: String::new(),
            username: String::new(),
        };
        let response = get_page(&app, path, Some(&stale)).await;
        assert_eq!(response.status(), 303, "{path} with a stale session");
    }
    // Every labelled control has its label.
    let page = Page::from(get_page(&app, "/admin/kiosks", Some(&admin)).await).await;
    for control in page.all("form input[type=text], form select, form input[type=number]") {
        let id = attr(control, "id");
        assert!(
            page.has(&format!("label[for=\"{id}\"]")),
            "a label for #{id}"
        );
    }
}
both_backends!(pages_need_an_admin_session);

async fn posts_need_the_csrf_field(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let fields = [("name", "Quầy giả mạo"), ("unit", "phuoc-son")];
    let response = post_form(&app, "/admin/kiosks", &admin, false, &fields).await;
    let page = Page::from(response).await;
    page.assert_html(403);
    let wrong = Session {
        cookie: admin.cookie.clone(),
        csrf: "not-the-token".into(),
        landing: String::new(),
        username: String::new(),
    };
    let page = Page::from(post_form(&app, "/admin/kiosks", &wrong, true, &fields).await).await;
    page.assert_html(403);
    assert!(
        sipas::store::kiosks::list(&mut app.db())
            .unwrap()
            .is_empty(),
        "nothing registered"
    );

    // The other forms too.
    for path in ["/admin/invitations", "/admin/users"] {
        let page = Page::from(post_form(&app, path, &admin, false, &[]).await).await;
        page.assert_html(403);
    }
    let text = shipped_toml("sipas-dich-vu").into_bytes();
    let page = Page::from(
        post_file(
            &app,
            "/admin/forms",
            &admin,
            None,
            "sipas-dich-vu.toml",
            &text,
        )
        .await,
    )
    .await;
    page.assert_html(403);

    // An analyst with a right token is still refused (and the refusal is recorded).
    let analyst = page_login(&app, Role::Analyst).await;
    let page = Page::from(post_form(&app, "/admin/kiosks", &analyst, true, &fields).await).await;
    page.assert_html(403);
    let denied = sipas::store::audit::list(
        &mut app.db(),
        &sipas::store::audit::AuditFilter {
            action: Some("kiosk.create".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(denied.iter().any(|r| r.outcome == "denied"), "{denied:?}");

    // Without a session: to the login page.
    let response = app
        .client
        .post(app.url("/admin/kiosks"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
}
both_backends!(posts_need_the_csrf_field);

async fn every_role_finds_its_pages_and_the_logout(app: TestApp) {
    // An admin lands on the dashboard, which links to the administration.
    let admin = page_login(&app, Role::Admin).await;
    assert_eq!(admin.landing, "/dashboard");
    let page = Page::from(get_page(&app, "/dashboard", Some(&admin)).await).await;
    page.assert_html(200);
    assert!(page.has("nav.staff a[href=\"/admin\"]"), "{}", page.body);
    assert!(page.has("nav.staff form[action=\"/logout\"] button"));
    let page = Page::from(get_page(&app, "/admin/units", Some(&admin)).await).await;
    assert!(page.has("nav.staff a[href=\"/dashboard\"]"));

    // An analyst refused the administration is sent back to the dashboard.
    let analyst = page_login(&app, Role::Analyst).await;
    assert_eq!(analyst.landing, "/dashboard");
    let page = Page::from(get_page(&app, "/admin", Some(&analyst)).await).await;
    page.assert_html(403);
    assert!(text(page.one("main > p > a[href=\"/dashboard\"]")).contains("Về bảng điều khiển"));
    assert!(!page.body.contains("Về trang quản trị"), "{}", page.body);
    assert!(!page.has("nav.staff a[href=\"/admin\"]"));
    assert!(page.has("nav.staff form[action=\"/logout\"] button"));

    // A clerk lands on a page of their own, with the counter QR sheets and a logout.
    let clerk = page_login(&app, Role::Clerk).await;
    assert_eq!(clerk.landing, "/staff");
    let page = Page::from(get_page(&app, "/staff", Some(&clerk)).await).await;
    page.assert_html(200);
    assert_strict_page(&page.body);
    assert!(page.has("nav.staff form[action=\"/logout\"] button"));
    assert!(!page.has("nav.staff a[href=\"/admin\"]"));
    let sheets = page.all("#qr-sheets a[href$=\"/qr.png\"]");
    assert!(sheets.len() > 1, "one per counter: {}", page.body);
    let sheet = attr(sheets[0], "href");
    let response = get_page(&app, sheet, Some(&clerk)).await;
    assert_eq!(response.status(), 200, "{sheet}");
    assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
    let page = Page::from(get_page(&app, "/dashboard", Some(&clerk)).await).await;
    page.assert_html(403);
    assert!(page.has("main > p > a[href=\"/staff\"]"));
}
both_backends!(every_role_finds_its_pages_and_the_logout);

async fn no_action_is_offered_on_ones_own_account(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let other = page_login(&app, Role::Analyst).await;
    let page = Page::from(get_page(&app, "/admin/users", Some(&admin)).await).await;
    page.assert_html(200);
    let me = &admin.username;
    assert!(
        !page.has(&format!("button[aria-label=\"Khoá {me}\"]")),
        "{}",
        page.body
    );
    assert!(page.has(&format!("button[aria-label=\"Khoá {}\"]", other.username)));
    // The role select is offered for the other account only.
    let own_row = page
        .all("#user-table tbody tr")
        .into_iter()
        .find(|r| text(*r).contains(me.as_str()))
        .expect("own row");
    assert!(text(own_row).contains("chính tài khoản của bạn"));
    assert!(own_row
        .select(&scraper::Selector::parse("select").unwrap())
        .next()
        .is_none());
}
both_backends!(no_action_is_offered_on_ones_own_account);

/// The kiosk and invitation forms show their secret once, so they answer in place instead of
/// redirecting: a form sent again (F5, back and resend) with its one-time key creates nothing.
async fn a_creation_form_sent_again_creates_nothing(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let count = |table: &str| -> i64 {
        use diesel::prelude::*;
        let mut conn = app.db();
        match table {
            "kiosks" => sipas::store::schema::kiosks::table
                .count()
                .get_result(&mut conn),
            _ => sipas::store::schema::invitations::table
                .count()
                .get_result(&mut conn),
        }
        .expect("count")
    };
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
    let cases: [Case; 2] = [
        (
            "/admin/kiosks",
            "kiosks",
            vec![("name", "Quầy 1"), ("unit", "phuoc-son")],
        ),
        (
            "/admin/invitations",
            "invitations",
            vec![
                ("form", "khao-sat-dai-bieu"),
                ("count", "2"),
                ("group", "dai_bieu_hdnd"),
            ],
        ),
    ];
    for (path, table, fields) in cases {
        let page = Page::from(get_page(&app, path, Some(&admin)).await).await;
        page.assert_html(200);
        let once = page.hidden("once");
        assert!(!once.is_empty(), "{path} carries a one-time key");
        let mut sent = fields.clone();
        sent.push(("once", &once));
        let first = Page::from(post_form(&app, path, &admin, true, &sent).await).await;
        first.assert_html(201);
        assert_eq!(count(table), fields_count(table, &fields));
        let again = Page::from(post_form(&app, path, &admin, true, &sent).await).await;
        again.assert_html(409);
        assert!(again.body.contains("đã được gửi"), "{}", again.body);
        assert_eq!(
            count(table),
            fields_count(table, &fields),
            "nothing created again"
        );
        // A fresh page's key creates again.
        let fresh = Page::from(get_page(&app, path, Some(&admin)).await).await;
        assert_ne!(fresh.hidden("once"), once);
    }
}
both_backends!(a_creation_form_sent_again_creates_nothing);

/// How many rows the creation form's fields make.
fn fields_count(table: &str, fields: &[(&str, &str)]) -> i64 {
    match table {
        "kiosks" => 1,
        _ => fields
            .iter()
            .find(|(k, _)| *k == "count")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0),
    }
}
