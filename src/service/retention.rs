//! Retention of free-text comments (Nghị định 13/2023/NĐ-CP: personal data no longer than the
//! purpose needs). Ratings and choices are anonymous and kept; a comment may name someone, so the
//! comments of responses submitted more than `SIPAS_COMMENT_RETENTION_DAYS` days ago (local days,
//! in `SIPAS_TZ`) are deleted: at start, then once a day, or with `sipas purge-comments`. The
//! response itself and its other answers stay; reports do not use comments.
//!
//! Which questions are comments: the `[[comments]]` codes of every stored version of every form,
//! and of the forms loaded now — so a comment whose question a later version renamed still goes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use diesel::Connection;
use serde_json::json;

use super::ServiceError;
use crate::forms::FormRegistry;
use crate::platform::audit::Entry;
use crate::reporting::reports::load::local_midnight_utc;
use crate::store::{comments, DbConnection, Pool, StoreError};

/// The action of the audit records the purge writes.
pub const AUDIT_ACTION: &str = "comments.purge";

/// Comment question codes per form id.
pub type CommentCodes = BTreeMap<String, BTreeSet<String>>;

/// The comment codes of every stored form version and of the loaded forms.
pub fn comment_codes(
    conn: &mut DbConnection,
    loaded: Option<&FormRegistry>,
) -> Result<CommentCodes, StoreError> {
    let mut codes = CommentCodes::new();
    for (form_id, definition) in comments::stored_definitions(conn)? {
        let definition: serde_json::Value = serde_json::from_str(&definition)
            .map_err(|e| StoreError::Corrupt(format!("form {form_id}: {e}")))?;
        let entry = codes.entry(form_id).or_default();
        for comment in definition["comments"].as_array().into_iter().flatten() {
            if let Some(code) = comment["code"].as_str() {
                entry.insert(code.to_string());
            }
        }
    }
    for form in loaded.into_iter().flat_map(FormRegistry::all) {
        codes
            .entry(form.form.id.clone())
            .or_default()
            .extend(form.form.comments.iter().map(|c| c.code.clone()));
    }
    codes.retain(|_, c| !c.is_empty());
    Ok(codes)
}

/// The first local day whose comments are kept: `today − days`; `None` when `days` is 0 (keep
/// forever).
pub fn cutoff(today: NaiveDate, days: u32) -> Option<NaiveDate> {
    if days == 0 {
        return None;
    }
    today.checked_sub_signed(TimeDelta::days(i64::from(days)))
}

/// What a purge did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    /// Comments (answer rows) removed, or that would be.
    pub removed: u64,
    /// Comments of responses submitted before this local day are removed.
    pub cutoff: NaiveDate,
    /// The same instant in UTC, as stored.
    pub cutoff_utc: NaiveDateTime,
}

/// Why a purge runs: that decides whether it removes anything and when it is recorded. Its
/// audit record (`comments.purge`, no actor) names it as the target: `startup`, `daily`, `cli`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The service's purge at its start: recorded when something was removed.
    Startup,
    /// The service's daily purge: recorded when something was removed (not a record a day).
    Daily,
    /// `sipas purge-comments`: always recorded.
    Command,
    /// `sipas purge-comments --dry-run`: only counts; nothing removed, nothing recorded.
    DryRun,
}

impl Trigger {
    /// The audit record of a purge with `removed` comments gone, if this run writes one.
    fn entry(self, removed: u64) -> Option<Entry> {
        let via = match self {
            Trigger::Startup if removed > 0 => "startup",
            Trigger::Daily if removed > 0 => "daily",
            Trigger::Command => "cli",
            _ => return None,
        };
        Some(Entry::new(AUDIT_ACTION).target(via))
    }
}

/// Deletes the comments of responses submitted before local midnight of `cutoff` (or, on a dry
/// run, counts them) — the comment questions of every stored form version and of `loaded` — and
/// writes the audit record the trigger asks for (with the count and cutoff) in the same
/// transaction.
pub fn purge_comments(
    conn: &mut DbConnection,
    loaded: Option<&FormRegistry>,
    cutoff: NaiveDate,
    tz: Tz,
    trigger: Trigger,
) -> Result<Purge, ServiceError> {
    let codes = comment_codes(conn, loaded)?;
    let cutoff_utc = local_midnight_utc(cutoff, tz);
    let purge = conn.transaction(|c| {
        let mut removed = 0u64;
        for (form_id, codes) in &codes {
            let codes: Vec<String> = codes.iter().cloned().collect();
            removed += if trigger == Trigger::DryRun {
                comments::count_before(c, form_id, &codes, cutoff_utc)?
            } else {
                comments::delete_before(c, form_id, &codes, cutoff_utc)?
            };
        }
        if let Some(entry) = trigger.entry(removed) {
            let entry = entry.detail(json!({
                "removed": removed,
                "cutoff": cutoff.to_string(),
            }));
            crate::platform::audit::record(c, &entry)?;
        }
        Ok::<_, StoreError>(Purge {
            removed,
            cutoff,
            cutoff_utc,
        })
    })?;
    Ok(purge)
}

/// One purge with the service's settings: `None` when retention is off (0 days).
pub fn run_once(
    pool: &Pool,
    registry: Option<&FormRegistry>,
    days: u32,
    tz: Tz,
    trigger: Trigger,
) -> Result<Option<Purge>, ServiceError> {
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let Some(cutoff) = cutoff(today, days) else {
        return Ok(None);
    };
    let mut conn = pool.get().map_err(StoreError::from)?;
    purge_comments(&mut conn, registry, cutoff, tz, trigger).map(Some)
}

/// How often the service purges.
pub const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Purges now and then every [`EVERY`], on the blocking pool, for as long as the runtime runs
/// (the task is dropped with it). Does nothing when retention is off.
pub fn spawn_daily(
    pool: Pool,
    forms: std::sync::Arc<FormRegistry>,
    days: u32,
    tz: Tz,
) -> Option<tokio::task::JoinHandle<()>> {
    if days == 0 {
        tracing::info!("comment retention off (SIPAS_COMMENT_RETENTION_DAYS=0): comments are kept");
        return None;
    }
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut trigger = Trigger::Startup;
        loop {
            ticks.tick().await;
            let (pool, forms) = (pool.clone(), forms.clone());
            let outcome = tokio::task::spawn_blocking(move || {
                run_once(&pool, Some(&forms), days, tz, trigger)
            })
            .await;
            match outcome {
                Ok(Ok(Some(p))) if p.removed > 0 => tracing::info!(
                    removed = p.removed,
                    cutoff = %p.cutoff,
                    "comment retention: comments of older responses removed"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "comment retention failed"),
                Err(e) => tracing::error!(error = %e, "comment retention task failed"),
            }
            trigger = Trigger::Daily;
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_counts_back_local_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(cutoff(today, 0), None);
        assert_eq!(cutoff(today, 730), NaiveDate::from_ymd_opt(2024, 11, 25));
        assert_eq!(cutoff(today, 1), NaiveDate::from_ymd_opt(2026, 11, 24));
    }
}
