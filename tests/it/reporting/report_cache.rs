//! The report cache (`reports::cache`) against reading afresh, on SQLite and PostgreSQL: every
//! report served over HTTP (from the cache) equals the same report computed by the library from
//! the database without the cache (`reports::report_in(…, None, …)`) — ungrouped, grouped every
//! way, filtered by unit and dates, in either tree — including for responses whose compact copy
//! is missing or unreadable, after new submissions, and after the form changes.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::forms::{parse_form, Form};
use sipas::reporting::reports::{self, RawReportQuery, Scope, TreeQuery};
use sipas::store::schema::responses;
use sipas::store::{units, DbConnection};

use crate::common::*;

const FORM: &str = "sipas-dich-vu";

/// The report of `query` computed from the database without the cache, as JSON.
fn fresh_report(conn: &mut DbConnection, form: &Form, query: &str) -> Value {
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let raw: RawReportQuery = serde_urlencoded::from_str(query).unwrap();
    let tree: TreeQuery = serde_urlencoded::from_str(query).unwrap();
    let scope = Scope::load(conn, tree.kind().unwrap(), reports::today(tz)).unwrap();
    let parsed = scope.resolve(raw.parse(form).unwrap()).unwrap();
    let out = reports::report_in(conn, None, form, &parsed, &scope, tz).unwrap();
    serde_json::to_value(out).unwrap()
}

/// Equal, numbers to 1e-9 (sums may be added up in another order).
fn same(a: &Value, b: &Value, at: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            ((x - y).abs() <= 1e-9 * x.abs().max(1.0))
                .then_some(())
                .ok_or(format!("{at}: {x} ≠ {y}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (x, y))| same(x, y, &format!("{at}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x
            .iter()
            .try_for_each(|(k, v)| same(v, y.get(k).unwrap_or(&Value::Null), &format!("{at}.{k}"))),
        _ if a == b => Ok(()),
        _ => Err(format!("{at}: {a} ≠ {b}")),
    }
}

/// Every query of `queries` answers the same from the cache as afresh; returns the ungrouped
/// response count.
async fn all_agree(app: &TestApp, token: &str, form: &Form, queries: &[String]) -> u64 {
    let mut conn = app.db();
    for query in queries {
        let cached = report_of(app, token, query).await;
        let fresh = fresh_report(&mut conn, form, query);
        if let Err(difference) = same(&cached, &fresh, "report") {
            panic!("?{query}: the cached report differs from the fresh one: {difference}");
        }
        assert!(cached["responses"].as_u64().is_some());
    }
    report_of(app, token, "").await["responses"]
        .as_u64()
        .unwrap()
}

fn queries(conn: &mut DbConnection) -> Vec<String> {
    let all = units::list(conn).unwrap();
    let district = all
        .iter()
        .find(|u| u.parent.is_some() && all.iter().any(|c| c.parent.as_ref() == Some(&u.code)))
        .expect("a unit with children")
        .code
        .clone();
    let commune = all
        .iter()
        .find(|u| u.parent.as_ref() == Some(&district))
        .expect("a commune")
        .code
        .clone();
    let year = Utc::now().format("%Y").to_string().parse::<i32>().unwrap() - 1;
    [
        String::new(),
        "group_by=unit".into(),
        format!("unit={district}&group_by=unit"),
        "group_by=period&period=quarter".into(),
        "group_by=period&period=month".into(),
        "group_by=period".into(),
        "group_by=channel".into(),
        "group_by=gioi_tinh".into(),
        "group_by=linh_vuc".into(),
        format!("unit={commune}"),
        format!("unit={commune}&group_by=period&period=quarter"),
        format!("from={year}-03-01&to={year}-09-15"),
        format!("from={year}-03-01&group_by=channel"),
        format!("to={year}-01-01&group_by=unit"),
        "tree=current".into(),
        "tree=current&group_by=unit".into(),
        // Before the demo's three years: nothing selected.
        format!(
            "unit={commune}&from={}-01-01&to={}-02-01",
            year - 6,
            year - 6
        ),
    ]
    .into()
}

fn demo(app: &TestApp, responses: u64, seed: u64) {
    sipas::demo::run(&test_config(&app.database_url), FORM, responses, seed).expect("demo data");
}

async fn the_cache_agrees_with_reading_afresh(app: TestApp) {
    let form = service_form();
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    demo(&app, 1500, 11);
    // Some responses as if stored before the compact copy existed, some with a copy of another
    // layout (or garbage): their answers come from the answers rows.
    let mut conn = app.db();
    diesel::update(responses::table.filter(responses::seq.le(200)))
        .set(responses::packed.eq(None::<Vec<u8>>))
        .execute(&mut conn)
        .unwrap();
    diesel::update(responses::table.filter(responses::seq.gt(200).and(responses::seq.le(300))))
        .set(responses::packed.eq(Some(b"P\x01\x00\x00\x00\x00garbage".to_vec())))
        .execute(&mut conn)
        .unwrap();
    let queries = queries(&mut conn);
    let n = all_agree(&app, &analyst, &form, &queries).await;
    assert_eq!(n, 1500);

    // New responses (through the API and in bulk) are in the next report.
    for score in [1, 3, 5, 4, 2] {
        let mut answers = full_answers();
        for (_, v) in answers.as_object_mut().unwrap().iter_mut() {
            if v.is_number() {
                *v = json!(score);
            }
        }
        let body = json!({
            "client_id": new_client_id(), "unit": queries[9].trim_start_matches("unit="),
            "channel": "paper", "submitted_at": "2024-05-02T09:30:00+07:00", "answers": answers,
        });
        let (status, answer) = status_and_json(
            post_auth(
                &app,
                &format!("/api/v1/forms/{FORM}/responses"),
                Some(&clerk),
                &body,
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{answer}");
    }
    demo(&app, 300, 12);
    let n = all_agree(&app, &analyst, &form, &queries).await;
    assert_eq!(n, 1805);
}

both_backends!(the_cache_agrees_with_reading_afresh);

async fn a_changed_form_is_read_in_its_new_layout(app: TestApp, forms_dir: std::path::PathBuf) {
    let analyst = app.token_for(Role::Analyst).await;
    let admin = app.token_for(Role::Admin).await;
    demo(&app, 400, 5);
    let before = report_of(&app, &analyst, "group_by=gioi_tinh").await;
    // A new version with the options of `gioi_tinh` in another order: another layout, so the
    // compact copies written under the first version are not read as if they were of this one.
    let shipped = std::fs::read_to_string(forms_dir.join("sipas-dich-vu.toml")).unwrap();
    let (male, female) = (
        "  { code = \"nam\", label = \"Nam\", label_en = \"Male\" },\n",
        "  { code = \"nu\", label = \"Nữ\", label_en = \"Female\" },\n",
    );
    let changed_toml = shipped.replacen(&format!("{male}{female}"), &format!("{female}{male}"), 1);
    assert_ne!(
        changed_toml, shipped,
        "the options of gioi_tinh are where the test expects"
    );
    let response = app
        .client
        .post(app.url("/api/v1/forms"))
        .header("content-type", "application/toml")
        .bearer_auth(&admin)
        .body(changed_toml.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert!(status == 200 || status == 201, "upload: {status} {body}");
    let changed = parse_form(std::path::Path::new("sipas-dich-vu.toml"), &changed_toml).unwrap();
    for query in ["", "group_by=gioi_tinh", "group_by=nhom_tuoi"] {
        let after = report_of(&app, &analyst, query).await;
        let fresh = fresh_report(&mut app.db(), &changed, query);
        same(&after, &fresh, "report").unwrap();
    }
    // The same responses and groups, now listed in the new option order.
    let after = report_of(&app, &analyst, "group_by=gioi_tinh").await;
    assert_eq!(after["responses"], before["responses"]);
    let keys = |r: &Value| -> Vec<Value> {
        r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["key"]["gioi_tinh"].clone())
            .collect()
    };
    let (old, new) = (keys(&before), keys(&after));
    assert_eq!(old[..2], [json!("nam"), json!("nu")], "{old:?}");
    assert_eq!(new[..2], [json!("nu"), json!("nam")], "{new:?}");
    assert_eq!(old.len(), new.len());
}

mod a_changed_form {
    use super::*;

    async fn run(backend: Backend) {
        let dir = forms_copy();
        let path = dir.path().to_path_buf();
        let forms_dir = path.clone();
        if let Some(app) = TestApp::spawn_with(backend, move |c| c.forms_dir = path).await {
            a_changed_form_is_read_in_its_new_layout(app, forms_dir).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }
}
