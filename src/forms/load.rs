//! Loading form files (`survey-forms/*.toml`) and checking them.
//!
//! The TOML is read into "raw" structs that remember where each code stands in the file
//! ([`raw`]), then checked and turned into the [`Form`] model ([`check`]). Every problem is
//! reported as `file:line: message`, all of them at once, so that whoever edits a form can fix
//! the file in one pass.

mod check;
mod raw;

use std::fmt;
use std::path::{Path, PathBuf};

use super::model::Form;
use raw::RawForm;

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
    let mut form = check::check(&mut ck, raw);
    if ck.problems.is_empty() {
        form.nfc_labels();
        Ok(form)
    } else {
        Err(FormLoadError::Invalid(ck.problems))
    }
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
