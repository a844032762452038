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

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn every_kind_is_a_png_of_the_asked_size() {
    for kind in ChartKind::ALL {
        let report = report_for(kind);
        for (w, h) in [(1200, 700), (320, 240), (800, 1000)] {
            let bytes =
                render(kind, ChartFormat::Png, &report, &options(w, h)).expect("png renders");
            let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
            let mut reader = decoder.read_info().expect("a PNG");
            assert_eq!(
                (reader.info().width, reader.info().height),
                (w, h),
                "{kind:?}"
            );
            let mut pixels = vec![0; reader.output_buffer_size()];
            let frame = reader.next_frame(&mut pixels).expect("PNG data");
            let pixels = &pixels[..frame.buffer_size()];
            let step = frame.color_type.samples();
            let coloured = pixels
                .chunks(step)
                .filter(|p| p[0].abs_diff(p[1]) > 40 || p[1].abs_diff(p[2]) > 40)
                .count();
            assert!(
                coloured > 100,
                "{kind:?} {w}×{h}: the PNG shows coloured marks"
            );
        }
    }
}

#[test]
fn every_kind_is_an_svg_of_the_asked_size_with_vietnamese_fonts() {
    for kind in ChartKind::ALL {
        let svg = svg_of(kind, &report_for(kind), (1000, 640));
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let root = doc.root_element();
        assert!(root.has_tag_name("svg"));
        assert_eq!(root.attribute("width"), Some("1000"), "{kind:?}");
        assert_eq!(root.attribute("height"), Some("640"), "{kind:?}");
        assert!(
            !svg.contains("font-family=\"sans-serif\""),
            "{kind:?}: families named"
        );
        assert!(svg.contains("font-family=\"DejaVu Sans, Noto Sans, Arial, sans-serif\""));
        for t in texts(&doc) {
            assert_eq!(t, t.nfc().collect::<String>(), "{kind:?}: text in NFC");
        }
        let texts = texts(&doc).join("\n");
        assert!(
            texts.contains("Xã Phước Sơn · năm 2024 · n = 100"),
            "{kind:?}: title context"
        );
    }
}

#[test]
fn elements_chart_labels_bars_and_target() {
    let mut report = whole();
    // A decomposed (NFD) label, as an editor might save it, is drawn in NFC.
    let element = &mut report.groups[0].parts[0].elements[0];
    assert_eq!(element.label, "Tiếp cận dịch vụ");
    element.label = element.label.nfd().collect();
    let svg = svg_of(ChartKind::Elements, &report, (1200, 700));
    let doc = roxmltree::Document::parse(&svg).expect("SVG");
    let texts = texts(&doc);
    let all = texts.join("\n");
    for label in [
        "Tiếp cận dịch vụ",
        "Thủ tục hành chính",
        "Mục tiêu 90 %",
        "Đạt",
        "Không đạt",
        "Chưa đủ căn cứ",
    ] {
        assert!(all.contains(label), "{label} in {texts:?}");
    }
    let elements: Vec<_> = report.groups[0]
        .parts
        .iter()
        .flat_map(|p| &p.elements)
        .collect();
    let values: Vec<f64> = elements.iter().map(|e| e.index.value.unwrap()).collect();
    // Every bar has its value label with a decimal comma.
    for v in &values {
        let label = format!("{:.1} %", v).replace('.', ",");
        assert!(texts.contains(&label), "value label {label}");
    }
    // tiep_can: items at 97, 94, 91 and 88 % → 92,5 %.
    assert!(texts.contains(&"92,5 %".to_string()), "{texts:?}");

    let bars = vertical_bars(&doc);
    assert_follow(
        &bars.iter().map(|b| b.h).collect::<Vec<_>>(),
        &values,
        "elements",
    );
    // The target line crosses the plot at the height of 90 %.
    let lines = horizontal_target_lines(&doc);
    assert_eq!(lines.len(), 1, "one target line: {lines:?}");
    let (y, x_from, x_to) = lines[0];
    let base = bars[0].y + bars[0].h;
    let per_point = bars[0].h as f64 / values[0];
    assert!(
        ((base - y) as f64 - 90.0 * per_point).abs() <= 1.5,
        "target at 90 %"
    );
    assert!(x_from <= bars[0].x && x_to >= bars.last().map(|b| b.x + b.w).unwrap());
}

#[test]
fn items_chart_follows_the_items() {
    let report = whole();
    let svg = svg_of(ChartKind::Items, &report, (1400, 700));
    let doc = roxmltree::Document::parse(&svg).expect("SVG");
    let texts = texts(&doc);
    let items: Vec<_> = report.groups[0]
        .parts
        .iter()
        .flat_map(|p| &p.elements)
        .flat_map(|e| &e.items)
        .collect();
    for i in &items {
        assert!(texts.contains(&i.code), "item code {}", i.code);
    }
    let all = texts.join("\n");
    assert!(
        all.contains("Tiếp cận dịch vụ") && all.contains("Mục tiêu 90 %"),
        "{texts:?}"
    );
    let values: Vec<f64> = items.iter().map(|i| i.index.value.unwrap()).collect();
    let bars = vertical_bars(&doc);
    assert_follow(
        &bars.iter().map(|b| b.h).collect::<Vec<_>>(),
        &values,
        "items",
    );
    assert_eq!(horizontal_target_lines(&doc).len(), 1);
}

#[test]
fn units_chart_ranks_named_units() {
    let report = by_unit();
    let order: Vec<&str> = report
        .groups
        .iter()
        .map(|g| g.key["unit"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["xa-b", "xa-d", "xa-a", "xa-c"],
        "the report ranks best first"
    );
    let svg = svg_of(ChartKind::Units, &report, (1000, 600));
    let doc = roxmltree::Document::parse(&svg).expect("SVG");
    let all = texts(&doc).join("\n");
    for name in [
        "Xã Bình Thạnh",
        "Xã Đông Thạnh",
        "Xã An Phú",
        "Thị trấn Củ Chi",
        "Mục tiêu 90 %",
    ] {
        assert!(all.contains(name), "{name} in {all}");
    }
    // Horizontal bars share their left edge; top to bottom they shrink with the values.
    let all_rects = rects(&doc, &VERDICT_COLOURS);
    let left = all_rects
        .iter()
        .map(|r| r.x)
        .max_by_key(|x| all_rects.iter().filter(|r| r.x == *x).count())
        .unwrap();
    let mut bars: Vec<Rect> = all_rects.into_iter().filter(|r| r.x == left).collect();
    bars.sort_by_key(|r| r.y);
    let values: Vec<f64> = report
        .groups
        .iter()
        .map(|g| g.index.value.unwrap())
        .collect();
    assert_follow(
        &bars.iter().map(|b| b.w).collect::<Vec<_>>(),
        &values,
        "units",
    );
    for (g, v) in report.groups.iter().zip(&values) {
        let label = format!("{v:.1} %").replace('.', ",");
        assert!(all.contains(&label), "{label}");
        assert!(all.contains(&format!("n = {}", g.responses)));
    }
    // A vertical target line at 90 %.
    let vertical: Vec<_> = target_lines(&doc)
        .into_iter()
        .filter(|p| p.iter().all(|q| q.0 == p[0].0) && p.last().unwrap().1 - p[0].1 > 200)
        .collect();
    assert_eq!(vertical.len(), 1, "one target line");
    let per_point = bars[0].w as f64 / values[0];
    assert!(((vertical[0][0].0 - left) as f64 - 90.0 * per_point).abs() <= 1.5);
}

#[test]
fn trend_chart_has_points_band_and_target() {
    let report = by_period();
    let svg = svg_of(ChartKind::Trend, &report, (1000, 600));
    let doc = roxmltree::Document::parse(&svg).expect("SVG");
    let all = texts(&doc).join("\n");
    for label in [
        "2022",
        "2023",
        "2024",
        "Mục tiêu 90 %",
        "Khoảng tin cậy 95 %",
    ] {
        assert!(all.contains(label), "{label}");
    }
    assert!(
        doc.descendants().any(|n| n.has_tag_name("polygon")),
        "the interval band"
    );
    // Points (the inner, verdict-coloured circles) left to right, higher for higher values.
    let mut points: Vec<(i32, i32)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .filter(|n| {
            n.attribute("fill")
                .is_some_and(|f| VERDICT_COLOURS.contains(&f))
        })
        .map(|n| (num(n, "cx"), num(n, "cy")))
        .collect();
    points.sort();
    let values: Vec<f64> = report
        .groups
        .iter()
        .map(|g| g.index.value.unwrap())
        .collect();
    assert_eq!(points.len(), values.len());
    assert!(values[0] < values[1] && values[1] < values[2], "{values:?}");
    assert!(
        points[0].1 > points[1].1 && points[1].1 > points[2].1,
        "{points:?}"
    );
    assert_eq!(horizontal_target_lines(&doc).len(), 1);
}

#[test]
fn distribution_chart_stacks_the_levels() {
    let report = whole();
    let svg = svg_of(ChartKind::Distribution, &report, (1000, 900));
    let doc = roxmltree::Document::parse(&svg).expect("SVG");
    let all = texts(&doc).join("\n");
    for label in [
        "1 Rất không hài lòng",
        "3 Bình thường",
        "5 Rất hài lòng",
        "TC1",
        "Tiếp cận dịch vụ",
    ] {
        assert!(all.contains(label), "{label}");
    }
    let levels = ["#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2"];
    let segments = rects(&doc, &levels);
    // TC1: r < 97 answers 4 or 5, else 1 + r % 3 (r = 97, 98, 99 → 2, 3, 1): one each of 1, 2, 3.
    let tc1 = &report.groups[0].parts[0].elements[0].items[0];
    assert_eq!(tc1.code, "TC1");
    let counts: Vec<u64> = (1..=5)
        .map(|k| tc1.distribution[&k.to_string()].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 1, 1, 49, 48]);
    // The first stacked row holds one segment per level, in order, adjoining (legend swatches
    // do not adjoin), widths proportional to the counts.
    let mut ys: Vec<i32> = segments.iter().map(|r| r.y).collect();
    ys.sort();
    ys.dedup();
    let row: Vec<Rect> = ys
        .iter()
        .map(|y| {
            let mut row: Vec<Rect> = segments.iter().copied().filter(|r| r.y == *y).collect();
            row.sort_by_key(|r| r.x);
            row
        })
        .find(|row| row.len() > 1 && row.windows(2).all(|p| p[0].x + p[0].w == p[1].x))
        .expect("a stacked row");
    assert_eq!(row.len(), 5, "{row:?}");
    let total: i32 = row.iter().map(|r| r.w).sum();
    for (r, c) in row.iter().zip(&counts) {
        assert!(
            (r.w as f64 - total as f64 * *c as f64 / 100.0).abs() <= 1.5,
            "{row:?}"
        );
    }
}

#[test]
fn an_empty_selection_says_so() {
    let mut empty = whole();
    empty.groups.clear();
    empty.responses = 0;
    let mut no_values = by_unit();
    for g in &mut no_values.groups {
        g.index.value = None;
        g.index.ci95 = None;
        g.index.verdict = None;
        for p in &mut g.parts {
            for e in &mut p.elements {
                e.index.value = None;
                for i in &mut e.items {
                    i.index.value = None;
                    i.distribution.values_mut().for_each(|v| *v = 0.into());
                }
            }
        }
        for x in &mut g.expectations {
            x.n = 0;
            x.value = None;
            for o in &mut x.options {
                o.n = 0;
                o.share = None;
            }
        }
    }
    for report in [&empty, &no_values] {
        for kind in ChartKind::ALL {
            let svg = svg_of(kind, report, (800, 500));
            let doc = roxmltree::Document::parse(&svg).expect("SVG");
            assert!(
                texts(&doc)
                    .join(" ")
                    .contains("Không có dữ liệu cho lựa chọn này"),
                "{kind:?} says there is no data"
            );
            assert!(
                rects(&doc, &VERDICT_COLOURS).is_empty(),
                "{kind:?}: no bars"
            );
            let png = render(kind, ChartFormat::Png, report, &options(800, 500)).expect("png");
            assert!(png.starts_with(b"\x89PNG"));
        }
    }
}

#[test]
fn sizes_out_of_bounds_are_refused() {
    let report = whole();
    for (w, h) in [(319, 700), (3001, 700), (1200, 239), (1200, 2001), (0, 0)] {
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let got = render(ChartKind::Elements, format, &report, &options(w, h));
            assert!(
                matches!(got, Err(ChartError::BadSize { .. })),
                "{w}×{h} refused"
            );
        }
    }
    for (w, h) in [(320, 240), (3000, 2000)] {
        let svg = svg_of(ChartKind::Elements, &report, (w, h));
        assert!(svg.contains(&format!("width=\"{w}\" height=\"{h}\"")));
    }
}

#[test]
fn kinds_and_formats_parse() {
    for kind in ChartKind::ALL {
        assert_eq!(kind.as_str().parse::<ChartKind>().unwrap(), kind);
    }
    assert!(matches!(
        "pie".parse::<ChartKind>(),
        Err(ChartError::UnknownKind(_))
    ));
    assert_eq!("svg".parse::<ChartFormat>().unwrap(), ChartFormat::Svg);
    assert_eq!(
        "png".parse::<ChartFormat>().unwrap().content_type(),
        "image/png"
    );
    assert!("gif".parse::<ChartFormat>().is_err());
}

/// `SIPAS_CHART_DIR=/tmp cargo test --test charts` writes one PNG and SVG of each kind there
/// (`charts-<kind>.png`, `charts-<kind>-small.svg`, …), for looking at.
#[test]
fn writes_samples_when_asked() {
    let Ok(dir) = std::env::var("SIPAS_CHART_DIR") else {
        return;
    };
    for kind in ChartKind::ALL {
        let report = report_for(kind);
        let (w, h) = match kind {
            ChartKind::Distribution => (1200, 1000),
            _ => (1200, 700),
        };
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let bytes = render(kind, format, &report, &options(w, h)).expect("renders");
            let path = format!("{dir}/charts-{}.{}", kind.as_str(), format.as_str());
            std::fs::write(path, bytes).expect("write");
        }
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let small = render(kind, format, &report, &options(480, 320)).expect("small");
            let path = format!("{dir}/charts-{}-small.{}", kind.as_str(), format.as_str());
            std::fs::write(path, small).expect("write");
        }
    }
    let mut empty = whole();
    empty.groups.clear();
    let png = render(
        ChartKind::Elements,
        ChartFormat::Png,
        &empty,
        &options(800, 500),
    )
    .expect("png");
    std::fs::write(format!("{dir}/charts-empty.png"), png).expect("write");
}

/// Many groups, a period without answers, values at 0 and 100: every kind still renders at the
/// smallest and a large size (written to `SIPAS_CHART_DIR` as `charts-odd-<kind>.png`).
#[test]
fn crowded_and_odd_reports_render() {
    let names: Vec<String> = (0..30).map(|k| format!("xa-{k:02}")).collect();
    let groups: Vec<(Option<&str>, i64)> = names
        .iter()
        .enumerate()
        .map(|(k, n)| (Some(n.as_str()), (k as i64 * 7) % 40))
        .collect();
    let units = report(&groups, Some(GroupBy::Unit));
    let months: Vec<String> = (1..=24)
        .map(|m| format!("{}-{:02}", 2023 + (m - 1) / 12, (m - 1) % 12 + 1))
        .collect();
    let periods: Vec<(Option<&str>, i64)> = months
        .iter()
        .enumerate()
        .map(|(k, m)| (Some(m.as_str()), (k as i64 * 5) % 30))
        .collect();
    let mut trend = report(&periods, Some(GroupBy::Period(PeriodKind::Month)));
    trend.groups[5].index.value = None;
    trend.groups[5].index.ci95 = None;
    trend.groups[5].index.verdict = None;
    let mut extremes = whole();
    let elements = &mut extremes.groups[0].parts[0].elements;
    elements[0].index.value = Some(100.0);
    elements[0].index.ci95 = Some((100.0, 100.0));
    elements[1].index.value = Some(0.0);
    elements[1].index.ci95 = Some((0.0, 0.0));
    elements[2].index.value = None;
    elements[2].index.ci95 = None;
    let dir = std::env::var("SIPAS_CHART_DIR").ok();
    for (kind, report) in [
        (ChartKind::Units, &units),
        (ChartKind::Trend, &trend),
        (ChartKind::Elements, &extremes),
        (ChartKind::Items, &units),
        (ChartKind::Distribution, &units),
    ] {
        for size in [(320, 240), (1600, 900)] {
            for format in [ChartFormat::Png, ChartFormat::Svg] {
                let bytes =
                    render(kind, format, report, &options(size.0, size.1)).expect("renders");
                if let (Some(dir), (1600, _), ChartFormat::Png) = (&dir, size, format) {
                    let path = format!("{dir}/charts-odd-{}.png", kind.as_str());
                    std::fs::write(path, &bytes).expect("write");
                }
            }
        }
    }
    let svg = svg_of(ChartKind::Elements, &extremes, (1200, 700));
    let doc = roxmltree::Document::parse(&svg).expect("SVG");
    let texts = texts(&doc);
    assert!(texts.contains(&"100,0 %".to_string()) && texts.contains(&"0,0 %".to_string()));
    assert!(
        texts.contains(&"Không có dữ liệu".to_string()),
        "a missing value is marked"
    );
}

/// A single-group chart of a grouped report names the group it shows.
#[test]
fn single_group_charts_of_a_grouped_report_name_the_group() {
    let report = by_unit();
    for kind in [
        ChartKind::Elements,
        ChartKind::Items,
        ChartKind::Distribution,
    ] {
        let svg = svg_of(kind, &report, (1200, 700));
        let doc = roxmltree::Document::parse(&svg).expect("SVG");
        let all = texts(&doc).join("\n");
        assert!(all.contains("Đơn vị: Xã Bình Thạnh"), "{kind:?}: {all}");
    }
}
