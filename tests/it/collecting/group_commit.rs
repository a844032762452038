//! Group commit (`SIPAS_GROUP_COMMIT`, on by default for SQLite): submissions that arrive together are stored
//! by one writer in one transaction, each in its own savepoint, and acknowledged after the commit.
//! Over the real HTTP API on SQLite and PostgreSQL: many at once, resends of the same `client_id`
//! in one batch, a refused submission among good ones, one invitation used many times at once.
//!
//! To put submissions in one batch for sure, a test holds the database's write lock from another
//! connection: the writer blocks on its first batch while the others queue up behind it, and the
//! next batch takes them all.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use futures::future::join_all;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::DbConnection;

/// Room for hundreds of submissions from one test address (the public rate limit).
fn generous(config: &mut sipas::platform::config::Config) {
    config.public_burst = 100_000;
    config.public_per_hour = 10_000_000;
}

async fn spawn(backend: Backend, group_commit: bool) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        generous(c);
        c.group_commit = Some(group_commit);
    })
    .await
}

/// `mod $name { sqlite, postgres }` with group commit on; with `per_request`, also
/// `per_request_sqlite` and `per_request_postgres` with it off (the same behaviour expected).
macro_rules! backends {
    (@test $test:ident, $fn:ident, $backend:ident, $group_commit:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            if let Some(app) = spawn(Backend::$backend, $group_commit).await {
                super::$fn(app).await;
            }
        }
    };
    ($name:ident) => {
        mod $name {
            use super::*;
            backends!(@test sqlite, $name, Sqlite, true);
            backends!(@test postgres, $name, Postgres, true);
        }
    };
    ($name:ident, per_request) => {
        mod $name {
            use super::*;
            backends!(@test sqlite, $name, Sqlite, true);
            backends!(@test postgres, $name, Postgres, true);
            backends!(@test per_request_sqlite, $name, Sqlite, false);
            backends!(@test per_request_postgres, $name, Postgres, false);
        }
    };
}

fn body_with(client_id: &str, tc1: i64) -> Value {
    json!({
        "client_id": client_id,
        "unit": "phuoc-son",
        "channel": "phone",
        "answers": answers_with(json!({"TC1": tc1})),
    })
}

/// Stored responses per client_id.
fn rows_per_client_id(app: &TestApp) -> BTreeMap<String, i64> {
    use sipas::store::schema::responses;
    let ids: Vec<Option<String>> = responses::table
        .select(responses::client_id)
        .load(&mut app.db())
        .expect("read client ids");
    let mut out = BTreeMap::new();
    for id in ids.into_iter().flatten() {
        *out.entry(id).or_insert(0) += 1;
    }
    out
}

/// Holds the write lock of the app's database (SQLite: the database lock; PostgreSQL: inserts
/// into `responses`) until dropped or released.
struct WriteLock(Option<DbConnection>);

impl WriteLock {
    fn take(app: &TestApp) -> WriteLock {
        let mut conn = app.db();
        let sql = match app.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN; LOCK TABLE responses IN EXCLUSIVE MODE",
        };
        conn.batch_execute(sql).expect("take the write lock");
        WriteLock(Some(conn))
    }

    fn release(mut self) {
        if let Some(mut conn) = self.0.take() {
            conn.batch_execute("ROLLBACK")
                .expect("release the write lock");
        }
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        if let Some(conn) = self.0.as_mut() {
            let _ = conn.batch_execute("ROLLBACK");
        }
    }
}

/// Runs `requests` so that they are stored in one batch: a first submission occupies the writer
/// while the database is locked, the requests queue up, then the lock goes. Returns the
/// requests' (status, body) in order.
async fn in_one_batch<F>(app: &TestApp, requests: Vec<F>) -> Vec<(u16, Value)>
where
    F: std::future::Future<Output = (u16, Value)> + Send + 'static,
{
    let lock = WriteLock::take(app);
    let blocker = {
        let client = app.client.clone();
        let url = app.url("/api/v1/forms/sipas-dich-vu/responses");
        tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&valid_submission())
                .send()
                .await
                .expect("POST");
            response.status().as_u16()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tasks: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    // Checked (in parallel) and queued behind the blocked writer.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    lock.release();
    assert_eq!(blocker.await.unwrap(), 201, "the first submission");
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("request task"));
    }
    out
}

/// A request future that owns what it needs (for `tokio::spawn`).
fn submit_owned(app: &TestApp, body: Value) -> impl std::future::Future<Output = (u16, Value)> {
    let client = app.client.clone();
    let url = app.url("/api/v1/forms/sipas-dich-vu/responses");
    async move {
        let response = client.post(url).json(&body).send().await.expect("POST");
        status_and_json(response).await
    }
}

#[derive(QueryableByName)]
struct Xmin {
    #[diesel(sql_type = Text)]
    x: String,
}

// ---------------------------------------------------------------------------------------------
// Many at once
// ---------------------------------------------------------------------------------------------

async fn concurrent_submissions_are_all_stored(app: TestApp) {
    let bodies: Vec<Value> = (0..200).map(|_| valid_submission()).collect();
    let outcomes = join_all(bodies.iter().map(|b| send_submission(&app, b))).await;
    let mut ids = BTreeSet::new();
    for (status, body) in &outcomes {
        assert_eq!(*status, 201, "{body}");
        ids.insert(id_of(body));
    }
    assert_eq!(ids.len(), 200, "200 different ids");
    assert_eq!(app.counts().0, 200, "200 rows");
    // Every acknowledged id is readable.
    let token = app.token_for(Role::Analyst).await;
    for id in ids.iter().take(5) {
        let response = app
            .get_auth(&format!("/api/v1/responses/{id}"), &token)
            .await;
        assert_eq!(response.status(), 200);
    }
}
backends!(concurrent_submissions_are_all_stored, per_request);

/// 50 concurrent sends of 10 client_ids: five always with the same content (one 201, the rest
/// 200 with its id), five with two contents (the first stored wins; the same content 200, the
/// other 409 `duplicate_conflict`). Each client_id is stored once.
async fn concurrent_resends_store_each_client_id_once(app: TestApp) {
    let client_ids: Vec<String> = (0..10).map(|_| new_client_id()).collect();
    let bodies: Vec<Value> = (0..50)
        .map(|i| {
            let k = i % 10;
            let tc1 = if k < 5 { 5 } else { 1 + (i / 10) as i64 % 2 };
            body_with(&client_ids[k], tc1)
        })
        .collect();
    let outcomes = join_all(bodies.iter().map(|b| send_submission(&app, b))).await;
    let stored = rows_per_client_id(&app);
    assert_eq!(stored.len(), 10, "10 client ids stored: {stored:?}");
    assert!(stored.values().all(|n| *n == 1), "each once: {stored:?}");
    assert_eq!(app.counts().0, 10);
    for (k, client_id) in client_ids.iter().enumerate() {
        let sent: Vec<(&Value, &(u16, Value))> = bodies
            .iter()
            .zip(&outcomes)
            .filter(|(b, _)| b["client_id"] == json!(client_id))
            .collect();
        let winners: Vec<_> = sent.iter().filter(|(_, (s, _))| *s == 201).collect();
        assert_eq!(winners.len(), 1, "one 201 for client id {k}: {sent:?}");
        let (winning_body, (_, winning_answer)) = winners[0];
        let first_id = id_of(winning_answer);
        for (body, (status, answer)) in &sent {
            if body["answers"] == winning_body["answers"] {
                assert!(
                    *status == 201 || *status == 200,
                    "same content: {status} {answer}"
                );
                assert_eq!(id_of(answer), first_id, "the first id");
            } else {
                assert_eq!(*status, 409, "different content: {answer}");
                assert_eq!(answer["error"]["code"], "duplicate_conflict");
            }
        }
        if k < 5 {
            assert!(sent.iter().all(|(_, (s, _))| *s != 409), "{sent:?}");
        }
    }
}
backends!(concurrent_resends_store_each_client_id_once, per_request);

// ---------------------------------------------------------------------------------------------
// Inside one batch
// ---------------------------------------------------------------------------------------------

/// One batch: ten good submissions, an invalid one, an identical resend of a good one and a
/// different answer under a good one's client_id. Only the invalid one and the conflict are
/// refused; the resend gets the first id.
async fn a_refused_submission_undoes_only_itself(app: TestApp) {
    let good: Vec<Value> = (0..10).map(|_| valid_submission()).collect();
    let mut invalid = valid_submission();
    invalid["answers"]["TC1"] = json!(9);
    let resend = good[3].clone();
    let mut conflict = good[7].clone();
    conflict["answers"]["TC2"] = json!(1);
    let mut bodies = good.clone();
    bodies.extend([invalid, resend, conflict]);
    let requests = bodies
        .iter()
        .map(|b| submit_owned(&app, b.clone()))
        .collect();
    let outcomes = in_one_batch(&app, requests).await;

    let (status, body) = &outcomes[10];
    assert_eq!(*status, 422, "the invalid one: {body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    for i in (0..10).filter(|i| *i != 3 && *i != 7) {
        assert_eq!(outcomes[i].0, 201, "good {i}: {:?}", outcomes[i]);
    }
    // The same client_id twice in one batch, same content: whichever came first is stored,
    // the other is its replay.
    let pair = [&outcomes[3], &outcomes[11]];
    let mut statuses: Vec<u16> = pair.iter().map(|(s, _)| *s).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "{pair:?}");
    assert_eq!(id_of(&pair[0].1), id_of(&pair[1].1), "one id");
    // …different content: one stored, the other a conflict.
    let pair = [&outcomes[7], &outcomes[12]];
    let mut statuses: Vec<u16> = pair.iter().map(|(s, _)| *s).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{pair:?}");
    let refused = pair.iter().find(|(s, _)| *s == 409).unwrap();
    assert_eq!(refused.1["error"]["code"], "duplicate_conflict");

    // The blocker and the ten good ones; nothing of the refused ones.
    assert_eq!(app.counts().0, 11);
    let stored = rows_per_client_id(&app);
    assert!(stored.values().all(|n| *n == 1), "{stored:?}");
    // And a resend after the commit still answers the first id.
    let (status, body) = send_submission(&app, &good[3]).await;
    assert_eq!(status, 200);
    assert_eq!(id_of(&body), id_of(&outcomes[3].1));
}
backends!(a_refused_submission_undoes_only_itself);

/// Eight uses of one invitation in one batch: exactly one stored.
async fn one_invitation_used_eight_times_in_one_batch(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let (status, body) = status_and_json(
        post_auth(
            &app,
            "/api/v1/forms/khao-sat-dai-bieu/invitations",
            Some(&admin),
            &json!({"count": 1, "group": "dai_bieu_hdnd"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let token = body["invitations"][0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let answers = json!({"nhom": "dai_bieu_hdnd", "DB1": 4, "DB2": 4, "DB3": 3, "DB15": 5});
    let requests = (0..8)
        .map(|_| {
            let mut fields = vec![("client_id".to_string(), new_client_id())];
            fields.extend(answer_fields(&answers));
            let client = app.client.clone();
            let url = app.url(&format!("/i/{token}"));
            async move {
                let body = serde_urlencoded::to_string(&fields).unwrap();
                let response = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("POST");
                status_and_json(response).await
            }
        })
        .collect();
    let outcomes = in_one_batch(&app, requests).await;
    let created = outcomes.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{outcomes:?}");
    for (status, body) in outcomes.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "invitation_used");
    }
    // The blocker and the one delegate.
    assert_eq!(app.counts().0, 2);
    if app.backend == Backend::Postgres {
        // The invitation row is never rewritten when it is used: its row stamp is the issuing
        // transaction's, not the response's.
        let mut pg = diesel::PgConnection::establish(&app.database_url).unwrap();
        let stamps = |pg: &mut diesel::PgConnection, sql: &str| -> BTreeSet<String> {
            diesel::sql_query(sql)
                .load::<Xmin>(pg)
                .unwrap()
                .into_iter()
                .map(|r| r.x)
                .collect()
        };
        let responses = stamps(&mut pg, "SELECT xmin::text AS x FROM responses");
        let used = stamps(
            &mut pg,
            "SELECT xmin::text AS x FROM invitations WHERE NOT used",
        );
        assert_eq!(used.len(), 1);
        assert!(responses.is_disjoint(&used), "{responses:?} {used:?}");
    }
}
backends!(one_invitation_used_eight_times_in_one_batch);

/// The setting: `SIPAS_GROUP_COMMIT` is on for SQLite and off for PostgreSQL unless set.
#[test]
fn group_commit_is_on_for_sqlite_by_default_and_can_be_set() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: sipas::platform::config::Config,
    }
    let parse = |args: &[&str]| Cli::try_parse_from(args).unwrap().config;
    assert!(parse(&["sipas", "--database-url", "data/x.db"]).group_commit_enabled());
    assert!(!parse(&["sipas", "--database-url", "postgres://h/db"]).group_commit_enabled());
    let off = parse(&["sipas", "--database-url", "x.db", "--group-commit", "false"]);
    assert!(!off.group_commit_enabled());
    let on = parse(&[
        "sipas",
        "--database-url",
        "postgres://h/db",
        "--group-commit",
        "true",
    ]);
    assert!(on.group_commit_enabled());
}

/// A submission whose writer is gone is answered 503 (retry later), never stored half.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_without_its_writer_gets_503() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("sipas.db").display().to_string();
    let mut state = sipas::startup::prepare(test_config(&url))
        .await
        .expect("prepared");
    state.writer = sipas::collecting::submission::writer::Writer::stopped(state.pool.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = sipas::startup::run(listener, state).expect("the server starts");
    let handle = server.handle();
    tokio::spawn(server);
    let response = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/forms/sipas-dich-vu/responses"
        ))
        .json(&valid_submission())
        .send()
        .await
        .unwrap();
    expect_error(response, 503, "database_unavailable").await;
    let mut conn = sipas::store::connect(&url).unwrap();
    assert_eq!(sipas::store::responses::counts(&mut conn).unwrap().0, 0);
    handle.stop(false).await;
}
