//! The administrators' pages (`/admin/…`): session and role checks, the CSRF field of every
//! form, kiosks, invitations, form upload, the audit log and accounts — through the pages as a
//! browser without JavaScript uses them.

use crate::common;
use common::*;

use reqwest::header::{CONTENT_TYPE, COOKIE};
use sipas::domain::Role;

const PAGES: &[&str] = &[
    "/admin",
    "/admin/users",
    "/admin/units",
    "/admin/forms",
    "/admin/kiosks",
    "/admin/invitations",
    "/admin/audit",
];

/// A 303 after a change, then the page it leads to (GET, as the browser does).
async fn follow(
    app: &TestApp,
    response: reqwest::Response,
    session: &Session,
) -> reqwest::Response {
    assert_eq!(response.status(), 303, "redirect after POST");
    let to = location(&response);
    assert!(to.starts_with('/'), "{to}");
    get_page(app, &to, Some(session)).await
}

async fn get_page(app: &TestApp, path: &str, session: Option<&Session>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(s) = session {
        request = request.header(COOKIE, &s.cookie);
    }
    request.send().await.expect("GET")
}

/// POSTs an urlencoded form with the session's cookies; `csrf` adds the hidden field.
async fn post_form(
    app: &TestApp,
    path: &str,
    session: &Session,
    csrf: bool,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    if csrf {
        all.push(("csrf", &session.csrf));
    }
    app.client
        .post(app.url(path))
        .header(COOKIE, &session.cookie)
        .form(&all)
        .send()
        .await
        .expect("POST")
}

/// POSTs `multipart/form-data` as a browser does for a file input.
async fn post_file(
    app: &TestApp,
    path: &str,
    session: &Session,
    csrf: Option<&str>,
    file_name: &str,
    content: &[u8],
) -> reqwest::Response {
    let boundary = "----sipasTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url(path))
        .header(COOKIE, &session.cookie)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("POST multipart")
}

/// Scripts only from the service's own file, no inline style: the strict CSP holds.
fn assert_strict_page(body: &str) {
    for (at, _) in body.match_indices("<script") {
        let tag = &body[at..body[at..].find('>').map_or(body.len(), |end| at + end)];
        assert!(
            tag.contains("src=\"/static/sipas.js?v="),
            "only the service's own script: {tag}"
        );
    }
    assert!(!body.contains("<style"), "no inline style element");
    assert!(!body.contains(" style=\""), "no style attribute");
}

/// Every form that posts carries the CSRF field.
fn assert_forms_carry_csrf(page: &Page, csrf: &str) {
    for form in page.all("form[method=post]") {
        let field = form
            .select(&sel("input[type=hidden][name=csrf]"))
            .next()
            .unwrap_or_else(|| panic!("a csrf field in {}", form.html()));
        assert_eq!(attr(field, "value"), csrf);
    }
}

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

async fn a_kiosk_is_registered_and_revoked_through_the_page(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let fields = [("name", "Quầy 1 – Phước Sơn"), ("unit", "phuoc-son")];
    let page = Page::from(post_form(&app, "/admin/kiosks", &admin, true, &fields).await).await;
    page.assert_html(201);
    assert_strict_page(&page.body);
    let link = attr(page.one("section.registered a.device-link"), "href").to_string();
    assert!(link.contains("/k/"), "{link}");
    let token = link.rsplit('/').next().unwrap().to_string();
    assert_secret_token(&token);
    let qr = attr(page.one("section.registered img.qr"), "src");
    assert!(qr.starts_with("data:image/svg+xml;base64,"), "{qr}");
    assert!(!attr(page.one("section.registered img.qr"), "alt").is_empty());

    // Stored (its hash only), and the link opens the kiosk form.
    let stored = sipas::store::kiosks::list(&mut app.db()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].unit, "phuoc-son");
    assert_eq!(stored[0].name, "Quầy 1 – Phước Sơn");
    assert_ne!(stored[0].token_hash, token);
    assert_eq!(app.get(&format!("/k/{token}")).await.status(), 200);

    // Shown once: the list does not show it again.
    let page = Page::from(get_page(&app, "/admin/kiosks", Some(&admin)).await).await;
    page.assert_html(200);
    assert!(!page.body.contains(&token), "the link is shown once");
    assert!(page.body.contains("Quầy 1 – Phước Sơn"));

    // A form with problems comes back with an error summary and its values.
    let page = Page::from(
        post_form(
            &app,
            "/admin/kiosks",
            &admin,
            true,
            &[("name", ""), ("unit", "phuoc-son")],
        )
        .await,
    )
    .await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#name\"]"),
        "{}",
        page.body
    );
    let page = Page::from(
        post_form(
            &app,
            "/admin/kiosks",
            &admin,
            true,
            &[("name", "Quầy 2"), ("unit", "khong-co")],
        )
        .await,
    )
    .await;
    page.assert_html(422);
    assert!(page.has(".error-summary a[href=\"#unit\"]"));
    assert_eq!(attr(page.one("input#name"), "value"), "Quầy 2");

    // Revoke: back to the list, the link stops working.
    let id = stored[0].id.clone();
    let response = post_form(
        &app,
        &format!("/admin/kiosks/{id}/revoke"),
        &admin,
        true,
        &[],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin/kiosks?done=revoked");
    assert!(sipas::store::kiosks::list(&mut app.db()).unwrap()[0]
        .revoked_at
        .is_some());
    assert_ne!(app.get(&format!("/k/{token}")).await.status(), 200);
    let page = Page::from(get_page(&app, "/admin/kiosks?done=revoked", Some(&admin)).await).await;
    assert!(page.has(".notice[role=status]"));
    let response = post_form(
        &app,
        "/admin/kiosks/no-such-kiosk/revoke",
        &admin,
        true,
        &[],
    )
    .await;
    assert_eq!(response.status(), 404);

    // Both changes are in the audit log, shown on its page.
    let page =
        Page::from(get_page(&app, "/admin/audit?action=kiosk.create", Some(&admin)).await).await;
    page.assert_html(200);
    assert_eq!(page.all("#audit-table tbody tr").len(), 1, "{}", page.body);
    assert!(!page.body.contains(&token), "no token in the audit log");
    let page =
        Page::from(get_page(&app, "/admin/audit?action=kiosk.revoke", Some(&admin)).await).await;
    assert_eq!(page.all("#audit-table tbody tr").len(), 1);
    assert_eq!(
        attr(page.one("a#audit-csv"), "href"),
        "/api/v1/audit.csv?action=kiosk.revoke"
    );
    let page = Page::from(get_page(&app, "/admin/audit?from=2026-13-01", Some(&admin)).await).await;
    page.assert_html(400);
    assert!(page.has(".error-summary"));
}
both_backends!(a_kiosk_is_registered_and_revoked_through_the_page);

async fn invitations_are_printed_as_cards(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let fields = [
        ("form", "khao-sat-dai-bieu"),
        ("count", "3"),
        ("group", "dai_bieu_hdnd"),
        ("unit", ""),
        ("issuer", "Văn phòng HĐND và UBND huyện Tuy Phước"),
        ("deadline", "2099-12-31"),
    ];
    let page = Page::from(post_form(&app, "/admin/invitations", &admin, true, &fields).await).await;
    page.assert_html(201);
    // Each card names the issuing office and the deadline.
    assert_eq!(page.all("article.invitation-card").len(), 3);
    for card in page.all("article.invitation-card") {
        assert!(
            text(card).contains("Cơ quan phát hành: Văn phòng HĐND và UBND huyện Tuy Phước")
                && text(card).contains("Hạn trả lời: 31/12/2099"),
            "{}",
            text(card)
        );
    }
    // The same links as a CSV file for a mail merge, in the page itself (stored nowhere).
    let csv_href = attr(page.one("a#links-csv[download]"), "href").to_string();
    let encoded = csv_href
        .strip_prefix("data:text/csv;charset=utf-8;base64,")
        .expect("a CSV data address");
    let csv = {
        use base64::Engine;
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap(),
        )
        .unwrap()
    };
    let csv = csv.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["so_thu", "duong_dan", "phieu", "nhom", "co_quan"]
    );
    let mut csv_links: Vec<String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(&r[3], "Đại biểu Hội đồng nhân dân");
            assert_eq!(&r[4], "Văn phòng HĐND và UBND huyện Tuy Phước");
            r[1].to_string()
        })
        .collect();
    csv_links.sort();
    let mut card_links: Vec<String> = page
        .all("article.invitation-card p.url a")
        .into_iter()
        .map(|a| attr(a, "href").to_string())
        .collect();
    card_links.sort();
    assert_eq!(csv_links, card_links, "the CSV holds the cards' links");
    // No token in the audit record.
    let filter = sipas::store::audit::AuditFilter {
        action: Some("invitations.create".into()),
        limit: 100,
        ..Default::default()
    };
    let detail: String = sipas::store::audit::list(&mut app.db(), &filter)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.detail)
        .collect();
    assert!(
        detail.contains("Tuy Phước"),
        "the record names the office: {detail}"
    );
    for link in &card_links {
        let token = link.rsplit('/').next().unwrap();
        assert!(!detail.contains(token), "{detail}");
    }
    assert_strict_page(&page.body);
    let cards = page.all("article.invitation-card");
    assert_eq!(cards.len(), 3);
    let mut links = Vec::new();
    for card in cards {
        let img = card
            .select(&sel("img.qr"))
            .next()
            .expect("a QR code per card");
        assert!(attr(img, "src").starts_with("data:image/svg+xml;base64,"));
        let link = card
            .select(&sel("p.url a"))
            .next()
            .expect("the link per card");
        let href = attr(link, "href").to_string();
        assert!(href.contains("/i/"), "{href}");
        links.push(href);
    }
    links.sort();
    links.dedup();
    assert_eq!(links.len(), 3, "three different invitations");
    // The first one opens the delegates' form.
    let path = links[0]
        .split_once("/i/")
        .map(|(_, t)| format!("/i/{t}"))
        .unwrap();
    assert_eq!(app.get(&path).await.status(), 200);

    // The statistics per group.
    let page = Page::from(get_page(&app, "/admin/invitations", Some(&admin)).await).await;
    page.assert_html(200);
    let row = page.one("table.invitation-stats tbody tr");
    assert!(
        text(row).contains("Đại biểu Hội đồng nhân dân"),
        "{}",
        text(row)
    );
    assert!(text(row).contains('3'));
    // The group is chosen among the form's groups, not typed.
    for group in ["dai_bieu_hdnd", "lanh_dao_huyen", "lanh_dao_xa"] {
        assert!(
            page.has(&format!("select#group option[value=\"{group}\"]")),
            "{group}"
        );
    }
    assert!(!page.has("input#group"));
    // A well-formed group the form does not define is refused.
    let foreign = [
        ("form", "khao-sat-dai-bieu"),
        ("count", "1"),
        ("group", "can_bo_khac"),
        ("unit", ""),
    ];
    let page =
        Page::from(post_form(&app, "/admin/invitations", &admin, true, &foreign).await).await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#group\"]"),
        "{}",
        page.body
    );

    // Problems come back on the form.
    let bad = [
        ("form", "khao-sat-dai-bieu"),
        ("count", "0"),
        ("group", "Đại biểu"),
        ("unit", ""),
    ];
    let page = Page::from(post_form(&app, "/admin/invitations", &admin, true, &bad).await).await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#count\"]"),
        "{}",
        page.body
    );
    let bad = [
        ("form", "khao-sat-dai-bieu"),
        ("count", "2"),
        ("group", "Đại biểu"),
        ("unit", ""),
    ];
    let page = Page::from(post_form(&app, "/admin/invitations", &admin, true, &bad).await).await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#group\"]"),
        "{}",
        page.body
    );
}
both_backends!(invitations_are_printed_as_cards);

async fn a_form_is_uploaded_through_the_page(app: TestApp) {
    // A copy of the forms folder: the upload writes the file.
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "sipas-dich-vu.toml",
        "sipas-ho-gia-dinh.toml",
        "khao-sat-dai-bieu.toml",
    ] {
        std::fs::copy(
            format!("{}/survey-forms/{name}", env!("CARGO_MANIFEST_DIR")),
            dir.path().join(name),
        )
        .unwrap();
    }
    let forms_dir = dir.path().to_path_buf();
    let backend = app.backend;
    drop(app);
    let Some(app) = TestApp::spawn_with(backend, move |c| c.forms_dir = forms_dir).await else {
        return;
    };
    let admin = page_login(&app, Role::Admin).await;
    let shipped = std::fs::read_to_string(dir.path().join("sipas-dich-vu.toml")).unwrap();

    // The same content: nothing changes.
    let response = post_file(
        &app,
        "/admin/forms",
        &admin,
        Some(&admin.csrf),
        "sipas-dich-vu.toml",
        shipped.as_bytes(),
    )
    .await;
    let page = Page::from(follow(&app, response, &admin).await).await;
    page.assert_html(200);
    assert!(text(page.one("#upload-result")).contains("không có gì thay đổi"));

    // A broken file: the problems by line.
    let broken = shipped.replacen("target = 90.0", "target = 190.0", 1);
    let page = Page::from(
        post_file(
            &app,
            "/admin/forms",
            &admin,
            Some(&admin.csrf),
            "sipas-dich-vu.toml",
            broken.as_bytes(),
        )
        .await,
    )
    .await;
    page.assert_html(422);
    let line = shipped
        .lines()
        .position(|l| l.starts_with("target = "))
        .unwrap()
        + 1;
    let summary = text(page.one(".error-summary"));
    assert!(summary.contains(&format!("Dòng {line}:")), "{summary}");
    assert!(page.has(".error-summary a[href=\"#file\"]"));

    // A new version.
    let changed = format!("{shipped}\n[[comments]]\ncode = \"y_kien_them\"\nlabel = \"Góp ý thêm\"\nmax_length = 300\n");
    let response = post_file(
        &app,
        "/admin/forms",
        &admin,
        Some(&admin.csrf),
        "sipas-dich-vu.toml",
        changed.as_bytes(),
    )
    .await;
    let page = Page::from(follow(&app, response, &admin).await).await;
    page.assert_html(200);
    assert_strict_page(&page.body);
    let result = text(page.one("#upload-result"));
    assert!(result.contains("phiên bản 2"), "{result}");
    let definition: serde_json::Value = app
        .get("/api/v1/forms/sipas-dich-vu")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(definition["version"], 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sipas-dich-vu.toml")).unwrap(),
        changed
    );
    // The list shows both versions.
    let page = Page::from(get_page(&app, "/admin/forms", Some(&admin)).await).await;
    let row = text(page.one("#form-table tr#form-sipas-dich-vu"));
    assert!(
        row.contains("Phiên bản 1") && row.contains("Phiên bản 2"),
        "{row}"
    );
    assert!(page.has("input[type=file][name=file]#file"));
    assert_eq!(
        attr(page.one("form[enctype]"), "enctype"),
        "multipart/form-data"
    );
}
both_backends!(a_form_is_uploaded_through_the_page);

async fn accounts_are_managed_through_the_page(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let response = post_form(
        &app,
        "/admin/users",
        &admin,
        true,
        &[
            ("username", "lan.nguyen"),
            ("role", "analyst"),
            ("password", "mot-mat-khau-dai-2025"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin/users?done=created");
    let user = sipas::store::users::find_by_username(&mut app.db(), "lan.nguyen")
        .unwrap()
        .expect("created");
    assert_eq!(user.role, "analyst");

    // A weak password comes back with the error summary.
    let page = Page::from(
        post_form(
            &app,
            "/admin/users",
            &admin,
            true,
            &[
                ("username", "minh"),
                ("role", "clerk"),
                ("password", "ngan"),
            ],
        )
        .await,
    )
    .await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#password\"]"),
        "{}",
        page.body
    );
    assert_eq!(attr(page.one("input#username"), "value"), "minh");

    // Role, disable, enable, password.
    let id = user.id.clone();
    let r = post_form(
        &app,
        &format!("/admin/users/{id}/role"),
        &admin,
        true,
        &[("role", "clerk")],
    )
    .await;
    assert_eq!(location(&r), "/admin/users?done=role");
    let r = post_form(
        &app,
        &format!("/admin/users/{id}/disabled"),
        &admin,
        true,
        &[("disabled", "true")],
    )
    .await;
    assert_eq!(location(&r), "/admin/users?done=disabled");
    let user = sipas::store::users::find_by_id(&mut app.db(), &id)
        .unwrap()
        .unwrap();
    assert_eq!((user.role.as_str(), user.disabled), ("clerk", true));
    let r = post_form(
        &app,
        &format!("/admin/users/{id}/disabled"),
        &admin,
        true,
        &[("disabled", "false")],
    )
    .await;
    assert_eq!(location(&r), "/admin/users?done=enabled");
    let r = post_form(
        &app,
        &format!("/admin/users/{id}/password"),
        &admin,
        true,
        &[("new_password", "mat-khau-moi-rat-dai-9")],
    )
    .await;
    assert_eq!(location(&r), "/admin/users?done=password");
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("username", "lan.nguyen"),
            ("password", "mat-khau-moi-rat-dai-9"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "the new password works");

    // One's own account cannot be demoted: the page says why.
    let me = sipas::store::users::list(&mut app.db())
        .unwrap()
        .into_iter()
        .find(|u| u.role == "admin")
        .unwrap();
    let page = Page::from(
        post_form(
            &app,
            &format!("/admin/users/{}/role", me.id),
            &admin,
            true,
            &[("role", "analyst")],
        )
        .await,
    )
    .await;
    page.assert_html(409);
    assert!(page.has(".error-summary"));

    // Each change is in the audit log.
    let page = Page::from(get_page(&app, "/admin/audit?actor=", Some(&admin)).await).await;
    for action in ["user.create", "user.update", "user.password_reset"] {
        assert!(page.body.contains(action), "{action} recorded");
    }
}
both_backends!(accounts_are_managed_through_the_page);

async fn units_are_managed_through_the_page(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let unit = |code: &str| sipas::store::units::get(&mut app.db(), code).unwrap();

    // Create.
    let new = [
        ("code", "phuoc-son-moi"),
        ("name", "Xã Phước Sơn mới"),
        ("level", "xa"),
        ("parent", "tuy-phuoc"),
        ("valid_from", "2025-07-01"),
    ];
    let r = post_form(&app, "/admin/units", &admin, true, &new).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/admin/units?done=created");
    let created = unit("phuoc-son-moi").expect("created");
    assert_eq!(created.parent.as_deref(), Some("tuy-phuoc"));
    assert_eq!(created.valid_from.to_string(), "2025-07-01");
    // The same code again, and a code that is not one.
    let page = Page::from(post_form(&app, "/admin/units", &admin, true, &new).await).await;
    page.assert_html(409);
    assert!(page.has(".error-summary"));
    let mut bad = new;
    bad[0] = ("code", "Mã Sai");
    let page = Page::from(post_form(&app, "/admin/units", &admin, true, &bad).await).await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#unit-code\"]"),
        "{}",
        page.body
    );
    assert_eq!(
        attr(page.one("input#unit-name"), "value"),
        "Xã Phước Sơn mới"
    );

    // Rename, close, map.
    let r = post_form(
        &app,
        "/admin/units/phuoc-son-moi/rename",
        &admin,
        true,
        &[("name", "Xã Phước Sơn (mới)")],
    )
    .await;
    assert_eq!(location(&r), "/admin/units?done=renamed");
    assert_eq!(unit("phuoc-son-moi").unwrap().name, "Xã Phước Sơn (mới)");
    let r = post_form(
        &app,
        "/admin/units/phuoc-hiep/close",
        &admin,
        true,
        &[("valid_to", "2025-07-01")],
    )
    .await;
    assert_eq!(location(&r), "/admin/units?done=closed");
    assert_eq!(
        unit("phuoc-hiep")
            .unwrap()
            .valid_to
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-07-01")
    );
    let r = post_form(
        &app,
        "/admin/units/mappings",
        &admin,
        true,
        &[
            ("old", "phuoc-hiep"),
            ("new", "phuoc-son-moi"),
            ("effective", "2025-07-01"),
        ],
    )
    .await;
    assert_eq!(location(&r), "/admin/units?done=mapping");
    let maps = sipas::store::mappings::list(&mut app.db()).unwrap();
    assert_eq!(maps.len(), 1);
    assert_eq!(
        (maps[0].old_code.as_str(), maps[0].new_code.as_str()),
        ("phuoc-hiep", "phuoc-son-moi")
    );

    // A district with open communes cannot close.
    let page = Page::from(
        post_form(
            &app,
            "/admin/units/tuy-phuoc/close",
            &admin,
            true,
            &[("valid_to", "2025-07-01")],
        )
        .await,
    )
    .await;
    page.assert_html(422);
    assert!(
        page.has(".error-summary a[href=\"#close-tuy-phuoc\"]"),
        "{}",
        page.body
    );
    assert!(unit("tuy-phuoc").unwrap().valid_to.is_none());
    let page = Page::from(
        post_form(
            &app,
            "/admin/units/khong-co/rename",
            &admin,
            true,
            &[("name", "X")],
        )
        .await,
    )
    .await;
    page.assert_html(404);

    // Import a file: CSV, then JSON; a broken file lists its problems by line.
    let csv =
        "code,name,level,parent,valid_from,valid_to\nxa-csv,Xã Nhập CSV,xa,tuy-phuoc,2025-07-01,\n";
    let response = post_file(
        &app,
        "/admin/units/import",
        &admin,
        Some(&admin.csrf),
        "cay.csv",
        csv.as_bytes(),
    )
    .await;
    let page = Page::from(follow(&app, response, &admin).await).await;
    page.assert_html(200);
    assert!(
        text(page.one("#import-result")).contains("1 đơn vị mới"),
        "{}",
        page.body
    );
    assert!(unit("xa-csv").is_some());
    let json = r#"{"units": [{"code": "xa-json", "name": "Xã Nhập JSON", "level": "xa", "parent": "tuy-phuoc", "valid_from": "2025-07-01"}]}"#;
    let response = post_file(
        &app,
        "/admin/units/import",
        &admin,
        Some(&admin.csrf),
        "cay.json",
        json.as_bytes(),
    )
    .await;
    assert_eq!(response.status(), 303);
    assert!(unit("xa-json").is_some());
    let broken =
        "code,name,level,parent,valid_from,valid_to\nxa-loi,Xã Lỗi,xa,tuy-phuoc,2025-13-01,\n";
    let page = Page::from(
        post_file(
            &app,
            "/admin/units/import",
            &admin,
            Some(&admin.csrf),
            "cay.csv",
            broken.as_bytes(),
        )
        .await,
    )
    .await;
    page.assert_html(422);
    assert!(
        text(page.one(".error-summary")).contains("Dòng 2"),
        "{}",
        page.body
    );
    assert!(unit("xa-loi").is_none(), "nothing written");
    let page = Page::from(
        post_file(
            &app,
            "/admin/units/import",
            &admin,
            None,
            "cay.csv",
            csv.as_bytes(),
        )
        .await,
    )
    .await;
    page.assert_html(403);

    // The tree shows validity and the mapping.
    let page = Page::from(get_page(&app, "/admin/units", Some(&admin)).await).await;
    page.assert_html(200);
    assert!(text(page.one("tr#unit-phuoc-hiep")).contains("Đã đóng"));
    assert!(text(page.one("#mapping-table tbody tr")).contains("phuoc-son-moi"));
    assert!(
        !page.has("tr#unit-phuoc-hiep form[action$=\"/close\"]"),
        "a closed unit has no close form"
    );

    // Each change is in the audit log.
    let page = Page::from(get_page(&app, "/admin/audit", Some(&admin)).await).await;
    for action in [
        "unit.create",
        "unit.update",
        "unit_mapping.create",
        "units.import",
    ] {
        assert!(page.body.contains(action), "{action} recorded");
    }
}
both_backends!(units_are_managed_through_the_page);

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

async fn the_units_page_links_the_counter_qr_sheets(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let page = Page::from(get_page(&app, "/admin/units", Some(&admin)).await).await;
    page.assert_html(200);
    // A commune serves citizens; the province does not.
    let png = attr(
        page.one("tr#unit-phuoc-son a[href=\"/api/v1/units/phuoc-son/qr.png\"]"),
        "href",
    );
    assert!(page.has("tr#unit-phuoc-son a[href=\"/api/v1/units/phuoc-son/qr.svg\"]"));
    assert!(
        !page.has("tr#unit-binh-dinh a[href$=\"/qr.png\"]"),
        "{}",
        page.body
    );
    let response = get_page(&app, png, Some(&admin)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
}
both_backends!(the_units_page_links_the_counter_qr_sheets);

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

async fn the_audit_page_words_actions_and_details(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let token = app.token_for(Role::Admin).await;
    let response = post_auth(
        &app,
        "/api/v1/forms/khao-sat-dai-bieu/invitations",
        Some(&token),
        &serde_json::json!({"count": 2, "group": "dai_bieu_hdnd"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let page =
        Page::from(get_page(&app, "/admin/audit?action=invitations.create", Some(&admin)).await)
            .await;
    page.assert_html(200);
    let row = page.one("#audit-table tbody tr");
    let action = text(page.one("#audit-table tbody tr td.action"));
    assert_eq!(action.trim(), "Tạo thư mời");
    let detail = text(page.one("#audit-table tbody tr td.detail"));
    assert!(detail.contains("nhóm: dai_bieu_hdnd"), "{detail}");
    assert!(detail.contains("số lượng: 2"), "{detail}");
    assert!(!detail.contains('{') && !detail.contains('"'), "{detail}");
    assert!(text(row).contains("Quản trị"));
    // The filter offers the actions by name; the JSON API keeps the codes.
    assert!(
        text(page.one("select#action option[value=\"kiosk.revoke\"]")).contains("Thu hồi ki-ốt")
    );
    let api: serde_json::Value = app
        .get_auth("/api/v1/audit?action=invitations.create", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["records"][0]["action"], "invitations.create", "{api}");
}
both_backends!(the_audit_page_words_actions_and_details);

async fn toml_syntax_errors_read_in_vietnamese(app: TestApp) {
    let admin = page_login(&app, Role::Admin).await;
    let shipped = shipped_toml("sipas-dich-vu");
    let broken = shipped.replacen("title = \"Phiếu", "title = Phiếu", 1);
    let line = shipped
        .lines()
        .position(|l| l.starts_with("title = "))
        .unwrap()
        + 1;
    let page = Page::from(
        post_file(
            &app,
            "/admin/forms",
            &admin,
            Some(&admin.csrf),
            "x.toml",
            broken.as_bytes(),
        )
        .await,
    )
    .await;
    page.assert_html(422);
    let summary = text(page.one(".error-summary"));
    assert!(summary.contains(&format!("Dòng {line}:")), "{summary}");
    assert!(summary.contains("ngoặc kép"), "{summary}");
    assert!(!summary.contains("must be quoted"), "{summary}");
    // An unknown key, with its name.
    let unknown = shipped.replacen("target = 90.0", "target = 90.0\nmuc_tieu = 1", 1);
    let page = Page::from(
        post_file(
            &app,
            "/admin/forms",
            &admin,
            Some(&admin.csrf),
            "x.toml",
            unknown.as_bytes(),
        )
        .await,
    )
    .await;
    page.assert_html(422);
    let summary = text(page.one(".error-summary"));
    assert!(
        summary.contains("\"muc_tieu\" không có trong mẫu phiếu"),
        "{summary}"
    );
}
both_backends!(toml_syntax_errors_read_in_vietnamese);

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
