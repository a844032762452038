//! Bar charts: elements and items (vertical bars with whiskers), units (horizontal ranking).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{x_axis, y_axis, Scale, ValueLabel};
use super::canvas::Canvas;
use super::style::{
    count, pct, pct_short, verdict_color, verdict_keys, Key, INK, MUTED, NO_VALUE_TEXT, TARGET,
    VERDICT_NOTE,
};
use super::{first_group, ChartError, ChartKind};
use crate::reporting::reports::output::IndexOut;
use crate::reporting::reports::ReportOut;

/// One vertical bar: its label under the axis and its index.
struct VBar<'r> {
    label: String,
    index: &'r IndexOut,
}

/// Bar per element of the first group, with 95 % whiskers and the target line; elements of a
/// form with several parts are grouped under the part's label.
pub fn elements<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    context: &str,
    raster: bool,
) -> Result<(), ChartError> {
    let parts = first_group(report)
        .map(|g| g.parts.as_slice())
        .unwrap_or_default();
    let bars: Vec<VBar> = parts
        .iter()
        .flat_map(|p| &p.elements)
        .map(|e| VBar {
            label: e.label.clone(),
            index: &e.index,
        })
        .collect();
    let spans = (parts.len() > 1).then(|| {
        parts
            .iter()
            .map(|p| (p.label.clone(), p.elements.len()))
            .collect()
    });
    vertical(
        &Canvas::new(area, raster),
        ChartKind::Elements,
        report.target,
        context,
        &bars,
        spans,
        4,
    )
}

/// Bar per item (codes TC1, …) of the first group, grouped under their element's label.
pub fn items<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    context: &str,
    raster: bool,
) -> Result<(), ChartError> {
    let elements: Vec<_> = first_group(report)
        .map(|g| g.parts.iter().flat_map(|p| &p.elements).collect())
        .unwrap_or_default();
    let bars: Vec<VBar> = elements
        .iter()
        .flat_map(|e| &e.items)
        .map(|i| VBar {
            label: i.code.clone(),
            index: &i.index,
        })
        .collect();
    let spans = elements
        .iter()
        .map(|e| (e.label.clone(), e.items.len()))
        .collect();
    vertical(
        &Canvas::new(area, raster),
        ChartKind::Items,
        report.target,
        context,
        &bars,
        Some(spans),
        1,
    )
}

/// The target label, on two lines when the chart is narrow (it sits in the right margin).
fn target_lines<DB: DrawingBackend>(c: &Canvas<DB>, target: f64) -> Vec<String> {
    if c.w >= 900 {
        vec![super::style::target_label(target)]
    } else {
        vec!["Mục tiêu".to_string(), pct_short(target)]
    }
}

fn vertical<DB: DrawingBackend>(
    c: &Canvas<DB>,
    kind: ChartKind,
    target: f64,
    context: &str,
    bars: &[VBar],
    spans: Option<Vec<(String, usize)>>,
    max_label_lines: usize,
) -> Result<(), ChartError> {
    let has_data = bars.iter().any(|b| b.index.value.is_some());
    let keys = if has_data {
        verdict_keys(target, Key::Whisker)
    } else {
        Vec::new()
    };
    let top = c.header(kind.title(), context, &keys)?;
    if !has_data {
        return c.no_data(top);
    }
    let bottom = c.footnote(VERDICT_NOTE)?;
    let pad = (c.fs * 0.8) as i32;
    let ts = c.fs * 0.8;
    let tlines = target_lines(c, target);
    let right_margin = tlines
        .iter()
        .map(|l| c.width(l, ts, true))
        .max()
        .unwrap_or(0)
        + 10
        + pad;
    let x0 = pad + c.width("100 %", c.fs * 0.8, false) + 10;
    let x1 = c.w - right_margin;

    // Slots: one per bar, plus a gap of 0.6 slot between groups.
    let spans: Vec<(String, usize)> = spans.unwrap_or_default();
    let gaps = spans.len().saturating_sub(1) as f64 * 0.6;
    let slot = f64::from(x1 - x0) / (bars.len() as f64 + gaps);
    let mut centres = Vec::with_capacity(bars.len());
    let mut pos = 0.0;
    for (g, (_, n)) in spans.iter().enumerate() {
        if g > 0 {
            pos += 0.6;
        }
        for _ in 0..*n {
            centres.push(x0 + ((pos + 0.5) * slot).round() as i32);
            pos += 1.0;
        }
    }
    while centres.len() < bars.len() {
        centres.push(x0 + ((pos + 0.5) * slot).round() as i32);
        pos += 1.0;
    }

    // Labels under the axis.
    let ls = c.fs * 0.85;
    let label_w = (slot * 0.94) as i32;
    let rotate =
        max_label_lines == 1 && bars.iter().any(|b| c.width(&b.label, ls, false) > label_w);
    let labels: Vec<Vec<String>> = bars
        .iter()
        .map(|b| {
            if rotate {
                vec![b.label.clone()]
            } else {
                c.wrap(&b.label, label_w, ls, false, max_label_lines)
            }
        })
        .collect();
    let label_h = if rotate {
        bars.iter()
            .map(|b| c.width(&b.label, ls, false))
            .max()
            .unwrap_or(0)
            + 6
    } else {
        labels.iter().map(Vec::len).max().unwrap_or(1) as i32 * Canvas::<DB>::lh(ls) + 6
    };
    let ss = c.fs * 0.8;
    let span_lines: Vec<Vec<String>> = spans
        .iter()
        .map(|(label, n)| c.wrap(label, (slot * *n as f64 * 0.96) as i32, ss, true, 3))
        .collect();
    let span_h = if spans.is_empty() {
        0
    } else {
        span_lines.iter().map(Vec::len).max().unwrap_or(1) as i32 * Canvas::<DB>::lh(ss) + 10
    };
    let base = bottom - label_h - span_h;

    // Value labels: as large as fits in a slot, read upwards when nothing fits.
    let vl = ValueLabel::fit(c, slot);
    let headroom = vl.headroom(c);
    let scale = Scale {
        lo: 0.0,
        hi: 100.0,
        p0: base,
        p1: top + headroom,
    };
    y_axis(c, scale, x0, x1)?;

    let barw = ((slot * 0.62) as i32).clamp(2, 140);
    for ((bar, &cx), lines) in bars.iter().zip(&centres).zip(&labels) {
        let ix = bar.index;
        if let Some(v) = ix.value {
            let y = scale.at(v);
            if y < base {
                c.rect(
                    (cx - barw / 2, y),
                    (cx + barw / 2, base),
                    verdict_color(ix.verdict),
                )?;
            }
        }
        if rotate {
            c.text_up(&lines[0], (cx, base + 6), ls, false, HPos::Right)?;
        } else {
            for (k, line) in lines.iter().enumerate() {
                let y = base + 6 + k as i32 * Canvas::<DB>::lh(ls);
                c.text(line, (cx, y), ls, false, INK, HPos::Center, VPos::Top)?;
            }
        }
    }
    for (bar, &cx) in bars.iter().zip(&centres) {
        if let Some((lo, hi)) = bar.index.ci95 {
            c.whisker(
                true,
                cx,
                scale.at(lo),
                scale.at(hi),
                (barw / 4).clamp(2, 10),
            )?;
        }
    }
    let ty = scale.at(target);
    c.line(vec![(x0, ty), (x1, ty)], TARGET, 2)?;
    let tlh = Canvas::<DB>::lh(ts);
    let mut y = ty - tlh * (tlines.len() as i32 - 1) / 2;
    for line in &tlines {
        c.text(line, (x1 + 8, y), ts, true, INK, HPos::Left, VPos::Center)?;
        y += tlh;
    }
    for (bar, &cx) in bars.iter().zip(&centres) {
        let ix = bar.index;
        let top_v = ix
            .ci95
            .map_or(ix.value, |(_, hi)| ix.value.map(|v| v.max(hi)));
        let (text, y) = match (ix.value, top_v) {
            (Some(v), Some(t)) => (pct(v), scale.at(t) - 4),
            _ if vl.up || c.width(NO_VALUE_TEXT, vl.size, false) <= (slot * 0.98) as i32 => {
                (NO_VALUE_TEXT.to_string(), base - 4)
            }
            _ => ("–".to_string(), base - 4),
        };
        vl.draw(c, &text, (cx, y))?;
    }

    // Group labels under the bar labels, each under a bracket spanning its bars.
    let mut first = 0;
    let sy = base + label_h + 4;
    for ((_, n), lines) in spans.iter().zip(&span_lines) {
        if *n == 0 {
            continue;
        }
        let (a, b) = (
            centres[first] - (slot * 0.45) as i32,
            centres[first + n - 1] + (slot * 0.45) as i32,
        );
        c.line(vec![(a, sy - 3), (a, sy), (b, sy), (b, sy - 3)], MUTED, 1)?;
        for (k, line) in lines.iter().enumerate() {
            let y = sy + 4 + k as i32 * Canvas::<DB>::lh(ss);
            c.text(
                line,
                ((a + b) / 2, y),
                ss,
                true,
                MUTED,
                HPos::Center,
                VPos::Top,
            )?;
        }
        first += n;
    }
    Ok(())
}

/// The label of a group of a report grouped by unit.
fn unit_key(
    key: &serde_json::Map<String, serde_json::Value>,
    name: &dyn Fn(&str) -> String,
) -> String {
    match key.get("unit").or_else(|| key.values().next()) {
        Some(serde_json::Value::String(code)) => name(code),
        Some(serde_json::Value::Null) => "Không xác định".to_string(),
        Some(other) => other.to_string(),
        None => "Tất cả".to_string(),
    }
}

/// Ranking of units: one horizontal bar per group, in the report's order (best first), with
/// the unit's name, value label and n, whiskers and the target line.
pub fn units<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    context: &str,
    unit_name: &dyn Fn(&str) -> String,
    raster: bool,
) -> Result<(), ChartError> {
    let c = Canvas::new(area, raster);
    let groups = &report.groups;
    let has_data = groups.iter().any(|g| g.index.value.is_some());
    let keys = if has_data {
        verdict_keys(report.target, Key::Whisker)
    } else {
        Vec::new()
    };
    let top = c.header(ChartKind::Units.title(), context, &keys)?;
    if !has_data {
        return c.no_data(top);
    }
    let bottom = c.footnote(VERDICT_NOTE)?;
    let pad = (c.fs * 0.8) as i32;
    let ts = c.fs * 0.8;
    let axis_h = Canvas::<DB>::lh(c.fs * 0.8) + 6;
    let plot_top = top + Canvas::<DB>::lh(ts) + 4;
    let plot_bottom = bottom - axis_h;
    let row = f64::from(plot_bottom - plot_top) / groups.len() as f64;

    let ls = (c.fs * 0.85).min(row * 0.75).max(6.0);
    let vs = (c.fs * 0.8).min(row * 0.75).max(6.0);
    let lines_per_label = if row >= 2.2 * f64::from(Canvas::<DB>::lh(ls)) {
        2
    } else {
        1
    };
    let names: Vec<String> = groups.iter().map(|g| unit_key(&g.key, unit_name)).collect();
    let max_name = (f64::from(c.w) * 0.32) as i32;
    let name_w = names
        .iter()
        .map(|n| c.width(n, ls, false))
        .max()
        .unwrap_or(0)
        .min(max_name);
    // Values and counts in aligned columns right of the plot (clear of the target line).
    let values: Vec<String> = groups
        .iter()
        .map(|g| g.index.value.map_or("–".to_string(), pct))
        .collect();
    let ns: Vec<String> = groups
        .iter()
        .map(|g| format!("n = {}", count(g.responses)))
        .collect();
    let value_w = values
        .iter()
        .map(|v| c.width(v, vs, true))
        .max()
        .unwrap_or(0);
    let n_w = ns.iter().map(|n| c.width(n, vs, false)).max().unwrap_or(0);
    let x0 = pad + name_w + 8;
    let x1 = (c.w - pad - value_w - n_w - 24).max(x0 + 40);
    let value_x = x1 + 12 + value_w;
    let scale = Scale {
        lo: 0.0,
        hi: 100.0,
        p0: x0,
        p1: x1,
    };
    x_axis(&c, scale, plot_top, plot_bottom)?;

    let thick = ((row * 0.62) as i32).clamp(2, 60);
    for (k, g) in groups.iter().enumerate() {
        let cy = plot_top + ((k as f64 + 0.5) * row).round() as i32;
        let ix = &g.index;
        if let Some(v) = ix.value {
            let x = scale.at(v);
            if x > x0 {
                c.rect(
                    (x0, cy - thick / 2),
                    (x, cy + thick / 2),
                    verdict_color(ix.verdict),
                )?;
            }
        }
        let lines = c.wrap(&names[k], name_w, ls, false, lines_per_label);
        let lh = Canvas::<DB>::lh(ls);
        let mut y = cy - lh * (lines.len() as i32 - 1) / 2;
        for line in &lines {
            c.text(line, (x0 - 8, y), ls, false, INK, HPos::Right, VPos::Center)?;
            y += lh;
        }
    }
    for (k, g) in groups.iter().enumerate() {
        let cy = plot_top + ((k as f64 + 0.5) * row).round() as i32;
        if let Some((lo, hi)) = g.index.ci95 {
            c.whisker(
                false,
                cy,
                scale.at(lo),
                scale.at(hi),
                (thick / 4).clamp(2, 8),
            )?;
        }
    }
    let tx = scale.at(report.target);
    c.line(vec![(tx, plot_top - 2), (tx, plot_bottom)], TARGET, 2)?;
    let tl = super::style::target_label(report.target);
    c.text(
        &tl,
        (tx, plot_top - 4),
        ts,
        true,
        INK,
        HPos::Center,
        VPos::Bottom,
    )?;
    for k in 0..groups.len() {
        let cy = plot_top + ((k as f64 + 0.5) * row).round() as i32;
        c.text(
            &values[k],
            (value_x, cy),
            vs,
            true,
            INK,
            HPos::Right,
            VPos::Center,
        )?;
        c.text(
            &ns[k],
            (value_x + 10, cy),
            vs,
            false,
            MUTED,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}
