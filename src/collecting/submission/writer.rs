//! Group commit: one writer stores the submissions that arrive together in one transaction.
//!
//! On SQLite with `synchronous=FULL` every commit waits for an fsync (~2 ms on an ordinary disk),
//! so one transaction per submission caps the service at a few hundred submissions a second. Here a
//! dedicated thread owns one connection; request handlers check their submission (on the blocking
//! pool, in parallel — [`submission::prepare`]) and queue it. The writer takes the first queued
//! submission and every one already waiting (up to [`MAX_BATCH`], without waiting for more),
//! stores each in a savepoint of one transaction ([`submission::store`]: a refused one — a
//! `client_id` conflict, a used invitation, a constraint — undoes only itself), commits, and only
//! then answers each. A batch whose commit fails answers every one of its submissions with 503:
//! none of them is stored, and a resend is safe (idempotent by `client_id`).
//!
//! `SIPAS_GROUP_COMMIT=false` stores each submission in its own transaction on a pooled
//! connection instead ([`submission::prepare`], then [`submission::store_audited`]).
//!
//! The writer stops when the last handle is dropped (the application stopped), after storing what
//! was queued; a submission that finds it gone is answered 503.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::Connection;
use tokio::sync::oneshot;

use crate::collecting::submission::{
    self, Prepared, Sender, SubmissionRequest, SubmitError, Submitted,
};
use crate::forms::LoadedForm;
use crate::platform::audit::Entry;
use crate::platform::config::Config;
use crate::platform::keys::ServerKey;
use crate::store::{self, DbConnection, Pool, StoreError};

/// The most submissions stored in one transaction.
pub const MAX_BATCH: usize = 256;

/// One submission to check and store.
pub struct SubmissionJob {
    pub form: Arc<LoadedForm>,
    pub request: SubmissionRequest,
    /// Who sends it: a clerk or admin (paper forms, `submitted_at`), a kiosk (the only way to
    /// the `kiosk` channel; see [`submission::check_channel`]), or anyone.
    pub sender: Sender,
    pub tz: Tz,
    /// The server clock when the request arrived.
    pub now: DateTime<Utc>,
    /// The audit record of a staff member's entry, written with the response (`None`: citizens).
    pub audit: Option<Entry>,
}

type Outcome = Result<Submitted, SubmitError>;

struct Queued {
    prepared: Prepared,
    reply: oneshot::Sender<Outcome>,
}

/// Stores submissions: through the group-commit writer, or one transaction each. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    pool: Pool,
    /// The writer's queue; `None`: one transaction per submission.
    queue: Option<mpsc::Sender<Queued>>,
    /// The secret key that invitation uses are recorded under.
    keys: Arc<ServerKey>,
}

impl Writer {
    /// A writer as the configuration says (`group_commit`).
    pub fn new(pool: Pool, config: &Config, keys: Arc<ServerKey>) -> Writer {
        if config.group_commit_enabled() {
            Writer::start(pool, &config.database_url, keys)
        } else {
            Writer::per_request(pool, keys)
        }
    }

    /// No writer thread: each submission in its own transaction on a pooled connection.
    pub fn per_request(pool: Pool, keys: Arc<ServerKey>) -> Writer {
        Writer {
            pool,
            queue: None,
            keys,
        }
    }

    /// Starts the writer thread with its own connection to `database_url` (opened on the first
    /// submission, and again after a failure).
    pub fn start(pool: Pool, database_url: &str, keys: Arc<ServerKey>) -> Writer {
        let (sender, receiver) = mpsc::channel();
        let url = database_url.to_string();
        match std::thread::Builder::new()
            .name("sipas-writer".into())
            .spawn(move || run(&receiver, &url))
        {
            Ok(_) => Writer {
                pool,
                queue: Some(sender),
                keys,
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot start the writer thread; one transaction per submission");
                Writer::per_request(pool, keys)
            }
        }
    }

    /// A writer whose thread has stopped: every submission is answered 503 (for tests).
    #[doc(hidden)]
    pub fn stopped(pool: Pool) -> Writer {
        let (sender, _) = mpsc::channel();
        Writer {
            pool,
            queue: Some(sender),
            keys: Arc::new(ServerKey::from_bytes([0; 32])),
        }
    }

    /// Whether submissions go through the group-commit writer.
    pub fn is_group_commit(&self) -> bool {
        self.queue.is_some()
    }

    /// Checks and stores one submission; answers once it is committed (with `synchronous=FULL`
    /// on SQLite: on disk).
    pub async fn submit(&self, job: SubmissionJob) -> Result<Submitted, SubmitError> {
        submission::check_channel(&job.request.channel, job.sender)?;
        let pool = self.pool.clone();
        let keys = self.keys.clone();
        let Some(queue) = &self.queue else {
            // One transaction per submission, on the connection that checked it.
            return blocking(move || {
                let mut conn = pool.get().map_err(StoreError::from)?;
                let prepared = job.prepare(&mut conn, &keys)?;
                submission::store_audited(&mut conn, &prepared)
            })
            .await;
        };
        let prepared = blocking(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            job.prepare(&mut conn, &keys)
        })
        .await?;
        let (reply, answer) = oneshot::channel();
        queue
            .send(Queued { prepared, reply })
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }
}

impl SubmissionJob {
    /// Checks the submission ([`submission::prepare`]), with its audit record.
    fn prepare(self, conn: &mut DbConnection, keys: &ServerKey) -> Result<Prepared, SubmitError> {
        submission::prepare(
            conn,
            &self.form,
            &self.request,
            self.sender,
            self.tz,
            self.now,
            keys,
        )
        .map(|prepared| prepared.audited(self.audit))
    }
}

fn writer_gone() -> SubmitError {
    SubmitError::Store(StoreError::Unavailable("the writer has stopped".into()))
}

/// Runs blocking database work on actix's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SubmitError> + Send + 'static,
) -> Result<T, SubmitError> {
    actix_web::web::block(work).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        SubmitError::Store(StoreError::Unavailable(e.to_string()))
    })?
}

/// The writer thread: batches until every sender is gone and the queue is empty.
fn run(queue: &mpsc::Receiver<Queued>, database_url: &str) {
    let mut conn: Option<DbConnection> = None;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(q) => batch.push(q),
                Err(_) => break,
            }
        }
        let (prepared, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|q| (q.prepared, q.reply)).unzip();
        let outcomes = catch_unwind(AssertUnwindSafe(|| {
            store_batch(&mut conn, database_url, &prepared)
        }))
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "the writer failed while storing a batch".into(),
            ))
        });
        match outcomes {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    // The client may have gone; its response is stored all the same.
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, submissions = replies.len(), "a batch was not committed");
                // Start again from a fresh connection.
                conn = None;
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(SubmitError::Store(StoreError::Unavailable(
                        message.clone(),
                    ))));
                }
            }
        }
    }
    tracing::debug!("the writer stopped");
}

/// Stores a batch in one transaction, one savepoint per submission; the outcomes once committed.
fn store_batch(
    conn: &mut Option<DbConnection>,
    database_url: &str,
    batch: &[Prepared],
) -> Result<Vec<Outcome>, StoreError> {
    let conn = match conn {
        Some(c) => c,
        None => conn.insert(store::connect(database_url)?),
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    conn.transaction(|c| {
        // SQLite: take the write lock once for the batch (waiting `busy_timeout` for another
        // writer), so that no submission inside can time out on it.
        store::lock_for_write(c)?;
        for prepared in batch {
            outcomes.push(submission::store_audited(c, prepared));
        }
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(StoreError::from_diesel)?;
    if batch.len() > 1 {
        tracing::debug!(submissions = batch.len(), "batch committed");
    }
    Ok(outcomes)
}
