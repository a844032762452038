//! A kiosk's form in sections: one screen each (at 1280×800), with "Tiếp" and "Quay lại" from the
//! script. Without the script every section shows, one after the other, and "Gửi" sends them all.

use maud::{html, Markup};

use super::{
    grid_columns, routing_class, when, FormView, EXPECTATIONS_TITLE, RESPONDENT_HINT,
    RESPONDENT_TITLE,
};
use crate::forms::model::ShowIf;

/// Rows of answer tiles a section holds: what fits one 800 px screen with the headings and the
/// buttons.
const MAX_ROWS: usize = 4;

/// A question on a section, and how many rows of tiles it takes.
struct Block {
    markup: Markup,
    rows: usize,
}

/// A run of questions under one heading (an element, the expectations, …), before it is cut
/// into sections.
struct Group<'a> {
    title: String,
    conditions: Vec<&'a ShowIf>,
    hint: Option<&'static str>,
    blocks: Vec<Block>,
}

/// Rows of a radio group with `options` choices (plus a row for "not applicable").
fn rows(options: usize, not_applicable: bool) -> usize {
    options.div_ceil(grid_columns(options)) + usize::from(not_applicable)
}

impl<'a> Group<'a> {
    /// A group shown whatever the answers.
    fn new(title: impl Into<String>, hint: Option<&'static str>, blocks: Vec<Block>) -> Self {
        Group {
            title: title.into(),
            conditions: Vec::new(),
            hint,
            blocks,
        }
    }
}

/// The page's groups, in its order: the questions that come first, one group per element of the
/// parts, the expectations, the respondent's questions, each comment.
fn groups<'a>(view: &FormView<'a>, order: &[String]) -> Vec<Group<'a>> {
    let form = view.form;
    let choice = |q: &crate::forms::model::Question| Block {
        markup: view.choice_question(q, order),
        rows: rows(q.options.len(), false),
    };
    let mut groups = Vec::new();
    let first: Vec<Block> = form
        .questions
        .iter()
        .filter(|q| view.comes_first(q))
        .map(choice)
        .collect();
    if !first.is_empty() {
        groups.push(Group::new("Thông tin chung", None, first));
    }
    groups.extend(element_groups(view, order));
    if let Some(scale) = view.expectation_scale() {
        let options = view.scale_options(scale, false);
        let blocks = form
            .expectations
            .iter()
            .map(|e| Block {
                markup: view.radio_group(&e.code, &e.label, false, &options, true, order),
                rows: rows(scale.labels.len(), scale.not_applicable.is_some()),
            })
            .collect();
        groups.push(Group::new(EXPECTATIONS_TITLE, None, blocks));
    }
    let last: Vec<Block> = form
        .questions
        .iter()
        .filter(|q| !view.comes_first(q))
        .map(choice)
        .collect();
    if !last.is_empty() {
        groups.push(Group::new(RESPONDENT_TITLE, Some(RESPONDENT_HINT), last));
    }
    for c in &form.comments {
        let block = Block {
            markup: view.comment(c),
            rows: MAX_ROWS,
        };
        groups.push(Group::new(c.label.clone(), None, vec![block]));
    }
    groups
}

/// One group per element of the parts: its items on the satisfaction scale, shown when both the
/// part and the element are.
fn element_groups<'a>(view: &FormView<'a>, order: &[String]) -> Vec<Group<'a>> {
    let form = view.form;
    let scale_rows = rows(form.scale.labels.len(), form.scale.not_applicable.is_some());
    let mut groups = Vec::new();
    for part in &form.parts {
        for element in &part.elements {
            groups.push(Group {
                title: element.label.clone(),
                conditions: part.show_if.iter().chain(element.show_if.iter()).collect(),
                hint: Some(view.scale_hint()),
                blocks: element
                    .items
                    .iter()
                    .map(|item| Block {
                        markup: view.item_group(item, order),
                        rows: scale_rows,
                    })
                    .collect(),
            });
        }
    }
    groups
}

/// One screen: a heading and at most `MAX_ROWS` rows of tiles.
struct Step<'a> {
    title: String,
    conditions: Vec<&'a ShowIf>,
    hint: Option<&'static str>,
    blocks: Vec<Block>,
}

/// Cuts each group into sections of about equal size, none over `MAX_ROWS` (a larger single
/// question gets a section of its own).
fn steps(groups: Vec<Group<'_>>) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for group in groups {
        let total: usize = group.blocks.iter().map(|b| b.rows).sum();
        let target = total.div_ceil(total.div_ceil(MAX_ROWS).max(1));
        let mut chunks: Vec<Vec<Block>> = vec![Vec::new()];
        let mut filled = 0;
        for block in group.blocks {
            let full = filled + block.rows > MAX_ROWS || filled >= target;
            if full && chunks.last().is_some_and(|c| !c.is_empty()) {
                chunks.push(Vec::new());
                filled = 0;
            }
            filled += block.rows;
            if let Some(chunk) = chunks.last_mut() {
                chunk.push(block);
            }
        }
        for (i, blocks) in chunks.into_iter().enumerate() {
            steps.push(Step {
                title: if i == 0 {
                    group.title.clone()
                } else {
                    format!("{} (tiếp)", group.title)
                },
                conditions: group.conditions.clone(),
                hint: group.hint,
                blocks,
            });
        }
    }
    steps
}

/// The kiosk form's sections.
pub fn render(view: &FormView<'_>, order: &[String]) -> Markup {
    let steps = steps(groups(view, order));
    let n = steps.len();
    html! {
        @for (i, step) in steps.iter().enumerate() {
            @let classes = step.conditions.iter().map(|c| routing_class(c)).collect::<Vec<_>>().join(" ");
            @let whens = step.conditions.iter().map(|c| when(c)).collect::<Vec<_>>().join(" ");
            section.step id={ "step-" (i + 1) } class=[(!classes.is_empty()).then_some(classes.as_str())]
                data-when=[(!whens.is_empty()).then_some(whens.as_str())]
                aria-labelledby={ "step-" (i + 1) "-title" } {
                h2 id={ "step-" (i + 1) "-title" } tabindex="-1" {
                    span.step-n { "Phần " (i + 1) "/" (n) } " " (step.title)
                }
                @for cond in &step.conditions { (view.routed_note(cond)) }
                @if let Some(hint) = step.hint { p.hint { (hint) } }
                @for block in &step.blocks { (block.markup) }
                div.step-nav hidden {
                    button.step-back type="button" { "Quay lại" }
                    button.step-next type="button" { "Tiếp" }
                }
            }
        }
    }
}
