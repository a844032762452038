//! The báo cáo as a Word document in the administrative format of Nghị định 30/2020/NĐ-CP:
//! A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman 14 pt;
//! the letterhead ([`blocks`]), the title, sections I–IV ([`body`]) with real tables
//! ([`tables`]) and charts as PNG at print resolution, the "Nơi nhận" and signature blocks;
//! page numbers centred in the top margin from the second page. Styles carry the look (headings,
//! body, table text, captions), so the file edits and reflows in Word and LibreOffice.

mod blocks;
mod body;
mod tables;

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, Docx, Header, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph, Run,
    RunFonts, SpecialIndentType, Style, StyleType, TableBorders,
};

use super::{Letterhead, ReportSet};
use crate::forms::Form;
use crate::reporting::charts::{ChartError, ChartOptions};

/// The page: A4 in twentieths of a point, and the text width between the margins.
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
const MARGIN_TOP: i32 = 1_134; // 20 mm
const MARGIN_BOTTOM: i32 = 1_134; // 20 mm
const MARGIN_LEFT: i32 = 1_701; // 30 mm
const MARGIN_RIGHT: i32 = 850; // 15 mm
/// Text width in twips (165 mm).
pub(crate) const TEXT_W: usize = (PAGE_W as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// Font sizes in half-points.
pub(crate) const BODY_SIZE: usize = 28; // 14 pt
pub(crate) const TABLE_SIZE: usize = 24; // 12 pt
pub(crate) const SMALL_SIZE: usize = 22; // 11 pt
pub(crate) const FONT: &str = "Times New Roman";

/// Paragraph styles (ids).
pub(crate) const BODY: &str = "BodyText";
pub(crate) const HEADING1: &str = "Heading1";
pub(crate) const HEADING2: &str = "Heading2";
pub(crate) const CAPTION: &str = "Caption";
pub(crate) const TABLE_TEXT: &str = "TableText";
pub(crate) const TABLE_HEADING: &str = "TableHeading";
/// The table style (single borders).
pub(crate) const TABLE: &str = "TableGrid";

/// What a Word báo cáo is made from.
pub struct WordInput<'a> {
    pub form: &'a Form,
    pub set: &'a ReportSet,
    pub letterhead: &'a Letterhead,
    /// The date on the place-and-date line.
    pub date: NaiveDate,
    /// The embedded charts' options (scale labels, unit names; the size is set here).
    pub charts: ChartOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum WordError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("cannot write the Word file: {0}")]
    Pack(String),
}

impl WordError {
    pub fn code(&self) -> &'static str {
        match self {
            WordError::Chart(e) => e.code(),
            WordError::Pack(_) => "docx_failed",
        }
    }
}

/// The charts are drawn this size (px) and shown 16 cm wide: about 250 dpi on paper.
pub(crate) const CHART_PX: (u32, u32) = (1600, 933);

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

/// Line spacing in twentieths of a point: `before`, `after`, and the line (240 = single).
fn spacing(before: u32, after: u32, line: i32) -> LineSpacing {
    LineSpacing::new()
        .before(before)
        .after(after)
        .line(line)
        .line_rule(LineSpacingType::Auto)
}

fn styles(docx: Docx) -> Docx {
    let paragraph = |id: &str, name: &str| Style::new(id, StyleType::Paragraph).name(name);
    docx.add_style(
        paragraph(BODY, "Body Text")
            .size(BODY_SIZE)
            .align(AlignmentType::Both)
            .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None)
            .line_spacing(spacing(0, 120, 288)),
    )
    .add_style(
        paragraph(HEADING1, "heading 1")
            .based_on(BODY)
            .next(BODY)
            .bold()
            .outline_lvl(0)
            .line_spacing(spacing(240, 120, 288)),
    )
    .add_style(
        paragraph(HEADING2, "heading 2")
            .based_on(BODY)
            .next(BODY)
            .bold()
            .outline_lvl(1)
            .line_spacing(spacing(120, 120, 288)),
    )
    .add_style(
        paragraph(CAPTION, "caption")
            .size(TABLE_SIZE)
            .italic()
            .align(AlignmentType::Center)
            .line_spacing(spacing(60, 120, 240)),
    )
    .add_style(
        paragraph(TABLE_TEXT, "Table Text")
            .size(TABLE_SIZE)
            .line_spacing(spacing(20, 20, 240)),
    )
    .add_style(
        Style::new(TABLE, StyleType::Table)
            .name("Table Grid")
            .set_borders(TableBorders::new()),
    )
    .add_style(
        paragraph(TABLE_HEADING, "Table Heading")
            .based_on(TABLE_TEXT)
            .bold()
            .align(AlignmentType::Center),
    )
}

/// The page number, centred in the top margin, from the second page on (the first page's
/// header is empty).
fn headers(docx: Docx) -> Docx {
    let number = Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(Run::new().size(BODY_SIZE))
        .add_page_num(PageNum::new());
    docx.header(Header::new().add_paragraph(number))
        .first_header(Header::new().add_paragraph(Paragraph::new()))
}

/// The Word document (`.docx` bytes) of `input`.
pub fn render(input: &WordInput<'_>) -> Result<Vec<u8>, WordError> {
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(PageMargin {
            top: MARGIN_TOP,
            left: MARGIN_LEFT,
            bottom: MARGIN_BOTTOM,
            right: MARGIN_RIGHT,
            header: 567,
            footer: 567,
            gutter: 0,
        })
        .default_fonts(fonts())
        .default_size(BODY_SIZE);
    docx = headers(styles(docx));
    docx = blocks::letterhead(docx, input);
    docx = body::sections(docx, input)?;
    docx = blocks::closing(docx, input.letterhead);
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| WordError::Pack(e.to_string()))?;
    Ok(out.into_inner())
}
