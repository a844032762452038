//! `sipas demo`: synthetic responses, run as the real binary against fresh databases.

use crate::common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Months, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::{Map, Value};
use sipas::domain::Channel;
use sipas::store::models::{AnswerRow, ResponseRow};
use sipas::store::schema::{answers, forms, responses};
use sipas::store::{self, DbConnection};

fn demo(database_url: &str, n: u64, seed: u64) {
    let output = run_sipas(
        database_url,
        &[
            "demo",
            "--responses",
            &n.to_string(),
            "--seed",
            &seed.to_string(),
        ],
    );
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("inserted {n} responses")),
        "final line with the count: {stdout}"
    );
    assert!(
        stdout.contains("responses/s"),
        "final line with the rate: {stdout}"
    );
}

/// Every stored response with its answers, in `seq` order.
fn stored(conn: &mut DbConnection) -> Vec<(ResponseRow, Vec<AnswerRow>)> {
    let rows: Vec<ResponseRow> = responses::table
        .order(responses::seq)
        .select(ResponseRow::as_select())
        .load(conn)
        .expect("responses");
    let mut by_seq: BTreeMap<i64, Vec<AnswerRow>> = BTreeMap::new();
    for a in answers::table
        .select(AnswerRow::as_select())
        .load(conn)
        .expect("answers")
    {
        by_seq.entry(a.response_seq).or_default().push(a);
    }
    rows.into_iter()
        .map(|r| {
            let mut a = by_seq.remove(&r.seq).unwrap_or_default();
            a.sort_by(|x, y| x.question.cmp(&y.question));
            (r, a)
        })
        .collect()
}

fn as_json(answers: &[AnswerRow]) -> Map<String, Value> {
    answers
        .iter()
        .map(|a| {
            let value = match (a.num_value, &a.text_value) {
                (Some(n), None) => Value::from(n),
                (None, Some(t)) => Value::from(t.clone()),
                other => panic!("answer {} stores {other:?}", a.question),
            };
            (a.question.clone(), value)
        })
        .collect()
}

/// What must be identical between two runs with the same seed: everything but `seq`.
type Fingerprint = Vec<(
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Vec<(String, Option<i32>, Option<String>)>,
)>;

fn fingerprint(data: &[(ResponseRow, Vec<AnswerRow>)]) -> Fingerprint {
    data.iter()
        .map(|(r, a)| {
            (
                r.id.clone(),
                r.unit.clone(),
                r.channel.clone(),
                r.submitted_at,
                a.iter()
                    .map(|a| (a.question.clone(), a.num_value, a.text_value.clone()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn demo_inserts_valid_realistic_responses_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("first.db").display().to_string();
    let started = Utc::now().naive_utc();
    demo(&url, 2000, 7);

    let mut conn = store::connect(&url).unwrap();
    let (n, answer_count) = store::responses::counts(&mut conn).unwrap();
    assert_eq!(n, 2000);
    assert!(answer_count > 2000 * 16, "{answer_count} answers");

    let form = service_form();
    let version: i32 = forms::table
        .filter(forms::form_id.eq("sipas-dich-vu"))
        .select(diesel::dsl::max(forms::version))
        .first::<Option<i32>>(&mut conn)
        .unwrap()
        .expect("the form version is stored");
    let data = stored(&mut conn);
    let communes: BTreeSet<String> = sipas::administration::units::parse_tree(
        sipas::administration::units::DEFAULT_TREE,
        started,
    )
    .unwrap()
    .into_iter()
    .filter(|u| u.level == "xa" || u.code == "tuy-phuoc-mc")
    .map(|u| u.code)
    .collect();
    assert_eq!(communes.len(), 14);
    let earliest =
        started.checked_sub_months(Months::new(36)).unwrap() - chrono::TimeDelta::days(1);

    let mut channels = BTreeSet::new();
    let mut units = BTreeSet::new();
    let mut pakn_yes = 0;
    for (r, a) in &data {
        let channel: Channel = r.channel.parse().expect("a known channel");
        channels.insert(channel);
        units.insert(r.unit.clone());
        assert!(communes.contains(&r.unit), "unit {}", r.unit);
        assert_eq!(r.form_id, "sipas-dich-vu");
        assert_eq!(r.form_version, version);
        assert_eq!(r.client_id, None);
        assert_eq!(r.weight, 1.0);
        assert_eq!(r.received_at, r.submitted_at);
        assert!(
            r.submitted_at >= earliest && r.submitted_at < started,
            "submitted_at {} within the last 3 years",
            r.submitted_at
        );
        let id = uuid::Uuid::parse_str(&r.id).expect("id is a UUID");
        assert_eq!(id.get_version_num(), 7, "UUID v7: {}", r.id);
        let (secs, _) = id.get_timestamp().expect("v7 timestamp").to_unix();
        assert_eq!(
            secs as i64,
            r.submitted_at.and_utc().timestamp(),
            "id carries the time"
        );

        if let Err(errors) = sipas::forms::validate_answers(&form, channel, &as_json(a)) {
            panic!("response {} is not valid on {channel}: {errors:?}", r.id);
        }
        let da_pakn = a.iter().find(|a| a.question == "da_pakn");
        let yes = da_pakn.and_then(|a| a.text_value.as_deref()) == Some("co");
        pakn_yes += usize::from(yes);
        let has_pa = a.iter().any(|a| a.question.starts_with("PA"));
        assert!(
            !has_pa || yes,
            "PA answers only with da_pakn = co: {}",
            r.id
        );
    }
    assert_eq!(channels.len(), 4, "all four channels: {channels:?}");
    assert_eq!(units, communes, "every commune and the one-stop office");
    assert!(
        (2000 * 12 / 100..2000 * 28 / 100).contains(&pakn_yes),
        "da_pakn = co for {pakn_yes} of 2000"
    );
    assert!(
        data.windows(2)
            .all(|w| w[0].0.submitted_at <= w[1].0.submitted_at),
        "stored in time order"
    );

    // The same seed on a fresh database: the same responses, ids included. (The window ends
    // yesterday in Asia/Ho_Chi_Minh: runs on either side of local midnight would differ.)
    let again = dir.path().join("second.db").display().to_string();
    demo(&again, 2000, 7);
    let second = stored(&mut store::connect(&again).unwrap());
    assert_eq!(fingerprint(&second), fingerprint(&data));

    // Another seed: other responses.
    let other = dir.path().join("third.db").display().to_string();
    demo(&other, 2000, 8);
    let third = stored(&mut store::connect(&other).unwrap());
    assert_ne!(fingerprint(&third), fingerprint(&data));

    // The same seed again on the first database adds 2000 more, with new ids.
    demo(&url, 2000, 7);
    let (n, _) = store::responses::counts(&mut conn).unwrap();
    assert_eq!(n, 4000);
}

#[test]
fn demo_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("sipas.db").display().to_string();
    for (args, expected) in [
        (&["demo", "--responses", "0"][..], "--responses"),
        (&["demo", "--responses", "many"][..], "--responses"),
        (&["demo"][..], "--responses"),
        (
            &["demo", "--responses", "10", "--form", "khong-co"][..],
            "unknown form",
        ),
    ] {
        let output = run_sipas(&url, args);
        assert!(!output.status.success(), "{args:?}: {}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // Nothing was stored by the refused runs.
    if Path::new(&url).exists() {
        let (n, _) = store::responses::counts(&mut store::connect(&url).unwrap()).unwrap();
        assert_eq!(n, 0);
    }
}

#[test]
fn demo_fills_the_other_forms_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("sipas.db").display().to_string();
    let output = run_sipas(
        &url,
        &["demo", "--responses", "300", "--form", "sipas-ho-gia-dinh"],
    );
    assert!(output.status.success(), "{}", describe(&output));
    let mut conn = store::connect(&url).unwrap();
    let form = sipas::forms::load_dir(&forms_dir())
        .unwrap()
        .into_iter()
        .find(|f| f.id == "sipas-ho-gia-dinh")
        .unwrap();
    let data = stored(&mut conn);
    assert_eq!(data.len(), 300);
    for (r, a) in &data {
        assert_eq!(r.form_id, "sipas-ho-gia-dinh");
        let channel: Channel = r.channel.parse().unwrap();
        assert!(form.accepts(channel));
        let checked = sipas::forms::validate_answers(&form, channel, &as_json(a));
        assert!(checked.is_ok(), "{checked:?}");
    }
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

fn pragma(conn: &mut DbConnection, name: &str) -> i64 {
    diesel::sql_query(format!("SELECT {name} AS value FROM pragma_{name}"))
        .get_result::<Pragma>(conn)
        .unwrap()
        .value
}

/// The bulk loader, used as a library: it returns the seqs in order and leaves the connection's
/// settings as the service set them.
#[test]
fn bulk_load_restores_the_connection_settings() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("sipas.db").display().to_string();
    demo(&url, 10, 1);
    let mut conn = store::connect(&url).unwrap();
    let before = (
        pragma(&mut conn, "cache_size"),
        pragma(&mut conn, "synchronous"),
    );
    assert_eq!(before.1, 2, "the service runs with synchronous = FULL");

    let form = service_form();
    let version: i32 = forms::table
        .filter(forms::form_id.eq("sipas-dich-vu"))
        .select(forms::version)
        .first(&mut conn)
        .unwrap();
    let settings = sipas::demo::Settings {
        responses: 1200,
        seed: 99,
        today: Utc::now().date_naive(),
        tz: chrono_tz::Asia::Ho_Chi_Minh,
        id_stream: 1_000,
    };
    let generated: Vec<_> =
        sipas::demo::Generator::new(&form, version, sipas::demo::default_units(), &settings)
            .collect();
    let ids: Vec<String> = generated.iter().map(|(r, _)| r.id.clone()).collect();
    let answers: u64 = generated.iter().map(|(_, a)| a.len() as u64).sum();
    let mut batches = generated.chunks(500).map(<[_]>::to_vec).collect::<Vec<_>>();
    let first = batches.remove(0);
    let seqs = store::bulk::insert_batch(&mut conn, first).unwrap();
    assert_eq!(seqs, (11..=510).collect::<Vec<i64>>());
    let mut progress = Vec::new();
    let loaded = store::bulk::load(&mut conn, batches, |t| progress.push(t.responses)).unwrap();
    assert_eq!(loaded.responses, 700);
    assert_eq!(progress, vec![500, 700]);
    assert_eq!(
        (
            pragma(&mut conn, "cache_size"),
            pragma(&mut conn, "synchronous")
        ),
        before
    );
    let (n, a) = store::responses::counts(&mut conn).unwrap();
    assert_eq!(n, 1210);
    let stored_ids: Vec<String> = responses::table
        .filter(responses::seq.gt(10))
        .order(responses::seq)
        .select(responses::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(stored_ids, ids, "seq follows batch order");
    let first_answers: i64 = answers::table
        .filter(answers::response_seq.gt(10))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(first_answers as u64, answers);
    assert!(a as u64 > answers);

    // A batch that fails (an id already stored) leaves nothing behind.
    let dup = generated[..3].to_vec();
    assert!(store::bulk::insert_batch(&mut conn, dup).is_err());
    assert_eq!(store::responses::counts(&mut conn).unwrap().0, 1210);
}

#[test]
fn demo_on_postgres() {
    let Some(db) = FreshDb::new(Backend::Postgres) else {
        return;
    };
    let url = db.url.clone();

    demo(&url, 3000, 7);
    let mut conn = store::connect(&url).unwrap();
    assert_eq!(store::responses::counts(&mut conn).unwrap().0, 3000);
    let data = stored(&mut conn);
    let form = service_form();
    for (r, a) in &data {
        let channel: Channel = r.channel.parse().unwrap();
        let checked = sipas::forms::validate_answers(&form, channel, &as_json(a));
        assert!(checked.is_ok(), "{checked:?}");
    }
    // Same responses as on SQLite with the same seed.
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("sipas.db").display().to_string();
    demo(&sqlite, 3000, 7);
    let on_sqlite = stored(&mut store::connect(&sqlite).unwrap());
    assert_eq!(fingerprint(&data), fingerprint(&on_sqlite));

    drop(conn);
    drop(db);
}
