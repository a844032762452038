//! The printable QR sheet of a unit for the one-stop counter (A4 portrait): a heading, the unit's
//! name, the form's title, a large QR code of the unit's phone link, that link in text and a short
//! instruction. Pure: strings in, PNG bytes or SVG text out.
//!
//! Drawn with plotters like the charts (the embedded DejaVu Sans; PNG text rasterised by `glyphs`,
//! SVG text naming Vietnamese-capable families first), the QR modules as black rectangles on
//! white with the standard quiet zone. PNG is 150 dpi A4, 1240 × 1754 pixels; the SVG has the same
//! coordinates (`viewBox`) and prints at 210 × 297 mm.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::Canvas;
use super::style::{INK, MUTED, WHITE};
use super::{register_fonts, svg_fonts, ChartError, ChartFormat};
use crate::platform::qr::{Qr, QrError};

/// A4 at 150 dpi, portrait, in pixels (and SVG user units).
pub const SHEET_SIZE: (u32, u32) = (1240, 1754);

/// The sheet's heading.
pub const HEADING: &str = "Khảo sát sự hài lòng của người dân, tổ chức";

/// What the citizen does, under the code.
pub const INSTRUCTION: &str = "Quét mã QR bằng máy ảnh điện thoại để trả lời. \
     Phiếu không ghi tên, chỉ mất khoảng 2 phút.";

/// Black modules: the darkest ink gives the best contrast for phone cameras.
const MODULE: RGBColor = RGBColor(0, 0, 0);

/// Margin around the sheet's content (about 16 mm: inside every printer's unprintable border).
const MARGIN: i32 = 96;

/// Space between the code (its quiet zone already white) and the link under it.
const BELOW_CODE: i32 = 8;

/// The smallest module that still prints and scans reliably from a counter (≈ 0.5 mm).
const MIN_MODULE_PX: i32 = 3;

/// The largest module: a very short link should not give a code wider than the text above it.
const MAX_MODULE_PX: i32 = 40;

#[derive(Debug, thiserror::Error)]
pub enum QrSheetError {
    #[error("the link is too long to print as a QR code on the sheet")]
    TooLong,
    #[error(transparent)]
    Render(#[from] ChartError),
}

impl QrSheetError {
    pub fn code(&self) -> &'static str {
        match self {
            QrSheetError::TooLong => "qr_too_long",
            QrSheetError::Render(e) => e.code(),
        }
    }
}

impl From<QrError> for QrSheetError {
    fn from(e: QrError) -> Self {
        match e {
            QrError::TooLong => QrSheetError::TooLong,
            QrError::Png(msg) => QrSheetError::Render(ChartError::Encode(msg)),
        }
    }
}

/// What the sheet says.
#[derive(Debug, Clone, Copy)]
pub struct QrSheet<'a> {
    /// The unit's name ("Xã Phước Sơn").
    pub unit_name: &'a str,
    /// The form's title.
    pub form_title: &'a str,
    /// The link the code holds (printed under it too).
    pub url: &'a str,
}

/// The sheet as PNG or SVG bytes.
pub fn render(format: ChartFormat, sheet: &QrSheet) -> Result<Vec<u8>, QrSheetError> {
    match format {
        ChartFormat::Png => png(sheet),
        ChartFormat::Svg => svg(sheet).map(String::into_bytes),
    }
}

/// The sheet as a PNG, 1240 × 1754 (A4 at 150 dpi), 8-bit grey.
pub fn png(sheet: &QrSheet) -> Result<Vec<u8>, QrSheetError> {
    let qr = Qr::encode(sheet.url)?;
    let (w, h) = SHEET_SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, SHEET_SIZE).into_drawing_area();
        draw(&area, sheet, &qr, true)?;
    }
    Ok(encode_grey_png(&rgb, SHEET_SIZE)?)
}

/// The sheet as an SVG document (the same geometry as the PNG; prints at 210 × 297 mm).
pub fn svg(sheet: &QrSheet) -> Result<String, QrSheetError> {
    let qr = Qr::encode(sheet.url)?;
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, SHEET_SIZE).into_drawing_area();
        draw(&area, sheet, &qr, false)?;
    }
    let (w, h) = SHEET_SIZE;
    // Print size A4, and no anti-aliasing seams between the modules' rectangles.
    let out = out.replacen(
        &format!("<svg width=\"{w}\" height=\"{h}\" "),
        "<svg width=\"210mm\" height=\"297mm\" shape-rendering=\"crispEdges\" ",
        1,
    );
    Ok(svg_fonts(&out))
}

/// Draws the sheet on any plotters area of [`SHEET_SIZE`]; `raster`: a pixel backend.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sheet: &QrSheet,
    qr: &Qr,
    raster: bool,
) -> Result<(), QrSheetError> {
    register_fonts()?;
    area.fill(&WHITE).map_err(draw_err)?;
    let c = Canvas::new(area, raster);
    let width = c.w - 2 * MARGIN;
    let centre = c.w / 2;

    // Top block: heading, unit name, form title.
    let heading = Block::new(&c, HEADING, width, 46.0, true, 2, INK);
    let unit = Block::fitted(&c, sheet.unit_name, width, (64.0, 44.0), true, 2, INK);
    let title = Block::new(&c, sheet.form_title, width, 30.0, false, 3, MUTED);
    // Bottom block: the link, then the instruction.
    let link = link_block(&c, sheet.url, width);
    let instruction = Block::new(&c, INSTRUCTION, width, 34.0, false, 3, INK);

    let mut y = MARGIN;
    y = heading.draw(&c, centre, y)? + 22;
    y = unit.draw(&c, centre, y)? + 14;
    y = title.draw(&c, centre, y)?;
    let top = y + 40;
    let bottom_height = link.height() + 28 + instruction.height();
    let bottom = c.h - MARGIN - bottom_height - BELOW_CODE;

    // The code: whole pixels per module, as large as the room between the blocks allows.
    let n = qr.size() as i32;
    let room = width.min(bottom - top);
    let module = (room / n).min(MAX_MODULE_PX);
    if module < MIN_MODULE_PX {
        return Err(QrSheetError::TooLong);
    }
    let side = module * n;
    let x0 = centre - side / 2;
    // The code, the link and the instruction as one group, centred in the room left.
    let group = side + BELOW_CODE + bottom_height;
    let y0 = top + (c.h - MARGIN - top - group).max(0) / 2;
    for (x, y, len) in qr.dark_runs() {
        let (x, y, len) = (x as i32, y as i32, len as i32);
        let left = x0 + x * module;
        let upper = y0 + y * module;
        area.draw(&Rectangle::new(
            [(left, upper), (left + len * module, upper + module)],
            MODULE.filled(),
        ))
        .map_err(draw_err)?;
    }

    let mut y = y0 + side + BELOW_CODE;
    y = link.draw(&c, centre, y)? + 28;
    instruction.draw(&c, centre, y)?;
    area.present().map_err(draw_err)?;
    Ok(())
}

fn line_height(size: f64) -> i32 {
    (size * 1.25).ceil() as i32
}

fn draw_err<E: std::fmt::Display>(e: E) -> QrSheetError {
    QrSheetError::Render(ChartError::Draw(e.to_string()))
}

/// Centred lines of one size.
struct Block {
    lines: Vec<String>,
    size: f64,
    bold: bool,
    color: RGBColor,
}

impl Block {
    /// `text` wrapped at `size` into at most `max_lines` (the last shortened with "…").
    fn new<DB: DrawingBackend>(
        c: &Canvas<DB>,
        text: &str,
        width: i32,
        size: f64,
        bold: bool,
        max_lines: usize,
        color: RGBColor,
    ) -> Block {
        Block {
            lines: c.wrap(text, width, size, bold, max_lines),
            size,
            bold,
            color,
        }
    }

    /// On one line at the largest size from `preferred` down to `min` that fits; else wrapped at
    /// the middle size.
    fn fitted<DB: DrawingBackend>(
        c: &Canvas<DB>,
        text: &str,
        width: i32,
        (preferred, min): (f64, f64),
        bold: bool,
        max_lines: usize,
        color: RGBColor,
    ) -> Block {
        let mut size = preferred;
        while size >= min {
            if c.width(text, size, bold) <= width {
                return Block::new(c, text, width, size, bold, 1, color);
            }
            size -= 2.0;
        }
        Block::new(
            c,
            text,
            width,
            (preferred + min) / 2.0,
            bold,
            max_lines,
            color,
        )
    }

    fn height(&self) -> i32 {
        line_height(self.size) * self.lines.len() as i32
    }

    /// Draws the lines centred on `x` from `y` down; returns the y below them.
    fn draw<DB: DrawingBackend>(
        &self,
        c: &Canvas<DB>,
        x: i32,
        mut y: i32,
    ) -> Result<i32, ChartError> {
        for line in &self.lines {
            c.text(
                line,
                (x, y),
                self.size,
                self.bold,
                self.color,
                HPos::Center,
                VPos::Top,
            )?;
            y += line_height(self.size);
        }
        Ok(y)
    }
}

/// The link in text: one line at the largest size from 30 down to 18 px that fits, else broken
/// between characters (a URL has no spaces) into up to three lines at 18 px.
fn link_block<DB: DrawingBackend>(c: &Canvas<DB>, url: &str, width: i32) -> Block {
    let block = |lines: Vec<String>, size: f64| Block {
        lines,
        size,
        bold: false,
        color: INK,
    };
    let mut size = 30.0;
    while size >= 18.0 {
        if c.width(url, size, false) <= width {
            return block(vec![url.to_string()], size);
        }
        size -= 1.0;
    }
    let size = 18.0;
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for ch in url.chars() {
        cur.push(ch);
        if c.width(&cur, size, false) > width {
            cur.pop();
            lines.push(std::mem::take(&mut cur));
            cur.push(ch);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > 3 {
        lines.truncate(3);
        if let Some(last) = lines.last_mut() {
            last.pop();
            last.push('…');
        }
    }
    block(lines, size)
}

/// The RGB drawing as an 8-bit grey PNG (the sheet has no colour): a third of the data, and
/// fast compression keeps a debug build well under a second.
fn encode_grey_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let grey: Vec<u8> = rgb
        .chunks_exact(3)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect();
    let enc = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        // 150 dpi = 5906 pixels per metre, so the sheet prints at A4.
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 5906,
            yppu: 5906,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header().map_err(enc)?;
        writer.write_image_data(&grey).map_err(enc)?;
        writer.finish().map_err(enc)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://khaosat.example.vn/f/sipas-dich-vu?unit=phuoc-son&channel=phone";

    fn sheet() -> QrSheet<'static> {
        QrSheet {
            unit_name: "Xã Phước Sơn",
            form_title: "Phiếu khảo sát sự hài lòng của người dân đối với dịch vụ hành chính công",
            url: URL,
        }
    }

    fn decode_grey(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(png_bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn png_is_a4_at_150_dpi_black_on_white() {
        let bytes = png(&sheet()).unwrap();
        let (w, h, grey) = decode_grey(&bytes);
        assert_eq!((w, h), SHEET_SIZE);
        // The corners are white paper; the code's modules are pure black.
        assert_eq!(grey[0], 255);
        assert_eq!(grey[grey.len() - 1], 255);
        assert!(grey.contains(&0));
    }

    #[test]
    fn modules_are_whole_squares_with_the_quiet_zone() {
        let qr = Qr::encode(URL).unwrap();
        let bytes = png(&sheet()).unwrap();
        let (w, _, grey) = decode_grey(&bytes);
        let px = |x: i32, y: i32| grey[(y as u32 * w + x as u32) as usize];
        // Find the code: the first pure black pixel is the top-left corner of the finder pattern.
        let first = grey.iter().position(|&p| p == 0).unwrap() as i32;
        let (fx, fy) = (first % w as i32, first / w as i32);
        // The finder pattern's top row is 7 modules of black; measure one module.
        let mut run = 0;
        while px(fx + run, fy) == 0 {
            run += 1;
        }
        assert_eq!(run % 7, 0, "the finder's top row is 7 whole modules: {run}");
        let module = run / 7;
        assert!(module >= MIN_MODULE_PX);
        // Every module centre matches the code; the quiet zone is white.
        let n = qr.size() as i32;
        let (x0, y0) = (fx - 4 * module, fy - 4 * module);
        let dark: std::collections::HashSet<(usize, usize)> = qr.dark_modules().collect();
        for my in 0..n {
            for mx in 0..n {
                let p = px(x0 + mx * module + module / 2, y0 + my * module + module / 2);
                let expected = if dark.contains(&(mx as usize, my as usize)) {
                    0
                } else {
                    255
                };
                assert_eq!(p, expected, "module ({mx}, {my})");
            }
        }
        // Rectangles end exactly at module boundaries: the pixel after the finder is white.
        assert_eq!(px(fx + run, fy), 255);
        assert_eq!(px(fx, fy + run), 255);
    }

    #[test]
    fn svg_has_the_texts_nfc_escaped_and_the_modules() {
        let decomposed: String = {
            use unicode_normalization::UnicodeNormalization;
            "Xã Phước Sơn".nfd().collect()
        };
        let s = QrSheet {
            unit_name: &decomposed,
            ..sheet()
        };
        let svg = svg(&s).unwrap();
        assert!(svg.contains("viewBox=\"0 0 1240 1754\""));
        assert!(svg.contains("width=\"210mm\""));
        assert!(svg.contains("Xã Phước Sơn"), "the unit's name in NFC");
        assert!(
            svg.contains(&URL.replace('&', "&amp;")),
            "the link, escaped"
        );
        assert!(svg.contains("Quét mã QR"));
        assert!(svg.contains(super::super::SVG_FONT_FAMILY));
        let runs = Qr::encode(URL).unwrap().dark_runs().len();
        assert_eq!(svg.matches("fill=\"#000000\"").count(), runs);
    }

    #[test]
    fn long_texts_are_wrapped_and_a_long_link_still_fits() {
        let long_url = format!(
            "https://khaosat.example.vn/f/sipas-dich-vu?unit={}&channel=phone",
            "x".repeat(300)
        );
        let long_name =
            "Ủy ban nhân dân xã có một cái tên rất dài để thử việc xuống dòng trên phiếu in";
        let s = QrSheet {
            unit_name: long_name,
            form_title: &"Phiếu khảo sát rất dài ".repeat(20),
            url: &long_url,
        };
        assert_eq!(decode_grey(&png(&s).unwrap()).0, SHEET_SIZE.0);
        svg(&s).unwrap();
    }

    #[test]
    fn a_link_too_long_for_a_code_is_refused() {
        let url = format!("https://example.vn/{}", "x".repeat(5000));
        let s = QrSheet {
            url: &url,
            ..sheet()
        };
        assert!(matches!(png(&s), Err(QrSheetError::TooLong)));
        assert_eq!(svg(&s).unwrap_err().code(), "qr_too_long");
    }
}
