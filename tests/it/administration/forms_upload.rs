//! `POST /api/v1/forms`: an admin uploads a form file; checked like `sipas forms check`, stored
//! as a new version (live at once, kept after a restart), refused when it would break stored
//! answers. Each test runs on a temporary copy of `survey-forms/`.

use crate::common::*;

use std::path::PathBuf;

use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Value};
use sipas::domain::Role;

const FORM: &str = "sipas-dich-vu";

async fn spawn(backend: Backend) -> Option<(TestApp, tempfile::TempDir)> {
    let dir = forms_copy();
    let path: PathBuf = dir.path().to_path_buf();
    let app = TestApp::spawn_with(backend, move |c| c.forms_dir = path).await?;
    Some((app, dir))
}

/// Like `both_backends!`, for tests that also get the forms folder.
macro_rules! with_forms {
    ($name:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some((app, dir)) = spawn(Backend::Sqlite).await {
                    super::$name(app, dir).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((app, dir)) = spawn(Backend::Postgres).await {
                    super::$name(app, dir).await;
                }
            }
        }
    };
}

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/forms"))
        .header(CONTENT_TYPE, content_type)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("POST /api/v1/forms")
}

/// The service form with one more optional comment.
fn with_new_comment() -> String {
    format!(
        "{}\n[[comments]]\ncode = \"y_kien_co_so\"\nlabel = \"Góp ý về cơ sở vật chất (nếu có)\"\nmax_length = 500\n",
        shipped_toml(FORM)
    )
}

/// The file without the blank-line-separated block that starts with `header` and holds
/// `code = "{code}"`.
fn without_block(toml: &str, header: &str, code: &str) -> String {
    let needle = format!("code = \"{code}\"\n");
    let blocks: Vec<&str> = toml.split("\n\n").collect();
    let kept: Vec<&str> = blocks
        .iter()
        .filter(|b| !(b.trim_start().starts_with(header) && b.contains(&needle)))
        .copied()
        .collect();
    assert_eq!(
        kept.len() + 1,
        blocks.len(),
        "one block removed: {header} {code}"
    );
    kept.join("\n\n")
}

/// The 1-based number of the first line of `text` that starts with `prefix`.
fn line_starting(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect(prefix)
        + 1
}

async fn form_version(app: &TestApp) -> (i32, Value) {
    let (status, body) = status_and_json(app.get(&format!("/api/v1/forms/{FORM}")).await).await;
    assert_eq!(status, 200);
    (body["version"].as_i64().unwrap() as i32, body)
}

async fn stored_version(app: &TestApp, token: &str, id: &str) -> i64 {
    let (status, body) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{id}"), token)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["form_version"].as_i64().expect("form_version")
}

async fn submit_one(app: &TestApp, answers: Value) -> String {
    let body = json!({
        "client_id": new_client_id(),
        "unit": "phuoc-son",
        "channel": "phone",
        "answers": answers,
    });
    let (status, body) = status_and_json(app.submit(&body).await).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn a_new_version_is_live_and_survives_a_restart(app: TestApp, dir: tempfile::TempDir) {
    let admin = app.token_for(Role::Admin).await;
    let (v1, _) = form_version(&app).await;
    let old = submit_one(&app, full_answers()).await;

    let text = with_new_comment();
    let (status, body) =
        status_and_json(upload(&app, Some(&admin), "application/toml", &text).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], FORM);
    assert_eq!(body["version"], v1 + 1);
    assert_eq!(body["previous_version"], v1);
    assert_eq!(body["changed"], true);
    let v2 = v1 + 1;

    // Live at once: the definition, the citizen page, submissions.
    let (version, definition) = form_version(&app).await;
    assert_eq!(version, v2);
    assert!(
        definition["comments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "y_kien_co_so"),
        "{definition}"
    );
    let listed: Value = app.get("/api/v1/forms").await.json().await.unwrap();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == FORM && f["version"] == v2));
    let page = Page::get(&app, &format!("/f/{FORM}?unit=phuoc-son&channel=phone")).await;
    page.assert_html(200);
    assert!(
        page.has("textarea[name=y_kien_co_so]"),
        "the new comment is on the citizen form"
    );

    let mut answers = full_answers();
    answers["y_kien_co_so"] = json!("Cần thêm ghế chờ.");
    let new = submit_one(&app, answers).await;

    // Responses keep the version they answered.
    assert_eq!(stored_version(&app, &admin, &old).await, i64::from(v1));
    assert_eq!(stored_version(&app, &admin, &new).await, i64::from(v2));

    // Written to the forms folder, atomically: the file is the upload, nothing else is left.
    let on_disk = std::fs::read_to_string(dir.path().join(format!("{FORM}.toml"))).unwrap();
    assert_eq!(on_disk, text);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "no temporary file left: {names:?}");

    // The same content again changes nothing.
    let (status, body) =
        status_and_json(upload(&app, Some(&admin), "text/plain; charset=utf-8", &text).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], v2);
    assert_eq!(body["changed"], false);

    // One audit record, with the version, in the version's transaction.
    let (status, audit) = status_and_json(
        app.get_auth("/api/v1/audit?action=form.upload", &admin)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{audit}");
    let records = audit["records"].as_array().unwrap();
    let ok: Vec<&Value> = records.iter().filter(|r| r["outcome"] == "ok").collect();
    assert_eq!(ok.len(), 1, "{audit}");
    assert_eq!(ok[0]["target"], FORM);
    assert_eq!(ok[0]["detail"]["version"], v2);
    assert_eq!(ok[0]["detail"]["previous_version"], v1);

    // A restart on the same database and folder serves the new version.
    let mut config = test_config(&app.database_url);
    config.forms_dir = dir.path().to_path_buf();
    let restarted = sipas::startup::Application::build(config, "127.0.0.1:0")
        .await
        .expect("the application starts again");
    let handle = restarted.server.handle();
    tokio::spawn(restarted.server);
    let again: Value = app
        .client
        .get(format!(
            "http://127.0.0.1:{}/api/v1/forms/{FORM}",
            restarted.port
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["version"], v2,
        "the restarted service serves the upload"
    );
    handle.stop(false).await;
}
with_forms!(a_new_version_is_live_and_survives_a_restart);

async fn problems_are_reported_by_line(app: TestApp, dir: tempfile::TempDir) {
    let admin = app.token_for(Role::Admin).await;
    let (v1, _) = form_version(&app).await;
    let shipped = shipped_toml(FORM);

    // A value the loader refuses, at its line.
    let bad_target = shipped.replacen("target = 90.0", "target = 190.0", 1);
    let body = expect_error(
        upload(&app, Some(&admin), "application/toml", &bad_target).await,
        422,
        "validation_failed",
    )
    .await;
    let line = line_starting(&shipped, "target = ");
    assert_eq!(
        field_errors(&body),
        vec![(format!("line {line}"), "form_invalid".to_string())],
        "{body}"
    );
    assert!(body["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("target"));

    // A TOML syntax error, at its line.
    let broken = shipped.replacen("title = \"Phiếu", "title = Phiếu", 1);
    let body = expect_error(
        upload(&app, Some(&admin), "application/toml", &broken).await,
        422,
        "validation_failed",
    )
    .await;
    let line = line_starting(&shipped, "title = ");
    assert_eq!(field_errors(&body)[0].0, format!("line {line}"), "{body}");

    // Several problems at once, each with its line.
    let several = shipped
        .replacen("target = 90.0", "target = 0.0", 1)
        .replacen("code = \"gioi_tinh\"", "code = \"linh_vuc\"", 1);
    let body = expect_error(
        upload(&app, Some(&admin), "application/toml", &several).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<String> = field_errors(&body).into_iter().map(|(f, _)| f).collect();
    assert!(
        fields.contains(&format!("line {}", line_starting(&shipped, "target = "))),
        "{body}"
    );
    assert!(
        fields.contains(&format!(
            "line {}",
            line_starting(&shipped, "code = \"gioi_tinh\"")
        )),
        "{body}"
    );

    // Not UTF-8.
    let mut bytes = shipped.clone().into_bytes();
    bytes.extend_from_slice(b"\n# \xff\n");
    let response = app
        .client
        .post(app.url("/api/v1/forms"))
        .bearer_auth(&admin)
        .header(CONTENT_TYPE, "application/toml")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let body = expect_error(response, 422, "validation_failed").await;
    assert_eq!(
        field_errors(&body)[0].0,
        format!("line {}", shipped.lines().count() + 2)
    );

    // Nothing changed.
    assert_eq!(form_version(&app).await.0, v1);
    let on_disk = std::fs::read_to_string(dir.path().join(format!("{FORM}.toml"))).unwrap();
    assert_eq!(on_disk, shipped);
}
with_forms!(problems_are_reported_by_line);

async fn changes_that_break_stored_answers_are_refused(app: TestApp, dir: tempfile::TempDir) {
    let admin = app.token_for(Role::Admin).await;
    let (v1, _) = form_version(&app).await;
    let shipped = shipped_toml(FORM);

    // A response that answered the comment and chose an option.
    let mut answers = full_answers();
    answers["y_kien"] = json!("Tốt.");
    answers["linh_vuc"] = json!("dat_dai");
    submit_one(&app, answers).await;

    // A question with stored answers may not go,
    let removed = without_block(&shipped, "[[comments]]", "y_kien");
    let body = expect_error(
        upload(&app, Some(&admin), "application/toml", &removed).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        vec![("y_kien".to_string(), "code_removed".to_string())],
        "{body}"
    );
    assert!(body["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("y_kien"));

    // nor change its kind,
    let retyped = format!(
        "{removed}\n[[questions]]\ncode = \"y_kien\"\nlabel = \"Ý kiến\"\noptions = [{{ code = \"co\", label = \"Có\" }}]\n"
    );
    let body = expect_error(
        upload(&app, Some(&admin), "application/toml", &retyped).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        vec![("y_kien".to_string(), "code_retyped".to_string())],
        "{body}"
    );

    // nor lose an option someone chose.
    let option_gone = shipped.replacen(
        "  { code = \"dat_dai\", label = \"Đất đai\", label_en = \"Land\" },\n",
        "",
        1,
    );
    assert_ne!(option_gone, shipped);
    let body = expect_error(
        upload(&app, Some(&admin), "application/toml", &option_gone).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        vec![("linh_vuc".to_string(), "option_removed".to_string())],
        "{body}"
    );
    assert_eq!(form_version(&app).await.0, v1, "nothing changed");

    // An option and a question nobody answered may go.
    let unanswered = without_block(
        &shipped.replacen("  { code = \"ho_tich\", label = \"Hộ tịch\", label_en = \"Civil status registration\" },\n", "", 1),
        "[[questions]]",
        "hoc_van",
    );
    let (status, body) =
        status_and_json(upload(&app, Some(&admin), "application/toml", &unanswered).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["version"], v1 + 1);

    // Going back to the shipped file (adding back what was removed) is allowed: its content is
    // version 1, which is live again.
    let (status, body) =
        status_and_json(upload(&app, Some(&admin), "application/toml", &shipped).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["version"], v1, "the earlier content keeps its version");
    assert_eq!(body["previous_version"], v1 + 1);
    assert_eq!(form_version(&app).await.0, v1);
    drop(dir);
}
with_forms!(changes_that_break_stored_answers_are_refused);

async fn only_admins_upload(app: TestApp, dir: tempfile::TempDir) {
    let text = with_new_comment();
    expect_error(
        upload(&app, None, "application/toml", &text).await,
        401,
        "unauthenticated",
    )
    .await;
    let analyst = app.token_for(Role::Analyst).await;
    expect_error(
        upload(&app, Some(&analyst), "application/toml", &text).await,
        403,
        "forbidden",
    )
    .await;
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        upload(&app, Some(&clerk), "application/toml", &text).await,
        403,
        "forbidden",
    )
    .await;

    let admin = app.token_for(Role::Admin).await;
    expect_error(
        upload(&app, Some(&admin), "application/json", &text).await,
        415,
        "unsupported_media_type",
    )
    .await;
    let huge = format!("{text}\n# {}\n", "x".repeat(70 * 1024));
    expect_error(
        upload(&app, Some(&admin), "application/toml", &huge).await,
        413,
        "payload_too_large",
    )
    .await;

    // The refusals are in the audit log; nothing was stored.
    let (_, audit) = status_and_json(
        app.get_auth("/api/v1/audit?action=form.upload", &admin)
            .await,
    )
    .await;
    let records = audit["records"].as_array().unwrap();
    assert!(records.iter().all(|r| r["outcome"] == "denied"), "{audit}");
    assert_eq!(
        records.len(),
        2,
        "the analyst's and the clerk's refusals: {audit}"
    );
    let on_disk = std::fs::read_to_string(dir.path().join(format!("{FORM}.toml"))).unwrap();
    assert_eq!(on_disk, shipped_toml(FORM));
}
with_forms!(only_admins_upload);

async fn a_new_form_can_be_added(app: TestApp, dir: tempfile::TempDir) {
    let admin = app.token_for(Role::Admin).await;
    let text = shipped_toml(FORM)
        .replacen("id = \"sipas-dich-vu\"", "id = \"sipas-thu-nghiem\"", 1)
        .replacen("title = \"Phiếu", "title = \"Thử nghiệm – Phiếu", 1);
    let (status, body) =
        status_and_json(upload(&app, Some(&admin), "application/toml", &text).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(body["previous_version"], Value::Null);
    assert!(dir.path().join("sipas-thu-nghiem.toml").is_file());
    let (status, _) = status_and_json(app.get("/api/v1/forms/sipas-thu-nghiem").await).await;
    assert_eq!(status, 200);
    let page = Page::get(&app, "/").await;
    assert!(
        page.body.contains("Thử nghiệm – Phiếu"),
        "offered on the home page"
    );
}
with_forms!(a_new_form_can_be_added);
