//! Accounts managed through the page; the audit page's words for actions and details.

use super::*;

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
