//! The blocks of Nghị định 30/2020 around the text: the issuing body and national title side by
//! side, the number and the place-and-date line, the title; at the end, "Nơi nhận" beside the
//! signer's title. Both pairs are borderless two-column tables, as the decree's model shows.

use chrono::{Datelike, NaiveDate};
use docx_rs::{AlignmentType, Docx, Paragraph, Run, Table, TableCell, TableRow, WidthType};

use super::{WordInput, BODY_SIZE, SMALL_SIZE, TABLE_SIZE, TABLE_TEXT, TEXT_W};
use crate::reporting::document::{narrative, Letterhead};

/// 13 pt, the decree's size for the letterhead lines.
const HEAD_SIZE: usize = 26;

/// A centred line of `text` at `size`; `style` makes it bold and/or italic.
fn line(text: &str, size: usize, bold: bool, italic: bool) -> Paragraph {
    let mut run = Run::new().add_text(text).size(size);
    if bold {
        run = run.bold();
    }
    if italic {
        run = run.italic();
    }
    Paragraph::new()
        .style(TABLE_TEXT)
        .align(AlignmentType::Center)
        .add_run(run)
}

/// The short rule under the office and the motto.
fn rule(chars: usize) -> Paragraph {
    line(&"_".repeat(chars), SMALL_SIZE, false, false)
}

/// "Tuy Phước, ngày 05 tháng 02 năm 2026": days below 10 and months 1 and 2 get a leading zero.
pub fn date_line(place: &str, date: NaiveDate) -> String {
    let month = match date.month() {
        m @ (1 | 2) => format!("{m:02}"),
        m => m.to_string(),
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        date.day(),
        date.year()
    )
}

fn cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new().width(width, WidthType::Dxa), |c, p| {
            c.add_paragraph(p)
        })
}

fn pair(left: Vec<Paragraph>, right: Vec<Paragraph>) -> Table {
    let (lw, rw) = (TEXT_W * 44 / 100, TEXT_W - TEXT_W * 44 / 100);
    Table::without_borders(vec![TableRow::new(vec![cell(lw, left), cell(rw, right)])])
        .set_grid(vec![lw, rw])
        .width(TEXT_W, WidthType::Dxa)
}

/// The letterhead and the title.
pub fn letterhead(docx: Docx, input: &WordInput<'_>) -> Docx {
    let h = input.letterhead;
    let mut left = Vec::new();
    if let Some(issuer) = &h.issuer {
        left.push(line(issuer, TABLE_SIZE, false, false));
    }
    left.push(line(&h.office, HEAD_SIZE, true, false));
    left.push(rule(12));
    left.push(line(
        &format!("Số:       /{}", h.symbol),
        HEAD_SIZE,
        false,
        false,
    ));
    let right = vec![
        line(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            TABLE_SIZE,
            true,
            false,
        ),
        line("Độc lập - Tự do - Hạnh phúc", BODY_SIZE, true, false),
        rule(22),
        line(&date_line(&h.place, input.date), BODY_SIZE, false, true),
    ];
    let title_line = |text: &str| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(text).bold().size(BODY_SIZE))
    };
    docx.add_table(pair(left, right))
        .add_paragraph(Paragraph::new())
        .add_paragraph(title_line("BÁO CÁO"))
        .add_paragraph(title_line(&narrative::title(input.form, input.set)))
        .add_paragraph(rule(16))
        .add_paragraph(Paragraph::new())
}

/// "Nơi nhận" and the signature block, left for the signer.
pub fn closing(docx: Docx, h: &Letterhead) -> Docx {
    let mut left = vec![Paragraph::new().style(TABLE_TEXT).add_run(
        Run::new()
            .add_text("Nơi nhận:")
            .bold()
            .italic()
            .size(TABLE_SIZE),
    )];
    for r in &h.recipients {
        left.push(
            Paragraph::new()
                .style(TABLE_TEXT)
                .add_run(Run::new().add_text(r).size(SMALL_SIZE)),
        );
    }
    let right = vec![
        line(&h.signer, BODY_SIZE, true, false),
        line("(Ký, ghi rõ họ tên)", TABLE_SIZE, false, true),
    ];
    docx.add_paragraph(Paragraph::new())
        .add_table(pair(left, right))
}
