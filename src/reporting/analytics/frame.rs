//! The answers frame: one row per response, one column per question code.
//!
//! Columns, in this order:
//! - `id` (str), `unit` (str), `channel` (str), `submitted_at` (i64, µs since the epoch, UTC),
//!   `local_year`, `local_month` (i32: the submitted date in the service's time zone), `weight` (f64);
//! - then every question of the form in form order: ratings and expectations as nullable `i8`,
//!   choices and comments as nullable `str`. A null is "not answered" (docs/method.md §2).
//!
//! Memory: about 60 bytes a response for the fixed columns plus ~2 bytes per rated item, so a
//! million responses of the service form take roughly 110 MB. Loading streams the answers once;
//! the frame is the only copy.

use std::collections::HashMap;

use polars::prelude::*;

use crate::forms::{Form, QuestionKind};

pub const ID: &str = "id";
pub const UNIT: &str = "unit";
pub const CHANNEL: &str = "channel";
pub const SUBMITTED_AT: &str = "submitted_at";
pub const LOCAL_YEAR: &str = "local_year";
pub const LOCAL_MONTH: &str = "local_month";
pub const WEIGHT: &str = "weight";
/// The grouping key a report adds (see `reports`).
pub const GROUP: &str = "group";

enum QuestionColumn {
    Number(Vec<Option<i8>>),
    Text(Vec<Option<String>>),
}

/// Builds an answers frame response by response. Answers to codes the form does not know (e.g.
/// from an older version of the form) are ignored.
pub struct FrameBuilder {
    codes: Vec<String>,
    index: HashMap<String, usize>,
    columns: Vec<QuestionColumn>,
    id: Vec<String>,
    unit: Vec<String>,
    channel: Vec<String>,
    submitted_at: Vec<i64>,
    local_year: Vec<i32>,
    local_month: Vec<i32>,
    weight: Vec<f64>,
}

/// The fixed fields of one response.
pub struct ResponseFields<'a> {
    pub id: &'a str,
    pub unit: &'a str,
    pub channel: &'a str,
    pub submitted_at_micros: i64,
    pub local_year: i32,
    pub local_month: i32,
    pub weight: f64,
}

impl FrameBuilder {
    pub fn new(form: &Form, capacity: usize) -> Self {
        let questions = form.all_questions();
        let codes: Vec<String> = questions.iter().map(|q| q.code.to_string()).collect();
        let columns = questions
            .iter()
            .map(|q| match q.kind {
                QuestionKind::Item(_) | QuestionKind::Expectation(_) => {
                    QuestionColumn::Number(Vec::with_capacity(capacity))
                }
                QuestionKind::Choice(_) | QuestionKind::Comment(_) => {
                    QuestionColumn::Text(Vec::with_capacity(capacity))
                }
            })
            .collect();
        FrameBuilder {
            index: codes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i))
                .collect(),
            codes,
            columns,
            id: Vec::with_capacity(capacity),
            unit: Vec::with_capacity(capacity),
            channel: Vec::with_capacity(capacity),
            submitted_at: Vec::with_capacity(capacity),
            local_year: Vec::with_capacity(capacity),
            local_month: Vec::with_capacity(capacity),
            weight: Vec::with_capacity(capacity),
        }
    }

    /// Adds a response with no answers yet; returns its row.
    pub fn push_response(&mut self, r: ResponseFields<'_>) -> usize {
        self.id.push(r.id.to_string());
        self.unit.push(r.unit.to_string());
        self.channel.push(r.channel.to_string());
        self.submitted_at.push(r.submitted_at_micros);
        self.local_year.push(r.local_year);
        self.local_month.push(r.local_month);
        self.weight.push(r.weight);
        for column in &mut self.columns {
            match column {
                QuestionColumn::Number(v) => v.push(None),
                QuestionColumn::Text(v) => v.push(None),
            }
        }
        self.id.len() - 1
    }

    /// Sets one answer of the response in `row`.
    pub fn set_answer(&mut self, row: usize, code: &str, number: Option<i32>, text: Option<&str>) {
        let Some(&i) = self.index.get(code) else {
            return;
        };
        match &mut self.columns[i] {
            QuestionColumn::Number(v) => {
                if let Some(slot) = v.get_mut(row) {
                    *slot = number.and_then(|n| i8::try_from(n).ok());
                }
            }
            QuestionColumn::Text(v) => {
                if let Some(slot) = v.get_mut(row) {
                    *slot = text.map(str::to_string);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    pub fn finish(self) -> PolarsResult<DataFrame> {
        let height = self.id.len();
        let mut columns = vec![
            Column::new(ID.into(), self.id),
            Column::new(UNIT.into(), self.unit),
            Column::new(CHANNEL.into(), self.channel),
            Column::new(SUBMITTED_AT.into(), self.submitted_at),
            Column::new(LOCAL_YEAR.into(), self.local_year),
            Column::new(LOCAL_MONTH.into(), self.local_month),
            Column::new(WEIGHT.into(), self.weight),
        ];
        for (code, column) in self.codes.iter().zip(self.columns) {
            columns.push(match column {
                QuestionColumn::Number(v) => Column::new(code.as_str().into(), v),
                QuestionColumn::Text(v) => Column::new(code.as_str().into(), v),
            });
        }
        DataFrame::new(height, columns)
    }
}
