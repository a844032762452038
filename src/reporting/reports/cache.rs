//! The report cache: for each form, every stored response's fixed fields and rated answers in
//! memory, column by column; brought up to date from the database before each report with the
//! responses stored since (responses are never changed or deleted, so new ones are all there is).
//!
//! Why: a report over a million responses read afresh means 25 million `answers` rows (~12 s on
//! SQLite); from this cache it is a filter of columns already in memory plus the arithmetic. The
//! first report of a form after a start reads each response once with the compact copy of its
//! answers (`responses.packed`, see `forms::packed`); responses without a usable copy (stored
//! before it existed, or under another version of the form) have their `answers` rows read.
//!
//! Memory: ~70 bytes a response (the rated answers as nullable `i8`, the weight, unit, channel,
//! time and local month), so ~70 MB per million responses of the service form.
//!
//! Exactness: a report computed from here equals the one computed from the frame that
//! `load::load_frame_in` reads afresh from the database (tests/report_cache.rs compares the two).

mod groups;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{Datelike, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;

use super::load::{placed_filter, Scope};
use super::query::ReportQuery;
use super::ReportError;
use crate::forms::packed::{Layout, Slot};
use crate::forms::Form;
use crate::reporting::analytics::frame::WEIGHT;
use crate::reporting::analytics::{AnalyticsError, Grouping};
use crate::store::selection::{self, CompactRow};
use crate::store::DbConnection;

/// Rechunk the columns once appends have split them into this many pieces.
const MAX_CHUNKS: usize = 16;

/// Every form's columns, each behind its own lock (reports of one form wait for each other's
/// refresh; reports of different forms do not).
#[derive(Default)]
pub struct ReportCache {
    forms: Mutex<HashMap<String, Arc<Mutex<Option<Columns>>>>>,
}

impl ReportCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The answers frame of `query` (resolved by `scope`): `weight` and every item and
    /// expectation as nullable `i8`, with the grouping of its rows when grouping — after reading
    /// the responses stored since the last call.
    pub fn frame(
        &self,
        conn: &mut DbConnection,
        form: &Form,
        query: &ReportQuery,
        scope: &Scope,
        tz: Tz,
    ) -> Result<(DataFrame, Option<Grouping>), ReportError> {
        self.with_columns(conn, form, tz, |columns| {
            columns.select(form, query, scope, tz)
        })
    }

    /// Loads `form`'s responses ahead of its first report (at start: `startup`); returns how
    /// many it read.
    pub fn warm(&self, conn: &mut DbConnection, form: &Form, tz: Tz) -> Result<usize, ReportError> {
        self.with_columns(conn, form, tz, |columns| Ok(columns.unit.len()))
    }

    /// Drops `form_id`'s columns: the next report reads them afresh. For a bulk import, whose
    /// thousands of `seq`s may commit after later ones (PostgreSQL) — further back than a
    /// refresh looks again.
    pub fn forget(&self, form_id: &str) {
        let slot = lock(&self.forms).get(form_id).cloned();
        if let Some(slot) = slot {
            *slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
    }

    /// Runs `work` on `form`'s columns once they are up to date, under their lock.
    fn with_columns<T>(
        &self,
        conn: &mut DbConnection,
        form: &Form,
        tz: Tz,
        work: impl FnOnce(&Columns) -> Result<T, ReportError>,
    ) -> Result<T, ReportError> {
        let slot = {
            let mut forms = lock(&self.forms);
            forms.entry(form.id.clone()).or_default().clone()
        };
        // A panic while the columns were being changed may have left them half-appended: start
        // over rather than use them.
        let mut guard = slot.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        });
        let layout = Layout::of(form);
        let columns = match guard.take() {
            Some(c) if c.layout == layout && c.tz == tz => guard.insert(c),
            _ => guard.insert(Columns::new(layout, tz)?),
        };
        let started = std::time::Instant::now();
        let added = columns.refresh(conn, &form.id)?;
        let refreshed = started.elapsed();
        let out = work(columns)?;
        tracing::debug!(
            form = %form.id,
            added,
            cached = columns.unit.len(),
            refresh_ms = refreshed.as_secs_f64() * 1e3,
            work_ms = (started.elapsed() - refreshed).as_secs_f64() * 1e3,
            "report cache"
        );
        Ok(out)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Distinct strings numbered in order of first appearance.
#[derive(Default)]
struct Dict {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Dict {
    fn code(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
}

/// A local month as one number: `year·12 + month − 1`.
fn month_code(year: i32, month: u32) -> i32 {
    year * 12 + month as i32 - 1
}

/// The responses of one form, column by column; row `r` of every column is one response.
struct Columns {
    layout: Layout,
    tz: Tz,
    /// The `seq` of every row, sorted (not in row order): which responses are here.
    seqs: Vec<i64>,
    units: Dict,
    unit: Vec<u32>,
    channels: Dict,
    channel: Vec<u32>,
    /// Microseconds since the epoch, UTC.
    submitted_at: Vec<i64>,
    /// The local month submitted in (`month_code`).
    month: Vec<i32>,
    /// Per choice question of the layout (`choice_slots`): the option's position + 1, 0 for none.
    choices: Vec<Vec<u8>>,
    choice_slots: Vec<usize>,
    /// `weight`, then every rated slot of the layout as nullable `i8`, named by its code.
    numbers: DataFrame,
    rated_slots: Vec<usize>,
}

/// The part of a refresh that joins the columns only once it is all read: the rated answers (as
/// bytes, 0 for none; they become polars columns), the weights and the `seq`s.
struct Incoming {
    seqs: Vec<i64>,
    weight: Vec<f64>,
    rated: Vec<Vec<i8>>,
}

impl Incoming {
    /// Room for `rows` more rows here and in the columns: exactly for a first load (or one that
    /// doubles the columns), so a million rows are not grown by doubling; else amortised.
    fn with_capacity(columns: &mut Columns, rows: usize) -> Incoming {
        fn reserve<T>(v: &mut Vec<T>, rows: usize, exact: bool) {
            if exact {
                v.reserve_exact(rows);
            } else {
                v.reserve(rows);
            }
        }
        let exact = rows >= columns.unit.len();
        reserve(&mut columns.unit, rows, exact);
        reserve(&mut columns.channel, rows, exact);
        reserve(&mut columns.submitted_at, rows, exact);
        reserve(&mut columns.month, rows, exact);
        for choice in &mut columns.choices {
            reserve(choice, rows, exact);
        }
        Incoming {
            seqs: Vec::with_capacity(rows),
            weight: Vec::with_capacity(rows),
            rated: (0..columns.rated_slots.len())
                .map(|_| Vec::with_capacity(rows))
                .collect(),
        }
    }
}

impl Columns {
    fn new(layout: Layout, tz: Tz) -> Result<Columns, ReportError> {
        let mut rated_slots = Vec::new();
        let mut choice_slots = Vec::new();
        let mut numbers = vec![Column::new(WEIGHT.into(), Vec::<f64>::new())];
        for (i, (code, slot)) in layout.slots().enumerate() {
            match slot {
                Slot::Rating { .. } => {
                    rated_slots.push(i);
                    numbers.push(Column::new(code.into(), Vec::<Option<i8>>::new()));
                }
                Slot::Choice(_) => choice_slots.push(i),
            }
        }
        Ok(Columns {
            numbers: DataFrame::new(0, numbers).map_err(AnalyticsError::from)?,
            choices: vec![Vec::new(); choice_slots.len()],
            layout,
            tz,
            seqs: Vec::new(),
            units: Dict::default(),
            unit: Vec::new(),
            channels: Dict::default(),
            channel: Vec::new(),
            submitted_at: Vec::new(),
            month: Vec::new(),
            choice_slots,
            rated_slots,
        })
    }

    fn max_seq(&self) -> i64 {
        self.seqs.last().copied().unwrap_or(0)
    }

    fn has(&self, seq: i64) -> bool {
        seq <= self.max_seq() && self.seqs.binary_search(&seq).is_ok()
    }

    /// Reads the responses stored since the last refresh and appends them; returns how many.
    /// On an error nothing is appended.
    fn refresh(&mut self, conn: &mut DbConnection, form_id: &str) -> Result<usize, ReportError> {
        let after = (self.max_seq() - selection::commit_order_slack(conn)).max(0);
        let expected = selection::count_since(conn, form_id, after)?;
        let before = self.unit.len();
        let mut incoming = Incoming::with_capacity(self, usize::try_from(expected).unwrap_or(0));
        match self.read_since(conn, form_id, after, &mut incoming) {
            Ok(()) => {}
            Err(e) => {
                self.truncate(before);
                return Err(e);
            }
        }
        let added = incoming.seqs.len();
        if added > 0 {
            if let Err(e) = self.append_numbers(incoming) {
                self.truncate(before);
                return Err(e);
            }
        }
        Ok(added)
    }

    /// Streams the new responses: fixed fields and choices straight into the columns, rated
    /// answers into `incoming`; then the answers rows of those without a usable compact copy.
    fn read_since(
        &mut self,
        conn: &mut DbConnection,
        form_id: &str,
        after: i64,
        incoming: &mut Incoming,
    ) -> Result<(), ReportError> {
        let before = self.unit.len();
        let tz = self.tz;
        // Rows (counted from `before`) whose compact copy is missing or of another layout.
        let mut missing: Vec<(usize, i64)> = Vec::new();
        selection::for_each_compact_since(conn, form_id, after, |row: CompactRow| {
            if self.has(row.seq) {
                return;
            }
            let body = row.packed.as_deref().and_then(|b| self.layout.unpack(b));
            if body.is_none() {
                missing.push((incoming.seqs.len(), row.seq));
            }
            let byte = |position: usize| body.map_or(0, |b| b[position]);
            for (values, &slot) in incoming.rated.iter_mut().zip(&self.rated_slots) {
                values.push(byte(slot) as i8);
            }
            for (values, &slot) in self.choices.iter_mut().zip(&self.choice_slots) {
                values.push(byte(slot));
            }
            incoming.seqs.push(row.seq);
            incoming.weight.push(row.weight);
            self.unit.push(self.units.code(&row.unit));
            self.channel.push(self.channels.code(&row.channel));
            let local = tz.from_utc_datetime(&row.submitted_at);
            self.month.push(month_code(local.year(), local.month()));
            self.submitted_at
                .push(row.submitted_at.and_utc().timestamp_micros());
        })?;
        if missing.is_empty() {
            return Ok(());
        }
        let row_of: HashMap<i64, usize> = missing.iter().map(|&(r, s)| (s, r)).collect();
        let seqs: Vec<i64> = missing.iter().map(|&(_, s)| s).collect();
        for cell in selection::answers_of(conn, &seqs)? {
            let (Some(&row), Some(position)) = (
                row_of.get(&cell.response_seq),
                self.layout.position(&cell.question),
            ) else {
                continue;
            };
            let byte = self
                .layout
                .encode(position, cell.num_value, cell.text_value.as_deref());
            if let Some(k) = self.rated_slots.iter().position(|&s| s == position) {
                incoming.rated[k][row] = byte as i8;
            } else if let Some(k) = self.choice_slots.iter().position(|&s| s == position) {
                self.choices[k][before + row] = byte;
            }
        }
        Ok(())
    }

    /// Appends the rated answers and weights of the rows already in the other columns.
    fn append_numbers(&mut self, incoming: Incoming) -> Result<(), ReportError> {
        let Incoming {
            seqs,
            weight,
            rated,
        } = incoming;
        let rows = seqs.len();
        let mut numbers = Vec::with_capacity(rated.len() + 1);
        numbers.push(Column::new(WEIGHT.into(), weight));
        // One column at a time, each dropped once copied: no second copy of them all.
        for (values, &slot) in rated.into_iter().zip(&self.rated_slots) {
            let code = self.layout.code(slot).unwrap_or_default();
            let column: Int8Chunked = values.iter().map(|&v| (v != 0).then_some(v)).collect();
            numbers.push(column.with_name(code.into()).into_column());
        }
        let new = DataFrame::new(rows, numbers).map_err(AnalyticsError::from)?;
        if self.numbers.height() == 0 {
            self.numbers = new;
        } else {
            self.numbers
                .vstack_mut_owned(new)
                .map_err(AnalyticsError::from)?;
            if self.numbers.max_n_chunks() > MAX_CHUNKS {
                self.numbers.rechunk_mut();
            }
        }
        // In seq order, except on PostgreSQL for a response committed late: keep `seqs` sorted.
        for seq in seqs {
            if let Err(at) = self.seqs.binary_search(&seq) {
                self.seqs.insert(at, seq);
            }
        }
        Ok(())
    }

    /// Drops the rows from `len` on from the columns that are not in `numbers`.
    fn truncate(&mut self, len: usize) {
        self.unit.truncate(len);
        self.channel.truncate(len);
        self.submitted_at.truncate(len);
        self.month.truncate(len);
        for choice in &mut self.choices {
            choice.truncate(len);
        }
    }

    /// The frame of one report (the selected rows of `numbers`) and its grouping.
    fn select(
        &self,
        form: &Form,
        query: &ReportQuery,
        scope: &Scope,
        tz: Tz,
    ) -> Result<(DataFrame, Option<Grouping>), ReportError> {
        let mask = self.mask(form, query, scope, tz);
        let everything = mask.iter().all(|&k| k);
        let grouping = self.grouping(query, scope, &mask)?;
        let frame = if everything {
            self.numbers.clone()
        } else {
            let mask = BooleanChunked::from_slice("mask".into(), &mask);
            self.numbers.filter(&mask).map_err(AnalyticsError::from)?
        };
        Ok((frame, grouping))
    }

    /// Which rows the selection of `query` keeps (units, from, to).
    fn mask(&self, form: &Form, query: &ReportQuery, scope: &Scope, tz: Tz) -> Vec<bool> {
        let filter = placed_filter(form, query, &scope.tree, scope.placement(), tz);
        let allowed_unit: Option<Vec<bool>> = filter.units.as_ref().map(|codes| {
            let codes: HashSet<&str> = codes.iter().map(String::as_str).collect();
            self.units
                .names
                .iter()
                .map(|n| codes.contains(n.as_str()))
                .collect()
        });
        let from = filter.from_utc.map(|t| t.and_utc().timestamp_micros());
        let to = filter.to_utc.map(|t| t.and_utc().timestamp_micros());
        let keep = |r: usize| {
            allowed_unit
                .as_ref()
                .is_none_or(|a| a[self.unit[r] as usize])
                && from.is_none_or(|f| self.submitted_at[r] >= f)
                && to.is_none_or(|t| self.submitted_at[r] < t)
        };
        (0..self.unit.len()).map(keep).collect()
    }
}
