//! Sections I–IV of the báo cáo: the text of [`narrative`] and [`assessment`], the tables of
//! [`tables`] and the charts, in the order an office reads them.

use docx_rs::{Docx, Paragraph, Pic, Run, Table};

use super::tables::{col, index_cells, table, Align, Row};
use super::{WordError, WordInput, BODY, CAPTION, CHART_PX, HEADING1, HEADING2};
use crate::forms::Form;
use crate::reporting::charts::{self, ChartFormat, ChartKind, ChartOptions};
use crate::reporting::document::assessment::{self, elements, silent_units, unit_of};
use crate::reporting::document::narrative::{self, change_between, previous_group};
use crate::reporting::document::ReportSet;
use crate::reporting::reports::labels::{self, count, percent, points};
use crate::reporting::reports::output::ReportOut;

/// Charts are shown 16 cm wide (EMU).
const CHART_EMU_W: u32 = 5_760_720;

/// The document being written, with its table and figure numbers.
struct Body {
    docx: Docx,
    tables: usize,
    figures: usize,
}

impl Body {
    fn styled(self, style: &str, text: &str) -> Self {
        let p = Paragraph::new()
            .style(style)
            .add_run(Run::new().add_text(text));
        Body {
            docx: self.docx.add_paragraph(p),
            ..self
        }
    }

    fn h1(self, text: &str) -> Self {
        self.styled(HEADING1, text)
    }

    fn h2(self, text: &str) -> Self {
        self.styled(HEADING2, text)
    }

    fn paras(self, texts: &[String]) -> Self {
        texts.iter().fold(self, |b, t| b.styled(BODY, t))
    }

    /// A table under its caption "Bảng N. …".
    fn table(mut self, caption: &str, t: Table) -> Self {
        self.tables += 1;
        let caption = format!("Bảng {}. {caption}", self.tables);
        let p = Paragraph::new()
            .style(CAPTION)
            .keep_next(true)
            .add_run(Run::new().add_text(caption));
        Body {
            docx: self.docx.add_paragraph(p).add_table(t),
            ..self
        }
    }

    /// A chart of `report` as a PNG picture over its caption "Hình N. …".
    fn figure(
        mut self,
        kind: ChartKind,
        report: &ReportOut,
        input: &WordInput<'_>,
    ) -> Result<Self, WordError> {
        let options = ChartOptions {
            width: CHART_PX.0,
            height: CHART_PX.1,
            ..input.charts.clone()
        };
        let png = charts::render(kind, ChartFormat::Png, report, &options)?;
        self.figures += 1;
        let id = format!("rIdImage{}", self.figures);
        let height = (CHART_EMU_W as u64 * CHART_PX.1 as u64 / CHART_PX.0 as u64) as u32;
        let pic = Pic::new_with_dimensions(png, CHART_PX.0, CHART_PX.1)
            .id(id)
            .size(CHART_EMU_W, height);
        let picture = Paragraph::new()
            .align(docx_rs::AlignmentType::Center)
            .keep_next(true)
            .add_run(Run::new().add_image(pic));
        let caption = format!("Hình {}. {}", self.figures, kind.title());
        let caption = Paragraph::new()
            .style(CAPTION)
            .add_run(Run::new().add_text(caption));
        Ok(Body {
            docx: self.docx.add_paragraph(picture).add_paragraph(caption),
            ..self
        })
    }
}

/// The rows of the units that answered (name and four cells), then a "Chưa có phiếu" row for
/// each serving unit that did not, numbered from 1.
fn numbered_units(set: &ReportSet, answered: impl Iterator<Item = Vec<String>>) -> Vec<Row> {
    let silent = silent_units(set).into_iter().map(|name| {
        let none = || "—".to_string();
        vec![name, "0".into(), none(), none(), "Chưa có phiếu".into()]
    });
    answered
        .chain(silent)
        .enumerate()
        .map(|(i, cells)| Row::Cells([vec![(i + 1).to_string()], cells].concat()))
        .collect()
}

/// Responses per unit against the required sample.
fn sample_table(set: &ReportSet) -> Table {
    let columns = [
        col("STT", 90, Align::Center),
        col("Đơn vị", 330, Align::Left),
        col("Số phiếu", 130, Align::Right),
        col("Số được phục vụ (N)", 170, Align::Right),
        col("Cỡ mẫu tối thiểu", 150, Align::Right),
        col("Đánh giá", 160, Align::Center),
    ];
    let answered = set.by_unit.groups.iter().map(|g| {
        let (n, required, verdict) = match &g.sample {
            Some(s) => (
                labels::count(s.population as u64),
                labels::count(s.required as u64),
                if s.adequate { "Đủ" } else { "Chưa đủ" },
            ),
            None => ("—".into(), "—".into(), "Chưa có N"),
        };
        vec![
            set.name_of(unit_of(g)),
            count(g.responses),
            n,
            required,
            verdict.into(),
        ]
    });
    let mut rows = numbered_units(set, answered);
    rows.push(Row::Cells(vec![
        String::new(),
        "Tổng cộng".into(),
        count(set.report.responses),
        String::new(),
        String::new(),
        String::new(),
    ]));
    table(&columns, rows)
}

const INDEX_COLUMNS: [(&str, usize, Align); 4] = [
    ("Số trả lời", 110, Align::Right),
    ("Chỉ số", 120, Align::Right),
    ("Khoảng tin cậy 95 % (%)", 190, Align::Center),
    ("Kết luận", 190, Align::Center),
];

fn with_index_columns(first: &[(&'static str, usize, Align)]) -> Vec<super::tables::Column> {
    first
        .iter()
        .chain(INDEX_COLUMNS.iter())
        .map(|(h, s, a)| col(h, *s, *a))
        .collect()
}

/// The overall index (`overall` names it) and each element (and part, when the form has
/// several).
pub fn element_table(report: &ReportOut, overall: &str) -> Option<Table> {
    let g = report.groups.first()?;
    let mut rows = vec![Row::Cells(
        [
            vec![overall.to_string()],
            index_cells(g.responses, &g.index),
        ]
        .concat(),
    )];
    for part in &g.parts {
        if g.parts.len() > 1 {
            rows.push(Row::Cells(
                [
                    vec![format!("Phần: {}", part.label)],
                    index_cells(part.n, &part.index),
                ]
                .concat(),
            ));
        }
        for e in &part.elements {
            rows.push(Row::Cells(
                [vec![e.label.clone()], index_cells(e.n, &e.index)].concat(),
            ));
        }
    }
    Some(table(
        &with_index_columns(&[("Nội dung", 400, Align::Left)]),
        rows,
    ))
}

/// Every criterion, under its element.
fn item_table(input: &WordInput<'_>) -> Table {
    let mut rows = Vec::new();
    for e in elements(&input.set.report) {
        rows.push(Row::Section(e.label.clone()));
        for i in &e.items {
            rows.push(Row::Cells(
                [
                    vec![
                        i.code.clone(),
                        labels::item_text(input.form, &i.code).to_string(),
                    ],
                    index_cells(i.n, &i.index),
                ]
                .concat(),
            ));
        }
    }
    let first = [("Mã", 80, Align::Left), ("Tiêu chí", 360, Align::Left)];
    table(&with_index_columns(&first), rows)
}

/// The units ranked, those without responses last.
fn unit_table(set: &ReportSet) -> Table {
    let answered = set.by_unit.groups.iter().map(|g| {
        [
            vec![set.name_of(unit_of(g))],
            index_cells(g.responses, &g.index),
        ]
        .concat()
    });
    let rows = numbered_units(set, answered);
    let first = [("STT", 90, Align::Center), ("Đơn vị", 340, Align::Left)];
    table(&with_index_columns(&first), rows)
}

/// The overall index and each element against the previous period.
fn change_table(form: &Form, set: &ReportSet, previous: &ReportOut) -> Option<Table> {
    let (now, before) = (set.report.groups.first()?, previous.groups.first()?);
    let overall = narrative::overall_name(form).to_string();
    let mut pairs = vec![(
        overall,
        now.index.value,
        before.index.value,
        narrative::overall_change(now, before),
    )];
    for e in elements(&set.report) {
        let old = elements(previous).into_iter().find(|p| p.code == e.code);
        let change = old.and_then(|o| change_between(&e.index, &o.index));
        pairs.push((
            e.label.clone(),
            e.index.value,
            old.and_then(|o| o.index.value),
            change,
        ));
    }
    let rows = pairs
        .into_iter()
        .map(|(label, current, old, change)| {
            let significant = match change.and_then(|c| c.significant) {
                Some(true) => "Có",
                Some(false) => "Không",
                None => "—",
            };
            Row::Cells(vec![
                label,
                percent(current),
                percent(old),
                points(change.map(|c| c.delta)),
                significant.to_string(),
            ])
        })
        .collect();
    let columns = [
        col("Nội dung", 400, Align::Left),
        col("Kỳ này", 150, Align::Right),
        col("Kỳ trước", 150, Align::Right),
        col("Thay đổi (điểm %)", 150, Align::Right),
        col("Có ý nghĩa thống kê", 150, Align::Center),
    ];
    Some(table(&columns, rows))
}

/// III. Results.
fn results(mut b: Body, input: &WordInput<'_>) -> Result<Body, WordError> {
    let set = input.set;
    let answered = set.report.responses > 0;
    let name = narrative::overall_name(input.form);
    b = b.h1("III. KẾT QUẢ KHẢO SÁT").h2(&format!("1. {name}"));
    b = b.paras(&[narrative::overall(input.form, &set.report)]);
    if answered {
        b = b.h2("2. Chỉ số hài lòng theo yếu tố");
        b = b.figure(ChartKind::Elements, &set.report, input)?;
        if let Some(t) = element_table(&set.report, name) {
            b = b.table(&format!("{name} và theo yếu tố"), t);
        }
        b = b.h2("3. Chỉ số hài lòng theo tiêu chí");
        b = b.table("Chỉ số hài lòng theo tiêu chí", item_table(input));
    }
    b = b
        .h2("4. Chỉ số hài lòng theo đơn vị")
        .paras(&assessment::units(set));
    if !set.by_unit.groups.is_empty() {
        b = b.figure(ChartKind::Units, &set.by_unit, input)?;
    }
    if !set.by_unit.groups.is_empty() || !set.served.is_empty() {
        b = b.table(
            "Chỉ số hài lòng theo đơn vị, xếp từ cao xuống thấp",
            unit_table(set),
        );
    }
    b = b.h2(&format!("5. So sánh với {}", set.period.previous_words()));
    b = b.paras(&[narrative::change_sentence(input.form, set)]);
    if let (true, Some(previous)) = (answered, previous_group(set).and(set.previous.as_ref())) {
        if let Some(t) = change_table(input.form, set, previous) {
            b = b.table(&format!("So sánh với {}", set.period.previous_words()), t);
        }
    }
    if set.trend.groups.len() > 1 {
        b = b.figure(ChartKind::Trend, &set.trend, input)?;
    }
    if let Some(d) = &set.delegates {
        b = b
            .h2("6. Khảo sát đại biểu HĐND và lãnh đạo")
            .paras(&assessment::delegates(set));
        if let Some(t) = element_table(&d.report, "Chỉ số chung") {
            b = b.table(
                "Kết quả khảo sát đại biểu HĐND và lãnh đạo theo nội dung",
                t,
            );
        }
    }
    Ok(b)
}

/// Sections I to IV.
pub fn sections(docx: Docx, input: &WordInput<'_>) -> Result<Docx, WordError> {
    let (form, set) = (input.form, input.set);
    let mut b = Body {
        docx,
        tables: 0,
        figures: 0,
    };
    b = b
        .h1("I. MỤC ĐÍCH, PHẠM VI")
        .paras(&narrative::purpose(form, set))
        .h1("II. PHƯƠNG PHÁP")
        .paras(&narrative::method(form, set));
    if !set.by_unit.groups.is_empty() || !set.served.is_empty() {
        b = b.table(
            "Số phiếu thu được so với cỡ mẫu tối thiểu",
            sample_table(set),
        );
    }
    b = results(b, input)?;
    b = b
        .h1("IV. ĐÁNH GIÁ, KIẾN NGHỊ")
        .h2("1. Đánh giá")
        .paras(&assessment::assessment(form, set))
        .h2("2. Kiến nghị")
        .paras(&[KIEN_NGHI.to_string()]);
    Ok(b.docx)
}

/// The placeholder of the section the analyst writes.
pub const KIEN_NGHI: &str = "(Phần kiến nghị do người lập báo cáo viết.)";
