//! Bar charts: elements and items (vertical bars with whiskers); units in `ranking`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{y_axis, Scale, ValueLabel};
use super::canvas::Canvas;
use super::style::{
    pct, pct_short, verdict_color, verdict_keys, Key, INK, MUTED, NO_VALUE_TEXT, TARGET,
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

/// Where the parts of a vertical bar chart go: x range, bar slots, bar and group labels.
struct VLayout {
    x0: i32,
    x1: i32,
    slot: f64,
    centres: Vec<i32>,
    /// Bar labels read upwards (one line each) rather than wrapped.
    rotate: bool,
    ls: f64,
    labels: Vec<Vec<String>>,
    label_h: i32,
    ss: f64,
    span_lines: Vec<Vec<String>>,
    /// The y of the axis (the bars' foot).
    base: i32,
}

/// Vertical bars with whiskers, value labels and target line; `spans` groups them under labels.
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
    let ts = c.fs * 0.8;
    let tlines = target_lines(c, target);
    let spans: Vec<(String, usize)> = spans.unwrap_or_default();
    let l = v_layout(c, bars, &spans, (&tlines, ts), bottom, max_label_lines);

    // Value labels: as large as fits in a slot, read upwards when nothing fits.
    let vl = ValueLabel::fit(c, l.slot);
    let headroom = vl.headroom(c);
    let scale = Scale {
        lo: 0.0,
        hi: 100.0,
        p0: l.base,
        p1: top + headroom,
    };
    y_axis(c, scale, l.x0, l.x1)?;

    let barw = ((l.slot * 0.62) as i32).clamp(2, 140);
    draw_vbars(c, bars, &l, scale, barw)?;
    draw_vwhiskers(c, bars, &l, scale, barw)?;
    draw_vtarget(c, (&tlines, ts), (l.x0, l.x1), scale.at(target))?;
    draw_vvalues(c, bars, &l, scale, vl)?;
    draw_spans(c, &spans, &l)
}

/// The layout of a vertical chart ending at `bottom`, with room on the right for `tlines`.
fn v_layout<DB: DrawingBackend>(
    c: &Canvas<DB>,
    bars: &[VBar],
    spans: &[(String, usize)],
    (tlines, ts): (&[String], f64),
    bottom: i32,
    max_label_lines: usize,
) -> VLayout {
    let pad = (c.fs * 0.8) as i32;
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
    let gaps = spans.len().saturating_sub(1) as f64 * 0.6;
    let slot = f64::from(x1 - x0) / (bars.len() as f64 + gaps);
    let centres = slot_centres(x0, slot, spans, bars.len());
    let ls = c.fs * 0.85;
    let (rotate, labels, label_h) = bar_labels(c, bars, slot, ls, max_label_lines);
    let ss = c.fs * 0.8;
    let (span_lines, span_h) = span_labels(c, spans, slot, ss);
    VLayout {
        x0,
        x1,
        slot,
        centres,
        rotate,
        ls,
        labels,
        label_h,
        ss,
        span_lines,
        base: bottom - label_h - span_h,
    }
}

/// The x of each bar's centre: slots from `x0`, a gap of 0.6 slot between groups.
fn slot_centres(x0: i32, slot: f64, spans: &[(String, usize)], n_bars: usize) -> Vec<i32> {
    let mut centres = Vec::with_capacity(n_bars);
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
    while centres.len() < n_bars {
        centres.push(x0 + ((pos + 0.5) * slot).round() as i32);
        pos += 1.0;
    }
    centres
}

/// The labels under the axis at size `ls`: (read upwards, the lines of each, their height).
fn bar_labels<DB: DrawingBackend>(
    c: &Canvas<DB>,
    bars: &[VBar],
    slot: f64,
    ls: f64,
    max_label_lines: usize,
) -> (bool, Vec<Vec<String>>, i32) {
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
    (rotate, labels, label_h)
}

/// The group labels at size `ss`, wrapped to their bars' width: (lines of each, height or 0).
fn span_labels<DB: DrawingBackend>(
    c: &Canvas<DB>,
    spans: &[(String, usize)],
    slot: f64,
    ss: f64,
) -> (Vec<Vec<String>>, i32) {
    let span_lines: Vec<Vec<String>> = spans
        .iter()
        .map(|(label, n)| c.wrap(label, (slot * *n as f64 * 0.96) as i32, ss, true, 3))
        .collect();
    let span_h = if spans.is_empty() {
        0
    } else {
        span_lines.iter().map(Vec::len).max().unwrap_or(1) as i32 * Canvas::<DB>::lh(ss) + 10
    };
    (span_lines, span_h)
}

/// The bars, coloured by verdict, and their labels under the axis.
fn draw_vbars<DB: DrawingBackend>(
    c: &Canvas<DB>,
    bars: &[VBar],
    l: &VLayout,
    scale: Scale,
    barw: i32,
) -> Result<(), ChartError> {
    let (base, ls) = (l.base, l.ls);
    for ((bar, &cx), lines) in bars.iter().zip(&l.centres).zip(&l.labels) {
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
        if l.rotate {
            c.text_up(&lines[0], (cx, base + 6), ls, false, HPos::Right)?;
        } else {
            for (k, line) in lines.iter().enumerate() {
                let y = base + 6 + k as i32 * Canvas::<DB>::lh(ls);
                c.text(line, (cx, y), ls, false, INK, HPos::Center, VPos::Top)?;
            }
        }
    }
    Ok(())
}

/// The 95 % whiskers of the bars that have an interval.
fn draw_vwhiskers<DB: DrawingBackend>(
    c: &Canvas<DB>,
    bars: &[VBar],
    l: &VLayout,
    scale: Scale,
    barw: i32,
) -> Result<(), ChartError> {
    for (bar, &cx) in bars.iter().zip(&l.centres) {
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
    Ok(())
}

/// The target line across the plot at `ty`, its label (`tlines` at size `ts`) right of it.
fn draw_vtarget<DB: DrawingBackend>(
    c: &Canvas<DB>,
    (tlines, ts): (&[String], f64),
    (x0, x1): (i32, i32),
    ty: i32,
) -> Result<(), ChartError> {
    c.line(vec![(x0, ty), (x1, ty)], TARGET, 2)?;
    let tlh = Canvas::<DB>::lh(ts);
    let mut y = ty - tlh * (tlines.len() as i32 - 1) / 2;
    for line in tlines {
        c.text(line, (x1 + 8, y), ts, true, INK, HPos::Left, VPos::Center)?;
        y += tlh;
    }
    Ok(())
}

/// The value label over each bar (above its whisker), or the "no value" mark at the axis.
fn draw_vvalues<DB: DrawingBackend>(
    c: &Canvas<DB>,
    bars: &[VBar],
    l: &VLayout,
    scale: Scale,
    vl: ValueLabel,
) -> Result<(), ChartError> {
    let (base, slot) = (l.base, l.slot);
    for (bar, &cx) in bars.iter().zip(&l.centres) {
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
    Ok(())
}

/// Group labels under the bar labels, each under a bracket spanning its bars.
fn draw_spans<DB: DrawingBackend>(
    c: &Canvas<DB>,
    spans: &[(String, usize)],
    l: &VLayout,
) -> Result<(), ChartError> {
    let (slot, ss) = (l.slot, l.ss);
    let mut first = 0;
    let sy = l.base + l.label_h + 4;
    for ((_, n), lines) in spans.iter().zip(&l.span_lines) {
        if *n == 0 {
            continue;
        }
        let (a, b) = (
            l.centres[first] - (slot * 0.45) as i32,
            l.centres[first + n - 1] + (slot * 0.45) as i32,
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
