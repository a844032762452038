//! Text for pixel output (PNG), rasterised here with ab_glyph and the embedded DejaVu Sans.
//!
//! plotters 0.3.7 draws each glyph at its advance origin without its left side bearing, which
//! makes letter spacing uneven ("x ử l ý"). This draws glyphs at their proper place, with the
//! same scale, advances and kerning plotters measures text with, so layout is unchanged.
//! SVG output keeps plotters' `<text>` elements.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::ChartError;

fn face(bold: bool) -> Result<&'static FontRef<'static>, ChartError> {
    static REGULAR: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let (cell, bytes) = if bold {
        (&BOLD, dejavu::sans::bold())
    } else {
        (&REGULAR, dejavu::sans::regular())
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).ok())
        .as_ref()
        .ok_or_else(|| ChartError::Font("DejaVu Sans could not be loaded".into()))
}

/// Where the text goes: its anchor, and whether it reads bottom to top.
pub struct Placement {
    pub at: (i32, i32),
    pub h: HPos,
    pub v: VPos,
    pub up: bool,
}

/// Draws `text` (already NFC) at `size` pixels (plotters' meaning: ascent − descent).
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
    bold: bool,
    color: RGBColor,
    p: &Placement,
) -> Result<(), ChartError> {
    let font = face(bold)?;
    let scale = PxScale::from(size as f32);
    let scaled = font.as_scaled(scale);
    // Lay out along the baseline from x = 0.
    let mut glyphs = Vec::new();
    let mut caret = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            caret += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(caret, 0.0)));
        caret += scaled.h_advance(id);
        prev = Some(id);
    }
    let dx = match p.h {
        HPos::Left => 0.0,
        HPos::Center => -caret / 2.0,
        HPos::Right => -caret,
    };
    // Baseline offset from the anchor: the top of the ascent, the middle of the capitals, or
    // the bottom of the descent.
    let baseline = match p.v {
        VPos::Top => scaled.ascent(),
        VPos::Center => scaled.ascent() * 0.45,
        VPos::Bottom => scaled.descent(),
    };
    let mut result = Ok(());
    for g in glyphs {
        let Some(outline) = font.outline_glyph(g) else {
            continue;
        };
        let b = outline.px_bounds();
        outline.draw(|x, y, coverage| {
            if coverage <= 0.0 || result.is_err() {
                return;
            }
            let lx = (b.min.x + x as f32 + dx).round() as i32;
            let ly = (b.min.y + y as f32 + baseline).round() as i32;
            let (px, py) = if p.up {
                (p.at.0 + ly, p.at.1 - lx)
            } else {
                (p.at.0 + lx, p.at.1 + ly)
            };
            let c = color.mix(f64::from(coverage.min(1.0)));
            result = area
                .draw_pixel((px, py), &c)
                .map_err(|e| ChartError::Draw(e.to_string()));
        });
    }
    result
}
