//! A form laid out as the body of a paper sheet, in the order of the web form: the title, the
//! survey date, the intro and how to answer, the questions that come first (required ones and
//! those the routing depends on), the rated items part by part in tables, the expectations, the
//! respondent questions, the comments. Every question is numbered ("Câu 7."); the routing is
//! written out: "Nếu chọn “Không” thì bỏ qua câu 8–10." at the question it depends on, "Chỉ trả
//! lời nếu ở câu 7 đã chọn “Có”." where it applies.

use std::collections::{BTreeMap, HashMap};

use super::blocks::{leading, paginate, Block, Op, Pen, CONTENT_W, MARGIN};
use super::text::{Face, Metrics};
use crate::forms::model::{Choice, Form, Question, Scale, ShowIf};

const SIZE: f32 = 9.5;
const NOTE: f32 = 8.5;
/// The column of the question numbers ("Câu 123." fits).
const NUM_W: f32 = 56.0;
const SQUARE: f32 = 9.0;
/// One column of a rating table.
const COL_W: f32 = 46.0;

/// As on the web form (`web::html::form`): the headings of the expectations and of the
/// respondent questions, and the hint of the rating scale.
const EXPECTATIONS_TITLE: &str = "Ông/bà mong muốn cơ quan cải thiện điều gì?";
const RESPONDENT_TITLE: &str = "Thông tin về người trả lời";
const RESPONDENT_HINT: &str =
    "Không bắt buộc. Phiếu không ghi tên; các thông tin này chỉ dùng để thống kê.";
const HOW_TO_ANSWER: &str = "Cách trả lời: đánh dấu X vào ô vuông phù hợp, mỗi câu chỉ chọn một ô. Nếu đánh dấu nhầm, tô kín ô đó rồi đánh dấu ô khác.";
const THANKS: &str = "Xin trân trọng cảm ơn ông/bà!";

/// The body of a sheet, page by page (the same for every sheet of a batch).
pub fn body_pages(form: &Form, unit_name: &str, metrics: &Metrics) -> Vec<Vec<Op>> {
    let mut sheet = Sheet {
        form,
        metrics,
        numbers: numbers(form),
        blocks: Vec::new(),
    };
    sheet.opening(unit_name);
    let (first, rest): (Vec<&Question>, Vec<&Question>) =
        form.questions.iter().partition(|q| comes_first(form, q));
    first.iter().for_each(|q| sheet.choice(q));
    sheet.parts();
    sheet.expectations();
    if !rest.is_empty() {
        sheet.heading(RESPONDENT_TITLE, 11.0, None, Some(RESPONDENT_HINT));
        rest.iter().for_each(|q| sheet.choice(q));
    }
    sheet.comments();
    let mut pen = Pen::new(metrics);
    pen.centred(Face::Bold, 10.0, THANKS, MARGIN, CONTENT_W, 6.0);
    sheet.blocks.push(pen.finish(0.0));
    paginate(&sheet.blocks)
}

/// As the web form: a question comes before the rated items when it is required or the routing
/// depends on it.
fn comes_first(form: &Form, q: &Question) -> bool {
    q.required
        || form
            .all_questions()
            .iter()
            .any(|other| other.conditions.iter().any(|c| c.question == q.code))
}

/// The number of every question code in the sheet's order, from 1.
fn numbers(form: &Form) -> HashMap<String, usize> {
    let (first, rest): (Vec<&Question>, Vec<&Question>) =
        form.questions.iter().partition(|q| comes_first(form, q));
    let items = form
        .parts
        .iter()
        .flat_map(|p| &p.elements)
        .flat_map(|e| &e.items)
        .map(|i| i.code.as_str());
    let expectations = form
        .expectations
        .iter()
        .filter(|_| form.expectation_scale.is_some())
        .map(|e| e.code.as_str());
    first
        .iter()
        .map(|q| q.code.as_str())
        .chain(items)
        .chain(expectations)
        .chain(rest.iter().map(|q| q.code.as_str()))
        .chain(form.comments.iter().map(|c| c.code.as_str()))
        .enumerate()
        .map(|(i, code)| (code.to_string(), i + 1))
        .collect()
}

/// "8–10, 14": numbers as ranges.
pub fn ranges(numbers: &[usize]) -> String {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}–{}", sorted[i], sorted[j])
        } else {
            sorted[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

fn quoted(choices: &[&Choice]) -> String {
    let labels: Vec<String> = choices.iter().map(|c| format!("“{}”", c.label)).collect();
    labels.join(" hoặc ")
}

struct Sheet<'a> {
    form: &'a Form,
    metrics: &'a Metrics,
    numbers: HashMap<String, usize>,
    blocks: Vec<Block>,
}

impl Sheet<'_> {
    fn number(&self, code: &str) -> usize {
        self.numbers.get(code).copied().unwrap_or(0)
    }

    /// "Chỉ trả lời nếu ở câu 5 đã chọn “Có”."
    fn routed_note(&self, cond: &ShowIf) -> String {
        let option = self
            .form
            .question(&cond.question)
            .and_then(|q| q.options.iter().find(|o| o.code == cond.equals))
            .map_or(cond.equals.as_str(), |o| o.label.as_str());
        format!(
            "Chỉ trả lời nếu ở câu {} đã chọn “{option}”.",
            self.number(&cond.question)
        )
    }

    /// What to skip after question `q`: per option the routing asks for, the questions shown
    /// only with it ("Nếu chọn “Không” thì bỏ qua câu 8–10.").
    fn skip_notes(&self, q: &Question) -> Vec<String> {
        let mut by_option: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for other in self.form.all_questions() {
            for cond in other.conditions.iter().filter(|c| c.question == q.code) {
                by_option
                    .entry(cond.equals.as_str())
                    .or_default()
                    .push(self.number(other.code));
            }
        }
        by_option
            .into_iter()
            .map(|(equals, skipped)| {
                let others: Vec<&Choice> = q.options.iter().filter(|o| o.code != equals).collect();
                let when = if others.len() <= 2 {
                    format!("Nếu chọn {}", quoted(&others))
                } else {
                    let wanted: Vec<&Choice> =
                        q.options.iter().filter(|o| o.code == equals).collect();
                    format!("Nếu không chọn {}", quoted(&wanted))
                };
                format!("→ {when} thì bỏ qua câu {}.", ranges(&skipped))
            })
            .collect()
    }

    /// The title, the unit, the survey date, the intro and how to answer.
    fn opening(&mut self, unit_name: &str) {
        let mut pen = Pen::new(self.metrics);
        let y = pen.centred(Face::Bold, 13.0, &self.form.title, MARGIN, CONTENT_W, 0.0);
        let y = pen.centred(
            Face::Regular,
            10.0,
            &format!("Đơn vị: {unit_name}"),
            MARGIN,
            CONTENT_W,
            y + 2.0,
        );
        let y = survey_date(&mut pen, y + 10.0);
        let y = match &self.form.intro {
            Some(intro) => pen.text(Face::Regular, SIZE, intro, MARGIN, CONTENT_W, y + 8.0),
            None => y,
        };
        pen.text(
            Face::Oblique,
            NOTE + 0.5,
            HOW_TO_ANSWER,
            MARGIN,
            CONTENT_W,
            y + 4.0,
        );
        self.blocks.push(pen.finish(10.0));
    }

    /// A section heading (kept with what follows), its routing note and hint.
    fn heading(&mut self, text: &str, size: f32, cond: Option<&ShowIf>, hint: Option<&str>) {
        let mut pen = Pen::new(self.metrics);
        let mut y = pen.text(Face::Bold, size, text, MARGIN, CONTENT_W, 4.0);
        if let Some(cond) = cond {
            let note = self.routed_note(cond);
            y = pen.text(Face::Oblique, NOTE, &note, MARGIN, CONTENT_W, y + 1.0);
        }
        if let Some(hint) = hint {
            pen.text(Face::Oblique, NOTE, hint, MARGIN, CONTENT_W, y + 1.0);
        }
        let mut block = pen.finish(4.0);
        block.keep_with_next = true;
        self.blocks.push(block);
    }

    /// "Câu n." and the wrapped label beside it; returns the bottom.
    fn numbered(&self, pen: &mut Pen<'_>, code: &str, label: &str, width: f32, top: f32) -> f32 {
        let n = format!("Câu {}.", self.number(code));
        pen.line_at(
            Face::Bold,
            SIZE,
            n,
            MARGIN,
            top + leading(SIZE) - SIZE * 0.3,
        );
        pen.text(Face::Regular, SIZE, label, MARGIN + NUM_W, width, top)
    }

    /// A question with a closed list of options: a square before each option, options flowing
    /// on as many lines as they need, then what to skip.
    fn choice(&mut self, q: &Question) {
        let mut pen = Pen::new(self.metrics);
        let mut y = self.numbered(&mut pen, &q.code, &q.label, CONTENT_W - NUM_W, 2.0);
        if let Some(cond) = &q.show_if {
            let note = self.routed_note(cond);
            y = pen.text(
                Face::Oblique,
                NOTE,
                &note,
                MARGIN + NUM_W,
                CONTENT_W - NUM_W,
                y,
            );
        }
        y = options(&mut pen, &q.options, y + 3.0);
        for note in self.skip_notes(q) {
            y = pen.text(
                Face::Oblique,
                NOTE,
                &note,
                MARGIN + NUM_W,
                CONTENT_W - NUM_W,
                y + 1.0,
            );
        }
        self.blocks.push(pen.finish(7.0));
    }

    /// The rated items, part by part, element by element, each element a table.
    fn parts(&mut self) {
        let form = self.form;
        for part in &form.parts {
            let hint = "Mức độ hài lòng: 1 là thấp nhất, 5 là cao nhất.";
            self.heading(&part.label, 11.0, part.show_if.as_ref(), Some(hint));
            for element in &part.elements {
                self.heading(&element.label, 10.0, element.show_if.as_ref(), None);
                let rows: Vec<(&str, &str)> = element
                    .items
                    .iter()
                    .map(|i| (i.code.as_str(), i.label.as_str()))
                    .collect();
                self.table(&form.scale, true, &rows);
            }
        }
    }

    fn expectations(&mut self) {
        let form = self.form;
        let Some(scale) = &form.expectation_scale else {
            return;
        };
        if form.expectations.is_empty() {
            return;
        }
        let hint = "Mức độ mong muốn cải thiện, từ ít đến rất nhiều.";
        self.heading(EXPECTATIONS_TITLE, 11.0, None, Some(hint));
        let rows: Vec<(&str, &str)> = form
            .expectations
            .iter()
            .map(|e| (e.code.as_str(), e.label.as_str()))
            .collect();
        self.table(scale, false, &rows);
    }

    /// A rating table: a header with the scale's labels (again on a new page), then one row per
    /// question with a square per level (and for "not applicable" when the scale has it).
    fn table(&mut self, scale: &Scale, numbered_levels: bool, rows: &[(&str, &str)]) {
        let mut columns: Vec<String> = scale
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if numbered_levels {
                    format!("{}. {l}", i + 1)
                } else {
                    l.clone()
                }
            })
            .collect();
        columns.extend(scale.not_applicable.clone());
        let cols_x = MARGIN + CONTENT_W - COL_W * columns.len() as f32;
        let mut pen = Pen::new(self.metrics);
        let mut bottom: f32 = 0.0;
        for (i, label) in columns.iter().enumerate() {
            let x = cols_x + COL_W * i as f32 + 1.0;
            bottom = bottom.max(pen.centred(Face::Bold, 7.0, label, x, COL_W - 2.0, 0.0));
        }
        pen.line(
            MARGIN,
            bottom + 3.0,
            MARGIN + CONTENT_W,
            bottom + 3.0,
            false,
        );
        let mut header = pen.finish(3.0);
        header.keep_with_next = true;
        let header_index = self.blocks.len();
        self.blocks.push(header);
        let label_w = cols_x - MARGIN - NUM_W - 6.0;
        for (code, label) in rows {
            let mut pen = Pen::new(self.metrics);
            let text_bottom = self.numbered(&mut pen, code, label, label_w, 2.0);
            for i in 0..columns.len() {
                let x = cols_x + COL_W * i as f32 + (COL_W - SQUARE) / 2.0;
                pen.square(x, 2.0 + (leading(SIZE) - SQUARE) / 2.0 + 1.0, SQUARE);
            }
            let bottom = text_bottom.max(SQUARE + 4.0) + 3.0;
            pen.line(MARGIN, bottom, MARGIN + CONTENT_W, bottom, true);
            let mut row = pen.finish(0.0);
            row.header = Some(header_index);
            self.blocks.push(row);
        }
        if let Some(last) = self.blocks.last_mut() {
            last.height += 8.0;
        }
    }

    /// Free-text questions: the label, then ruled lines to write on.
    fn comments(&mut self) {
        for c in &self.form.comments {
            let mut pen = Pen::new(self.metrics);
            let mut y = self.numbered(&mut pen, &c.code, &c.label, CONTENT_W - NUM_W, 2.0) + 4.0;
            for _ in 0..4 {
                y += 20.0;
                pen.line(MARGIN + NUM_W, y, MARGIN + CONTENT_W, y, true);
            }
            self.blocks.push(pen.finish(10.0));
        }
    }
}

/// The options of a question, each a square and its label, flowing on lines; returns the bottom.
fn options(pen: &mut Pen<'_>, options: &[Choice], top: f32) -> f32 {
    const GAP: f32 = 18.0;
    let (left, right) = (MARGIN + NUM_W, MARGIN + CONTENT_W);
    let line_h = leading(SIZE) + 3.0;
    let (mut x, mut y) = (left, top);
    for option in options {
        let label_w = pen.metrics.width(Face::Regular, SIZE, &option.label);
        let w = SQUARE + 5.0 + label_w;
        if x > left && x + w > right {
            x = left;
            y += line_h;
        }
        pen.square(x, y + 1.0, SQUARE);
        let room = (right - x - SQUARE - 5.0).max(40.0);
        let bottom = pen.text(
            Face::Regular,
            SIZE,
            &option.label,
            x + SQUARE + 5.0,
            room,
            y - 1.5,
        );
        if bottom > y + line_h {
            // A label longer than a line: the next option goes below it.
            x = right;
            y = bottom - line_h + 2.0;
        } else {
            x += w + GAP;
        }
    }
    y + line_h
}

/// "Ngày khảo sát:" and squares for the day, the month and the year; returns the bottom.
fn survey_date(pen: &mut Pen<'_>, top: f32) -> f32 {
    const SIDE: f32 = 15.0;
    let label = "Ngày khảo sát:";
    let baseline = top + SIDE - 3.5;
    pen.line_at(Face::Bold, 10.5, label.to_string(), MARGIN, baseline);
    let mut x = MARGIN + pen.metrics.width(Face::Bold, 10.5, label) + 10.0;
    for (i, (boxes, word)) in [(2, "ngày"), (2, "tháng"), (4, "năm")]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            pen.line_at(
                Face::Regular,
                13.0,
                "/".to_string(),
                x + 2.0,
                baseline + 1.0,
            );
            x += 12.0;
        }
        let start = x;
        for _ in 0..boxes {
            pen.square(x, top, SIDE);
            x += SIDE;
        }
        let w = pen.metrics.width(Face::Oblique, 7.0, word);
        let centre = start + (x - start - w) / 2.0;
        pen.line_at(
            Face::Oblique,
            7.0,
            word.to_string(),
            centre,
            top + SIDE + 8.0,
        );
        x += 2.0;
    }
    pen.block.height = pen.block.height.max(top + SIDE + 10.0);
    top + SIDE + 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_numbers_fit_their_column() {
        let m = Metrics::load().unwrap();
        assert!(m.width(Face::Bold, SIZE, "Câu 999.") < NUM_W - 4.0);
    }

    #[test]
    fn numbers_become_ranges() {
        assert_eq!(ranges(&[8, 9, 10, 14]), "8–10, 14");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[5, 4, 4]), "4–5");
    }
}
