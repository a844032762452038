//! An empty selection, crowded and odd reports, one group of a grouped report.

use super::*;

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
