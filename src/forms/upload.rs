//! An administrator's upload of a form file (`POST /api/v1/forms`, the `/admin/forms` page).
//!
//! The text is checked by the same loader as `sipas forms check`. A form id that exists already
//! becomes a new version (by content hash: identical content changes nothing); responses keep the
//! version they answered. Codes are stable identifiers: a change that removes or retypes a question
//! with stored answers, or removes an option someone chose, is refused.
//!
//! The new version is written to `{forms_dir}/{id}.toml` (temporary file, then rename) in the
//! transaction that registers it and its audit record (`service::forms::upload`, which writes the
//! record), then swapped into the registry: it is live at once and still there after a restart.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use super::load::{parse_form, FormLoadError, Problem};
use super::model::{Form, QuestionKind};
use super::registry::{content_hash, definition_json, FormRegistry, LoadedForm};
use crate::store::{self, DbConnection, StoreError};

/// The audit action of an upload that changed the live form.
pub const AUDIT_ACTION: &str = "form.upload";

/// What an upload did.
#[derive(Debug, Clone)]
pub struct Uploaded {
    /// The form's version now live.
    pub loaded: Arc<LoadedForm>,
    /// The version that was live before (none: a new form).
    pub previous_version: Option<i32>,
    /// False when the content was that of the live version: nothing changed.
    pub changed: bool,
}

/// A change that would break stored answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breaking {
    /// The question is gone from the new file but has stored answers.
    Removed { code: String },
    /// The question is another kind of question now (e.g. a rated item became a comment).
    Retyped {
        code: String,
        from: &'static str,
        to: &'static str,
    },
    /// Options of a choice question are gone that stored answers chose.
    OptionsRemoved { code: String, options: Vec<String> },
}

impl Breaking {
    pub fn code(&self) -> &str {
        match self {
            Breaking::Removed { code }
            | Breaking::Retyped { code, .. }
            | Breaking::OptionsRemoved { code, .. } => code,
        }
    }

    /// A stable snake_case reason.
    pub fn reason(&self) -> &'static str {
        match self {
            Breaking::Removed { .. } => "code_removed",
            Breaking::Retyped { .. } => "code_retyped",
            Breaking::OptionsRemoved { .. } => "option_removed",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Breaking::Removed { code } => format!(
                "Câu \"{code}\" đã có câu trả lời được lưu nên không được xoá khỏi phiếu. \
                 Mã câu hỏi là định danh cố định: hãy giữ lại câu này (có thể sửa nội dung câu hỏi)."
            ),
            Breaking::Retyped { code, from, to } => format!(
                "Câu \"{code}\" đã có câu trả lời được lưu nên không được đổi loại \
                 ({} → {}). Hãy dùng một mã mới cho câu hỏi mới.",
                kind_vi(from),
                kind_vi(to)
            ),
            Breaking::OptionsRemoved { code, options } => format!(
                "Câu \"{code}\": phương án {} đã được chọn trong các phiếu đã lưu nên không được xoá.",
                options.join(", ")
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Breaking::Removed { code } => format!(
                "\"{code}\" has stored answers and cannot be removed: codes are stable \
                 identifiers (keep the question; its wording may change)."
            ),
            Breaking::Retyped { code, from, to } => format!(
                "\"{code}\" has stored answers and cannot change from a {from} to a {to} \
                 question; use a new code for a new question."
            ),
            Breaking::OptionsRemoved { code, options } => format!(
                "\"{code}\": option(s) {} were chosen in stored answers and cannot be removed.",
                options.join(", ")
            ),
        }
    }
}

fn kind_vi(kind: &str) -> &'static str {
    match kind {
        "choice" => "câu chọn",
        "item" => "tiêu chí đánh giá 1–5",
        "expectation" => "câu mong đợi 1–3",
        _ => "ý kiến tự do",
    }
}

/// Why an upload was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file has problems (`sipas forms check` would print them), with line numbers.
    #[error("the form file has {} problem(s)", .0.len())]
    Invalid(Vec<Problem>),
    /// The new version would break stored answers.
    #[error("the change would break stored answers")]
    Breaking(Vec<Breaking>),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for UploadError {
    fn from(e: diesel::result::Error) -> Self {
        UploadError::Store(StoreError::from_diesel(e))
    }
}

/// Parses and checks an uploaded form file, exactly as `sipas forms check` checks a file.
/// The text must be UTF-8.
pub fn check(source: &[u8]) -> Result<Form, UploadError> {
    let text = std::str::from_utf8(source).map_err(|e| {
        let line = source[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        UploadError::Invalid(vec![Problem {
            file: PathBuf::new(),
            line,
            message: super::load::NOT_UTF8_VI.into(),
            message_en: super::load::NOT_UTF8_EN.into(),
        }])
    })?;
    // No file name: the id is not compared with one (the file is written as `{id}.toml`).
    match parse_form(Path::new(""), text) {
        Ok(form) => Ok(form),
        Err(FormLoadError::Invalid(problems)) => Err(UploadError::Invalid(problems)),
        Err(FormLoadError::Io { path, source }) => Err(UploadError::Io { path, source }),
    }
}

/// A question's kind and, for choice questions, its options.
type Shape = (&'static str, BTreeSet<String>);

fn shapes(form: &Form) -> BTreeMap<String, Shape> {
    form.all_questions()
        .into_iter()
        .map(|q| {
            let shape = match q.kind {
                QuestionKind::Choice(c) => {
                    ("choice", c.options.iter().map(|o| o.code.clone()).collect())
                }
                QuestionKind::Item(_) => ("item", BTreeSet::new()),
                QuestionKind::Expectation(_) => ("expectation", BTreeSet::new()),
                QuestionKind::Comment(_) => ("comment", BTreeSet::new()),
            };
            (q.code.to_string(), shape)
        })
        .collect()
}

/// What the new definition would break: every code any earlier version (stored or live) had is
/// compared with the new one, and checked against the stored answers only when it changed.
pub fn breaking_changes(
    conn: &mut DbConnection,
    new: &Form,
    live: Option<&Form>,
) -> Result<Vec<Breaking>, StoreError> {
    let mut old: BTreeMap<String, Shape> = BTreeMap::new();
    let mut merge = |form: &Form| {
        for (code, (kind, options)) in shapes(form) {
            let entry = old.entry(code).or_insert((kind, BTreeSet::new()));
            // The latest kind; every option any version offered.
            entry.0 = kind;
            entry.1.extend(options);
        }
    };
    for row in store::forms::versions(conn, &new.id)? {
        let form: Form = serde_json::from_str(&row.definition).map_err(|e| {
            StoreError::Corrupt(format!("form {} version {}: {e}", row.form_id, row.version))
        })?;
        merge(&form);
    }
    if let Some(live) = live {
        merge(live);
    }
    let new_shapes = shapes(new);
    let mut breaking = Vec::new();
    for (code, (kind, options)) in old {
        match new_shapes.get(&code) {
            None => {
                if store::forms::has_answers(conn, &new.id, &code)? {
                    breaking.push(Breaking::Removed { code });
                }
            }
            Some((new_kind, _)) if *new_kind != kind => {
                if store::forms::has_answers(conn, &new.id, &code)? {
                    breaking.push(Breaking::Retyped {
                        code,
                        from: kind,
                        to: new_kind,
                    });
                }
            }
            Some((_, new_options)) => {
                let gone: Vec<String> = options.difference(new_options).cloned().collect();
                let chosen = store::forms::answered_options(conn, &new.id, &code, &gone)?;
                if !chosen.is_empty() {
                    breaking.push(Breaking::OptionsRemoved {
                        code,
                        options: chosen,
                    });
                }
            }
        }
    }
    Ok(breaking)
}

/// What an upload would do, once checked: nothing (the live version's content), or a new
/// version.
#[derive(Debug)]
pub enum Planned {
    Unchanged(Uploaded),
    New(Box<NewVersion>),
}

/// A new version of a form, checked against the live one and the stored answers, not stored yet.
/// `service::forms::upload` writes it: [`NewVersion::stage`] the file, then in one transaction
/// [`NewVersion::register`], the audit record and [`NewVersion::put_in_place`], then
/// [`NewVersion::go_live`] (or [`NewVersion::discard`] on failure).
#[derive(Debug)]
pub struct NewVersion {
    form: Form,
    definition: String,
    hash: String,
    /// The version that was live before (none: a new form).
    pub previous_version: Option<i32>,
    temp: PathBuf,
    target: PathBuf,
}

/// Compares a checked form ([`check`]) with the live version and the stored answers. The caller
/// holds `registry.upload_lock()` from before this call until the new version is live.
pub fn plan(
    conn: &mut DbConnection,
    registry: &FormRegistry,
    forms_dir: &Path,
    form: Form,
) -> Result<Planned, UploadError> {
    let definition = definition_json(&form);
    let hash = content_hash(&definition);
    let live = registry.get(&form.id);
    if let Some(live) = live.as_ref().filter(|l| l.content_hash == hash) {
        return Ok(Planned::Unchanged(Uploaded {
            loaded: live.clone(),
            previous_version: Some(live.version),
            changed: false,
        }));
    }
    let breaking = breaking_changes(conn, &form, live.as_ref().map(|l| &l.form))?;
    if !breaking.is_empty() {
        return Err(UploadError::Breaking(breaking));
    }
    let target = forms_dir.join(format!("{}.toml", form.id));
    let temp = forms_dir.join(format!(".{}.toml.{}.upload", form.id, uuid::Uuid::new_v4()));
    Ok(Planned::New(Box::new(NewVersion {
        previous_version: live.as_ref().map(|l| l.version),
        form,
        definition,
        hash,
        temp,
        target,
    })))
}

impl NewVersion {
    pub fn form_id(&self) -> &str {
        &self.form.id
    }

    /// Writes the uploaded text beside its place, under a temporary name, synced.
    pub fn stage(&self, source: &[u8]) -> Result<(), UploadError> {
        write_synced(&self.temp, source).map_err(io(&self.temp))
    }

    /// Registers the version (in the caller's transaction); returns its number and the detail of
    /// its audit record.
    pub fn register(&self, conn: &mut DbConnection) -> Result<(i32, Value), UploadError> {
        let version =
            store::forms::register_version(conn, &self.form.id, &self.hash, &self.definition)?;
        let detail = json!({
            "version": version,
            "previous_version": self.previous_version,
            "content_hash": self.hash,
        });
        Ok((version, detail))
    }

    /// Renames the staged file into its place: last before the commit, so that a file that
    /// cannot be put in place rolls the version back.
    pub fn put_in_place(&self) -> Result<(), UploadError> {
        std::fs::rename(&self.temp, &self.target).map_err(io(&self.target))
    }

    /// Removes the staged file of a version that was not stored.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.temp);
    }

    /// Makes the stored version live (and the rename durable).
    pub fn go_live(self, registry: &FormRegistry, version: i32) -> Uploaded {
        if let Some(dir) = self.target.parent() {
            sync_dir(dir);
        }
        tracing::info!(form = %self.form.id, version, "form uploaded");
        let previous_version = self.previous_version;
        let (loaded, _) = registry.replace(LoadedForm::new(self.form, version, self.hash));
        Uploaded {
            loaded,
            previous_version,
            changed: true,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> UploadError {
    let path = path.to_path_buf();
    move |source| UploadError::Io { path, source }
}

fn write_synced(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(content)?;
    file.sync_all()
}

/// Makes the rename durable (best effort: not every platform can sync a folder).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = include_str!("../../survey-forms/sipas-dich-vu.toml");

    #[test]
    fn the_shipped_form_passes() {
        let form = check(FORM.as_bytes()).unwrap();
        assert_eq!(form.id, "sipas-dich-vu");
    }

    #[test]
    fn problems_carry_line_numbers() {
        let broken = FORM.replacen("target = ", "target = \"ninety\" # ", 1);
        let Err(UploadError::Invalid(problems)) = check(broken.as_bytes()) else {
            panic!("refused");
        };
        let line = FORM
            .lines()
            .position(|l| l.starts_with("target = "))
            .unwrap()
            + 1;
        assert_eq!(problems[0].line, line, "{problems:?}");
    }

    #[test]
    fn text_must_be_utf8() {
        let mut bytes = b"id = \"x\"\ntitle = \"".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        let Err(UploadError::Invalid(problems)) = check(&bytes) else {
            panic!("refused");
        };
        assert_eq!(problems[0].line, 2);
    }
}
