//! `POST /api/v1/forms/{form_id}/responses`: idempotency by `client_id` (also under concurrent
//! resends) and all-or-nothing storage, over the real HTTP API on SQLite and PostgreSQL.

use crate::common::*;
use futures::future::join_all;
use serde_json::{json, Value};
use sipas::domain::Role;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The answers of a stored response, read by a fresh analyst through the API.
async fn stored_answers(app: &TestApp, id: &str) -> Value {
    response_answers(app, &app.token_for(Role::Analyst).await, id).await
}

fn answer_count(body: &Value) -> i64 {
    body["answers"].as_object().expect("answers").len() as i64
}

/// Sends all `bodies` at once; returns (status, body) in sending order.
async fn send_concurrently(app: &TestApp, bodies: &[Value]) -> Vec<(u16, Value)> {
    join_all(bodies.iter().map(|body| send_submission(app, body))).await
}

// ---------------------------------------------------------------------------------------------
// Idempotency by client_id
// ---------------------------------------------------------------------------------------------

async fn resend_with_same_content_answers_200_with_first_id(app: TestApp) {
    let body = valid_submission();
    let (first_status, first) = send_submission(&app, &body).await;
    assert_eq!(first_status, 201, "first submission: {first}");
    let (second_status, second) = send_submission(&app, &body).await;
    assert_eq!(
        second_status, 200,
        "resend with the same client_id and content: {second}"
    );
    assert_eq!(
        id_of(&second),
        id_of(&first),
        "the resend answers with the first id"
    );
    assert_eq!(
        app.counts(),
        (1, answer_count(&body)),
        "one response, its answers once"
    );
}
both_backends!(resend_with_same_content_answers_200_with_first_id);

async fn resend_with_different_answers_is_409(app: TestApp) {
    let body = valid_submission();
    let (status, first) = send_submission(&app, &body).await;
    assert_eq!(status, 201, "first submission: {first}");
    let before = app.counts();

    let mut changed = body.clone();
    changed["answers"]["TC1"] = json!(1);
    let error = expect_error(app.submit(&changed).await, 409, "duplicate_conflict").await;
    assert_eq!(
        app.counts(),
        before,
        "nothing stored by the conflicting resend ({error})"
    );
    assert_eq!(
        stored_answers(&app, &id_of(&first)).await,
        body["answers"],
        "the first response is unchanged"
    );
}
both_backends!(resend_with_different_answers_is_409);

async fn resend_with_other_unit_channel_or_answer_set_is_409(app: TestApp) {
    let body = valid_submission();
    let (status, first) = send_submission(&app, &body).await;
    assert_eq!(status, 201, "first submission: {first}");
    let before = app.counts();

    let mut variants = vec![body.clone(), body.clone(), body.clone(), body.clone()];
    variants[0]["unit"] = json!("phuoc-hoa");
    variants[1]["channel"] = json!("web");
    variants[2]["answers"]["y_kien"] = json!("Cảm ơn");
    variants[3]["answers"]
        .as_object_mut()
        .unwrap()
        .remove("KQ3");
    variants[3]["channel"] = json!("web");
    for changed in &variants {
        let error = expect_error(app.submit(changed).await, 409, "duplicate_conflict").await;
        assert_eq!(
            app.counts(),
            before,
            "nothing stored for {changed} ({error})"
        );
    }
    assert_eq!(
        stored_answers(&app, &id_of(&first)).await,
        body["answers"],
        "the first response is unchanged"
    );
}
both_backends!(resend_with_other_unit_channel_or_answer_set_is_409);

async fn submissions_without_client_id_are_stored_each_time(app: TestApp) {
    let mut body = valid_submission();
    body.as_object_mut().unwrap().remove("client_id");
    let (s1, b1) = send_submission(&app, &body).await;
    let (s2, b2) = send_submission(&app, &body).await;
    assert_eq!((s1, s2), (201, 201), "{b1} {b2}");
    assert_ne!(id_of(&b1), id_of(&b2), "two responses, two ids");
    assert_eq!(app.counts(), (2, 2 * answer_count(&body)));
}
both_backends!(submissions_without_client_id_are_stored_each_time);

async fn concurrent_identical_resends_store_one_response(app: TestApp) {
    let body = valid_submission();
    let results = send_concurrently(&app, &vec![body.clone(); 16]).await;

    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let replayed = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(
        (created, replayed),
        (1, 15),
        "one 201 and fifteen 200: {results:?}"
    );
    let ids: std::collections::BTreeSet<String> = results.iter().map(|(_, b)| id_of(b)).collect();
    assert_eq!(ids.len(), 1, "every answer carries the same id: {ids:?}");
    assert_eq!(
        app.counts(),
        (1, answer_count(&body)),
        "one response row, its answers once"
    );
}
both_backends!(concurrent_identical_resends_store_one_response);

async fn concurrent_conflicting_resends_store_one_response(app: TestApp) {
    let client_id = uuid::Uuid::new_v4().to_string();
    // Sixteen bodies with the same client_id; TC1 takes 1..=5 so that some bodies are equal.
    let bodies: Vec<Value> = (0..16)
        .map(|i| {
            let mut body = valid_submission();
            body["client_id"] = json!(client_id);
            body["answers"]["TC1"] = json!(i % 5 + 1);
            body
        })
        .collect();
    let results = send_concurrently(&app, &bodies).await;

    let winners: Vec<usize> = (0..16).filter(|&i| results[i].0 == 201).collect();
    assert_eq!(winners.len(), 1, "exactly one 201: {results:?}");
    let winner = &bodies[winners[0]];
    let winner_id = id_of(&results[winners[0]].1);
    for (i, (status, body)) in results.iter().enumerate() {
        if i == winners[0] {
            continue;
        }
        if bodies[i] == *winner {
            assert_eq!(
                *status, 200,
                "a body equal to the winner is a replay: {body}"
            );
            assert_eq!(id_of(body), winner_id);
        } else {
            assert_eq!(*status, 409, "a different body is a conflict: {body}");
            assert_eq!(body["error"]["code"], "duplicate_conflict", "{body}");
        }
    }
    assert_eq!(
        app.counts(),
        (1, answer_count(winner)),
        "one response row, its answers once"
    );
    assert_eq!(
        stored_answers(&app, &winner_id).await,
        winner["answers"],
        "the winner's answers are stored"
    );
}
both_backends!(concurrent_conflicting_resends_store_one_response);

// ---------------------------------------------------------------------------------------------
// All or nothing
// ---------------------------------------------------------------------------------------------

/// Makes every insert of an answer whose text is `boom` fail inside the database.
fn install_failing_trigger(app: &TestApp) {
    use diesel::RunQueryDsl;
    let mut conn = app.db();
    let statements: &[&str] = match app.backend {
        Backend::Sqlite => &["CREATE TRIGGER boom BEFORE INSERT ON answers WHEN NEW.text_value = 'boom' \
             BEGIN SELECT RAISE(ABORT, 'boom'); END;"],
        Backend::Postgres => &[
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.text_value = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END; $$",
            "CREATE TRIGGER boom BEFORE INSERT ON answers FOR EACH ROW EXECUTE FUNCTION boom()",
        ],
    };
    for sql in statements {
        diesel::sql_query(*sql)
            .execute(&mut conn)
            .expect("install the failing trigger");
    }
}

async fn failing_answer_insert_leaves_no_response(app: TestApp) {
    install_failing_trigger(&app);
    let before = app.counts();

    let mut body = valid_submission();
    body["answers"]["y_kien"] = json!("boom");
    let response = app.submit(&body).await;
    let status = response.status();
    let error: Value = response.json().await.expect("an error body is JSON");
    assert!(
        !status.is_success(),
        "an injected database fault cannot succeed: {status} {error}"
    );
    assert!(error["error"]["code"].is_string(), "error shape: {error}");
    assert_eq!(
        app.counts(),
        before,
        "the response row is rolled back with its answers"
    );

    // The connection that failed goes back to the pool usable: the next submission is stored.
    let (status, created) = send_submission(&app, &valid_submission()).await;
    assert_eq!(status, 201, "a later submission: {created}");
    assert_eq!(app.counts().0, before.0 + 1);
}
both_backends!(failing_answer_insert_leaves_no_response);

async fn twenty_concurrent_resends_store_exactly_one_row(app: TestApp) {
    // An attacker's (or a flaky network's) twenty resends of one client_id at once.
    let body = valid_submission();
    let results = send_concurrently(&app, &vec![body.clone(); 20]).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let replayed = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, replayed), (1, 19), "{results:?}");
    let ids: std::collections::BTreeSet<String> = results.iter().map(|(_, b)| id_of(b)).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(app.counts(), (1, answer_count(&body)));
}
both_backends!(twenty_concurrent_resends_store_exactly_one_row);
