//! Units managed through the page, and its links to the counter QR sheets.

use super::*;

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
