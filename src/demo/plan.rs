//! A form compiled into what the generator of `sipas demo` needs for each response: the
//! respondent questions with their answer models, the rated items with their effects, routing
//! resolved to indices.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::model::{
    choice_shares, lookup, DOMAINS_COMMUNE, DOMAINS_OFFICE, DOMAIN_EFFECTS, ELEMENT_EFFECTS,
    EXPECTATION_LEAN, ITEM_EFFECTS, OCCUPATIONS_OLD, OCCUPATIONS_YOUNG,
};
use crate::domain::Channel;
use crate::forms::model::{Form, Question, ShowIf};

/// Cumulative weights, for drawing an index.
#[derive(Debug, Clone)]
pub(super) struct Cumulative(Vec<f64>);

impl Cumulative {
    pub(super) fn new(weights: impl IntoIterator<Item = f64>) -> Cumulative {
        let mut total = 0.0;
        let mut cum: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        if total <= 0.0 {
            // Nothing weighted: uniform.
            let n = cum.len() as f64;
            cum.iter_mut()
                .enumerate()
                .for_each(|(i, c)| *c = (i + 1) as f64 / n);
        } else {
            cum.iter_mut().for_each(|c| *c /= total);
        }
        Cumulative(cum)
    }

    /// Weights for a form's options from a table by option code; unlisted options get `rest`.
    fn for_options(options: &[String], table: &[(&str, f64)], rest: f64) -> Cumulative {
        Cumulative::new(options.iter().map(|o| lookup(table, o).unwrap_or(rest)))
    }

    pub(super) fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        let u: f64 = rng.random();
        self.0
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.0.len().saturating_sub(1))
    }
}

/// How a respondent question's answer is drawn.
#[derive(Debug, Clone)]
pub(super) enum ChoiceModel {
    Fixed(Cumulative),
    /// `linh_vuc`: by the kind of unit (office, commune).
    ByUnitKind {
        office: Cumulative,
        commune: Cumulative,
    },
    /// `nghe_nghiep`: by the answer to the age question (index of the age question; tables for
    /// 18–24, over 60, and everyone else).
    ByAge {
        age_question: usize,
        young: (usize, Cumulative),
        old: (usize, Cumulative),
        other: Cumulative,
    },
    /// `da_pakn`: `co` with the unit's rate.
    Pakn {
        yes: usize,
        no: usize,
    },
}

/// A routing condition resolved to indices: respondent question `question` has option `option`
/// (`None` when the form names an option that does not exist: never shown).
pub(super) type Condition = (usize, Option<usize>);

#[derive(Debug, Clone)]
pub(super) struct ChoiceStep {
    pub(super) code: String,
    pub(super) options: Vec<String>,
    pub(super) required: bool,
    pub(super) conditions: Vec<Condition>,
    pub(super) model: ChoiceModel,
    /// Latent effect per option (procedure domain).
    pub(super) effects: Vec<f64>,
}

#[derive(Debug, Clone)]
pub(super) struct ItemStep {
    pub(super) code: String,
    pub(super) effect: f64,
    pub(super) required: [bool; 4],
    pub(super) conditions: Vec<Condition>,
}

/// The form, compiled into what the generator needs per response.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) channels: Vec<Channel>,
    pub(super) choices: Vec<ChoiceStep>,
    pub(super) items: Vec<ItemStep>,
    pub(super) expectations: Vec<(String, f64)>,
    pub(super) comments: Vec<(String, usize)>,
    /// Extra share of skipped items when the scale offers "cannot assess".
    pub(super) not_applicable_skip: f64,
}

pub(super) fn channel_index(c: Channel) -> usize {
    match c {
        Channel::Kiosk => 0,
        Channel::Phone => 1,
        Channel::Web => 2,
        Channel::Paper => 3,
    }
}

impl Plan {
    pub(super) fn new(form: &Form) -> Plan {
        Plan {
            channels: form.channels.clone(),
            choices: form
                .questions
                .iter()
                .map(|q| choice_step(form, q))
                .collect(),
            items: item_steps(form),
            expectations: form
                .expectations
                .iter()
                .map(|e| {
                    (
                        e.code.clone(),
                        lookup(EXPECTATION_LEAN, &e.code).unwrap_or(0.0),
                    )
                })
                .collect(),
            comments: form
                .comments
                .iter()
                .map(|c| (c.code.clone(), c.max_length))
                .collect(),
            not_applicable_skip: if form.scale.not_applicable.is_some() {
                0.05
            } else {
                0.0
            },
        }
    }
}

/// The index of a respondent question of `form`.
fn choice_index(form: &Form, code: &str) -> Option<usize> {
    form.questions.iter().position(|q| q.code == code)
}

/// Routing conditions resolved to indices.
fn resolve(form: &Form, conds: &[&ShowIf]) -> Vec<Condition> {
    conds
        .iter()
        .map(|c| match choice_index(form, &c.question) {
            Some(qi) => (
                qi,
                form.questions[qi]
                    .options
                    .iter()
                    .position(|o| o.code == c.equals),
            ),
            // A condition on a question that is not a respondent question never holds.
            None => (usize::MAX, None),
        })
        .collect()
}

/// One respondent question: its options, routing, answer model and effects.
fn choice_step(form: &Form, q: &Question) -> ChoiceStep {
    let options: Vec<String> = q.options.iter().map(|o| o.code.clone()).collect();
    let effects = options
        .iter()
        .map(|o| {
            if q.code == "linh_vuc" {
                lookup(DOMAIN_EFFECTS, o).unwrap_or(0.0)
            } else {
                0.0
            }
        })
        .collect();
    ChoiceStep {
        code: q.code.clone(),
        model: choice_model(form, q, &options),
        options,
        required: q.required,
        conditions: resolve(form, &q.show_if.iter().collect::<Vec<_>>()),
        effects,
    }
}

/// How the answer to `q` is drawn: by its code's table of shares (uniform when it has none), or
/// by a model of its own for `linh_vuc`, `da_pakn` and `nghe_nghiep`.
fn choice_model(form: &Form, q: &Question, options: &[String]) -> ChoiceModel {
    let pos = |code: &str| options.iter().position(|o| o == code);
    let general = choice_shares(&q.code).map_or_else(
        || Cumulative::new(options.iter().map(|_| 1.0)),
        |t| Cumulative::for_options(options, t, 0.01),
    );
    match q.code.as_str() {
        "linh_vuc" => ChoiceModel::ByUnitKind {
            office: Cumulative::for_options(options, DOMAINS_OFFICE, 0.02),
            commune: Cumulative::for_options(options, DOMAINS_COMMUNE, 0.02),
        },
        "da_pakn" => match (pos("co"), pos("khong")) {
            (Some(yes), Some(no)) => ChoiceModel::Pakn { yes, no },
            _ => ChoiceModel::Fixed(general),
        },
        "nghe_nghiep" => match (
            choice_index(form, "nhom_tuoi"),
            form.question("nhom_tuoi").map(|a| {
                let p = |c: &str| a.options.iter().position(|o| o.code == c);
                (p("18_24"), p("tren_60"))
            }),
        ) {
            (Some(age_question), Some((Some(young), Some(old)))) => ChoiceModel::ByAge {
                age_question,
                young: (
                    young,
                    Cumulative::for_options(options, OCCUPATIONS_YOUNG, 0.0),
                ),
                old: (old, Cumulative::for_options(options, OCCUPATIONS_OLD, 0.0)),
                other: general,
            },
            _ => ChoiceModel::Fixed(general),
        },
        _ => ChoiceModel::Fixed(general),
    }
}

/// The rated items in form order, with their element's and their own effects.
fn item_steps(form: &Form) -> Vec<ItemStep> {
    let mut items = Vec::new();
    for part in &form.parts {
        for element in &part.elements {
            let element_effect = lookup(ELEMENT_EFFECTS, &element.code).unwrap_or(0.0);
            let conds: Vec<&ShowIf> = part.show_if.iter().chain(element.show_if.iter()).collect();
            for item in &element.items {
                items.push(ItemStep {
                    code: item.code.clone(),
                    effect: element_effect + lookup(ITEM_EFFECTS, &item.code).unwrap_or(0.0),
                    required: Channel::ALL.map(|c| item.required.applies_to(c)),
                    conditions: resolve(form, &conds),
                });
            }
        }
    }
    items
}

/// Whether every routing condition holds for the choices made so far.
pub(super) fn holds(conditions: &[Condition], chosen: &[Option<usize>]) -> bool {
    conditions
        .iter()
        .all(|&(q, option)| option.is_some() && chosen.get(q).copied().flatten() == option)
}
