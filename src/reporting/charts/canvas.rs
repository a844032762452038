//! A drawing area in pixels with text measured by the embedded font: text layout, the header
//! (title, context, legend), the footnote and the "no data" chart.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::glyphs::{self, Placement};
use super::style::{nfc, Key, BAND, CI_TEXT, INK, MUTED, NO_DATA_TEXT, TARGET, WHISKER};
use super::ChartError;

/// A drawing area in pixels with text measured by the embedded font.
pub struct Canvas<'a, DB: DrawingBackend> {
    pub area: &'a DrawingArea<DB, Shift>,
    pub w: i32,
    pub h: i32,
    /// Base font size in pixels, from the chart size.
    pub fs: f64,
    /// Pixel output: text is rasterised by `glyphs` rather than plotters.
    pub raster: bool,
}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn font(size: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::SansSerif, size, style)
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    pub fn new(area: &'a DrawingArea<DB, Shift>, raster: bool) -> Self {
        let (w, h) = area.dim_in_pixel();
        let fs = (f64::from(w).min(f64::from(h) * 1.6) / 62.0).clamp(10.0, 28.0);
        Canvas {
            area,
            w: w as i32,
            h: h as i32,
            fs,
            raster,
        }
    }

    pub fn width(&self, s: &str, size: f64, bold: bool) -> i32 {
        let style = TextStyle::from(font(size, bold));
        self.area
            .estimate_text_size(&nfc(s), &style)
            .map(|(w, _)| w as i32)
            .unwrap_or((s.chars().count() as f64 * size * 0.55) as i32)
    }

    /// The largest size ≤ `preferred` (≥ `min`) at which `sample` fits in `max_w`.
    pub fn fit(&self, sample: &str, max_w: i32, preferred: f64, min: f64) -> Option<f64> {
        let mut size = preferred;
        while size >= min {
            if self.width(sample, size, false) <= max_w {
                return Some(size);
            }
            size -= 0.5;
        }
        None
    }

    /// Line height for text of `size`.
    pub fn lh(size: f64) -> i32 {
        (size * 1.25).ceil() as i32
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &self,
        s: &str,
        (x, y): (i32, i32),
        size: f64,
        bold: bool,
        color: RGBColor,
        h: HPos,
        v: VPos,
    ) -> Result<(), ChartError> {
        let text = nfc(s);
        if self.raster {
            let at = Placement {
                at: (x, y),
                h,
                v,
                up: false,
            };
            return glyphs::draw(self.area, &text, size, bold, color, &at);
        }
        let style = font(size, bold).color(&color).pos(Pos::new(h, v));
        self.area.draw(&Text::new(text, (x, y), style)).map_err(err)
    }

    /// Text read bottom to top, vertically centred on `x`; `h` says which end is at `y`
    /// (`Left`: the start, the text going up; `Right`: the end, the text hanging down).
    pub fn text_up(
        &self,
        s: &str,
        (x, y): (i32, i32),
        size: f64,
        bold: bool,
        h: HPos,
    ) -> Result<(), ChartError> {
        let text = nfc(s);
        if self.raster {
            let at = Placement {
                at: (x, y),
                h,
                v: VPos::Center,
                up: true,
            };
            return glyphs::draw(self.area, &text, size, bold, INK, &at);
        }
        let style = font(size, bold)
            .color(&INK)
            .pos(Pos::new(h, VPos::Center))
            .transform(FontTransform::Rotate270);
        self.area.draw(&Text::new(text, (x, y), style)).map_err(err)
    }

    pub fn rect(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        self.area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))
            .map_err(err)
    }

    pub fn line(
        &self,
        points: Vec<(i32, i32)>,
        color: RGBColor,
        width: u32,
    ) -> Result<(), ChartError> {
        self.area
            .draw(&PathElement::new(points, color.stroke_width(width)))
            .map_err(err)
    }

    pub fn polygon(
        &self,
        points: Vec<(i32, i32)>,
        color: RGBColor,
        alpha: f64,
    ) -> Result<(), ChartError> {
        self.area
            .draw(&Polygon::new(points, color.mix(alpha).filled()))
            .map_err(err)
    }

    /// An interval from `a` to `b` (pixels along the value axis) at `at` across it, with caps.
    pub fn whisker(
        &self,
        vertical: bool,
        at: i32,
        a: i32,
        b: i32,
        cap: i32,
    ) -> Result<(), ChartError> {
        let pt = |along: i32, across: i32| {
            if vertical {
                (across, along)
            } else {
                (along, across)
            }
        };
        self.line(vec![pt(a, at), pt(b, at)], WHISKER, 2)?;
        self.line(vec![pt(a, at - cap), pt(a, at + cap)], WHISKER, 2)?;
        self.line(vec![pt(b, at - cap), pt(b, at + cap)], WHISKER, 2)
    }

    /// Greedy word wrap into lines no wider than `max_w`; at most `max_lines`, the last one
    /// shortened with "…" when the text does not fit.
    pub fn wrap(
        &self,
        s: &str,
        max_w: i32,
        size: f64,
        bold: bool,
        max_lines: usize,
    ) -> Vec<String> {
        let s = nfc(s);
        let mut lines: Vec<String> = Vec::new();
        let mut cur = String::new();
        for word in s.split_whitespace() {
            let candidate = if cur.is_empty() {
                word.to_string()
            } else {
                format!("{cur} {word}")
            };
            if cur.is_empty() || self.width(&candidate, size, bold) <= max_w {
                cur = candidate;
            } else {
                lines.push(std::mem::replace(&mut cur, word.to_string()));
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        let max_lines = max_lines.max(1);
        let overflow = lines.len() > max_lines;
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            if overflow || self.width(last, size, bold) > max_w {
                *last = self.ellipsize(last, max_w, size, bold);
            }
        }
        lines
    }

    fn ellipsize(&self, s: &str, max_w: i32, size: f64, bold: bool) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        loop {
            let t: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if chars.is_empty() || self.width(&t, size, bold) <= max_w {
                return t;
            }
            chars.pop();
        }
    }

    /// Title, context line(s) and legend; returns the first free y below them.
    pub fn header(&self, title: &str, context: &str, keys: &[Key]) -> Result<i32, ChartError> {
        let pad = (self.fs * 0.8) as i32;
        let width = self.w - 2 * pad;
        let mut y = pad;
        let ts = self.fs * 1.3;
        for line in self.wrap(title, width, ts, true, 2) {
            self.text(&line, (pad, y), ts, true, INK, HPos::Left, VPos::Top)?;
            y += Self::lh(ts);
        }
        let cs = self.fs * 0.95;
        for line in self.wrap(context, width, cs, false, 2) {
            self.text(&line, (pad, y), cs, false, MUTED, HPos::Left, VPos::Top)?;
            y += Self::lh(cs);
        }
        if !keys.is_empty() {
            y += (self.fs * 0.4) as i32;
            y = self.legend(keys, pad, y, width)?;
        }
        Ok(y + (self.fs * 0.6) as i32)
    }

    /// The legend as one or more rows of keys; returns the y below it.
    fn legend(&self, keys: &[Key], x0: i32, y0: i32, width: i32) -> Result<i32, ChartError> {
        let ls = self.fs * 0.9;
        let sw = (ls * 0.9) as i32;
        let row_h = Self::lh(ls).max(sw + 4);
        let gap = (ls * 1.2) as i32;
        let (mut x, mut y) = (x0, y0);
        for key in keys {
            let label = match key {
                Key::Swatch(_, l) | Key::Target(l) => l.clone(),
                Key::Whisker => CI_TEXT.to_string(),
                Key::Band => CI_TEXT.to_string(),
            };
            let kw = sw * 2 + 6 + self.width(&label, ls, false);
            if x > x0 && x + kw > x0 + width {
                x = x0;
                y += row_h;
            }
            let cy = y + row_h / 2;
            match key {
                Key::Swatch(c, _) => self.rect((x, cy - sw / 2), (x + sw, cy + sw / 2), *c)?,
                Key::Target(_) => self.line(vec![(x, cy), (x + sw * 2, cy)], TARGET, 2)?,
                Key::Whisker => self.whisker(false, cy, x + 2, x + sw * 2 - 2, sw / 3)?,
                Key::Band => self.rect((x, cy - sw / 3), (x + sw * 2, cy + sw / 3), BAND)?,
            }
            let lx = match key {
                Key::Swatch(..) => x + sw + 6,
                _ => x + sw * 2 + 6,
            };
            self.text(&label, (lx, cy), ls, false, INK, HPos::Left, VPos::Center)?;
            x = lx + self.width(&label, ls, false) + gap;
        }
        Ok(y + row_h)
    }

    /// A wrapped note at the bottom; returns the y above it (the bottom of the plot region).
    pub fn footnote(&self, note: &str) -> Result<i32, ChartError> {
        let pad = (self.fs * 0.8) as i32;
        let ns = self.fs * 0.75;
        if self.h < 360 {
            return Ok(self.h - pad);
        }
        let lines = self.wrap(note, self.w - 2 * pad, ns, false, 2);
        let mut y = self.h - pad - Self::lh(ns) * lines.len() as i32;
        let top = y;
        for line in &lines {
            self.text(line, (pad, y), ns, false, MUTED, HPos::Left, VPos::Top)?;
            y += Self::lh(ns);
        }
        Ok(top - (self.fs * 0.5) as i32)
    }

    /// The "no data" message centred in the region below `top`.
    pub fn no_data(&self, top: i32) -> Result<(), ChartError> {
        let size = self.fs * 1.2;
        let cy = top + (self.h - top) / 2;
        let lines = self.wrap(NO_DATA_TEXT, self.w - 2 * (self.fs as i32), size, true, 3);
        let mut y = cy - Self::lh(size) * lines.len() as i32 / 2;
        for line in &lines {
            self.text(
                line,
                (self.w / 2, y),
                size,
                true,
                MUTED,
                HPos::Center,
                VPos::Top,
            )?;
            y += Self::lh(size);
        }
        Ok(())
    }
}
