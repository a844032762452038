//! Loading form files (`survey-forms/*.toml`) and checking them.
//!
//! The TOML is read into "raw" structs that remember where each code stands in the file, then
//! checked and turned into the [`Form`] model. Every problem is reported as `file:line: message`,
//! all of them at once, so that whoever edits a form can fix the file in one pass.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::model::{
    Choice, Comment, Element, Expectation, Form, IndexMethod, Item, Part, Question, Required,
    Scale, ShowIf,
};
use crate::domain::Channel;

/// One problem in one form file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    /// What is wrong, in Vietnamese (what `sipas forms check` prints and the admin page shows).
    pub message: String,
    /// The same in English (the JSON API's `message_en`).
    pub message_en: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Why a set of form files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FormLoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl FormLoadError {
    pub fn code(&self) -> &'static str {
        match self {
            FormLoadError::Io { .. } => "form_file_unreadable",
            FormLoadError::Invalid(_) => "form_invalid",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    id: Spanned<String>,
    title: String,
    title_en: Option<String>,
    intro: Option<String>,
    intro_en: Option<String>,
    target: Spanned<f64>,
    index_method: IndexMethod,
    channels: Spanned<Vec<Channel>>,
    #[serde(default)]
    invitation_only: bool,
    scale: RawScale,
    expectation_scale: Option<RawScale>,
    #[serde(default)]
    questions: Vec<RawQuestion>,
    #[serde(default)]
    parts: Vec<RawPart>,
    #[serde(default)]
    expectations: Vec<RawLabelled>,
    #[serde(default)]
    comments: Vec<RawComment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    labels: Spanned<Vec<String>>,
    labels_en: Option<Spanned<Vec<String>>>,
    not_applicable: Option<String>,
    not_applicable_en: Option<String>,
}

impl RawScale {
    fn into_scale(self) -> Scale {
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
struct RawChoice {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
    #[serde(default)]
    required: bool,
    show_if: Option<Spanned<ShowIf>>,
    options: Vec<RawChoice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
    show_if: Option<Spanned<ShowIf>>,
    elements: Vec<RawElement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
    show_if: Option<Spanned<ShowIf>>,
    required: Option<Required>,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
    required: Option<Required>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabelled {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComment {
    code: Spanned<String>,
    label: String,
    label_en: Option<String>,
    max_length: Spanned<usize>,
}

/// Collects problems with line numbers for one file.
struct Checker<'a> {
    file: &'a Path,
    source: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// A problem at `span`: its Vietnamese message, then the English one.
    fn report(
        &mut self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) {
        let line = self.line_of(span.start);
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            line,
            message: one_line(&message.into()),
            message_en: one_line(&message_en.into()),
        });
    }
}

/// A message on one line: control characters quoted from the file (a code with a line break, say)
/// are written as escapes, so that each problem stays one `file:line: message` line.
fn one_line(message: &str) -> String {
    message
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// A file that is not UTF-8 text.
pub const NOT_UTF8_VI: &str = "Tệp không phải văn bản UTF-8 (hãy lưu lại tệp với bảng mã UTF-8).";
pub const NOT_UTF8_EN: &str = "the file is not UTF-8 text (save it as UTF-8)";

/// Codes are ASCII identifiers: letters, digits and `_` (question codes), or `-` too (form ids).
fn is_code(s: &str, allow_dash: bool) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || (allow_dash && c == '-'))
}

/// Parses and checks one form file's text. `file` is used in messages only.
pub fn parse_form(file: &Path, source: &str) -> Result<Form, FormLoadError> {
    let mut ck = Checker {
        file,
        source,
        problems: Vec::new(),
    };
    let raw: RawForm = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let en = e.message().trim().to_string();
            ck.report(e.span().unwrap_or(0..0), super::toml_vi::translate(&en), en);
            return Err(FormLoadError::Invalid(ck.problems));
        }
    };
    let mut form = check(&mut ck, raw);
    if ck.problems.is_empty() {
        form.nfc_labels();
        Ok(form)
    } else {
        Err(FormLoadError::Invalid(ck.problems))
    }
}

fn check(ck: &mut Checker<'_>, raw: RawForm) -> Form {
    let expected_id = ck.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_code(raw.id.get_ref(), true) {
        ck.report(
            raw.id.span(),
            "Mã phiếu (id) chỉ gồm chữ cái không dấu, chữ số, '_' hoặc '-'.",
            "form id must be letters, digits, '_' or '-'",
        );
    } else if !expected_id.is_empty() && raw.id.get_ref() != expected_id {
        ck.report(
            raw.id.span(),
            format!(
                "Mã phiếu (id) \"{}\" phải trùng với tên tệp \"{expected_id}\".",
                raw.id.get_ref()
            ),
            format!(
                "form id \"{}\" must equal the file name \"{expected_id}\"",
                raw.id.get_ref()
            ),
        );
    }
    let target = *raw.target.get_ref();
    if !(target > 0.0 && target <= 100.0) {
        ck.report(
            raw.target.span(),
            "Chỉ tiêu (target) phải là một tỉ lệ phần trăm lớn hơn 0 và không quá 100.",
            "target must be a percentage in (0, 100]",
        );
    }
    if raw.channels.get_ref().is_empty() {
        ck.report(
            raw.channels.span(),
            "Phiếu phải nhận trả lời qua ít nhất một kênh (channels).",
            "a form must accept at least one channel",
        );
    }
    check_scale(ck, &raw.scale, 5, "scale");
    if let Some(es) = &raw.expectation_scale {
        check_scale(ck, es, 3, "expectation_scale");
    }
    if !raw.expectations.is_empty() && raw.expectation_scale.is_none() {
        ck.report(
            raw.id.span(),
            "Các câu mong đợi (expectations) cần có thang đo [expectation_scale].",
            "expectation questions need an [expectation_scale]",
        );
    }
    if raw
        .parts
        .iter()
        .all(|p| p.elements.iter().all(|e| e.items.is_empty()))
    {
        ck.report(
            raw.id.span(),
            "Phiếu cần ít nhất một tiêu chí được chấm điểm (items).",
            "a form needs at least one rated item",
        );
    }

    let mut seen: HashSet<String> = HashSet::new();
    // Choice questions defined so far: routing may only look back at these.
    let mut choices: HashMap<String, Vec<String>> = HashMap::new();
    let mut claim = |ck: &mut Checker<'_>, code: &Spanned<String>| {
        if !is_code(code.get_ref(), false) {
            ck.report(
                code.span(),
                format!(
                    "\"{}\" không phải là mã hợp lệ (chỉ chữ cái không dấu, chữ số, '_').",
                    code.get_ref()
                ),
                format!(
                    "\"{}\" is not a valid code (letters, digits, '_')",
                    code.get_ref()
                ),
            );
        } else if !seen.insert(code.get_ref().clone()) {
            ck.report(
                code.span(),
                format!("Mã \"{}\" được dùng hai lần trong phiếu.", code.get_ref()),
                format!("code \"{}\" is used twice in this form", code.get_ref()),
            );
        }
    };

    let mut questions = Vec::new();
    for q in raw.questions {
        claim(ck, &q.code);
        let show_if = check_show_if(ck, &choices, q.show_if);
        if q.options.is_empty() {
            ck.report(
                q.code.span(),
                format!(
                    "Câu hỏi \"{}\" chưa có phương án nào (options).",
                    q.code.get_ref()
                ),
                format!("question \"{}\" has no options", q.code.get_ref()),
            );
        }
        let mut option_codes = HashSet::new();
        let options: Vec<Choice> = q
            .options
            .into_iter()
            .map(|o| {
                if !is_code(o.code.get_ref(), false) {
                    ck.report(
                        o.code.span(),
                        format!(
                            "\"{}\" không phải là mã phương án hợp lệ.",
                            o.code.get_ref()
                        ),
                        format!("\"{}\" is not a valid option code", o.code.get_ref()),
                    );
                } else if !option_codes.insert(o.code.get_ref().clone()) {
                    ck.report(
                        o.code.span(),
                        format!("Phương án \"{}\" được liệt kê hai lần.", o.code.get_ref()),
                        format!("option \"{}\" is listed twice", o.code.get_ref()),
                    );
                }
                Choice {
                    code: o.code.into_inner(),
                    label: o.label,
                    label_en: o.label_en,
                }
            })
            .collect();
        choices.insert(
            q.code.get_ref().clone(),
            options.iter().map(|o| o.code.clone()).collect(),
        );
        questions.push(Question {
            code: q.code.into_inner(),
            label: q.label,
            label_en: q.label_en,
            required: q.required,
            show_if,
            options,
        });
    }

    let mut parts = Vec::new();
    for p in raw.parts {
        claim(ck, &p.code);
        let show_if = check_show_if(ck, &choices, p.show_if);
        if p.elements.is_empty() {
            ck.report(
                p.code.span(),
                format!(
                    "Phần \"{}\" chưa có yếu tố nào (elements).",
                    p.code.get_ref()
                ),
                format!("part \"{}\" has no elements", p.code.get_ref()),
            );
        }
        let mut elements = Vec::new();
        for e in p.elements {
            claim(ck, &e.code);
            let e_show_if = check_show_if(ck, &choices, e.show_if);
            if e.items.is_empty() {
                ck.report(
                    e.code.span(),
                    format!(
                        "Yếu tố \"{}\" chưa có tiêu chí nào (items).",
                        e.code.get_ref()
                    ),
                    format!("element \"{}\" has no items", e.code.get_ref()),
                );
            }
            let default_required = e.required.unwrap_or_default();
            let items = e
                .items
                .into_iter()
                .map(|i| {
                    claim(ck, &i.code);
                    Item {
                        code: i.code.into_inner(),
                        label: i.label,
                        label_en: i.label_en,
                        required: i.required.unwrap_or_else(|| default_required.clone()),
                    }
                })
                .collect();
            elements.push(Element {
                code: e.code.into_inner(),
                label: e.label,
                label_en: e.label_en,
                show_if: e_show_if,
                items,
            });
        }
        parts.push(Part {
            code: p.code.into_inner(),
            label: p.label,
            label_en: p.label_en,
            show_if,
            elements,
        });
    }

    let expectations = raw
        .expectations
        .into_iter()
        .map(|e| {
            claim(ck, &e.code);
            Expectation {
                code: e.code.into_inner(),
                label: e.label,
                label_en: e.label_en,
            }
        })
        .collect();
    let comments = raw
        .comments
        .into_iter()
        .map(|c| {
            claim(ck, &c.code);
            let max_length = *c.max_length.get_ref();
            if !(1..=10_000).contains(&max_length) {
                ck.report(
                    c.max_length.span(),
                    "Độ dài tối đa (max_length) phải từ 1 đến 10000 ký tự.",
                    "max_length must be between 1 and 10000 characters",
                );
            }
            Comment {
                code: c.code.into_inner(),
                label: c.label,
                label_en: c.label_en,
                max_length,
            }
        })
        .collect();

    Form {
        id: raw.id.into_inner(),
        title: raw.title,
        title_en: raw.title_en,
        intro: raw.intro,
        intro_en: raw.intro_en,
        target,
        index_method: raw.index_method,
        channels: raw.channels.into_inner(),
        invitation_only: raw.invitation_only,
        scale: raw.scale.into_scale(),
        expectation_scale: raw.expectation_scale.map(RawScale::into_scale),
        questions,
        parts,
        expectations,
        comments,
    }
}

fn check_scale(ck: &mut Checker<'_>, scale: &RawScale, levels: usize, name: &str) {
    if scale.labels.get_ref().len() != levels {
        ck.report(
            scale.labels.span(),
            format!("Thang đo {name} cần đúng {levels} nhãn (labels), từ thấp đến cao."),
            format!("{name} needs exactly {levels} labels, lowest first"),
        );
    }
    if let Some(en) = scale
        .labels_en
        .as_ref()
        .filter(|l| l.get_ref().len() != levels)
    {
        ck.report(
            en.span(),
            format!("{name}.labels_en cần đúng {levels} nhãn."),
            format!("{name}.labels_en needs exactly {levels} labels"),
        );
    }
}

fn check_show_if(
    ck: &mut Checker<'_>,
    choices: &HashMap<String, Vec<String>>,
    show_if: Option<Spanned<ShowIf>>,
) -> Option<ShowIf> {
    let show_if = show_if?;
    let cond = show_if.get_ref();
    match choices.get(&cond.question) {
        None => ck.report(
            show_if.span(),
            format!(
                "show_if nhắc đến \"{}\", nhưng đó không phải là câu chọn được định nghĩa trước nó.",
                cond.question
            ),
            format!(
                "show_if refers to \"{}\", which is not a choice question defined before it",
                cond.question
            ),
        ),
        Some(options) if !options.contains(&cond.equals) => ck.report(
            show_if.span(),
            format!(
                "show_if: \"{}\" không phải là phương án của câu \"{}\".",
                cond.equals, cond.question
            ),
            format!(
                "show_if: \"{}\" is not an option of \"{}\"",
                cond.equals, cond.question
            ),
        ),
        Some(_) => {}
    }
    Some(show_if.into_inner())
}

/// Reads and checks every `*.toml` file directly in `dir` (not its subfolders), sorted by name.
/// All problems of all files are reported together.
pub fn load_dir(dir: &Path) -> Result<Vec<Form>, FormLoadError> {
    let io = |source| FormLoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut forms = Vec::new();
    let mut problems = Vec::new();
    if files.is_empty() {
        problems.push(Problem {
            file: dir.to_path_buf(),
            line: 0,
            message: "Không có tệp phiếu nào (*.toml) trong thư mục này.".into(),
            message_en: "no form files (*.toml) here".into(),
        });
    }
    for file in files {
        let bytes = std::fs::read(&file).map_err(|source| FormLoadError::Io {
            path: file.clone(),
            source,
        })?;
        let source = match String::from_utf8(bytes) {
            Ok(source) => source,
            Err(e) => {
                // Reported at its line like any other problem; the other files are still checked.
                let valid = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..valid]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                problems.push(Problem {
                    file: file.clone(),
                    line,
                    message: NOT_UTF8_VI.into(),
                    message_en: NOT_UTF8_EN.into(),
                });
                continue;
            }
        };
        match parse_form(&file, &source) {
            Ok(form) => forms.push(form),
            Err(FormLoadError::Invalid(mut p)) => problems.append(&mut p),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(forms)
    } else {
        Err(FormLoadError::Invalid(problems))
    }
}
