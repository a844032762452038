//! Kiosks registered and revoked, invitations printed as cards, through the pages.

use super::*;

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
