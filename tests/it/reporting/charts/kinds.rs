//! Each kind of chart follows its data: elements, items, units, trend, distribution.

use super::*;

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
