//! Soak test (issue 7, item 5), modelled on ODK Central's: a steady 50 submissions/s for 30 s, all
//! acknowledged with 201; then CSV, XLSX and Parquet exports while the submissions go on for
//! another 10 s, all complete and each holding at least what was stored when it was asked for;
//! then `/healthz` and a fresh login still work, and the database holds exactly the acknowledged
//! submissions. Runs in the normal `cargo test` (about 45 s; SQLite and PostgreSQL in parallel).
//! Latencies are printed, not asserted: a shared CI machine must not make this flaky.

use std::io::Cursor;
use std::time::{Duration, Instant};

use crate::common::*;
use calamine::{open_workbook_from_rs, Reader, Xlsx};
use polars::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use tokio::task::JoinHandle;

const FORM: &str = "sipas-dich-vu";
/// Submissions per second.
const RATE: u64 = 50;
/// The steady phase.
const STEADY_SECONDS: u64 = 30;
/// Submitting on while exporting.
const EXPORT_SECONDS: u64 = 10;
/// Longest wait for one request before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What one submission got.
struct Outcome {
    status: Option<u16>,
    latency: Duration,
    detail: String,
}

/// Submits `RATE` fresh valid responses per second for `seconds`, each in its own task started
/// by a ticker (late ticks are caught up, so the count is exact); returns every outcome once all
/// have answered, and the time the ticking took.
fn submit_steadily(app: &TestApp, seconds: u64) -> JoinHandle<(Vec<Outcome>, Duration)> {
    let client = app.client.clone();
    let url = app.url(&format!("/api/v1/forms/{FORM}/responses"));
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..RATE * seconds {
            ticker.tick().await;
            let client = client.clone();
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                let body = valid_submission();
                let sent = Instant::now();
                let result =
                    tokio::time::timeout(REQUEST_TIMEOUT, client.post(&url).json(&body).send())
                        .await;
                let (status, detail) = match result {
                    Ok(Ok(response)) => {
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        (Some(status), text)
                    }
                    Ok(Err(e)) => (None, error_chain(&e)),
                    Err(_) => (None, format!("no answer within {REQUEST_TIMEOUT:?}")),
                };
                Outcome {
                    status,
                    latency: sent.elapsed(),
                    detail,
                }
            }));
        }
        let ticking = started.elapsed();
        let mut outcomes = Vec::with_capacity(tasks.len());
        for task in tasks {
            outcomes.push(task.await.expect("a submission task"));
        }
        (outcomes, ticking)
    })
}

/// An error with its causes: "error sending request" alone says nothing.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Asserts that every submission got 201; returns "p50/p99/max" of the latencies.
fn check_all_created(phase: &str, outcomes: &[Outcome]) -> String {
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.status != Some(201))
        .map(|o| format!("{:?} after {:.0} ms: {}", o.status, ms(o.latency), o.detail))
        .collect();
    assert!(
        failed.is_empty(),
        "{phase}: {} of {} submissions not acknowledged with 201, e.g. {:?}",
        failed.len(),
        outcomes.len(),
        &failed[..failed.len().min(3)]
    );
    let mut latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    latencies.sort();
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(*latencies.last().expect("some submissions"))
    )
}

/// Rows (without the header) of an export in `format`, read back as an analyst's tool would.
fn exported_rows(format: &str, bytes: &[u8]) -> usize {
    match format {
        "csv" => {
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "CSV with a UTF-8 BOM");
            let records = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&bytes[3..])
                .records()
                .inspect(|r| assert!(r.is_ok(), "a complete CSV record: {r:?}"))
                .count();
            records - 1
        }
        "xlsx" => {
            let mut book: Xlsx<_> =
                open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a readable XLSX");
            let range = book
                .worksheet_range("Phiếu trả lời")
                .expect("the responses sheet");
            range.height() - 1
        }
        "parquet" => ParquetReader::new(Cursor::new(bytes.to_vec()))
            .finish()
            .expect("a readable Parquet file")
            .height(),
        other => unreachable!("format {other}"),
    }
}

async fn soak(app: TestApp) {
    let backend = app.backend;
    let started = Instant::now();

    // --- 1. a steady 50/s for 30 s, every one acknowledged ---
    let (steady, ticking) = submit_steadily(&app, STEADY_SECONDS)
        .await
        .expect("the steady submitter");
    let steady_latency = check_all_created("steady phase", &steady);
    let steady_rate = steady.len() as f64 / ticking.as_secs_f64();
    eprintln!(
        "{backend:?} soak, steady: {} submissions at {steady_rate:.1}/s, all 201; {steady_latency}",
        steady.len()
    );
    assert_eq!(app.counts().0 as usize, steady.len(), "all stored");

    // --- 2. exports while submitting at 50/s for another 10 s ---
    let token = app.token_for(Role::Analyst).await;
    let submitter = submit_steadily(&app, EXPORT_SECONDS);
    let mut exports: Vec<(String, usize, usize, Duration)> = Vec::new();
    let formats = ["csv", "xlsx", "parquet"];
    let mut next = 0;
    while !submitter.is_finished() || next < formats.len() {
        let format = formats[next % formats.len()];
        next += 1;
        let stored_before = app.counts().0 as usize;
        let asked = Instant::now();
        let response = tokio::time::timeout(
            REQUEST_TIMEOUT,
            app.get_auth(&format!("/api/v1/exports/{FORM}.{format}"), &token),
        )
        .await
        .unwrap_or_else(|_| panic!("the {format} export within {REQUEST_TIMEOUT:?}"));
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("the whole export body");
        let took = asked.elapsed();
        assert_eq!(
            status,
            200,
            "{format} export under load: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        );
        let rows = exported_rows(format, &bytes);
        assert!(
            rows >= stored_before,
            "the {format} export has {rows} rows; {stored_before} responses were stored when it was asked for"
        );
        exports.push((format.to_string(), rows, stored_before, took));
    }
    let (during, _) = submitter.await.expect("the submitter during exports");
    let during_latency = check_all_created("submissions during exports", &during);
    let export_summary: Vec<String> = formats
        .iter()
        .map(|f| {
            let times: Vec<&Duration> =
                exports.iter().filter(|e| e.0 == *f).map(|e| &e.3).collect();
            let max = times.iter().map(|d| ms(**d)).fold(0.0, f64::max);
            format!("{} {f} (max {max:.0} ms)", times.len())
        })
        .collect();
    eprintln!(
        "{backend:?} soak, exports while submitting: {}, all complete; {} submissions, all 201; {during_latency}",
        export_summary.join(", "),
        during.len(),
    );

    // --- 3. still healthy; a fresh login works ---
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200, "healthz after the soak");
    let password = app.create_user("soak-analyst", Role::Analyst);
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": "soak-analyst", "password": password}),
        )
        .await;
    assert_eq!(login.status(), 200, "a fresh login after the soak");
    let body: Value = login.json().await.unwrap();
    let fresh = body["token"].as_str().expect("a token");
    let report = app
        .get_auth(&format!("/api/v1/reports/{FORM}"), fresh)
        .await;
    assert_eq!(report.status(), 200, "the fresh token works");

    // --- 4. exactly the acknowledged submissions are stored, each whole ---
    let acknowledged = steady.len() + during.len();
    let (responses, answers) = app.counts();
    assert_eq!(responses as usize, acknowledged, "stored = acknowledged");
    let per_response = full_answers().as_object().unwrap().len() as i64;
    assert_eq!(answers, per_response * responses, "every answer stored");
    eprintln!(
        "{backend:?} soak: {acknowledged} acknowledged = {responses} stored, {} exports, health and login fine, {:.1} s",
        exports.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The app with the per-address limit out of the way: every submission comes from 127.0.0.1.
async fn spawn_unlimited(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.public_burst = 100_000;
        c.public_per_hour = 10_000_000;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_sqlite() {
    if let Some(app) = spawn_unlimited(Backend::Sqlite).await {
        soak(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_postgres() {
    if let Some(app) = spawn_unlimited(Backend::Postgres).await {
        soak(app).await;
    }
}
