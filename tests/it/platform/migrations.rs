//! Migrations up, down and up again on both backends, and what survives a restart of the service
//! on the same database (units, responses, form versions).

use std::path::Path;

use diesel::prelude::*;
use serde_json::Value;
use sipas::startup::Application;
use sipas::store::schema::{answers, forms, responses, sessions, units, users};
use sipas::store::{self, DbConnection};

use crate::common::*;

const FORM: &str = "sipas-dich-vu";

/// Which of the service's tables answer a query.
fn tables_present(conn: &mut DbConnection) -> Vec<(&'static str, bool)> {
    vec![
        (
            "units",
            units::table.count().get_result::<i64>(conn).is_ok(),
        ),
        (
            "forms",
            forms::table.count().get_result::<i64>(conn).is_ok(),
        ),
        (
            "responses",
            responses::table.count().get_result::<i64>(conn).is_ok(),
        ),
        (
            "answers",
            answers::table.count().get_result::<i64>(conn).is_ok(),
        ),
        (
            "users",
            users::table.count().get_result::<i64>(conn).is_ok(),
        ),
        (
            "sessions",
            sessions::table.count().get_result::<i64>(conn).is_ok(),
        ),
    ]
}

fn up_down_up(url: &str) {
    let mut conn = store::connect(url).expect("connect to the fresh database");
    let applied = store::run_migrations(&mut conn).expect("migrations run");
    assert!(!applied.is_empty(), "a fresh database gets migrations");
    assert!(
        tables_present(&mut conn).iter().all(|(_, ok)| *ok),
        "every table exists: {:?}",
        tables_present(&mut conn)
    );
    assert_eq!(
        store::run_migrations(&mut conn).unwrap(),
        Vec::<String>::new(),
        "nothing is pending after a run"
    );

    let reverted = store::revert_all_migrations(&mut conn).expect("down migrations run");
    assert_eq!(reverted, applied.len(), "every migration is reverted");
    let present = tables_present(&mut conn);
    assert!(
        present.iter().all(|(_, ok)| !ok),
        "no table is left after the down migrations: {present:?}"
    );
    assert!(
        responses::table
            .count()
            .get_result::<i64>(&mut conn)
            .is_err(),
        "a query on responses fails"
    );

    let again = store::run_migrations(&mut conn).expect("migrations run again");
    assert_eq!(again, applied, "the same migrations apply again");
    assert!(tables_present(&mut conn).iter().all(|(_, ok)| *ok));
    assert_eq!(store::responses::counts(&mut conn).unwrap(), (0, 0));
}

#[test]
fn migrations_go_up_down_and_up_sqlite() {
    let db = FreshDb::new(Backend::Sqlite).unwrap();
    let url = db.url.clone();
    up_down_up(&url);
}

#[test]
fn migrations_go_up_down_and_up_postgres() {
    if let Some(db) = FreshDb::new(Backend::Postgres) {
        let url = db.url.clone();
        up_down_up(&url);
    }
}

/// Opening a SQLite connection while another connection closes (and checkpoints the WAL) must
/// wait for the lock, as `busy_timeout` promises, instead of failing with "database is locked":
/// `sipas migrate` or `sipas users add` next to a running server, or a restart, open connections
/// exactly like this.
#[test]
fn sqlite_connections_wait_for_locks() {
    let db = FreshDb::new(Backend::Sqlite).unwrap();
    let url = db.url.clone();
    store::run_migrations(&mut store::connect(&url).unwrap()).unwrap();
    let other_url = url.clone();
    let other = std::thread::spawn(move || {
        let mut errors = Vec::new();
        for _ in 0..300 {
            match store::connect(&other_url) {
                Ok(mut conn) => {
                    if let Err(e) = store::ping(&mut conn) {
                        errors.push(e.to_string());
                    }
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        errors
    });
    let mut errors = Vec::new();
    for _ in 0..300 {
        if let Err(e) = store::connect(&url) {
            errors.push(e.to_string());
        }
    }
    errors.extend(other.join().unwrap());
    assert!(
        errors.is_empty(),
        "{} of 600 connections failed, e.g. {:?}",
        errors.len(),
        errors.first()
    );
}

/// A running application on `url`, reading its forms from `forms_dir`.
struct Running {
    address: String,
    client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
}

impl Running {
    async fn start(url: &str, forms_dir: &Path) -> Running {
        let mut config = test_config(url);
        config.forms_dir = forms_dir.to_path_buf();
        let app = Application::build(config, "127.0.0.1:0")
            .await
            .expect("the application starts");
        let handle = app.server.handle();
        tokio::spawn(app.server);
        Running {
            address: format!("http://127.0.0.1:{}", app.port),
            client: reqwest::Client::new(),
            handle,
        }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    async fn submit(&self) -> String {
        let response = self
            .client
            .post(format!("{}/api/v1/forms/{FORM}/responses", self.address))
            .json(&valid_submission())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_string()
    }

    async fn stop(self) {
        drop(self.client);
        self.handle.stop(false).await;
    }
}

fn version_numbers(url: &str, form: &str) -> Vec<i32> {
    store::forms::versions(&mut store::connect(url).unwrap(), form)
        .expect("form versions")
        .into_iter()
        .map(|v| v.version)
        .collect()
}

fn form_version_of(url: &str, response_id: &str) -> i32 {
    let (row, answers) = store::responses::get(&mut store::connect(url).unwrap(), response_id)
        .expect("read the response")
        .expect("the response is stored");
    assert!(!answers.is_empty(), "its answers are stored too");
    row.form_version
}

/// The shipped forms, copied, with one label of the service form reworded.
fn edited_forms() -> tempfile::TempDir {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-forms");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let file = dir.path().join(format!("{FORM}.toml"));
    let text = std::fs::read_to_string(&file).unwrap();
    let old = "label = \"Kết quả bảo đảm công bằng\"";
    assert_eq!(
        text.matches(old).count(),
        1,
        "the label to edit is in the form"
    );
    std::fs::write(
        &file,
        text.replace(old, "label = \"Kết quả bảo đảm công bằng, khách quan\""),
    )
    .unwrap();
    dir
}

async fn data_survives_restarts(url: &str) {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-forms");

    let first = Running::start(url, &shipped).await;
    let units_before = first.get("/api/v1/units").await;
    assert!(units_before.as_array().is_some_and(|u| !u.is_empty()));
    let form = first.get(&format!("/api/v1/forms/{FORM}")).await;
    assert_eq!(form["version"], 1);
    let old_response = first.submit().await;
    first.stop().await;
    assert_eq!(version_numbers(url, FORM), [1]);

    // The same forms again: nothing new is stored, nothing is lost.
    let second = Running::start(url, &shipped).await;
    assert_eq!(
        version_numbers(url, FORM),
        [1],
        "an unchanged form is not stored again"
    );
    assert_eq!(
        second.get("/api/v1/units").await,
        units_before,
        "the unit tree is loaded once"
    );
    assert_eq!(
        second.get(&format!("/api/v1/forms/{FORM}")).await["version"],
        1
    );
    assert_eq!(form_version_of(url, &old_response), 1);
    second.stop().await;

    // A reworded label makes a new version; stored responses keep theirs.
    let edited = edited_forms();
    let third = Running::start(url, edited.path()).await;
    assert_eq!(version_numbers(url, FORM), [1, 2]);
    for other in ["sipas-ho-gia-dinh", "khao-sat-dai-bieu"] {
        assert_eq!(version_numbers(url, other), [1], "{other} did not change");
    }
    let form = third.get(&format!("/api/v1/forms/{FORM}")).await;
    assert_eq!(form["version"], 2);
    assert!(
        form.to_string().contains("công bằng, khách quan"),
        "the new label is served"
    );
    let new_response = third.submit().await;
    assert_eq!(form_version_of(url, &old_response), 1);
    assert_eq!(form_version_of(url, &new_response), 2);
    let (stored, _) = store::responses::counts(&mut store::connect(url).unwrap()).unwrap();
    assert_eq!(stored, 2);
    third.stop().await;

    // Going back to the shipped text finds version 1 again instead of adding a third.
    let fourth = Running::start(url, &shipped).await;
    assert_eq!(
        fourth.get(&format!("/api/v1/forms/{FORM}")).await["version"],
        1
    );
    assert_eq!(version_numbers(url, FORM), [1, 2]);
    fourth.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_restarts_sqlite() {
    let db = FreshDb::new(Backend::Sqlite).unwrap();
    let url = db.url.clone();
    data_survives_restarts(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_restarts_postgres() {
    if let Some(db) = FreshDb::new(Backend::Postgres) {
        let url = db.url.clone();
        data_survives_restarts(&url).await;
    }
}
