//! Charts (ISSUE 4, item 5): every kind renders as a PNG and an SVG of the asked size, with the
//! Vietnamese labels in NFC, the target line, and bars that follow the data. Pure: the reports
//! are computed by `sipas::reporting::analytics::compute` + `sipas::reporting::reports::assemble` on synthetic frames.

use crate::common::*;
use std::collections::HashMap;

use polars::prelude::{Column, DataFrame};
use sipas::forms::Form;
use sipas::reporting::analytics::frame::GROUP;
use sipas::reporting::analytics::{compute, FrameBuilder, ResponseFields};
use sipas::reporting::charts::{render, ChartError, ChartFormat, ChartKind, ChartOptions};
use sipas::reporting::reports::{assemble, GroupBy, PeriodKind, ReportOut, ReportQuery, Tree};
use unicode_normalization::UnicodeNormalization;

mod edge_cases;
mod formats;
mod kinds;

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/// Satisfied share (%) of the first item of each element, in form order; item k of an element
/// is 3·k points lower. With 100 responses per group the shares are exact.
const ELEMENT_RATES: [i64; 5] = [97, 86, 70, 60, 93];

/// 100 responses per `(key, shift)`: response r answers an item 5 or 4 when r < rate − shift,
/// else 1, 2 or 3.
fn frame(form: &Form, groups: &[(Option<&str>, i64)]) -> DataFrame {
    let elements: Vec<_> = form.parts.iter().flat_map(|p| &p.elements).collect();
    let mut b = FrameBuilder::new(form, 100 * groups.len());
    let mut keys: Vec<Option<String>> = Vec::new();
    for (g, (key, shift)) in groups.iter().enumerate() {
        for r in 0..100i64 {
            let id = format!("g{g}r{r}");
            let at = b.push_response(ResponseFields {
                id: &id,
                unit: key.unwrap_or("phuoc-son"),
                channel: "paper",
                submitted_at_micros: 1_714_617_000_000_000 + r,
                local_year: 2024,
                local_month: 5,
                weight: 1.0,
            });
            keys.push(key.map(str::to_string));
            for (j, e) in elements.iter().enumerate() {
                for (k, item) in e.items.iter().enumerate() {
                    let rate = ELEMENT_RATES[j % ELEMENT_RATES.len()] - 3 * k as i64 - shift;
                    let v = if r < rate { 4 + (r % 2) } else { 1 + (r % 3) };
                    b.set_answer(at, &item.code, Some(v as i32), None);
                }
            }
            // Expectations 1–3 for half the responses (the expectations chart).
            if r % 2 == 0 {
                for (k, e) in form.expectations.iter().enumerate() {
                    let v = 1 + (r + k as i64) % 3;
                    b.set_answer(at, &e.code, Some(v as i32), None);
                }
            }
        }
    }
    let mut df = b.finish().expect("frame");
    if groups.iter().any(|(k, _)| k.is_some()) {
        df.with_column(Column::new(GROUP.into(), keys))
            .expect("group column");
    }
    df
}

fn report(groups: &[(Option<&str>, i64)], group_by: Option<GroupBy>) -> ReportOut {
    let form = service_form();
    let df = frame(&form, groups);
    let responses = df.height() as u64;
    let results = compute(&df, &form).expect("compute");
    let query = ReportQuery {
        unit: Some("phuoc-son".into()),
        group_by,
        ..Default::default()
    };
    let tree = Tree {
        units: Vec::new(),
        population: HashMap::new(),
    };
    assemble(&form, &query, &tree, responses, results)
}

fn whole() -> ReportOut {
    report(&[(None, 0)], None)
}

fn by_unit() -> ReportOut {
    report(
        &[
            (Some("xa-a"), 6),
            (Some("xa-b"), 0),
            (Some("xa-c"), 14),
            (Some("xa-d"), 3),
        ],
        Some(GroupBy::Unit),
    )
}

fn by_period() -> ReportOut {
    report(
        &[(Some("2022"), 12), (Some("2023"), 6), (Some("2024"), 0)],
        Some(GroupBy::Period(PeriodKind::Year)),
    )
}

/// The report that fits a chart kind.
fn report_for(kind: ChartKind) -> ReportOut {
    match kind {
        ChartKind::Units => by_unit(),
        ChartKind::Trend => by_period(),
        _ => whole(),
    }
}

fn options(width: u32, height: u32) -> ChartOptions {
    ChartOptions {
        width,
        height,
        title_context: "Phiếu khảo sát dịch vụ · Xã Phước Sơn · năm 2024 · n = 100".into(),
        unit_names: [
            ("xa-a", "Xã An Phú"),
            ("xa-b", "Xã Bình Thạnh"),
            ("xa-c", "Thị trấn Củ Chi"),
            ("xa-d", "Xã Đông Thạnh"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
        scale_labels: Vec::new(),
        expectation_labels: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// SVG inspection
// ---------------------------------------------------------------------------------------------

fn svg_of(kind: ChartKind, report: &ReportOut, (w, h): (u32, u32)) -> String {
    let bytes = render(kind, ChartFormat::Svg, report, &options(w, h)).expect("svg renders");
    String::from_utf8(bytes).expect("utf-8")
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: i32,
    y: i32,
    w: i32,
    h: i32,
}

fn num(node: roxmltree::Node, attr: &str) -> i32 {
    node.attribute(attr)
        .unwrap_or_else(|| panic!("{attr} on {node:?}"))
        .parse::<f64>()
        .expect("number") as i32
}

/// Filled rectangles of one of `colours` (`#RRGGBB`), in document order.
fn rects(doc: &roxmltree::Document, colours: &[&str]) -> Vec<Rect> {
    doc.descendants()
        .filter(|n| n.has_tag_name("rect"))
        .filter(|n| {
            n.attribute("fill")
                .is_some_and(|f| colours.iter().any(|c| c.eq_ignore_ascii_case(f)))
        })
        .map(|n| Rect {
            x: num(n, "x"),
            y: num(n, "y"),
            w: num(n, "width"),
            h: num(n, "height"),
        })
        .collect()
}

const VERDICT_COLOURS: [&str; 3] = ["#009E73", "#D55E00", "#E69F00"];

/// Horizontal black 2 px polylines longer than the legend's sample: (y, x from, x to).
fn horizontal_target_lines(doc: &roxmltree::Document) -> Vec<(i32, i32, i32)> {
    target_lines(doc)
        .into_iter()
        .filter(|p| p.iter().all(|q| q.1 == p[0].1))
        .map(|p| (p[0].1, p[0].0, p.last().unwrap().0))
        .filter(|(_, a, b)| b - a > 200)
        .collect()
}

fn target_lines(doc: &roxmltree::Document) -> Vec<Vec<(i32, i32)>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| {
            n.attribute("stroke") == Some("#000000") && n.attribute("stroke-width") == Some("2")
        })
        .map(|n| {
            n.attribute("points")
                .unwrap_or_default()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').expect("x,y");
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<(i32, i32)>>()
        })
        .filter(|p| p.len() >= 2)
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}

/// The vertical bars of a chart: verdict-coloured rectangles standing on the lowest baseline,
/// left to right (legend swatches sit above the plot).
fn vertical_bars(doc: &roxmltree::Document) -> Vec<Rect> {
    let all = rects(doc, &VERDICT_COLOURS);
    let base = all.iter().map(|r| r.y + r.h).max().expect("some bars");
    let mut bars: Vec<Rect> = all.into_iter().filter(|r| r.y + r.h == base).collect();
    bars.sort_by_key(|r| r.x);
    bars
}

/// Heights follow the values: ordered alike, and proportional (the axis starts at 0).
fn assert_follow(heights: &[i32], values: &[f64], what: &str) {
    assert_eq!(heights.len(), values.len(), "{what}: one bar per value");
    let k = heights[0] as f64 / values[0];
    for (i, (&h, &v)) in heights.iter().zip(values).enumerate() {
        assert!(
            (h as f64 - v * k).abs() <= 1.5,
            "{what}: bar {i} of {v} % has height {h}, expected {}",
            v * k
        );
        for (&h2, &v2) in heights.iter().zip(values) {
            if v > v2 + 0.5 {
                assert!(
                    h > h2,
                    "{what}: {v} % drawn {h} px, not above {v2} % drawn {h2} px"
                );
            }
        }
    }
}
