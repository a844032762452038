//! The shipped forms as the tests read them, and the answers they send to the service form.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sipas::forms::{load_dir, Form};

/// The shipped forms' folder, `survey-forms/`.
pub fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-forms")
}

/// The shipped form `id`, as `load_dir` reads it.
pub fn shipped_form(id: &str) -> Form {
    load_dir(&forms_dir())
        .expect("shipped forms load")
        .into_iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("form {id} is shipped"))
}

/// The shipped service form, `sipas-dich-vu`.
pub fn service_form() -> Form {
    shipped_form("sipas-dich-vu")
}

/// The text of the shipped form `id`'s file.
pub fn shipped_toml(id: &str) -> String {
    std::fs::read_to_string(forms_dir().join(format!("{id}.toml"))).expect("shipped form file")
}

/// A copy of the form files (not the unit trees), for a test that uploads new versions.
pub fn forms_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let source = forms_dir();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// A complete, valid answer set for the service form on the kiosk/phone channels (no PAKN).
pub fn full_answers() -> Value {
    json!({
        "da_pakn": "khong",
        "TC1": 5, "TC2": 4, "TC3": 4, "TC4": 3,
        "TT1": 5, "TT2": 5, "TT3": 4, "TT4": 2,
        "CC1": 5, "CC2": 4, "CC3": 4, "CC4": 5, "CC5": 5,
        "KQ1": 4, "KQ2": 4, "KQ3": 5
    })
}

/// `full_answers()` (phone/kiosk-complete, da_pakn = khong) with some answers replaced or added;
/// a `null` in `changes` removes the answer.
pub fn answers_with(changes: Value) -> Value {
    let mut answers = full_answers();
    for (code, value) in changes.as_object().expect("changes are an object") {
        if value.is_null() {
            answers.as_object_mut().unwrap().remove(code);
        } else {
            answers[code] = value.clone();
        }
    }
    answers
}

/// A valid JSON submission body with a fresh client_id.
pub fn valid_submission() -> Value {
    json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": "phuoc-son",
        "channel": "phone",
        "answers": full_answers(),
    })
}

/// The 1-based line of the `nth` (0-based) occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str, nth: usize) -> usize {
    let (offset, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs {} times", nth + 1));
    text[..offset].matches('\n').count() + 1
}
