//! Fuzzing the form loader (issue 7, item 4): mutations of the shipped form files
//! (`survey-forms/*.toml`) — lines deleted, duplicated, swapped; random bytes; truncation; values
//! changed to other values and types; deep nesting — through `sipas::forms::parse_form` and
//! `load_dir`.
//!
//! Properties: never a panic; every refusal is a list of `file:line: message` problems with the
//! file's name, a line inside the file and a one-line message; whatever loads satisfies the
//! form rules (checked again here); and mutations that change nothing that matters (comments,
//! blank lines, other labels, optional lines removed) still load, with the same codes.
//!
//! Bounded: 256 cases per property by default; `PROPTEST_CASES=N` for more.

use crate::common::*;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use sipas::forms::{load_dir, parse_form, Form, FormLoadError, QuestionKind};

mod broken_files;
mod properties;

/// (path, text) of every shipped form file.
static SHIPPED: LazyLock<Vec<(PathBuf, String)>> = LazyLock::new(|| {
    let mut files: Vec<PathBuf> = std::fs::read_dir(forms_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "three shipped forms");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
});

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
    SwapLines(prop::sample::Index, prop::sample::Index),
    /// Random bytes at a random offset (made UTF-8 with replacement characters for `parse_form`).
    InsertBytes(prop::sample::Index, Vec<u8>),
    Truncate(prop::sample::Index),
    /// The value of a `key = value` line replaced.
    ReplaceValue(prop::sample::Index, String),
    /// A new line: a key with a deeply nested value, an unknown key, a table header…
    InsertLine(prop::sample::Index, String),
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "0",
            "-1",
            "5",
            "100",
            "100.0001",
            "1e309",
            "-0.0",
            "nan",
            "inf",
            "-inf",
            "18446744073709551616",
            "99999999999999999999999999",
            "0x7fffffffffffffff",
            "true",
            "false",
            "\"\"",
            "\"x\"",
            "''",
            "[]",
            "[\"\"]",
            "[1, 2]",
            "[\"web\", \"web\"]",
            "[\"sms\"]",
            "{}",
            "{ question = \"da_pakn\", equals = \"co\" }",
            "{ question = \"da_pakn\", equals = \"maybe\" }",
            "{ question = \"x\" }",
            "1979-05-27T07:32:00Z",
            "1979-05-27",
            "07:32:00",
            "\"\\u0000\"",
            "\"a\\nb\"",
            "\"\\uD800\"",
            "\"🇻🇳\"",
            "\"e\u{302}\u{301}\"",
            "\"has space\"",
            "\"dup\"",
            "[[]]",
            "[{}]",
            "\"unterminated",
            "[1,",
            "{ a = 1",
            "= =",
        ])
        .prop_map(String::from),
        "\\PC{0,20}".prop_map(|s| format!("{:?}", s)),
        "\\PC{0,20}",
        (1usize..3_000, prop::sample::select(vec!["[", "{ a = "]))
            .prop_map(|(d, open)| nested(open, d)),
    ]
}

/// A value nested `depth` times: `[[[…]]]` or `{ a = { a = … } }`.
fn nested(open: &str, depth: usize) -> String {
    let close = if open == "[" { "]" } else { " }" };
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

fn new_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..20_000, prop::sample::select(vec!["[", "{ a = "]))
            .prop_map(|(d, open)| format!("deep = {}", nested(open, d))),
        (1usize..20_000).prop_map(|d| format!("[{}]", vec!["t"; d].join("."))),
        prop::sample::select(vec![
            "[[questions]]",
            "[[parts]]",
            "[[parts.elements]]",
            "[[parts.elements.items]]",
            "[[comments]]",
            "[[expectations]]",
            "[scale]",
            "[expectation_scale]",
            "code = \"TC1\"",
            "code = \"da_pakn\"",
            "required = [\"kiosk\"]",
            "required = \"yes\"",
            "show_if = { question = \"da_pakn\", equals = \"co\" }",
            "max_length = 0",
            "unknown = 1",
            "id = \"sipas-dich-vu\"",
            "\u{feff}",
            "\r",
            "\t",
        ])
        .prop_map(String::from),
        ("[a-z_]{1,10}", toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        any::<String>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<prop::sample::Index>().prop_map(Mutation::DeleteLine),
        2 => any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        2 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        2 => (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        4 => (any::<prop::sample::Index>(), toml_value()).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        2 => (any::<prop::sample::Index>(), new_line()).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
    ]
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut lines = lines_of(bytes);
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    match m {
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(lines.len()));
        }
        Mutation::DuplicateLine(i) => {
            let i = i.index(lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        Mutation::SwapLines(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        Mutation::InsertBytes(i, new) => {
            let mut out = bytes.to_vec();
            let at = i.index(out.len() + 1);
            out.splice(at..at, new.iter().copied());
            return out;
        }
        Mutation::Truncate(i) => return bytes[..i.index(bytes.len() + 1)].to_vec(),
        Mutation::ReplaceValue(i, value) => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&n| {
                    let l = String::from_utf8_lossy(&lines[n]);
                    !l.trim_start().starts_with('#') && l.contains(" = ")
                })
                .collect();
            if let Some(&n) = candidates.get(i.index(candidates.len().max(1))) {
                let line = String::from_utf8_lossy(&lines[n]).into_owned();
                let (key, _) = line.split_once(" = ").unwrap();
                lines[n] = format!("{key} = {value}\n").into_bytes();
            }
        }
        Mutation::InsertLine(i, line) => {
            let at = i.index(lines.len() + 1);
            lines.insert(at, format!("{line}\n").into_bytes());
        }
    }
    lines.concat()
}

// ---------------------------------------------------------------------------------------------
// What every outcome must satisfy
// ---------------------------------------------------------------------------------------------

fn is_code(s: &str, dash: bool) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || (dash && c == '-'))
}

/// The form rules, checked on a loaded form independently of the loader.
fn check_loaded(path: &Path, form: &Form) -> Result<(), String> {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    if form.id != stem {
        return Err(format!("id {:?} loaded from {stem}.toml", form.id));
    }
    if !(form.target > 0.0 && form.target <= 100.0) {
        return Err(format!("target {}", form.target));
    }
    if form.channels.is_empty() {
        return Err("no channels".into());
    }
    if form.scale.labels.len() != 5 {
        return Err(format!("{} scale labels", form.scale.labels.len()));
    }
    if form
        .expectation_scale
        .as_ref()
        .is_some_and(|s| s.labels.len() != 3)
        || (!form.expectations.is_empty() && form.expectation_scale.is_none())
    {
        return Err("expectation scale".into());
    }
    let mut seen = BTreeSet::new();
    let mut choices: HashMap<&str, Vec<&str>> = HashMap::new();
    let questions = form.all_questions();
    if !questions
        .iter()
        .any(|q| matches!(q.kind, QuestionKind::Item(_)))
    {
        return Err("no rated item".into());
    }
    for q in &questions {
        if !is_code(q.code, false) || !seen.insert(q.code) {
            return Err(format!("code {:?} invalid or twice", q.code));
        }
        for c in &q.conditions {
            let known = choices
                .get(c.question.as_str())
                .is_some_and(|o| o.contains(&c.equals.as_str()));
            if !known {
                return Err(format!("{} routed on {c:?}", q.code));
            }
        }
        match q.kind {
            QuestionKind::Choice(choice) => {
                let options: Vec<&str> = choice.options.iter().map(|o| o.code.as_str()).collect();
                let distinct: BTreeSet<&&str> = options.iter().collect();
                if options.is_empty()
                    || distinct.len() != options.len()
                    || !options.iter().all(|o| is_code(o, false))
                {
                    return Err(format!("options of {}: {options:?}", q.code));
                }
                choices.insert(q.code, options);
            }
            QuestionKind::Comment(c) if !(1..=10_000).contains(&c.max_length) => {
                return Err(format!("max_length {}", c.max_length));
            }
            _ => {}
        }
    }
    for part in &form.parts {
        if part.elements.is_empty() || part.elements.iter().any(|e| e.items.is_empty()) {
            return Err(format!("empty part or element in {}", part.code));
        }
    }
    Ok(())
}

/// Every problem names the file, a line of it and a one-line message.
fn check_refusal(path: &Path, text: &str, error: &FormLoadError) -> Result<(), String> {
    let FormLoadError::Invalid(problems) = error else {
        return Err(format!("not a list of problems: {error}"));
    };
    if problems.is_empty() {
        return Err("refused without a problem".into());
    }
    // A file of n newline characters has lines 1..=n+1 (the last one possibly empty).
    let last_line = text.matches('\n').count() + 1;
    for p in problems {
        let shown = p.to_string();
        if p.file != path {
            return Err(format!("{shown}: names another file"));
        }
        if !(1..=last_line).contains(&p.line) {
            return Err(format!("{shown}: line {} outside 1..={last_line}", p.line));
        }
        if p.message.trim().is_empty() || p.message.contains('\n') {
            return Err(format!("{shown:?}: empty or multi-line message"));
        }
        if shown != format!("{}:{}: {}", path.display(), p.line, p.message) {
            return Err(format!("{shown:?}: not file:line: message"));
        }
    }
    let all = error.to_string();
    if all.lines().count() != problems.len() {
        return Err(format!("{all:?}: not one line per problem"));
    }
    Ok(())
}

fn check_outcome(path: &Path, text: &str) -> Result<(), String> {
    match parse_form(path, text) {
        Ok(form) => check_loaded(path, &form).map_err(|e| format!("loaded, but {e}")),
        Err(e) => check_refusal(path, text, &e),
    }
}
