//! The questionnaire model: what a form is once it has been loaded and checked.
//! The same structure is served as JSON by `GET /api/v1/forms/{id}` and stored (as JSON) with every
//! form version, so that old responses keep the definition they were answered against.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Channel;

/// How the form's index is computed (docs/method.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndexMethod {
    /// Share of answers that are 4 or 5.
    Top2Share,
    /// Points obtained ÷ maximum points: Σ(value − 1) / Σ 4.
    ScoreShare,
}

/// Routing: a question, element or part is shown (and accepted) only when an earlier choice
/// question has the given option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowIf {
    pub question: String,
    pub equals: String,
}

/// Where an answer is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Required {
    /// `true`: on every channel; `false`: never.
    Always(bool),
    /// Only on these channels.
    On(Vec<Channel>),
}

impl Default for Required {
    fn default() -> Self {
        Required::Always(false)
    }
}

impl Required {
    pub fn applies_to(&self, channel: Channel) -> bool {
        match self {
            Required::Always(b) => *b,
            Required::On(channels) => channels.contains(&channel),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Choice {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
}

/// A respondent question with a closed list of options (e.g. `gioi_tinh`, `da_pakn`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Question {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    pub options: Vec<Choice>,
}

/// A rated criterion (tiêu chí) on the 5-level scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Item {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub required: Required,
}

/// An element (yếu tố): a group of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Element {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    pub items: Vec<Item>,
}

/// A part (khía cạnh): `dich_vu`, `chinh_sach`, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Part {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    pub elements: Vec<Element>,
}

/// An expectation question on the 3-level scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Expectation {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
}

/// A free-text question, stored NFC-normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub max_length: usize,
}

/// Labels of a rating scale, lowest value first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scale {
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels_en: Option<Vec<String>>,
    /// When set, the form offers this choice ("Không đánh giá được"); it is stored as not answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable_en: Option<String>,
}

/// A questionnaire, as loaded from `survey-forms/{id}.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Form {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro_en: Option<String>,
    pub target: f64,
    pub index_method: IndexMethod,
    pub channels: Vec<Channel>,
    pub invitation_only: bool,
    pub scale: Scale,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectation_scale: Option<Scale>,
    pub questions: Vec<Question>,
    pub parts: Vec<Part>,
    pub expectations: Vec<Expectation>,
    pub comments: Vec<Comment>,
}

/// What kind of answer a question code takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuestionKind<'a> {
    Choice(&'a Question),
    Item(&'a Item),
    Expectation(&'a Expectation),
    Comment(&'a Comment),
}

/// One question of a form with the routing conditions that must all hold for it to be shown.
#[derive(Debug, Clone)]
pub struct QuestionRef<'a> {
    pub code: &'a str,
    pub kind: QuestionKind<'a>,
    pub conditions: Vec<&'a ShowIf>,
}

impl Form {
    /// Every question in display order: respondent questions, items (part by part), expectations,
    /// comments — with the routing conditions inherited from its part and element.
    pub fn all_questions(&self) -> Vec<QuestionRef<'_>> {
        let mut out = Vec::new();
        for q in &self.questions {
            out.push(QuestionRef {
                code: &q.code,
                kind: QuestionKind::Choice(q),
                conditions: q.show_if.iter().collect(),
            });
        }
        for part in &self.parts {
            for element in &part.elements {
                for item in &element.items {
                    let conditions = part.show_if.iter().chain(element.show_if.iter()).collect();
                    out.push(QuestionRef {
                        code: &item.code,
                        kind: QuestionKind::Item(item),
                        conditions,
                    });
                }
            }
        }
        for e in &self.expectations {
            out.push(QuestionRef {
                code: &e.code,
                kind: QuestionKind::Expectation(e),
                conditions: Vec::new(),
            });
        }
        for c in &self.comments {
            out.push(QuestionRef {
                code: &c.code,
                kind: QuestionKind::Comment(c),
                conditions: Vec::new(),
            });
        }
        out
    }

    /// Every label NFC: editors may save decomposed Vietnamese, which renders badly without shaping.
    pub fn nfc_labels(&mut self) {
        use crate::domain::normalize_text as nfc;
        let opt = |o: &mut Option<String>| {
            if let Some(s) = o.as_mut() {
                *s = nfc(s);
            }
        };
        self.title = nfc(&self.title);
        opt(&mut self.title_en);
        opt(&mut self.intro);
        opt(&mut self.intro_en);
        for scale in std::iter::once(&mut self.scale).chain(self.expectation_scale.as_mut()) {
            scale.labels.iter_mut().for_each(|l| *l = nfc(l));
            opt(&mut scale.not_applicable);
        }
        for q in &mut self.questions {
            q.label = nfc(&q.label);
            q.options.iter_mut().for_each(|o| o.label = nfc(&o.label));
        }
        for part in &mut self.parts {
            part.label = nfc(&part.label);
            for element in &mut part.elements {
                element.label = nfc(&element.label);
                element
                    .items
                    .iter_mut()
                    .for_each(|i| i.label = nfc(&i.label));
            }
        }
        self.expectations
            .iter_mut()
            .for_each(|e| e.label = nfc(&e.label));
        self.comments
            .iter_mut()
            .for_each(|c| c.label = nfc(&c.label));
    }

    pub fn question(&self, code: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.code == code)
    }

    pub fn accepts(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }
}
