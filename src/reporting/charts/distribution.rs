//! Stacked shares of the answers 1–5 per item (from the items' `distribution` counts), and of
//! the levels of each expectation question, with a legend naming the levels and the share printed
//! in every segment wide enough for it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{x_axis, Scale};
use super::canvas::Canvas;
use super::style::{count, Key, INK, MUTED, WHITE};
use super::{first_group, ChartError, ChartKind};
use crate::reporting::reports::output::ItemOut;
use crate::reporting::reports::ReportOut;

/// The standard SIPAS scale, lowest first.
pub const DEFAULT_SCALE: [&str; 5] = [
    "Rất không hài lòng",
    "Không hài lòng",
    "Bình thường",
    "Hài lòng",
    "Rất hài lòng",
];

/// Diverging vermillion–grey–blue (Okabe–Ito), lowest level first.
const LEVELS: [RGBColor; 5] = [
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0xBB, 0xBB, 0xBB),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x72, 0xB2),
];

/// The colour of level `k` (0-based) of `n`, and the text colour on it.
fn level_color(k: usize, n: usize) -> (RGBColor, RGBColor) {
    let i = if n <= 1 {
        4
    } else {
        (k * 4 + (n - 1) / 2) / (n - 1)
    };
    (LEVELS[i], if i == 4 { WHITE } else { INK })
}

/// Counts of levels 1..=n of an item.
fn counts(item: &ItemOut, levels: usize) -> Vec<u64> {
    (1..=levels)
        .map(|k| {
            item.distribution
                .get(&k.to_string())
                .and_then(|v| v.as_u64())
                .unwrap_or(0)
        })
        .collect()
}

/// One row: a heading or a bar of level counts.
enum Row<'r> {
    Heading(&'r str),
    Bar(&'r str, &'r [u64]),
}

/// A block of bars under an optional heading: (heading, [(code, counts of levels 1..=n)]).
pub(super) type Block<'r> = (&'r str, Vec<(&'r str, Vec<u64>)>);

/// Stacked 1–5 shares per item of the first group; `scale_labels` names the levels (lowest
/// first; empty: the standard SIPAS labels).
pub fn distribution<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    context: &str,
    scale_labels: &[String],
    raster: bool,
) -> Result<(), ChartError> {
    let elements: Vec<_> = first_group(report)
        .map(|g| g.parts.iter().flat_map(|p| &p.elements).collect())
        .unwrap_or_default();
    let labels: Vec<String> = if scale_labels.is_empty() {
        DEFAULT_SCALE.iter().map(|s| s.to_string()).collect()
    } else {
        scale_labels.to_vec()
    };
    let levels = elements
        .iter()
        .flat_map(|e| &e.items)
        .flat_map(|i| i.distribution.keys())
        .filter_map(|k| k.parse::<usize>().ok())
        .max()
        .unwrap_or(0)
        .max(labels.len());
    let blocks: Vec<Block> = elements
        .iter()
        .map(|e| {
            let bars = e
                .items
                .iter()
                .map(|i| (i.code.as_str(), counts(i, levels)))
                .collect();
            (e.label.as_str(), bars)
        })
        .collect();
    let title = ChartKind::Distribution.title();
    stacked(area, (title, context), &labels, &blocks, raster)
}

/// Stacked shares of levels per bar, in blocks with headings (shown when there is room and more
/// than one block); `labels` names the levels, lowest first.
pub(super) fn stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (title, context): (&str, &str),
    labels: &[String],
    blocks: &[Block<'_>],
    raster: bool,
) -> Result<(), ChartError> {
    let c = Canvas::new(area, raster);
    let levels = blocks
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(_, cs)| cs.len()))
        .max()
        .unwrap_or(0)
        .max(labels.len());
    let has_data = blocks
        .iter()
        .flat_map(|(_, bars)| bars)
        .any(|(_, cs)| cs.iter().sum::<u64>() > 0);
    let keys: Vec<Key> = if has_data {
        level_keys(labels, levels)
    } else {
        Vec::new()
    };
    let top = c.header(title, context, &keys)?;
    if !has_data {
        return c.no_data(top);
    }
    let pad = (c.fs * 0.8) as i32;
    let axis_h = Canvas::<DB>::lh(c.fs * 0.8) + 6;
    let plot_bottom = c.h - pad - axis_h;
    let rows = stacked_rows(&c, blocks, f64::from(plot_bottom - top));
    let l = s_layout(&c, blocks, &rows, (top, plot_bottom), levels);
    let scale = Scale {
        lo: 0.0,
        hi: 100.0,
        p0: l.x0,
        p1: l.x1,
    };
    x_axis(&c, scale, top, plot_bottom)?;

    let mut n_iter = l.ns.iter();
    for (k, r) in rows.iter().enumerate() {
        let cy = top + ((k as f64 + 0.5) * l.row).round() as i32;
        match r {
            Row::Heading(label) => {
                let line = c.wrap(label, c.w - 2 * pad, l.ls, true, 1);
                let text = line.first().map_or("", String::as_str);
                c.text(text, (pad, cy), l.ls, true, MUTED, HPos::Left, VPos::Center)?;
            }
            Row::Bar(code, cs) => {
                let n_text = n_iter.next().map_or("", String::as_str);
                draw_stacked_bar(&c, &l, scale, cy, (code, n_text, cs))?;
            }
        }
    }
    Ok(())
}

/// The legend: a swatch per level, "1 Rất không hài lòng", ….
fn level_keys(labels: &[String], levels: usize) -> Vec<Key> {
    (0..levels)
        .map(|k| {
            let name = labels.get(k).map_or(String::new(), |l| format!(" {l}"));
            Key::Swatch(level_color(k, levels).0, format!("{}{name}", k + 1))
        })
        .collect()
}

/// The rows in a plot of height `plot_h`: the bars, under the blocks' headings when they fit.
fn stacked_rows<'r, DB: DrawingBackend>(
    c: &Canvas<DB>,
    blocks: &'r [Block<'_>],
    plot_h: f64,
) -> Vec<Row<'r>> {
    let n_bars: usize = blocks.iter().map(|(_, bars)| bars.len()).sum();
    let ls0 = c.fs * 0.85;
    let with_headings = blocks.len() > 1 && plot_h / (n_bars + blocks.len()) as f64 >= ls0 * 1.3;
    let mut rows: Vec<Row> = Vec::new();
    for (heading, bars) in blocks {
        if with_headings {
            rows.push(Row::Heading(heading));
        }
        rows.extend(bars.iter().map(|(code, cs)| Row::Bar(code, cs.as_slice())));
    }
    rows
}

/// Where the parts of a stacked chart go: row height, text sizes, the bars' x range.
struct SLayout {
    row: f64,
    /// The size of codes and headings.
    ls: f64,
    /// The size of counts and shares.
    vs: f64,
    x0: i32,
    x1: i32,
    thick: i32,
    levels: usize,
    /// The count of each bar, "n = …", in order.
    ns: Vec<String>,
}

/// The layout of `rows` in the plot from `top` to `plot_bottom`, codes left and counts right.
fn s_layout<DB: DrawingBackend>(
    c: &Canvas<DB>,
    blocks: &[Block<'_>],
    rows: &[Row],
    (top, plot_bottom): (i32, i32),
    levels: usize,
) -> SLayout {
    let pad = (c.fs * 0.8) as i32;
    let row = f64::from(plot_bottom - top) / rows.len() as f64;
    let ls = (c.fs * 0.85).min(row * 0.8).max(6.0);
    let vs = (c.fs * 0.75).min(row * 0.75).max(6.0);
    let codes_w = rows
        .iter()
        .filter_map(|r| match r {
            Row::Bar(code, _) => Some(c.width(code, ls, false)),
            Row::Heading(_) => None,
        })
        .max()
        .unwrap_or(0);
    let ns: Vec<String> = blocks
        .iter()
        .flat_map(|(_, bars)| bars)
        .map(|(_, cs)| format!("n = {}", count(cs.iter().sum())))
        .collect();
    let n_w = ns.iter().map(|n| c.width(n, vs, false)).max().unwrap_or(0);
    let x0 = pad + codes_w + 8;
    SLayout {
        row,
        ls,
        vs,
        x0,
        x1: (c.w - pad - n_w - 8).max(x0 + 40),
        thick: ((row * 0.7) as i32).clamp(2, 48),
        levels,
        ns,
    }
}

/// One bar at `cy`: its code left, its count right, and a segment per level with its share.
fn draw_stacked_bar<DB: DrawingBackend>(
    c: &Canvas<DB>,
    l: &SLayout,
    scale: Scale,
    cy: i32,
    (code, n_text, cs): (&str, &str, &[u64]),
) -> Result<(), ChartError> {
    let (x0, vs) = (l.x0, l.vs);
    c.text(
        code,
        (x0 - 8, cy),
        l.ls,
        false,
        INK,
        HPos::Right,
        VPos::Center,
    )?;
    c.text(
        n_text,
        (l.x1 + 8, cy),
        vs,
        false,
        MUTED,
        HPos::Left,
        VPos::Center,
    )?;
    let total: u64 = cs.iter().sum();
    if total == 0 {
        return c.text(
            "Không có dữ liệu",
            (x0 + 4, cy),
            vs,
            false,
            MUTED,
            HPos::Left,
            VPos::Center,
        );
    }
    let mut acc = 0u64;
    for (level, &n) in cs.iter().enumerate() {
        let a = scale.at(100.0 * acc as f64 / total as f64);
        acc += n;
        let b = scale.at(100.0 * acc as f64 / total as f64);
        if b <= a {
            continue;
        }
        let (fill, ink) = level_color(level, l.levels);
        c.rect((a, cy - l.thick / 2), (b, cy + l.thick / 2), fill)?;
        let share = format!("{:.0} %", 100.0 * n as f64 / total as f64);
        if c.width(&share, vs, false) + 4 <= b - a {
            c.text(
                &share,
                ((a + b) / 2, cy),
                vs,
                false,
                ink,
                HPos::Center,
                VPos::Center,
            )?;
        }
    }
    Ok(())
}

/// Stacked shares of Ít / Nhiều / Rất nhiều per expectation question (KV1…) of the first group;
/// `scale_labels`: the form's expectation scale, lowest first.
pub fn expectations<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    context: &str,
    scale_labels: &[String],
    raster: bool,
) -> Result<(), ChartError> {
    let labels: Vec<String> = if scale_labels.is_empty() {
        ["Ít", "Nhiều", "Rất nhiều"].map(String::from).to_vec()
    } else {
        scale_labels.to_vec()
    };
    let bars: Vec<(&str, Vec<u64>)> = first_group(report)
        .map(|g| {
            g.expectations
                .iter()
                .map(|e| (e.code.as_str(), e.options.iter().map(|o| o.n).collect()))
                .collect()
        })
        .unwrap_or_default();
    let blocks: Vec<Block> = if bars.is_empty() {
        Vec::new()
    } else {
        vec![("", bars)]
    };
    let title = ChartKind::Expectations.title();
    stacked(area, (title, context), &labels, &blocks, raster)
}
