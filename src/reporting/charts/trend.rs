//! The index per period: a line through the points (coloured by verdict, each with its value),
//! the 95 % interval as a band, and the target line.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde_json::Value;

use super::axes::{y_axis, Scale, ValueLabel};
use super::canvas::Canvas;
use super::style::{
    pct, target_label, verdict_color, verdict_keys, Key, BAND, INK, NO_VALUE_TEXT, TARGET,
    VERDICT_NOTE, WHISKER,
};
use super::{ChartError, ChartKind};
use crate::reporting::reports::output::GroupOut;
use crate::reporting::reports::ReportOut;

/// The label of a group of a report grouped by period (`2024`, `2024-Q2`, `2024-05` read as
/// "Năm 2024", "Quý 2/2024", "Tháng 5/2024").
fn period_label(g: &GroupOut) -> String {
    match g.key.get("period").or_else(|| g.key.values().next()) {
        Some(Value::String(s)) => crate::reporting::reports::labels::period(s),
        Some(Value::Null) => "Không xác định".to_string(),
        Some(other) => other.to_string(),
        None => "Tất cả".to_string(),
    }
}

/// Index per period of a report grouped by period (groups in time order, as the report sorts
/// them).
pub fn trend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    context: &str,
    raster: bool,
) -> Result<(), ChartError> {
    let c = Canvas::new(area, raster);
    let groups = &report.groups;
    let target = report.target;
    let has_data = groups.iter().any(|g| g.index.value.is_some());
    let keys = if has_data {
        verdict_keys(target, Key::Band)
    } else {
        Vec::new()
    };
    let top = c.header(ChartKind::Trend.title(), context, &keys)?;
    if !has_data {
        return c.no_data(top);
    }
    let bottom = c.footnote(VERDICT_NOTE)?;
    let pad = (c.fs * 0.8) as i32;
    let ts = c.fs * 0.8;
    let tl = target_label(target);
    let x0 = pad + c.width("100 %", c.fs * 0.8, false) + 10;
    let x1 = c.w - pad - c.width(&tl, ts, true).min(c.w / 5) - 10;
    let slot = f64::from(x1 - x0) / groups.len() as f64;
    let xs: Vec<i32> = (0..groups.len())
        .map(|k| x0 + ((k as f64 + 0.5) * slot).round() as i32)
        .collect();

    let periods = period_labels(&c, groups, slot);
    let vl = ValueLabel::fit(&c, slot);
    let headroom = vl.headroom(&c);
    let scale = trend_scale(groups, target, bottom - periods.height, top + headroom);
    y_axis(&c, scale, x0, x1)?;

    draw_bands(&c, groups, &xs, scale)?;
    draw_line(&c, groups, &xs, scale)?;
    let ty = scale.at(target);
    c.line(vec![(x0, ty), (x1, ty)], TARGET, 2)?;
    c.text(&tl, (x1 + 8, ty), ts, true, INK, HPos::Left, VPos::Center)?;
    draw_points(&c, groups, &xs, scale, (slot, vl), &periods)
}

/// The periods' labels under the axis.
struct PeriodLabels {
    labels: Vec<String>,
    /// Text size.
    ls: f64,
    /// Read upwards (when one is wider than its slot).
    rotate: bool,
    /// The room they take under the axis.
    height: i32,
}

/// The labels of the periods in slots of width `slot`, and how they are set.
fn period_labels<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    slot: f64,
) -> PeriodLabels {
    let ls = c.fs * 0.85;
    let labels: Vec<String> = groups.iter().map(period_label).collect();
    let rotate = labels
        .iter()
        .any(|l| c.width(l, ls, false) > (slot * 0.94) as i32);
    let height = if rotate {
        labels
            .iter()
            .map(|l| c.width(l, ls, false))
            .max()
            .unwrap_or(0)
            + 8
    } else {
        Canvas::<DB>::lh(ls) + 8
    };
    PeriodLabels {
        labels,
        ls,
        rotate,
        height,
    }
}

/// The value axis from `p0` to `p1`: from a multiple of 10 below all shown (a line, not bars).
fn trend_scale(groups: &[GroupOut], target: f64, p0: i32, p1: i32) -> Scale {
    let lowest = groups
        .iter()
        .flat_map(|g| [g.index.value, g.index.ci95.map(|(lo, _)| lo)])
        .flatten()
        .fold(target, f64::min);
    let lo = (((lowest - 5.0) / 10.0).floor() * 10.0).clamp(0.0, 80.0);
    Scale {
        lo,
        hi: 100.0,
        p0,
        p1,
    }
}

/// Bands over runs of consecutive periods with an interval; a lone period gets a whisker.
fn draw_bands<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    xs: &[i32],
    scale: Scale,
) -> Result<(), ChartError> {
    let mut run: Vec<(i32, (f64, f64))> = Vec::new();
    for (g, &x) in groups.iter().zip(xs) {
        match g.index.ci95 {
            Some(ci) if g.index.value.is_some() => run.push((x, ci)),
            _ => flush_band(c, scale, &mut run)?,
        }
    }
    flush_band(c, scale, &mut run)
}

/// Draws the band (or whisker) of a run of periods with an interval, and empties the run.
fn flush_band<DB: DrawingBackend>(
    c: &Canvas<DB>,
    scale: Scale,
    run: &mut Vec<(i32, (f64, f64))>,
) -> Result<(), ChartError> {
    match run.len() {
        0 => {}
        1 => {
            let (x, (lo, hi)) = run[0];
            c.whisker(true, x, scale.at(lo), scale.at(hi), 6)?;
        }
        _ => {
            let mut pts: Vec<(i32, i32)> =
                run.iter().map(|(x, (_, hi))| (*x, scale.at(*hi))).collect();
            pts.extend(run.iter().rev().map(|(x, (lo, _))| (*x, scale.at(*lo))));
            c.polygon(pts, BAND, 0.3)?;
        }
    }
    run.clear();
    Ok(())
}

/// The line through the values, broken where a period has no value.
fn draw_line<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    xs: &[i32],
    scale: Scale,
) -> Result<(), ChartError> {
    let mut segment: Vec<(i32, i32)> = Vec::new();
    for (g, &x) in groups.iter().zip(xs) {
        match g.index.value {
            Some(v) => segment.push((x, scale.at(v))),
            None => {
                if segment.len() > 1 {
                    c.line(std::mem::take(&mut segment), WHISKER, 2)?;
                }
                segment.clear();
            }
        }
    }
    if segment.len() > 1 {
        c.line(segment, WHISKER, 2)?;
    }
    Ok(())
}

/// Each period's point and value (or the "no value" mark), and its label under the axis.
fn draw_points<DB: DrawingBackend>(
    c: &Canvas<DB>,
    groups: &[GroupOut],
    xs: &[i32],
    scale: Scale,
    (slot, vl): (f64, ValueLabel),
    periods: &PeriodLabels,
) -> Result<(), ChartError> {
    let ls = periods.ls;
    let r = (slot * 0.12).clamp(3.0, 7.0) as i32;
    for (k, (g, &x)) in groups.iter().zip(xs).enumerate() {
        let ix = &g.index;
        if let Some(v) = ix.value {
            let y = scale.at(v);
            c.area
                .draw(&Circle::new((x, y), r + 1, WHISKER.filled()))
                .and_then(|_| {
                    c.area
                        .draw(&Circle::new((x, y), r, verdict_color(ix.verdict).filled()))
                })
                .map_err(|e| ChartError::Draw(e.to_string()))?;
            let label_at = scale.at(ix.ci95.map_or(v, |(_, hi)| v.max(hi))) - 5;
            vl.draw(c, &pct(v), (x, label_at))?;
        } else {
            let mid = (scale.p0 + scale.p1) / 2;
            let size = ls.min(slot * 0.8);
            c.text_up(NO_VALUE_TEXT, (x, mid), size, false, HPos::Center)?;
        }
        let by = scale.p0 + 6;
        if periods.rotate {
            c.text_up(&periods.labels[k], (x, by), ls, false, HPos::Right)?;
        } else {
            c.text(
                &periods.labels[k],
                (x, by),
                ls,
                false,
                INK,
                HPos::Center,
                VPos::Top,
            )?;
        }
    }
    Ok(())
}
