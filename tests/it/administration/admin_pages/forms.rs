//! A form uploaded through the page; TOML syntax errors in Vietnamese.

use super::*;

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
