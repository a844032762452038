//! Privacy (Nghị định 13/2023/NĐ-CP): free-text comments are deleted after the retention period
//! while ratings stay. (That the request log holds no client address and no secret token is
//! `tests/privacy_log.rs`, a binary of its own.)

use std::time::Duration;

use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{answers, forms};

use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Comment retention
// ---------------------------------------------------------------------------------------------

const OLD_COMMENT: &str = "Cán bộ Nguyễn Văn A ở quầy 3 rất tận tình";
const NEW_COMMENT: &str = "Phòng chờ hơi nóng";

/// Submits a paper response (as a clerk, dated `days_ago`), with a comment when given; returns
/// its id.
async fn paper_response(
    app: &TestApp,
    clerk: &str,
    days_ago: i64,
    comment: Option<&str>,
) -> String {
    let mut answers = full_answers();
    if let Some(text) = comment {
        answers["y_kien"] = json!(text);
    }
    let when = (chrono::Utc::now() - chrono::TimeDelta::days(days_ago))
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let body = json!({
        "client_id": new_client_id(),
        "unit": "phuoc-son",
        "channel": "paper",
        "submitted_at": when,
        "answers": answers,
    });
    let (status, created) = status_and_json(
        post_auth(
            app,
            "/api/v1/forms/sipas-dich-vu/responses",
            Some(clerk),
            &body,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

/// `sipas purge-comments ARGS` against the app's database.
fn purge_command(app: &TestApp, args: &[&str], retention: Option<&str>) -> String {
    let mut command = sipas_command();
    command
        .arg("purge-comments")
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("SIPAS_TZ", "Asia/Ho_Chi_Minh");
    if let Some(days) = retention {
        command.env("SIPAS_COMMENT_RETENTION_DAYS", days);
    }
    let output = command.output().expect("run sipas");
    assert!(
        output.status.success(),
        "sipas purge-comments {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn comment_rows(app: &TestApp, question: &str) -> i64 {
    answers::table
        .filter(answers::question.eq(question))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

/// Stores a second version of the service form whose comment question had another code, and
/// gives the old response an answer to it (as if it had been given under that version).
fn old_version_comment(app: &TestApp, response_id: &str) {
    let mut conn = app.db();
    let definition: String = forms::table
        .filter(forms::form_id.eq("sipas-dich-vu"))
        .select(forms::definition)
        .first(&mut conn)
        .unwrap();
    let mut definition: Value = serde_json::from_str(&definition).unwrap();
    definition["comments"][0]["code"] = json!("gop_y_cu");
    let text = definition.to_string();
    sipas::store::forms::register_version(&mut conn, "sipas-dich-vu", &sha256_hex(&text), &text)
        .unwrap();
    let seq: i64 = sipas::store::schema::responses::table
        .filter(sipas::store::schema::responses::id.eq(response_id))
        .select(sipas::store::schema::responses::seq)
        .first(&mut conn)
        .unwrap();
    diesel::insert_into(answers::table)
        .values((
            answers::response_seq.eq(seq),
            answers::question.eq("gop_y_cu"),
            answers::text_value.eq(Some("Ý kiến cũ")),
        ))
        .execute(&mut conn)
        .unwrap();
}

async fn old_comments_are_purged_and_ratings_kept(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let analyst = app.token_for(Role::Analyst).await;
    let admin = app.token_for(Role::Admin).await;
    let old = paper_response(&app, &clerk, 800, Some(OLD_COMMENT)).await;
    let old_silent = paper_response(&app, &clerk, 900, None).await;
    let recent = paper_response(&app, &clerk, 10, Some(NEW_COMMENT)).await;
    old_version_comment(&app, &old);
    let (responses_before, answers_before) = app.counts();
    assert_eq!(comment_rows(&app, "y_kien"), 2);

    // 0 days: kept forever.
    let kept = purge_command(&app, &[], Some("0"));
    assert!(kept.contains("kept forever"), "{kept}");
    assert_eq!(app.counts(), (responses_before, answers_before));

    // A dry run counts and changes nothing.
    let dry = purge_command(&app, &["--dry-run"], None);
    assert!(dry.starts_with("would remove 2 comments"), "{dry}");
    assert_eq!(app.counts(), (responses_before, answers_before));
    assert!(
        sipas_records(&app, &admin, "comments.purge")
            .await
            .is_empty(),
        "a dry run is not recorded"
    );

    let done = purge_command(&app, &[], None);
    let cutoff = (chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
        - chrono::TimeDelta::days(730))
    .to_string();
    assert_eq!(
        done.trim(),
        format!("removed 2 comments of responses submitted before {cutoff} (retention 730 days)")
    );
    assert_eq!(app.counts(), (responses_before, answers_before - 2));
    assert_eq!(comment_rows(&app, "y_kien"), 1);
    assert_eq!(comment_rows(&app, "gop_y_cu"), 0);

    // The old responses keep every rating; the recent one its comment.
    let mut expected = full_answers();
    assert_eq!(response_answers(&app, &analyst, &old).await, expected);
    assert_eq!(
        response_answers(&app, &analyst, &old_silent).await,
        expected
    );
    expected["y_kien"] = json!(NEW_COMMENT);
    assert_eq!(response_answers(&app, &analyst, &recent).await, expected);

    // Recorded, with the count and the cutoff.
    let purges = sipas_records(&app, &admin, "comments.purge").await;
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0]["target"], "cli");
    assert_eq!(purges[0]["detail"], json!({"removed": 2, "cutoff": cutoff}));
    assert!(purges[0]["actor"].is_null());

    // Again: nothing left to remove, and that run is recorded too.
    let again = purge_command(&app, &[], None);
    assert!(again.starts_with("removed 0 comments"), "{again}");
    assert_eq!(sipas_records(&app, &admin, "comments.purge").await.len(), 2);
}
both_backends!(old_comments_are_purged_and_ratings_kept);

async fn sipas_records(app: &TestApp, admin: &str, action: &str) -> Vec<Value> {
    let (status, body) = status_and_json(
        app.get_auth(&format!("/api/v1/audit?action={action}"), admin)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["records"].as_array().unwrap().clone()
}

async fn the_service_purges_at_start(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    let old = paper_response(&app, &clerk, 400, Some(OLD_COMMENT)).await;
    let recent = paper_response(&app, &clerk, 100, Some(NEW_COMMENT)).await;
    assert_eq!(comment_rows(&app, "y_kien"), 2);

    // The running service has purged at its own start (nothing then): no record of that.
    assert!(sipas_records(&app, &admin, "comments.purge")
        .await
        .is_empty());

    // A restart with a shorter retention purges at once.
    let mut config = test_config(&app.database_url);
    config.comment_retention_days = 365;
    let restarted = sipas::startup::Application::build(config, "127.0.0.1:0")
        .await
        .expect("restart");
    let handle = restarted.server.handle();
    tokio::spawn(restarted.server);
    let mut purges = Vec::new();
    for _ in 0..100 {
        purges = sipas_records(&app, &admin, "comments.purge").await;
        if !purges.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    handle.stop(false).await;
    assert_eq!(purges.len(), 1, "the purge at start is recorded");
    assert_eq!(purges[0]["target"], "startup");
    assert_eq!(purges[0]["detail"]["removed"], 1);
    assert_eq!(comment_rows(&app, "y_kien"), 1);
    let analyst = app.token_for(Role::Analyst).await;
    assert!(response_answers(&app, &analyst, &old)
        .await
        .get("y_kien")
        .is_none());
    assert_eq!(
        response_answers(&app, &analyst, &recent).await["y_kien"],
        NEW_COMMENT
    );
}
both_backends!(the_service_purges_at_start);
