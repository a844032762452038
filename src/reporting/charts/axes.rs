//! Value axes and value labels.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::Canvas;
use super::style::{pct_short, AXIS, GRID, INK, MUTED, WHITE};
use super::ChartError;

/// Value labels above bars or points: upright when "100,0 %" fits the slot, else read upwards.
#[derive(Clone, Copy)]
pub struct ValueLabel {
    pub size: f64,
    pub up: bool,
}

impl ValueLabel {
    pub fn fit<DB: DrawingBackend>(c: &Canvas<DB>, slot: f64) -> Self {
        match c.fit(
            "100,0 %",
            (slot * 0.98) as i32,
            c.fs * 0.8,
            (c.fs * 0.8).min(8.0),
        ) {
            Some(size) => ValueLabel { size, up: false },
            None => ValueLabel {
                size: (slot * 0.8).clamp(7.0, c.fs * 0.8),
                up: true,
            },
        }
    }

    /// The room a label needs above the highest mark.
    pub fn headroom<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> i32 {
        if self.up {
            c.width("100,0 %", self.size, self.up) + 8
        } else {
            Canvas::<DB>::lh(self.size) + 6
        }
    }

    /// Draws `text` on a white ground (lines stay behind it), its bottom at `(x, y)`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        c: &Canvas<DB>,
        text: &str,
        (x, y): (i32, i32),
    ) -> Result<(), ChartError> {
        let tw = c.width(text, self.size, self.up);
        let lh = Canvas::<DB>::lh(self.size);
        if self.up {
            c.rect((x - lh / 2, y - tw - 3), (x + lh / 2, y), WHITE)?;
            c.text_up(text, (x, y - 1), self.size, true, HPos::Left)
        } else {
            c.rect((x - tw / 2 - 2, y - lh + 2), (x + tw / 2 + 2, y), WHITE)?;
            c.text(
                text,
                (x, y),
                self.size,
                false,
                INK,
                HPos::Center,
                VPos::Bottom,
            )
        }
    }
}

/// A linear value axis mapping percentages to pixels between `p0` (at `lo`) and `p1` (at `hi`).
#[derive(Clone, Copy)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Scale {
    pub fn at(&self, v: f64) -> i32 {
        let t = (v.clamp(self.lo, self.hi) - self.lo) / (self.hi - self.lo);
        self.p0 + (t * f64::from(self.p1 - self.p0)).round() as i32
    }

    /// Tick values: every 10 or 20 points between `lo` and `hi`.
    pub fn ticks(&self) -> Vec<f64> {
        let span = (self.p1 - self.p0).abs();
        let range = self.hi - self.lo;
        let step = if f64::from(span) / (range / 10.0) >= 28.0 {
            10.0
        } else if f64::from(span) / (range / 20.0) >= 28.0 {
            20.0
        } else {
            50.0
        };
        let mut v = (self.lo / step).ceil() * step;
        let mut out = Vec::new();
        while v <= self.hi + 1e-9 {
            out.push(v);
            v += step;
        }
        out
    }
}

/// Grid and tick labels of a vertical value axis (y) over `x0..x1`.
pub fn y_axis<DB: DrawingBackend>(
    c: &Canvas<DB>,
    s: Scale,
    x0: i32,
    x1: i32,
) -> Result<(), ChartError> {
    let size = c.fs * 0.8;
    for t in s.ticks() {
        let y = s.at(t);
        c.line(vec![(x0, y), (x1, y)], GRID, 1)?;
        c.text(
            &pct_short(t),
            (x0 - 6, y),
            size,
            false,
            MUTED,
            HPos::Right,
            VPos::Center,
        )?;
    }
    c.line(vec![(x0, s.p0), (x1, s.p0)], AXIS, 1)
}

/// Grid and tick labels of a horizontal value axis (x) over `y0..y1`, labels below `y1`.
pub fn x_axis<DB: DrawingBackend>(
    c: &Canvas<DB>,
    s: Scale,
    y0: i32,
    y1: i32,
) -> Result<(), ChartError> {
    let size = c.fs * 0.8;
    for t in s.ticks() {
        let x = s.at(t);
        c.line(vec![(x, y0), (x, y1)], GRID, 1)?;
        c.text(
            &pct_short(t),
            (x, y1 + 4),
            size,
            false,
            MUTED,
            HPos::Center,
            VPos::Top,
        )?;
    }
    c.line(vec![(s.p0, y0), (s.p0, y1)], AXIS, 1)
}
