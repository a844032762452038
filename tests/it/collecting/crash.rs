//! Crash test (issue 7, item 3): the real `sipas serve` binary as a child process, loaded by
//! concurrent clients, killed with SIGKILL mid-load and restarted on the same database — three
//! times, on a SQLite file and on a throwaway PostgreSQL database.
//!
//! After each restart: every submission that was acknowledged with 201 is stored; resending
//! every client_id that was sent (acknowledged or not) with the same body stores each exactly
//! once (200 with the first id for the stored ones, 201 for the others); the database holds one
//! response per distinct client_id sent, each with all its answers, and no answer without its
//! response.

use crate::common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures::stream::{self, StreamExt};
use serde_json::Value;
use sipas::store::{self, schema::answers, schema::responses};

const SUBMIT_PATH: &str = "/api/v1/forms/sipas-dich-vu/responses";
/// Concurrent clients during the load.
const CLIENTS: usize = 8;
/// Kill cycles per backend.
const CYCLES: usize = 3;
/// How long the load runs before the kill, per cycle (after the first acknowledgements).
const LOAD_BEFORE_KILL: [Duration; CYCLES] = [
    Duration::from_millis(700),
    Duration::from_millis(1100),
    Duration::from_millis(450),
];

// ---------------------------------------------------------------------------------------------
// A database that outlives the server processes
// ---------------------------------------------------------------------------------------------

/// A fresh database (a SQLite file, or a throwaway PostgreSQL database, dropped at the end),
/// and a folder for the server's logs.
struct CrashDb {
    db: common::FreshDb,
    dir: tempfile::TempDir,
}

impl CrashDb {
    fn new(backend: common::Backend) -> Option<CrashDb> {
        Some(CrashDb {
            db: common::FreshDb::new(backend)?,
            dir: tempfile::tempdir().expect("temporary directory"),
        })
    }

    fn url(&self) -> &str {
        &self.db.url
    }

    fn connect(&self) -> store::DbConnection {
        store::connect(self.url()).expect("connect to the test database")
    }
}

// ---------------------------------------------------------------------------------------------
// The server as a child process
// ---------------------------------------------------------------------------------------------

/// A running `sipas serve`; killed (SIGKILL) when dropped, so a failing test leaves nothing behind.
struct Server {
    child: Child,
    address: String,
    log: PathBuf,
}

impl Server {
    /// Starts `sipas serve` on `db` and waits until `/healthz` answers 200.
    async fn start(db: &CrashDb, run: usize, client: &reqwest::Client) -> Server {
        // The port may be taken between `free_port` and the bind: try a few.
        for attempt in 0..5 {
            let port = common::free_port();
            let log = db.dir.path().join(format!("server-{run}-{attempt}.log"));
            let mut command = common::sipas_command();
            command
                .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
                .current_dir(db.dir.path())
                .env("DATABASE_URL", db.url())
                .env("SIPAS_FORMS_DIR", common::forms_dir())
                // Every client comes from 127.0.0.1: lift the per-address limit.
                .env("SIPAS_PUBLIC_BURST", "10000000")
                .env("SIPAS_PUBLIC_PER_HOUR", "1000000000")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).expect("server log file"));
            let mut server = Server {
                child: command.spawn().expect("the sipas binary starts"),
                address: format!("http://127.0.0.1:{port}"),
                log,
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Some(status) = server.child.try_wait().expect("child status") {
                    let tail = common::log_tail(&server.log, 4000);
                    if tail.contains("ddress already in use") || tail.contains("AddrInUse") {
                        break; // another port
                    }
                    panic!("sipas serve exited with {status} at start:\n{tail}");
                }
                if let Ok(response) = client
                    .get(format!("{}/healthz", server.address))
                    .send()
                    .await
                {
                    if response.status() == 200 {
                        return server;
                    }
                }
                assert!(
                    Instant::now() < deadline,
                    "sipas serve did not answer /healthz within 30 s:\n{}",
                    common::log_tail(&server.log, 4000)
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        panic!("no free port for sipas serve after 5 attempts");
    }

    /// SIGKILL: no graceful shutdown, no flushing, like a power cut of the process.
    fn kill9(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: `pid` is our own child, not yet waited for, so the id cannot have been reused.
        let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
        assert_eq!(rc, 0, "kill -9 {pid}");
        let status = self.child.wait().expect("wait for the killed server");
        assert_eq!(
            status.signal(),
            Some(libc::SIGKILL),
            "the server died of SIGKILL, not of something else ({status}):\n{}",
            common::log_tail(&self.log, 4000)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

/// What the clients saw during one load.
#[derive(Default)]
struct Ledger {
    /// Every body sent (or about to be sent), by client_id.
    sent: BTreeMap<String, Value>,
    /// client_id → the id of the 201 answer.
    acknowledged: HashMap<String, String>,
    /// Any HTTP answer but 201 (status, body), or a request without an answer before the kill
    /// (status 0): failures.
    unexpected: Vec<(u16, String)>,
    /// Requests that got no HTTP answer (cut by the kill: each client stops at its first).
    transport_errors: usize,
}

fn client_id(body: &Value) -> String {
    body["client_id"].as_str().expect("client_id").to_string()
}

/// One client: submits fresh valid responses one after the other until `stop`.
async fn load_client(
    client: reqwest::Client,
    url: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    killed: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        let body = common::valid_submission();
        let id = client_id(&body);
        // Recorded before it leaves: a request cut by the kill counts as sent.
        ledger.lock().unwrap().sent.insert(id.clone(), body.clone());
        match client.post(&url).json(&body).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                let mut ledger = ledger.lock().unwrap();
                if status == 201 {
                    let stored: Value = serde_json::from_str(&text).expect("JSON 201 body");
                    let stored_id = stored["id"].as_str().expect("id in the 201 body");
                    ledger.acknowledged.insert(id, stored_id.to_string());
                } else {
                    ledger.unexpected.push((status, text));
                }
            }
            Err(e) => {
                let mut ledger = ledger.lock().unwrap();
                ledger.transport_errors += 1;
                if !killed.load(Ordering::SeqCst) {
                    ledger
                        .unexpected
                        .push((0, format!("no HTTP answer before the kill: {e}")));
                }
                // The server is gone: this client is done.
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the database holds
// ---------------------------------------------------------------------------------------------

/// client_id → response id of every stored response.
fn stored_ids(conn: &mut store::DbConnection) -> HashMap<String, String> {
    responses::table
        .select((responses::client_id, responses::id))
        .load::<(Option<String>, String)>(conn)
        .expect("load the stored responses")
        .into_iter()
        .map(|(client_id, id)| (client_id.expect("every API response has a client_id"), id))
        .collect()
}

/// Every stored response has all its answers, and no answer lacks its response.
fn assert_answers_whole(conn: &mut store::DbConnection) {
    // `da_pakn` and the 16 ratings.
    let answers_per_response = common::full_answers().as_object().unwrap().len() as i64;
    let seqs: HashSet<i64> = responses::table
        .select(responses::seq)
        .load::<i64>(conn)
        .expect("load response seqs")
        .into_iter()
        .collect();
    let per_response: Vec<(i64, i64)> = answers::table
        .group_by(answers::response_seq)
        .select((answers::response_seq, diesel::dsl::count_star()))
        .load(conn)
        .expect("count answers per response");
    let orphans: Vec<i64> = per_response
        .iter()
        .filter(|(seq, _)| !seqs.contains(seq))
        .map(|(seq, _)| *seq)
        .collect();
    assert!(
        orphans.is_empty(),
        "{} answers' response_seq without a response, e.g. {:?}",
        orphans.len(),
        &orphans[..orphans.len().min(5)]
    );
    let partial: Vec<(i64, i64)> = per_response
        .iter()
        .filter(|(_, n)| *n != answers_per_response)
        .copied()
        .collect();
    assert!(
        partial.is_empty(),
        "{} responses without exactly {answers_per_response} answers, e.g. (seq, answers) {:?}",
        partial.len(),
        &partial[..partial.len().min(5)]
    );
    assert_eq!(
        per_response.len(),
        seqs.len(),
        "responses without any answer"
    );
    let (r, a) = store::responses::counts(conn).expect("counts");
    assert_eq!(
        a,
        answers_per_response * r,
        "answers = {answers_per_response} × responses"
    );
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

async fn crash_and_recover(backend: common::Backend) {
    let Some(db) = CrashDb::new(backend) else {
        return;
    };
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    // Every client_id ever sent, across the cycles.
    let mut all_sent: HashSet<String> = HashSet::new();
    let mut server = Server::start(&db, 0, &client).await;

    for (cycle, load_time) in LOAD_BEFORE_KILL.iter().enumerate() {
        // --- load, then SIGKILL while the clients are still sending ---
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let killed = Arc::new(AtomicBool::new(false));
        let url = format!("{}{SUBMIT_PATH}", server.address);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                tokio::spawn(load_client(
                    client.clone(),
                    url.clone(),
                    ledger.clone(),
                    stop.clone(),
                    killed.clone(),
                ))
            })
            .collect();
        // Wait for the first acknowledgements, so that the kill really lands mid-load.
        let deadline = Instant::now() + Duration::from_secs(15);
        while ledger.lock().unwrap().acknowledged.len() < 2 * CLIENTS {
            assert!(
                Instant::now() < deadline,
                "no acknowledgements under load:\n{}",
                common::log_tail(&server.log, 4000)
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(*load_time).await;
        let in_flight_at_kill = {
            let l = ledger.lock().unwrap();
            l.sent.len() - l.acknowledged.len() - l.unexpected.len() - l.transport_errors
        };
        killed.store(true, Ordering::SeqCst);
        server.kill9();
        // The clients whose request was cut have stopped; stop the others.
        stop.store(true, Ordering::Relaxed);
        for task in clients {
            task.await.expect("a load client");
        }
        let ledger = Arc::try_unwrap(ledger)
            .ok()
            .expect("the clients are done")
            .into_inner()
            .unwrap();
        assert!(
            ledger.unexpected.is_empty(),
            "every HTTP answer during the load is 201; got {} others, first: {:?}",
            ledger.unexpected.len(),
            &ledger.unexpected[..ledger.unexpected.len().min(3)]
        );
        all_sent.extend(ledger.sent.keys().cloned());

        // --- restart on the same database ---
        server = Server::start(&db, cycle + 1, &client).await;
        let mut conn = db.connect();
        let stored = stored_ids(&mut conn);

        // Every acknowledged response survived, under the id it was acknowledged with.
        let lost: Vec<&String> = ledger
            .acknowledged
            .keys()
            .filter(|id| !stored.contains_key(*id))
            .collect();
        assert!(
            lost.is_empty(),
            "cycle {cycle}: {} of {} acknowledged responses lost after kill -9, e.g. {:?}",
            lost.len(),
            ledger.acknowledged.len(),
            &lost[..lost.len().min(3)]
        );
        for (cid, id) in &ledger.acknowledged {
            assert_eq!(&stored[cid], id, "cycle {cycle}: stored id of {cid}");
        }
        // Nothing stored that nobody sent, and no partial response.
        assert!(
            stored.keys().all(|cid| all_sent.contains(cid)),
            "cycle {cycle}: a stored client_id that was never sent"
        );
        assert_answers_whole(&mut conn);
        let stored_before_resend = stored.len();
        let unacknowledged_but_stored = ledger
            .sent
            .keys()
            .filter(|cid| !ledger.acknowledged.contains_key(*cid) && stored.contains_key(*cid))
            .count();

        // --- resend every client_id of this load, acknowledged or not, with the same body ---
        let resend_url = format!("{}{SUBMIT_PATH}", server.address);
        let results: Vec<(String, u16, Value)> = stream::iter(ledger.sent.iter())
            .map(|(cid, body)| {
                let client = client.clone();
                let url = resend_url.clone();
                async move {
                    let response = client
                        .post(&url)
                        .json(body)
                        .send()
                        .await
                        .expect("resend after the restart");
                    let status = response.status().as_u16();
                    let body: Value = response.json().await.expect("JSON answer");
                    (cid.clone(), status, body)
                }
            })
            .buffer_unordered(CLIENTS)
            .collect()
            .await;
        let mut newly_stored = 0;
        for (cid, status, body) in &results {
            let expected = if stored.contains_key(cid) { 200 } else { 201 };
            assert_eq!(
                *status,
                expected,
                "cycle {cycle}: resend of {cid} (stored before: {}): {body}",
                stored.contains_key(cid)
            );
            if let Some(first) = stored.get(cid) {
                assert_eq!(
                    body["id"].as_str(),
                    Some(first.as_str()),
                    "cycle {cycle}: a resend answers with the first id"
                );
            } else {
                newly_stored += 1;
            }
        }

        // One response per distinct client_id ever sent, each whole.
        let after = stored_ids(&mut conn);
        assert_eq!(
            after.len(),
            all_sent.len(),
            "cycle {cycle}: responses = distinct client_ids sent"
        );
        assert!(all_sent.iter().all(|cid| after.contains_key(cid)));
        let (responses_count, _) = store::responses::counts(&mut conn).unwrap();
        assert_eq!(responses_count as usize, all_sent.len());
        assert_answers_whole(&mut conn);

        eprintln!(
            "{backend:?} cycle {cycle}: sent {}, 201 {}, in flight at kill ~{in_flight_at_kill}, \
             transport errors {}, stored after restart {stored_before_resend} \
             (of which unacknowledged {unacknowledged_but_stored}), resend stored {newly_stored} \
             more; total responses {responses_count}",
            ledger.sent.len(),
            ledger.acknowledged.len(),
            ledger.transport_errors,
        );
    }
    drop(server);
    eprintln!(
        "{backend:?}: {CYCLES} kill -9 cycles, {} client_ids, {:.1} s",
        all_sent.len(),
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_kill_9_loses_no_acknowledged_response() {
    crash_and_recover(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_kill_9_loses_no_acknowledged_response() {
    crash_and_recover(common::Backend::Postgres).await;
}
