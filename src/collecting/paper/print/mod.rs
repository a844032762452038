//! Printable numbered paper sheets: one PDF (A4 portrait, DejaVu Sans embedded and subsetted,
//! drawn with `krilla`) holding every sheet of a batch. Each sheet starts on a new page and has
//! as many pages as the form needs; every page carries the unit's name, the sheet number in text
//! and as a QR code (holding exactly the sheet number, which a USB scanner types at `/entry`),
//! and "Trang k/n". The body — the form laid out once, the same for every sheet — is
//! [`layout`].

mod blocks;
mod layout;
mod text;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::graphic::Graphic;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

use self::blocks::{Op, FOOTER_H, HEADER_H, MARGIN, PAGE_H, PAGE_W};
use self::text::{Face, Metrics};
use crate::domain::SheetNumber;
use crate::forms::Form;
use crate::platform::qr::Qr;

pub use self::layout::ranges;

/// The side of one module of the QR code (points): 0.85 mm, read by any scanner, and 5 pixels
/// of a 150 dpi scan.
const QR_MODULE: f32 = 2.4;

/// What to draw: the sheets of one batch.
#[derive(Debug, Clone)]
pub struct PrintJob<'a> {
    pub form: &'a Form,
    /// The unit's name, as printed ("Xã Phước Sơn").
    pub unit_name: &'a str,
    pub sheets: Vec<SheetNumber>,
}

/// The drawn batch.
#[derive(Debug, Clone)]
pub struct Printed {
    pub pdf: Vec<u8>,
    /// Pages of every sheet: the PDF has `sheets × pages_per_sheet` pages.
    pub pages_per_sheet: usize,
}

/// Why a batch could not be drawn (none is the caller's fault).
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the sheet fonts could not be loaded")]
    Font,
    #[error("a sheet number does not fit in a QR code")]
    Qr,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The fonts as the PDF embeds them, by face.
struct Fonts([Font; 3]);

impl Fonts {
    fn load() -> Result<Fonts, PrintError> {
        let font = |face: Face| Font::new(Data::from(face.bytes()), 0).ok_or(PrintError::Font);
        Ok(Fonts([
            font(Face::Regular)?,
            font(Face::Bold)?,
            font(Face::Oblique)?,
        ]))
    }

    fn get(&self, face: Face) -> Font {
        self.0[face as usize].clone()
    }
}

/// Draws every sheet of the job into one PDF.
pub fn render(job: &PrintJob<'_>) -> Result<Printed, PrintError> {
    let metrics = Metrics::load().ok_or(PrintError::Font)?;
    let fonts = Fonts::load()?;
    let body = layout::body_pages(job.form, job.unit_name, &metrics);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} – {}", job.form.title, job.unit_name))
            .language("vi".to_string())
            .creator("SIPAS".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PrintError::Pdf("page".into()))?;
    let canvas = Canvas {
        fonts: &fonts,
        metrics: &metrics,
        unit_name: job.unit_name,
    };
    // The body of each page, drawn once and placed on every sheet (written once in the file).
    let mut graphics: Vec<Option<Graphic>> = vec![None; body.len()];
    for sheet in &job.sheets {
        let number = sheet.to_string();
        let qr = Qr::encode(&number).map_err(|_| PrintError::Qr)?;
        for (i, ops) in body.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            let graphic = match &graphics[i] {
                Some(graphic) => graphic.clone(),
                None => {
                    let mut builder = surface.stream_builder();
                    let mut inner = builder.surface();
                    canvas.ops(&mut inner, ops);
                    inner.finish();
                    let graphic = Graphic::new(builder.finish(), false);
                    graphics[i] = Some(graphic.clone());
                    graphic
                }
            };
            surface.draw_graphic(graphic);
            canvas.header(&mut surface, &number, &qr);
            canvas.footer(&mut surface, &number, i + 1, body.len());
            surface.finish();
            page.finish();
        }
    }
    let pdf = document
        .finish()
        .map_err(|e| PrintError::Pdf(format!("{e:?}")))?;
    Ok(Printed {
        pdf,
        pages_per_sheet: body.len(),
    })
}

struct Canvas<'a> {
    fonts: &'a Fonts,
    metrics: &'a Metrics,
    unit_name: &'a str,
}

impl Canvas<'_> {
    fn text(&self, s: &mut Surface<'_>, face: Face, size: f32, text: &str, x: f32, y: f32) {
        s.set_fill(Some(Fill::default()));
        s.set_stroke(None);
        let font = self.fonts.get(face);
        s.draw_text(
            Point::from_xy(x, y),
            font,
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// The unit on the left; the sheet number and its QR code on the right; a rule below.
    fn header(&self, s: &mut Surface<'_>, number: &str, qr: &Qr) {
        let module = qr_module(qr);
        let qr_x = PAGE_W - MARGIN - module * (qr.size() - 4) as f32;
        let text_right = qr_x - 4.0;
        let number_w = self.metrics.width(Face::Bold, 13.0, number);
        let unit_w = (text_right - number_w - 20.0 - MARGIN).max(120.0);
        let mut y = MARGIN + 6.0;
        for line in self.metrics.wrap(Face::Bold, 10.0, self.unit_name, unit_w) {
            y += 13.0;
            self.text(s, Face::Bold, 10.0, &line, MARGIN, y);
        }
        let hint = "Phiếu khảo sát không ghi tên";
        self.text(s, Face::Oblique, 8.0, hint, MARGIN, y + 13.0);
        let label = "Số phiếu";
        let label_w = self.metrics.width(Face::Regular, 8.5, label);
        self.text(
            s,
            Face::Regular,
            8.5,
            label,
            text_right - label_w,
            MARGIN + 26.0,
        );
        self.text(
            s,
            Face::Bold,
            13.0,
            number,
            text_right - number_w,
            MARGIN + 43.0,
        );
        draw_qr(s, qr, qr_x, MARGIN - 4.0 * module, module);
        let rule_y = MARGIN + HEADER_H;
        line(s, MARGIN, rule_y, PAGE_W - MARGIN, rule_y, 0.8, 0);
    }

    /// "Số phiếu … · Trang k/n", centred at the bottom.
    fn footer(&self, s: &mut Surface<'_>, number: &str, page: usize, pages: usize) {
        let text = format!("Số phiếu {number} · Trang {page}/{pages}");
        let w = self.metrics.width(Face::Regular, 8.0, &text);
        let y = PAGE_H - MARGIN - FOOTER_H + 12.0;
        line(s, MARGIN, y - 10.0, PAGE_W - MARGIN, y - 10.0, 0.4, 150);
        self.text(s, Face::Regular, 8.0, &text, (PAGE_W - w) / 2.0, y);
    }

    fn ops(&self, s: &mut Surface<'_>, ops: &[Op]) {
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    face,
                    size,
                    text,
                } => self.text(s, *face, *size, text, *x, *y),
                Op::Square { x, y, side } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *side, *side) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        if let Some(path) = pb.finish() {
                            s.set_fill(None);
                            s.set_stroke(Some(stroke(0.9, 0)));
                            s.draw_path(&path);
                        }
                    }
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    light,
                } => {
                    let (width, grey) = if *light { (0.4, 170) } else { (0.8, 0) };
                    line(s, *x1, *y1, *x2, *y2, width, grey);
                }
            }
        }
    }
}

fn stroke(width: f32, grey: u8) -> Stroke {
    Stroke {
        paint: luma::Color::new(grey).into(),
        width,
        ..Stroke::default()
    }
}

fn line(s: &mut Surface<'_>, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, grey: u8) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y1);
    pb.line_to(x2, y2);
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(stroke(width, grey)));
        s.draw_path(&path);
    }
}

/// The module of a sheet number's code: [`QR_MODULE`], smaller for a code too large for the
/// header (a very long unit code).
fn qr_module(qr: &Qr) -> f32 {
    let dark = qr.size().saturating_sub(8).max(1) as f32;
    QR_MODULE.min((HEADER_H - 4.0) / dark)
}

/// The QR code as black squares (vector: sharp at any printer resolution); (`x`, `y`) is the
/// corner of its quiet zone.
fn draw_qr(s: &mut Surface<'_>, qr: &Qr, x: f32, y: f32, module: f32) {
    let mut pb = PathBuilder::new();
    for (mx, my, run) in qr.dark_runs() {
        let rect = Rect::from_xywh(
            x + mx as f32 * module,
            y + my as f32 * module,
            run as f32 * module,
            module,
        );
        if let Some(rect) = rect {
            pb.push_rect(rect);
        }
    }
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        s.set_fill(Some(Fill::default()));
        s.draw_path(&path);
    }
}
