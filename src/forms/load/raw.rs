//! The form file as TOML reads it: "raw" structs that remember where each code stands in the
//! file (`Spanned`), before [`super::check`] turns them into the [`Form`](crate::forms::Form) model.

use serde::Deserialize;
use toml::Spanned;

use crate::domain::Channel;
use crate::forms::model::{IndexMethod, Required, Scale, ShowIf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawForm {
    pub(super) id: Spanned<String>,
    pub(super) title: String,
    pub(super) title_en: Option<String>,
    pub(super) intro: Option<String>,
    pub(super) intro_en: Option<String>,
    pub(super) target: Spanned<f64>,
    pub(super) index_method: IndexMethod,
    pub(super) channels: Spanned<Vec<Channel>>,
    #[serde(default)]
    pub(super) invitation_only: bool,
    pub(super) scale: RawScale,
    pub(super) expectation_scale: Option<RawScale>,
    #[serde(default)]
    pub(super) questions: Vec<RawQuestion>,
    #[serde(default)]
    pub(super) parts: Vec<RawPart>,
    #[serde(default)]
    pub(super) expectations: Vec<RawLabelled>,
    #[serde(default)]
    pub(super) comments: Vec<RawComment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScale {
    pub(super) labels: Spanned<Vec<String>>,
    pub(super) labels_en: Option<Spanned<Vec<String>>>,
    pub(super) not_applicable: Option<String>,
    pub(super) not_applicable_en: Option<String>,
}

impl RawScale {
    pub(super) fn into_scale(self) -> Scale {
        Scale {
            labels: self.labels.into_inner(),
            labels_en: self.labels_en.map(Spanned::into_inner),
            not_applicable: self.not_applicable,
            not_applicable_en: self.not_applicable_en,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoice {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
    #[serde(default)]
    pub(super) required: bool,
    pub(super) show_if: Option<Spanned<ShowIf>>,
    pub(super) options: Vec<RawChoice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPart {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
    pub(super) show_if: Option<Spanned<ShowIf>>,
    pub(super) elements: Vec<RawElement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawElement {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
    pub(super) show_if: Option<Spanned<ShowIf>>,
    pub(super) required: Option<Required>,
    pub(super) items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
    pub(super) required: Option<Required>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLabelled {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawComment {
    pub(super) code: Spanned<String>,
    pub(super) label: String,
    pub(super) label_en: Option<String>,
    pub(super) max_length: Spanned<usize>,
}
