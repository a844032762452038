//! The report arithmetic alone (`analytics::compute`) over a synthetic answers frame: no HTTP, no
//! database. Shows how much of a report's time is the computation itself (see BENCHMARKS.md).
//!
//!     cargo bench --bench analytics                    # 1,000,000 responses
//!     BENCH_ROWS=200000 cargo bench --bench analytics
//!
//! The frame has the columns the report cache hands to `compute`: `weight` and every item and
//! expectation of `sipas-dich-vu` as nullable `i8` (5 % not answered), plus a `group` column for
//! the grouped runs (13 quarters, 40 units).

use std::path::Path;
use std::time::{Duration, Instant};

use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sipas::forms::{load::parse_form, Form};
use sipas::reporting::analytics::{self, frame};

fn form() -> Form {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-forms/sipas-dich-vu.toml");
    let source = std::fs::read_to_string(&path).expect("read the form");
    parse_form(&path, &source).expect("parse the form")
}

fn synthetic(form: &Form, rows: usize) -> DataFrame {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut columns = vec![Column::new(frame::WEIGHT.into(), vec![1.0f64; rows])];
    let codes = form
        .parts
        .iter()
        .flat_map(|p| p.elements.iter().flat_map(|e| e.items.iter()))
        .map(|i| (i.code.clone(), 5))
        .chain(form.expectations.iter().map(|e| (e.code.clone(), 3)));
    for (code, top) in codes {
        let values: Int8Chunked = (0..rows)
            .map(|_| (!rng.random_bool(0.05)).then(|| rng.random_range(1..=top)))
            .collect();
        columns.push(values.with_name(code.as_str().into()).into_column());
    }
    DataFrame::new(rows, columns).expect("frame")
}

fn with_groups(df: &DataFrame, groups: usize) -> DataFrame {
    let keys: Vec<String> = (0..groups).map(|g| format!("g{g:02}")).collect();
    let column: StringChunked = (0..df.height())
        .map(|r| Some(keys[r % groups].as_str()))
        .collect();
    let mut out = df.clone();
    out.with_column(column.with_name(frame::GROUP.into()).into_column())
        .expect("group column");
    out
}

fn time(label: &str, runs: usize, mut f: impl FnMut()) {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label:<28} median {:>8.1} ms   min {:>8.1} ms   ({runs} runs)",
        times[runs / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}

fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let form = form();
    let df = synthetic(&form, rows);
    println!(
        "analytics::compute over {rows} responses ({} columns)",
        df.width()
    );
    time("ungrouped", 5, || {
        analytics::compute(&df, &form).expect("compute");
    });
    for groups in [13, 40] {
        let grouped = with_groups(&df, groups);
        time(&format!("{groups} groups"), 5, || {
            analytics::compute(&grouped, &form).expect("compute");
        });
    }
}
