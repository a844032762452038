//! The tables of the báo cáo: real Word tables, numbers as text in the Vietnamese format
//! (decimal comma, `reports::labels`), each under a numbered caption. The cell texts are the
//! values of the report the API returns (`GET /api/v1/reports/{form_id}`), formatted once here.

use docx_rs::{
    AlignmentType, Paragraph, Run, Shading, Table, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::{TABLE, TABLE_HEADING, TABLE_TEXT, TEXT_W};
use crate::reporting::reports::labels::{count, decimal, percent};
use crate::reporting::reports::output::IndexOut;

/// How a column's cells are aligned.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    /// Numbers.
    Right,
    Center,
}

/// A column: its heading, its share of the text width (in thousandths) and alignment.
pub struct Column {
    pub heading: &'static str,
    pub share: usize,
    pub align: Align,
}

pub const fn col(heading: &'static str, share: usize, align: Align) -> Column {
    Column {
        heading,
        share,
        align,
    }
}

/// A row: ordinary cells, or a section heading across the whole table.
pub enum Row {
    Cells(Vec<String>),
    Section(String),
}

fn paragraph(text: &str, align: Align, heading: bool) -> Paragraph {
    let alignment = match align {
        Align::Left => AlignmentType::Left,
        Align::Right => AlignmentType::Right,
        Align::Center => AlignmentType::Center,
    };
    Paragraph::new()
        .style(if heading { TABLE_HEADING } else { TABLE_TEXT })
        .align(alignment)
        .add_run(Run::new().add_text(text))
}

fn widths(columns: &[Column]) -> Vec<usize> {
    let total: usize = columns.iter().map(|c| c.share).sum::<usize>().max(1);
    columns.iter().map(|c| TEXT_W * c.share / total).collect()
}

/// A table with a shaded heading row.
pub fn table(columns: &[Column], rows: Vec<Row>) -> Table {
    let widths = widths(columns);
    let heading = TableRow::new(
        columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                TableCell::new()
                    .width(*w, WidthType::Dxa)
                    .shading(Shading::new().fill("E7E9EC"))
                    .add_paragraph(paragraph(c.heading, Align::Center, true))
            })
            .collect(),
    )
    .cant_split();
    let mut out = vec![heading];
    for row in rows {
        out.push(match row {
            Row::Cells(cells) => TableRow::new(
                cells
                    .iter()
                    .zip(columns.iter().zip(&widths))
                    .map(|(text, (c, w))| {
                        TableCell::new()
                            .width(*w, WidthType::Dxa)
                            .add_paragraph(paragraph(text, c.align, false))
                    })
                    .collect(),
            )
            .cant_split(),
            Row::Section(text) => TableRow::new(vec![TableCell::new()
                .width(TEXT_W, WidthType::Dxa)
                .grid_span(columns.len())
                .shading(Shading::new().fill("F4F5F7"))
                .add_paragraph(
                    Paragraph::new()
                        .style(TABLE_TEXT)
                        .add_run(Run::new().add_text(text).bold()),
                )])
            .cant_split(),
        });
    }
    Table::new(out)
        .style(TABLE)
        .set_grid(widths)
        .width(TEXT_W, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// "88,10 – 93,40"; "—" without an interval (the heading says %).
pub fn interval(index: &IndexOut) -> String {
    index.ci95.map_or_else(
        || "—".to_string(),
        |(a, b)| format!("{} – {}", decimal(a, 2), decimal(b, 2)),
    )
}

/// The value, interval and verdict cells of an index, after its count.
pub fn index_cells(n: u64, index: &IndexOut) -> Vec<String> {
    vec![
        count(n),
        percent(index.value),
        interval(index),
        crate::reporting::exports::tables::verdict_text(index).to_string(),
    ]
}
