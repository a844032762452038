//! The ranking of units: one horizontal bar per group, with names, values and counts.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{x_axis, Scale};
use super::canvas::Canvas;
use super::style::{
    count, pct, verdict_color, verdict_keys, Key, INK, MUTED, TARGET, VERDICT_NOTE,
};
use super::{ChartError, ChartKind};
use crate::reporting::reports::output::GroupOut;
use crate::reporting::reports::ReportOut;

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

/// Where the parts of the units chart go: rows, names left, value and count columns right.
struct HLayout {
    plot_top: i32,
    plot_bottom: i32,
    /// The height of a row.
    row: f64,
    ls: f64,
    vs: f64,
    lines_per_label: usize,
    names: Vec<String>,
    name_w: i32,
    values: Vec<String>,
    ns: Vec<String>,
    x0: i32,
    x1: i32,
    /// The right edge of the value column.
    value_x: i32,
}

impl HLayout {
    /// The y of the centre of row `k`.
    fn cy(&self, k: usize) -> i32 {
        self.plot_top + ((k as f64 + 0.5) * self.row).round() as i32
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
    let l = h_layout(&c, groups, unit_name, top, bottom);
    let scale = Scale {
        lo: 0.0,
        hi: 100.0,
        p0: l.x0,
        p1: l.x1,
    };
    x_axis(&c, scale, l.plot_top, l.plot_bottom)?;

    let thick = ((l.row * 0.62) as i32).clamp(2, 60);
    draw_hbars(&c, groups, &l, scale, thick)?;
    draw_hwhiskers(&c, groups, &l, scale, thick)?;
    draw_htarget(&c, report.target, &l, scale)?;
    draw_columns(&c, &l)
}

/// The layout of the units chart in the region from `top` to `bottom`.
fn h_layout<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    unit_name: &dyn Fn(&str) -> String,
    top: i32,
    bottom: i32,
) -> HLayout {
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
    let (values, ns, value_w, n_w) = value_columns(c, groups, vs);
    let x0 = pad + name_w + 8;
    let x1 = (c.w - pad - value_w - n_w - 24).max(x0 + 40);
    HLayout {
        plot_top,
        plot_bottom,
        row,
        ls,
        vs,
        lines_per_label,
        names,
        name_w,
        values,
        ns,
        x0,
        x1,
        value_x: x1 + 12 + value_w,
    }
}

/// The value and count columns (right of the plot, clear of the target line) and their widths.
fn value_columns<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    vs: f64,
) -> (Vec<String>, Vec<String>, i32, i32) {
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
    (values, ns, value_w, n_w)
}

/// The bars, coloured by verdict, and the units' names left of them.
fn draw_hbars<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    l: &HLayout,
    scale: Scale,
    thick: i32,
) -> Result<(), ChartError> {
    let (x0, ls) = (l.x0, l.ls);
    for (k, g) in groups.iter().enumerate() {
        let cy = l.cy(k);
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
        let lines = c.wrap(&l.names[k], l.name_w, ls, false, l.lines_per_label);
        let lh = Canvas::<DB>::lh(ls);
        let mut y = cy - lh * (lines.len() as i32 - 1) / 2;
        for line in &lines {
            c.text(line, (x0 - 8, y), ls, false, INK, HPos::Right, VPos::Center)?;
            y += lh;
        }
    }
    Ok(())
}

/// The 95 % whiskers of the groups that have an interval.
fn draw_hwhiskers<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    l: &HLayout,
    scale: Scale,
    thick: i32,
) -> Result<(), ChartError> {
    for (k, g) in groups.iter().enumerate() {
        let cy = l.cy(k);
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
    Ok(())
}

/// The target line down the plot, its label above it.
fn draw_htarget<DB: DrawingBackend>(
    c: &Canvas<DB>,
    target: f64,
    l: &HLayout,
    scale: Scale,
) -> Result<(), ChartError> {
    let ts = c.fs * 0.8;
    let tx = scale.at(target);
    c.line(vec![(tx, l.plot_top - 2), (tx, l.plot_bottom)], TARGET, 2)?;
    let tl = super::style::target_label(target);
    c.text(
        &tl,
        (tx, l.plot_top - 4),
        ts,
        true,
        INK,
        HPos::Center,
        VPos::Bottom,
    )
}

/// The value and count of each row in their columns right of the plot.
fn draw_columns<DB: DrawingBackend>(c: &Canvas<DB>, l: &HLayout) -> Result<(), ChartError> {
    let (value_x, vs) = (l.value_x, l.vs);
    for k in 0..l.values.len() {
        let cy = l.cy(k);
        c.text(
            &l.values[k],
            (value_x, cy),
            vs,
            true,
            INK,
            HPos::Right,
            VPos::Center,
        )?;
        c.text(
            &l.ns[k],
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
