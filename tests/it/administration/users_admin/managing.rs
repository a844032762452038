//! Admins list and create users (audited in the same transaction); nobody else may.

use super::*;

async fn admins_list_and_create_users(app: TestApp) {
    let admin_password = app.create_user("quan-tri", Role::Admin);
    let (admin, _) = session(&app, "quan-tri", &admin_password).await;
    app.create_user("lan", Role::Analyst);

    let users = list(&app, &admin).await;
    assert_eq!(users.len(), 2);
    for user in &users {
        let mut keys: Vec<&str> = user
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["created_at", "disabled", "id", "role", "username"],
            "never a hash"
        );
        chrono::DateTime::parse_from_rfc3339(user["created_at"].as_str().unwrap())
            .expect("created_at is RFC 3339");
    }
    let lan = user_by_name(&users, "lan");
    assert_eq!(lan["role"], "analyst");
    assert_eq!(lan["disabled"], false);
    assert_eq!(lan["id"], user_id_of(&app, "lan").as_str());

    let response = create(
        &app,
        &admin,
        &json!({"username": "van-thu", "role": "clerk", "password": "Giấy tờ một cửa 2026"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let location = response
        .headers()
        .get(LOCATION)
        .expect("Location")
        .to_str()
        .unwrap()
        .to_string();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["username"], "van-thu");
    assert_eq!(created["role"], "clerk");
    assert_eq!(created["disabled"], false);
    assert!(created.get("password_hash").is_none() && created.get("password").is_none());
    assert_eq!(
        location,
        format!("/api/v1/users/{}", created["id"].as_str().unwrap())
    );
    let body: Value = login(&app, "van-thu", "Giấy tờ một cửa 2026")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["role"], "clerk", "the new account can log in");
    assert_eq!(list(&app, &admin).await.len(), 3);

    // Refusals, in the API error shape; none creates anything.
    let response = create(
        &app,
        &admin,
        &json!({"username": "van-thu", "role": "admin", "password": "Một mật khẩu khác 1"}),
    )
    .await;
    expect_error(response, 409, "user_exists").await;
    let body = expect_error(
        create(
            &app,
            &admin,
            &json!({"username": "Tên Có Dấu", "role": "clerk", "password": "short"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [
            ("username".to_string(), "invalid".to_string()),
            ("password".to_string(), "too_short".to_string())
        ]
    );
    for (password, code) in [
        ("abcdefghijklmnop", "too_simple"),
        ("1111111111111111", "too_simple"),
        ("Nguyen.Van.An1", "same_as_username"),
        (&"aB1-".repeat(65), "too_long"),
    ] {
        let body = expect_error(
            create(
                &app,
                &admin,
                &json!({"username": "nguyen.van.an1", "role": "clerk", "password": password}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            field_errors(&body),
            [("password".to_string(), code.to_string())],
            "{password}"
        );
    }
    for body in [
        json!({"username": "moi", "role": "boss", "password": "Mật khẩu đủ dài 1"}),
        json!({"username": "moi", "role": "clerk"}),
        json!({"username": "moi", "role": "clerk", "password": "Mật khẩu đủ dài 1", "disabled": true}),
        json!(["moi"]),
    ] {
        expect_error(create(&app, &admin, &body).await, 400, "malformed_json").await;
    }
    let response = app
        .client
        .post(app.url(USERS))
        .bearer_auth(&admin)
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"username": "moi", "role": "clerk", "password": "Mật khẩu đủ dài 1"}"#)
        .send()
        .await
        .unwrap();
    expect_error(response, 415, "unsupported_media_type").await;
    assert_eq!(list(&app, &admin).await.len(), 3);
}
both_backends!(admins_list_and_create_users);

async fn only_admins_manage_users(app: TestApp) {
    let target = {
        app.create_user("muc-tieu", Role::Clerk);
        user_id_of(&app, "muc-tieu")
    };
    let users_path = USERS.to_string();
    let user_path = format!("{USERS}/{target}");
    let password_path = format!("{USERS}/{target}/password");
    let routes: [(reqwest::Method, &str, Option<Value>); 4] = [
        (reqwest::Method::GET, &users_path, None),
        (
            reqwest::Method::POST,
            &users_path,
            Some(json!({"username": "moi", "role": "admin", "password": "Mật khẩu đủ dài 1"})),
        ),
        (
            reqwest::Method::PATCH,
            &user_path,
            Some(json!({"role": "admin"})),
        ),
        (
            reqwest::Method::POST,
            &password_path,
            Some(json!({"new_password": "Mật khẩu đủ dài 1"})),
        ),
    ];
    for (method, path, body) in &routes {
        let mut request = app.client.request(method.clone(), app.url(path));
        if let Some(body) = body {
            request = request.json(body);
        }
        expect_error(request.send().await.unwrap(), 401, "unauthenticated").await;
    }
    for role in [Role::Analyst, Role::Clerk] {
        let token = app.token_for(role).await;
        for (method, path, body) in &routes {
            let response = send(&app, method.clone(), path, &token, body.as_ref()).await;
            expect_error(response, 403, "forbidden").await;
        }
    }
    // Nothing changed, and the refusals are recorded.
    let row = sipas::store::users::find_by_username(&mut app.db(), "muc-tieu")
        .unwrap()
        .unwrap();
    assert_eq!(row.role, "clerk");
    assert!(sipas::store::users::find_by_username(&mut app.db(), "moi")
        .unwrap()
        .is_none());
    assert_eq!(
        login(&app, "muc-tieu", "Mật khẩu đủ dài 1").await.status(),
        401
    );
    let denied: Vec<_> = audit_rows(&app)
        .into_iter()
        .filter(|r| r.action.starts_with("user.") && r.outcome == "denied")
        .collect();
    assert_eq!(denied.len(), 8, "{denied:?}");
}
both_backends!(only_admins_manage_users);

async fn creating_a_user_is_audited_in_its_transaction(app: TestApp) {
    let admin_password = app.create_user("quan-tri", Role::Admin);
    let (admin, csrf) = session(&app, "quan-tri", &admin_password).await;
    let cookies = format!("sipas_session={admin}; sipas_csrf={csrf}");
    let body = json!({"username": "lan-anh", "role": "analyst", "password": "Phân tích số liệu 1"});
    let without = app
        .client
        .post(app.url(USERS))
        .header(COOKIE, &cookies)
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_error(without, 403, "csrf_failed").await;
    let response = app
        .client
        .post(app.url(USERS))
        .header(COOKIE, &cookies)
        .header("X-CSRF-Token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let rows: Vec<_> = audit_rows(&app)
        .into_iter()
        .filter(|r| r.action == "user.create")
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "ok");
    assert_eq!(rows[0].actor.as_deref(), Some("quan-tri"));
    assert_eq!(rows[0].target.as_deref(), Some("lan-anh"));
    assert_eq!(
        audit_detail(&rows[0]),
        json!({"id": created["id"], "role": "analyst"})
    );
    assert!(!format!("{:?}", rows[0]).contains("Phân tích"));
}
both_backends!(creating_a_user_is_audited_in_its_transaction);
